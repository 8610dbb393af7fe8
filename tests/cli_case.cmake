# The complaint commands of `crm` (core/cli/cmd_case*.c, cmd_sla.c) end to
# end: the built binary with the real basic_case handler, basic_points
# (the compensation's scheme), the file channel and the triage component
# under a `complaints` group written by the test (tests/test_cli_case.c).
if(TARGET crm AND TARGET basic_case AND TARGET basic_points AND TARGET file
   AND TARGET triage)
  crm_test(test_cli_case test_cli_case.c cli_run.c cli_json.c)
  target_compile_definitions(test_cli_case PRIVATE
    CRM_TEST_CLI="$<TARGET_FILE:crm>")
  add_dependencies(test_cli_case crm basic_case basic_points file triage)
endif()
# The desk's view (list in the team's time with due times, sla show after
# a breach and a stop, errors): tests/test_cli_case_desk.c.
if(TARGET crm AND TARGET basic_case AND TARGET basic_points
   AND TARGET supermarket_points)
  crm_test(test_cli_case_desk test_cli_case_desk.c cli_run.c cli_json.c)
  target_compile_definitions(test_cli_case_desk PRIVATE
    CRM_TEST_CLI="$<TARGET_FILE:crm>")
  add_dependencies(test_cli_case_desk crm basic_case basic_points
                   supermarket_points)
endif()
# crm_time_local, the team-local times the case commands print
# (core/time_local.c): Paris and New York around their 2026 switches, UTC,
# unknown zones, $TZDIR (tests/test_time_local.c).
crm_test(test_time_local test_time_local.c)
