# The loyalty commands of `crm` (core/cli/cmd_points*.c, cmd_rewards.c,
# cmd_tier.c) end to end: the built binary with basic_points loaded under
# a `scheme` group written by the test (tests/test_cli_points.c).
if(TARGET crm)
  crm_test(test_cli_points test_cli_points.c cli_run.c cli_json.c)
  target_compile_definitions(test_cli_points PRIVATE
    CRM_TEST_CLI="$<TARGET_FILE:crm>")
  add_dependencies(test_cli_points crm basic_points)
  if(TARGET supermarket_points)
    add_dependencies(test_cli_points supermarket_points)
  endif()
endif()
