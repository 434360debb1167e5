#!/bin/sh
# The two-node test, node A (tests/l1/twonode-tests.sh; started by
# tests/harness/boot-twonode.sh with v3suite=twonodea), and node B's too
# (twonodeb-suite.sh sets TN_ROLE=b and runs this file).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
LINUX_VCPUS=" " LINUX_TWO_VMS=0	# linux-tests.sh's helpers only
# shellcheck source=tests/l1/linux-tests.sh
. /tests/l1/linux-tests.sh
# shellcheck source=tests/l1/content-tests.sh
. /tests/l1/content-tests.sh
# shellcheck source=tests/l1/twonode-tests.sh
. /tests/l1/twonode-tests.sh
: "${TN_ROLE:=a}"
suite_begin
twonode_tests
t_cmd "twonode $TN_ROLE: rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "twonode $TN_ROLE: dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm\|e1000' | tail -n 10 | sed 's/^/# dmesg: /'
finish
