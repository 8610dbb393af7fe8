# The clv scoring plugin end to end (real core, generated crm.conf, the
# plugin from the build tree, CDNOW golden figures). The test compiles the
# model maths (btyd*.c) itself to recompute a customer's scores at the
# fitted figures.
file(GLOB CLV_TEST_BTYD_SRC "${PROJECT_SOURCE_DIR}/plugins/scoring/btyd*.c")
crm_test(test_plugin_clv test_plugin_clv.c ${CLV_TEST_BTYD_SRC})
target_include_directories(test_plugin_clv PRIVATE
  ${PROJECT_SOURCE_DIR}/plugins/scoring)
target_link_libraries(test_plugin_clv PRIVATE m)
add_dependencies(test_plugin_clv clv)
# Stores the model cannot be fitted on, model = "pnbd" without Pareto/NBD
# figures, money labels (clv_config.c compiled in for clv_money_format).
crm_test(test_plugin_clv_edge test_plugin_clv_edge.c
  ${PROJECT_SOURCE_DIR}/plugins/scoring/clv_config.c)
target_include_directories(test_plugin_clv_edge PRIVATE
  ${PROJECT_SOURCE_DIR}/plugins/scoring)
target_link_libraries(test_plugin_clv_edge PRIVATE m)
add_dependencies(test_plugin_clv_edge clv)
