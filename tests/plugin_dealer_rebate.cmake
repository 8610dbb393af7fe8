# The dealer_rebate reward plugin (conf/packs/dealer_rebate.conf) in
# isolation, through the fake host.
crm_plugin_test(test_plugin_dealer_rebate dealer_rebate)
