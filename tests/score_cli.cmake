# The scoring commands of `crm` (core/cli/cmd_score.c, and the scores
# section of crm customer show) end to end: the built binary with the
# fx_score fixture (tests/fixtures/fx_score.c, built by score_core.cmake)
# and rfm (a model without a fit step); and the real clv plugin on CDNOW.
if(TARGET crm AND TARGET fx_score)
  crm_test(test_cli_score test_cli_score.c cli_run.c cli_json.c)
  target_compile_definitions(test_cli_score PRIVATE
    CRM_TEST_CLI="$<TARGET_FILE:crm>")
  add_dependencies(test_cli_score crm fx_score rfm)
  # the real clv model on tests/data/cdnowElog.csv: crm score fit clv
  # prints the published CDNOW parameters
  if(TARGET clv)
    add_dependencies(test_cli_score clv)
    target_compile_definitions(test_cli_score PRIVATE CRM_TEST_HAVE_CLV)
  endif()
endif()
