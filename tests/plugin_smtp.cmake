# The smtp channel plugin (plugins/channel/smtp.c) against a real SMTP
# server on loopback: tests/servers/smtp_sink.py (Debian's python3-aiosmtpd,
# run with /usr/bin/python3), started and stopped by the test itself.
if(TARGET smtp)
  crm_plugin_test(test_plugin_smtp smtp)
  target_compile_definitions(test_plugin_smtp PRIVATE
    CRM_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set_tests_properties(test_plugin_smtp PROPERTIES TIMEOUT 120)
endif()

# End to end through the real core: route email -> smtp, the outbox
# (crm_outbox_enqueue, crm_outbox_run) and the sink.
if(TARGET smtp AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/test_plugin_smtp_e2e.c")
  crm_test(test_plugin_smtp_e2e test_plugin_smtp_e2e.c)
  target_link_libraries(test_plugin_smtp_e2e PRIVATE PkgConfig::SQLITE3)
  add_dependencies(test_plugin_smtp_e2e smtp)
  set_tests_properties(test_plugin_smtp_e2e PROPERTIES TIMEOUT 120)
endif()
