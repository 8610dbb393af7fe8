# Lifecycle triggers (core/trigger_config.c, core/trigger.c,
# core/trigger_due.c): triggers fired as their causes happen, the
# due-time schedule (birthday, member day, points expiring), seeding,
# config errors. Points and tiers come from fx_loyalty
# (tests/loyalty.cmake), cases from basic_case.
foreach(t test_trigger test_trigger_due test_trigger_cause)
  if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${t}.c")
    crm_test(${t} ${t}.c loader_util.c)
    add_dependencies(${t} fx_loyalty basic_case)
  endif()
endforeach()
