# Time zones from the system tz database (core/tz.c), checked against
# glibc's localtime_r and hand-worked DST cases.
crm_test(test_tz test_tz.c)
