# Consent and contact preferences (core/consent.c, core/consent_prefs.c).
crm_test(test_consent test_consent.c)
