# The lead scoring plugin: in isolation through the fake host
# (test_plugin_lead; its frequency table in kv: test_plugin_lead_kv) and
# end to end through the core, with the plugin loaded from the build tree
# (test_plugin_lead_e2e).
crm_plugin_test(test_plugin_lead lead)
target_link_libraries(test_plugin_lead PRIVATE m)
crm_plugin_test(test_plugin_lead_kv lead)
target_link_libraries(test_plugin_lead_kv PRIVATE m)
crm_test(test_plugin_lead_e2e test_plugin_lead_e2e.c)
add_dependencies(test_plugin_lead_e2e lead)
target_link_libraries(test_plugin_lead_e2e PRIVATE PkgConfig::SQLITE3 m)
