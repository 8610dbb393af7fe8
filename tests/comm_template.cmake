# Message templates (core/template.c, core/template_vars.c): parsing of
# communication.templates, the lookup of variants, rendering. The
# rendering customer earns points and a tier through fx_loyalty
# (tests/loyalty.cmake).
crm_test(test_template test_template.c)
add_dependencies(test_template fx_loyalty)
