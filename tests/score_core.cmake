# Tests of the core side of scoring models (SDK 1.3): scores with
# explanations, figures, the event walk, the fit step, the score step.
#
# fx_score: a 1.3 scoring fixture (tests/fixtures/fx_score.c, documented
# at its top); fx_score_v12 is the same source built as a 1.2 plugin
# (no fit, no score_event: the core calls score_one).
foreach(fxs fx_score fx_score_v12)
  crm_sdk_add_plugin(${fxs} "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_score.c")
  set_target_properties(${fxs} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
  target_compile_definitions(${fxs} PRIVATE FXS_NAME="${fxs}")
endforeach()
target_compile_definitions(fx_score_v12 PRIVATE FXS_V12)

# test_host_1_3, test_host_walk: the host services through fx_score's ctx;
# test_score_fit: crm_score_fit, fits and figures, rollback, cancel,
# allocation torture; test_score_event: the score step after each event,
# crm__score_ask, the 1.2 score_one path.
foreach(t test_host_1_3 test_host_walk test_score_fit test_score_event)
  if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${t}.c")
    crm_test(${t} ${t}.c loader_util.c)
    add_dependencies(${t} fx_score fx_score_v12)
  endif()
endforeach()
