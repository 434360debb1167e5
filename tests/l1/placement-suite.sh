#!/bin/sh
# Placement (issue #13) on an L1 with 4 CPUs in 2 NUMA nodes: boot-qemu.sh
# placement --smp 4 --numa 2 (make check does).  placement-tests.sh has
# the tests.
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
# shellcheck source=tests/l1/placement-tests.sh
. /tests/l1/placement-tests.sh
# shellcheck source=tests/l1/quick.sh
. /tests/l1/quick.sh
suite_begin
timeout 10 v3ctl version 2>&1 | sed 's/^/# /'
placement_tests
# the guest's own NUMA topology (v3ctl create --guest-numa): a Linux guest
LINUX_VCPUS=" " LINUX_TWO_VMS=0	# (a blank: ":=" would replace an empty one)
# shellcheck source=tests/l1/linux-tests.sh
. /tests/l1/linux-tests.sh
# shellcheck source=tests/l1/guest-numa-tests.sh
. /tests/l1/guest-numa-tests.sh
part guest-numa && guest_numa_tests
t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm' | tail -n 20 | sed 's/^/# dmesg: /'
finish
