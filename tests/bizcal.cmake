# Business-hours calendar and the SLA clock (core/bizcal.c).
crm_test(test_bizcal test_bizcal.c)
