# Tests of the loyalty engine's scheme rules, tiers and redemption.
#
# fx_loyalty: the payload-driven reward fixture of the points tests
# (tests/fixtures/fx_points.c: points, credits, count, pending and expiry
# from the event payload), without CRM_REWARD_CORE_REFUNDS, built twice
# so that two schemes can be loaded side by side.
foreach(fxl fx_loyalty fx_loyalty2)
  crm_sdk_add_plugin(${fxl} "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_points.c")
  set_target_properties(${fxl} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
  target_compile_definitions(${fxl} PRIVATE FXP_NAME="${fxl}")
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
