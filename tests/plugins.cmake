# Tests of the shipped plugins and the SDK packaging.
#
# test_plugin_<name>: one plugin in isolation. The test dlopens the built
# plugin from CRM_TEST_PLUGIN_DIR and drives it through a fake host table
# (test_plugin_fake.c); no core is linked, like an outsider's unit test.
function(crm_plugin_test name plugin)
  add_executable(${name} ${name}.c test_plugin_fake.c test_plugin_fake_13.c)
  target_include_directories(${name} PRIVATE
    ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/sdk)
  target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA PkgConfig::SQLITE3
                        ${CMAKE_DL_LIBS})
  target_compile_definitions(${name} PRIVATE
    CRM_TEST_PLUGIN_DIR="${CRM_PLUGIN_BUILD_DIR}"
    CRM_TEST_BINARY_DIR="${CMAKE_CURRENT_BINARY_DIR}")
  add_dependencies(${name} ${plugin})
  add_test(NAME ${name} COMMAND ${name})
endfunction()

crm_plugin_test(test_plugin_rfm rfm)
crm_plugin_test(test_plugin_basic_points basic_points)
crm_plugin_test(test_plugin_file file)
crm_plugin_test(test_plugin_basic_case basic_case)
target_link_libraries(test_plugin_file PRIVATE PkgConfig::SQLITE3)

# Integration: the core side of scoring, cases and messages through the
# public API, with the shipped plugins loaded from the build tree.
crm_test(test_score test_score.c)
add_dependencies(test_score rfm)
crm_test(test_case test_case.c)
add_dependencies(test_case basic_case)
crm_test(test_message test_message.c)
add_dependencies(test_message file)
crm_test(test_plugin_integration test_plugin_integration.c)
add_dependencies(test_plugin_integration rfm basic_points basic_case file)

# The SDK as an outsider gets it: install into a scratch prefix, build
# sdk/template out of tree with find_package(CrmSdk) and with pkg-config,
# crm_plugin_check the results and unit-test echo_channel with a fake host
# (test_sdk_install.c), then send through echo_channel with the installed
# crm.
crm_test_exe(test_sdk_install test_sdk_install.c cli_json.c)
target_link_libraries(test_sdk_install PRIVATE ${CMAKE_DL_LIBS})
find_program(CRM_SH sh)
add_test(NAME test_sdk_install
  COMMAND ${CRM_SH} ${CMAKE_CURRENT_SOURCE_DIR}/test_sdk_install.sh
          ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR}
          $<TARGET_FILE:test_sdk_install> ${CMAKE_C_COMPILER}
          ${CRM_SDK_VERSION})
