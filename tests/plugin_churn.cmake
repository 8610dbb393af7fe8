# The churn scoring plugin in isolation: dlopened from the build tree and
# driven through the fake host (test_plugin_fake.c), no core linked.
crm_plugin_test(test_plugin_churn churn)
target_link_libraries(test_plugin_churn PRIVATE m)
