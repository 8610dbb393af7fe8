# Tests of the `crm` command (core/cli): the CSV reader and output helpers
# as units, and the built binary end to end.
set(CRM_CLI_DIR "${PROJECT_SOURCE_DIR}/core/cli")

crm_test(test_csv test_csv.c ${CRM_CLI_DIR}/csv.c)
target_include_directories(test_csv PRIVATE ${CRM_CLI_DIR})

crm_test(test_cli_out test_cli_out.c cli_json.c ${CRM_CLI_DIR}/out.c)
target_include_directories(test_cli_out PRIVATE ${CRM_CLI_DIR})

# End to end: each executable runs the built crm (cli_run.c) with the
# in-tree plugins and fixtures.
if(TARGET crm)
  foreach(t test_cli test_cli_customer test_cli_import)
    crm_test(${t} ${t}.c cli_run.c cli_json.c)
    target_compile_definitions(${t} PRIVATE
      CRM_TEST_CLI="$<TARGET_FILE:crm>")
    add_dependencies(${t} crm basic_points)
    if(TARGET fx_major)
      add_dependencies(${t} fx_major)
    endif()
  endforeach()
endif()
