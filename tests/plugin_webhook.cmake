# The webhook channel plugin in isolation (fake host), against
# tests/servers/http_sink.py; the test recomputes the HMAC-SHA256
# signature with libcrypto. crm_http_plugin_test: plugin_sms_http.cmake.
if(TARGET webhook AND COMMAND crm_http_plugin_test AND
   EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/test_plugin_webhook.c")
  if(NOT TARGET PkgConfig::CRMT_LIBCRYPTO)
    pkg_check_modules(CRMT_LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
  endif()
  crm_http_plugin_test(test_plugin_webhook webhook)
  target_link_libraries(test_plugin_webhook PRIVATE PkgConfig::CRMT_LIBCRYPTO)
endif()
