# Tests of the loyalty engine's scheme rules, tiers and redemption.
#
# fx_loyalty: a reward plugin whose points, credits, count, pending and
# expiry come from the event payload (tests/fixtures/fx_loyalty.c), built
# twice so that two schemes can be loaded side by side.
foreach(fxl fx_loyalty fx_loyalty2)
  crm_sdk_add_plugin(${fxl} "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_loyalty.c")
  set_target_properties(${fxl} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
  target_compile_definitions(${fxl} PRIVATE FX_NAME="${fxl}")
endforeach()

crm_test(test_scheme_config test_scheme_config.c loader_util.c)
add_dependencies(test_scheme_config fx_loyalty fx_loyalty2)

# Each test is added once its source exists (they are written in stages).
foreach(t test_tier test_redeem)
  if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${t}.c")
    crm_test(${t} ${t}.c loader_util.c)
    add_dependencies(${t} fx_loyalty fx_loyalty2)
  endif()
endforeach()
