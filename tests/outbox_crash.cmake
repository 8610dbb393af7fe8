# The outbox end to end with the real sms_http plugin against
# tests/servers/http_sink.py: a 429 slowing the channel, a 500 retried,
# a 404 marking the address, the webhook route (test_outbox_http), and a kill -9 of the
# sending process (`crm outbox run`) between the send and the
# acknowledgement, resumed with no loss and no duplicate
# (test_outbox_crash).
set(CRM_HTTP_SINK "${CMAKE_CURRENT_SOURCE_DIR}/servers/http_sink.py")
if(TARGET sms_http AND TARGET webhook AND
   EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/test_outbox_http.c")
  if(NOT TARGET PkgConfig::CRMT_LIBCRYPTO)
    pkg_check_modules(CRMT_LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
  endif()
  crm_test(test_outbox_http test_outbox_http.c)
  target_compile_definitions(test_outbox_http PRIVATE
    HS_SINK_SCRIPT="${CRM_HTTP_SINK}")
  target_link_libraries(test_outbox_http PRIVATE PkgConfig::CRMT_LIBCRYPTO)
  add_dependencies(test_outbox_http sms_http webhook)
  set_tests_properties(test_outbox_http PROPERTIES TIMEOUT 120)
endif()
if(TARGET sms_http AND TARGET crm AND
   EXISTS "${PROJECT_SOURCE_DIR}/core/cli/cmd_outbox.c" AND
   EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/test_outbox_crash.c")
  crm_test(test_outbox_crash test_outbox_crash.c)
  target_compile_definitions(test_outbox_crash PRIVATE
    HS_SINK_SCRIPT="${CRM_HTTP_SINK}"
    CRM_TEST_CLI="$<TARGET_FILE:crm>")
  add_dependencies(test_outbox_crash sms_http crm)
  set_tests_properties(test_outbox_crash PROPERTIES TIMEOUT 120)
endif()
