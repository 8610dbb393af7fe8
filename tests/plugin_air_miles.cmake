# The air_miles reward plugin in isolation (fake host). It reads the
# shipped tests/data/airports.dat (config airports = "airports.dat",
# resolved against CRM_TEST_DATA_DIR as the fake host's conf_dir) and
# writes its made-up airports files into the build tree.
crm_plugin_test(test_plugin_air_miles air_miles)
target_compile_definitions(test_plugin_air_miles PRIVATE
  CRM_TEST_DATA_DIR="${CRM_TEST_DATA_DIR}")
target_link_libraries(test_plugin_air_miles PRIVATE m)
