# The loyalty_index scoring plugin through the real core (store in memory,
# generated crm.conf, plugin from the build tree): parts, index and its
# explanation, company figures, fit, score_event, refused settings.
foreach(t test_plugin_loyalty_index test_plugin_loyalty_index_figures)
  crm_test(${t} ${t}.c)
  add_dependencies(${t} loyalty_index)
  target_link_libraries(${t} PRIVATE m)
endforeach()

# In isolation (fake host): descriptor, refusal of a pre-1.3 host, reload.
crm_plugin_test(test_plugin_loyalty_index_host loyalty_index)
