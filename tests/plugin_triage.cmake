# Complaint plugins of issue 7 and the core's triage side.
#
# test_plugin_triage: the triage plugin through the fake host, with a
# cases_walk and a 64 KiB kv of its own; also includes the plugin's
# header-only naive Bayes (triage_nb.h) to check the posterior by hand.
# test_plugin_baggage_case: the airline pack's handler through the fake
# host. test_case_triage: the core side (host->cases_walk, triage on open,
# crm_case_train, which complaint components the loader takes) with the
# plugins loaded from the build tree, and conf/packs/airline_complaints.conf
# as shipped.
crm_plugin_test(test_plugin_triage triage)
target_include_directories(test_plugin_triage PRIVATE
  ${PROJECT_SOURCE_DIR}/plugins/complaint)
target_link_libraries(test_plugin_triage PRIVATE m)
# test_plugin_triage_odd: odd texts and big models, same fake host
# (tests/triage_test.h).
crm_plugin_test(test_plugin_triage_odd triage)
target_include_directories(test_plugin_triage_odd PRIVATE
  ${PROJECT_SOURCE_DIR}/plugins/complaint)
crm_plugin_test(test_plugin_baggage_case baggage_case)

# Complaint fixtures: tests/fixtures/fx_complaint.c built as a 1.4 handler
# with states of its own, a triage component without train, and a
# complaint component with neither states nor classify (refused).
function(crm_complaint_fixture name)
  crm_sdk_add_plugin(${name}
    ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_complaint.c)
  set_target_properties(${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
  target_compile_definitions(${name} PRIVATE FX_NAME="${name}" ${ARGN})
endfunction()
crm_complaint_fixture(fx_case14 FX_CASE14)
crm_complaint_fixture(fx_triage_only FX_TRIAGE)
crm_complaint_fixture(fx_case_none FX_NONE)

crm_test(test_case_triage test_case_triage.c)
add_dependencies(test_case_triage basic_case basic_points triage baggage_case
                 fx_case14 fx_triage_only fx_case_none)
target_link_libraries(test_case_triage PRIVATE PkgConfig::SQLITE3)
