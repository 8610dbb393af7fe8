# The consent and contact-preference commands of `crm`
# (core/cli/cmd_consent.c) end to end with the built binary: crm consent
# set / dnc / clear-dnc / show and crm prefs set.
if(TARGET crm)
  crm_test(test_cli_consent test_cli_consent.c cli_run.c cli_json.c)
  target_compile_definitions(test_cli_consent PRIVATE
    CRM_TEST_CLI="$<TARGET_FILE:crm>")
  add_dependencies(test_cli_consent crm)
endif()
