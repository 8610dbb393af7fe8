# The property test of the loyalty engine: thousands of random event
# sequences against two reward schemes, the invariants checked after
# every step. CRM_PROPERTY_SEQS / CRM_PROPERTY_SEED / CRM_PROPERTY_SEQ
# (one sequence, verbose) override the defaults for local runs.
#
# tests/fixtures/fx_reward.c built twice: fx_reward_a (the core reconciles
# refunds) and fx_reward_b (the plugin takes points back itself).
function(crm_reward_fixture name comp)
  crm_sdk_add_plugin(${name}
                     "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_reward.c")
  set_target_properties(${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
  target_compile_definitions(${name} PRIVATE FX_REWARD_NAME="${name}"
                             FX_REWARD_COMP="${comp}" ${ARGN})
endfunction()

crm_reward_fixture(fx_reward_a fxa_points FX_REWARD_CORE_REFUNDS)
crm_reward_fixture(fx_reward_b fxb_points)

crm_test(test_points_property test_points_property.c points_property_check.c
         points_property_model.c points_property_ops.c)
add_dependencies(test_points_property fx_reward_a fx_reward_b)
set_tests_properties(test_points_property PROPERTIES TIMEOUT 900)
