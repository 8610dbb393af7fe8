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

# test_outbox: enqueue validation, dedupe keys, get / foreach, retry,
# purge, receipts, bad addresses, the migration of schema 4 rows.
crm_test(test_outbox test_outbox.c)
add_dependencies(test_outbox fx_channel)
# test_outbox_run: the dispatcher: backoff, dead, permanent, rejected,
# rate limits, pacing, crash recovery, crm_message_send's answers.
crm_test(test_outbox_run test_outbox_run.c)
add_dependencies(test_outbox_run fx_channel fx_channel2)
