# Tests of the plugin loader, the admin config and the host table.
#
# Fixture plugins: tests/fixtures/fx_plugin.c built once per variant, each
# wrong in exactly one way, into ${CRM_TEST_FIXTURE_DIR} with the same
# rules as real plugins (MODULE, no lib prefix, hidden visibility, -z defs;
# the sanitizer flags come from the top level).
set(CRM_FX_SOURCE "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_plugin.c")
set(CRM_FX_TARGETS "")

function(crm_fixture name)
  crm_sdk_add_plugin(${name} ${CRM_FX_SOURCE})
  set_target_properties(${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")
  target_compile_definitions(${name} PRIVATE FX_NAME="${name}" ${ARGN})
  set(CRM_FX_TARGETS ${CRM_FX_TARGETS} ${name} PARENT_SCOPE)
endfunction()

crm_fixture(fx_good FX_HELPER=1)
crm_fixture(fx_other FX_HELPER=7)
crm_fixture(fx_norecon FX_HELPER=3 FX_NO_RECONF)
crm_fixture(fx_noentry FX_NO_ENTRY)
crm_fixture(fx_badmagic FX_MAGIC=0xDEADBEEFu)
crm_fixture(fx_major FX_ABI_MAJOR=CRM_SDK_ABI_MAJOR+1)
crm_fixture(fx_minor FX_ABI_MINOR=CRM_SDK_ABI_MINOR+1)
crm_fixture(fx_v10 FX_V10 FX_HELPER=5)
crm_fixture(fx_small FX_STRUCT_SIZE=16)
crm_fixture(fx_sig "FX_BUILD_SIG=\"crm-sdk1 ptr4 long4 dbl8 le\"")
crm_fixture(fx_noinit FX_NO_INIT)
crm_fixture(fx_novt FX_NO_ONEVENT)
crm_fixture(fx_shortvt FX_SHORT_VT)
crm_fixture(fx_kind FX_KIND=7)
crm_fixture(fx_initfail FX_INIT_RC=-2)
crm_fixture(fx_dupcomp "FX_COMP=\"fx_good_points\"")
crm_fixture(fx_initsegv FX_INIT_SEGV)
crm_fixture(fx_ctorsegv FX_CTOR_SEGV)
crm_fixture(fx_inithang FX_INIT_HANG)
crm_fixture(fx_initfork FX_INIT_FORK)

# A plugin that calls back into the core from inside its callbacks.
crm_sdk_add_plugin(fx_nest "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/fx_nest.c")
set_target_properties(fx_nest PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY "${CRM_TEST_FIXTURE_DIR}")

# Every loader case in its own process (libuv style): one ctest entry
# per case, the executable runs the case named by argv[1].
crm_test_exe(test_loader test_loader.c loader_util.c)
add_dependencies(test_loader ${CRM_FX_TARGETS})
foreach(case
    good refused_noentry refused_badmagic refused_major refused_minor
    accepted_v10 refused_small refused_sig refused_noinit refused_novt
    refused_shortvt refused_kind initfail_optional helper_local
    duplicate_component name_mismatch required_fails optional_fails
    not_found writable_file not_regular disabled reload_reconfigure
    reload_restart reload_disable reload_enable reload_bad_config
    reload_refused reload_refused_required reload_restart_both_fail
    call_failed)
  add_test(NAME loader.${case} COMMAND test_loader ${case})
endforeach()

crm_test_exe(test_plugin_check test_plugin_check.c loader_util.c)
add_dependencies(test_plugin_check fx_good fx_major fx_initfail fx_initsegv
                 fx_ctorsegv fx_inithang fx_initfork rfm basic_points file
                 basic_case)
foreach(case
    plugin_check_good plugin_check_init_segv plugin_check_ctor_segv
    plugin_check_major plugin_check_missing plugin_check_init_hang
    plugin_check_init_fork shipped_plugins plugin_check_sigchld_ignored)
  add_test(NAME plugin_check.${case} COMMAND test_plugin_check ${case})
endforeach()
# A check that waits for the pipe's end of file hangs on these two: fail
# them well before ctest's default timeout.
set_tests_properties(plugin_check.plugin_check_init_hang
                     plugin_check.plugin_check_init_fork
                     PROPERTIES TIMEOUT 120)

crm_test(test_config test_config.c loader_util.c)

crm_test(test_host test_host.c loader_util.c)
add_dependencies(test_host fx_good fx_other fx_nest basic_points)

crm_test(test_host_1_2 test_host_1_2.c loader_util.c)
add_dependencies(test_host_1_2 fx_good)

crm_test(test_alloc_torture test_alloc_torture.c loader_util.c)
add_dependencies(test_alloc_torture fx_good fx_other fx_initfail fx_norecon)

crm_test(test_loader_stop test_loader_stop.c loader_util.c)
add_dependencies(test_loader_stop fx_good fx_initfail fx_other fx_norecon)

crm_test(test_reward_compat test_reward_compat.c loader_util.c)
add_dependencies(test_reward_compat fx_v10)
