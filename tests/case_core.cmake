# Complaint cases in the core (issue 7): agents' operations (assign,
# resolve, close, reject, merge) and messages on a case (replies, notes,
# reopen, follow-up), with basic_case and the file channel; the paths
# that open or move cases checked for consistency (test_case_flow).
foreach(t test_case_ops test_case_reply test_case_flow)
  crm_test(${t} ${t}.c)
  add_dependencies(${t} basic_case file)
endforeach()
# What the core hands a complaint handler (customer_text on open and
# transition) and takes from it (a re-classification on a move, the
# refusal's message), with the fx_case_watch fixture.
crm_sdk_add_plugin(fx_case_watch
  ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_case_watch.c)
set_target_properties(fx_case_watch PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
crm_test(test_case_handler test_case_handler.c)
add_dependencies(test_case_handler fx_case_watch)
