# Complaints config, SLA clocks on business hours, escalation and the
# automatic close (core/case_config.c, core/sla.c, core/sla_run.c).
crm_test(test_case_config test_case_config.c loader_util.c)
crm_test(test_sla test_sla.c)
add_dependencies(test_sla basic_case)
crm_test(test_sla_edges test_sla_edges.c)
add_dependencies(test_sla_edges basic_case)
crm_test(test_sla_followups test_sla_followups.c)
add_dependencies(test_sla_followups basic_case)
