# The sms_http channel plugin in isolation (fake host), against the
# scriptable HTTP provider tests/servers/http_sink.py on loopback.
function(crm_http_plugin_test name plugin)
  add_executable(${name} ${name}.c test_plugin_fake.c test_plugin_fake_13.c)
  target_include_directories(${name} PRIVATE
    ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/sdk)
  target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA PkgConfig::SQLITE3
                        ${CMAKE_DL_LIBS})
  target_compile_definitions(${name} PRIVATE
    CRM_TEST_PLUGIN_DIR="${CRM_PLUGIN_BUILD_DIR}"
    CRM_TEST_BINARY_DIR="${CMAKE_CURRENT_BINARY_DIR}"
    HS_SINK_SCRIPT="${CMAKE_CURRENT_SOURCE_DIR}/servers/http_sink.py")
  add_dependencies(${name} ${plugin})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 120)
endfunction()

if(TARGET sms_http AND
   EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/test_plugin_sms_http.c")
  crm_http_plugin_test(test_plugin_sms_http sms_http)
endif()
