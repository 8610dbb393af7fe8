# crm_sdk_add_plugin(<name> <sources>...)
# Builds a crmcore plugin as a MODULE named <name>.so: hidden visibility
# (only crm_plugin_entry is exported) and -z defs (an undefined symbol
# fails the build, not the dlopen).
function(crm_sdk_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(TARGET CrmSdk::sdk)
    target_link_libraries(${name} PRIVATE CrmSdk::sdk)
  else()
    target_link_libraries(${name} PRIVATE crm_sdk)
  endif()
  target_link_options(${name} PRIVATE -Wl,-z,defs)
endfunction()
