# The supermarket_points reward plugin (plugins/reward/supermarket_points.c)
# in isolation, through the fake host.
crm_plugin_test(test_plugin_supermarket_points supermarket_points)
