# The communication commands of `crm` (core/cli/cmd_outbox.c, cmd_comm.c,
# cmd_send.c) end to end: the built binary with the real file channel
# plugin routed as "email" under a `communication` group written by the
# test (tests/test_cli_outbox.c).
if(TARGET crm AND TARGET file)
  crm_test(test_cli_outbox test_cli_outbox.c cli_run.c cli_json.c)
  target_compile_definitions(test_cli_outbox PRIVATE
    CRM_TEST_CLI="$<TARGET_FILE:crm>")
  add_dependencies(test_cli_outbox crm file)
endif()
