# Tests of the core's own modules: store, customers, events, lifecycle,
# ledger, time and money helpers.
crm_test(test_timefmt test_timefmt.c)
crm_test(test_store test_store.c)
crm_test(test_customer test_customer.c)
crm_test(test_event test_event.c)
crm_test(test_lifecycle test_lifecycle.c)
crm_test(test_ledger test_ledger.c)
