# The persistent outbox (core/outbox*.c, core/message.c).
#
# fx_channel: a scripted SDK 1.4 channel fixture (tests/fixtures/
# fx_channel.c, documented at its top): each call answers the next
# outcome of its config's script and appends a line to its log. Built
# twice (fx_channel, fx_channel2) so that a test has two independent
# channels.
foreach(fxc fx_channel fx_channel2)
  crm_sdk_add_plugin(${fxc} "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_channel.c")
  set_target_properties(${fxc} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
  target_compile_definitions(${fxc} PRIVATE FXC_NAME="${fxc}")
endforeach()
# fx_channel13: the same fixture as an SDK 1.3 channel (send only, the
# vtable without deliver, ABI 1.3): test_outbox_compat.
crm_sdk_add_plugin(fx_channel13 "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_channel.c")
set_target_properties(fx_channel13 PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
target_compile_definitions(fx_channel13 PRIVATE FXC_NAME="fx_channel13" FXC_V13)
crm_test(test_outbox_compat test_outbox_compat.c)
add_dependencies(test_outbox_compat fx_channel13)

# test_outbox: enqueue validation, dedupe keys, get / foreach, retry,
# purge, receipts, bad addresses, the migration of schema 4 rows.
crm_test(test_outbox test_outbox.c)
add_dependencies(test_outbox fx_channel)
# test_outbox_run: the dispatcher: backoff, dead, permanent, rejected,
# rate limits, pacing, crash recovery, crm_message_send's answers.
crm_test(test_outbox_run test_outbox_run.c)
add_dependencies(test_outbox_run fx_channel fx_channel2)
# test_outbox_race: two runs on one store, a cap under two senders, a
# message whose attempts keep crashing, absurd Retry-After values, a
# busy store when the provider's answer comes back.
crm_test(test_outbox_race test_outbox_race.c)
add_dependencies(test_outbox_race fx_channel)
