# Complaint cases in the core (issue 7): agents' operations (assign,
# resolve, close, reject, merge) and messages on a case (replies, notes,
# reopen, follow-up), with basic_case and the file channel; the paths
# that open or move cases checked for consistency (test_case_flow).
foreach(t test_case_ops test_case_reply test_case_flow)
  crm_test(${t} ${t}.c)
  add_dependencies(${t} basic_case file)
endforeach()
