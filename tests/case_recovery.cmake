# Service recovery, the survey after closure and complaint statistics
# (issue 7: core/case_recovery.c, case_survey.c, case_stats.c) through the
# public API, with basic_case (and baggage_case), basic_points,
# loyalty_index and the file channel from the build tree.
foreach(t test_case_recovery test_case_survey test_case_stats)
  crm_test(${t} ${t}.c)
  add_dependencies(${t} basic_case baggage_case basic_points loyalty_index
                   file)
  target_link_libraries(${t} PRIVATE m)
endforeach()
