# The communication settings, channel routes and the send gate
# (core/comm_config.c, core/channel_route.c, core/send_gate.c).
crm_test(test_comm_config test_comm_config.c loader_util.c)
crm_test(test_send_gate test_send_gate.c loader_util.c)
add_dependencies(test_send_gate file)
