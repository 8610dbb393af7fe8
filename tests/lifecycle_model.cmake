# lifecycle.at_risk_model: the core asks the churn plugin (loaded from the
# build tree) at each at-risk review.
crm_test(test_lifecycle_model test_lifecycle_model.c)
target_link_libraries(test_lifecycle_model PRIVATE m)
add_dependencies(test_lifecycle_model churn)
