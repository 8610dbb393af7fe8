# Tests of the points engine: the ledger, lots (pending, expiry, due
# work), the earning pipeline and refunds, and the points operations.
#
# fx_points: a reward plugin whose answer comes from the event payload
# (tests/fixtures/fx_points.c), built with CRM_REWARD_CORE_REFUNDS
# (fx_points) and without (fx_points_plain).
foreach(fxp fx_points fx_points_plain)
  crm_sdk_add_plugin(${fxp} "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_points.c")
  set_target_properties(${fxp} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
  target_compile_definitions(${fxp} PRIVATE FXP_NAME="${fxp}")
endforeach()
target_compile_definitions(fx_points PRIVATE FXP_CORE_REFUNDS)

foreach(t test_points_earn test_points_lots test_points_refund
          test_points_ops)
  crm_test(${t} ${t}.c loader_util.c)
  add_dependencies(${t} fx_points fx_points_plain)
endforeach()
