# The rfm segment grid (config `segments`): the plugin in isolation
# through the fake host (crm_plugin_test from plugins.cmake), and through
# the real core (crm.conf read by libconfig, scores with explanations).
crm_plugin_test(test_plugin_rfm_grid rfm)
crm_test(test_rfm_grid_core test_rfm_grid_core.c)
add_dependencies(test_rfm_grid_core rfm)
