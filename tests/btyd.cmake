# The btyd model maths (BG/NBD, Pareto/NBD, Gamma-Gamma, 2F1, summaries),
# compiled straight into the tests: no plugin loading. test_btyd: hand-
# worked cases; test_btyd_cdnow: the CDNOW goldens from tests/data;
# test_btyd_edge: data that identify nothing, limits of the models.
set(CRM_BTYD_SOURCES
  ${PROJECT_SOURCE_DIR}/plugins/scoring/btyd.c
  ${PROJECT_SOURCE_DIR}/plugins/scoring/btyd_special.c
  ${PROJECT_SOURCE_DIR}/plugins/scoring/btyd_opt.c
  ${PROJECT_SOURCE_DIR}/plugins/scoring/btyd_pnbd.c)
foreach(t test_btyd test_btyd_cdnow test_btyd_edge)
  crm_test(${t} ${t}.c ${CRM_BTYD_SOURCES})
  target_include_directories(${t} PRIVATE ${PROJECT_SOURCE_DIR}/plugins/scoring)
  target_link_libraries(${t} PRIVATE m)
endforeach()
