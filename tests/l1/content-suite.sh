#!/bin/sh
# Memory content tracking (issue #14) alone: boot-qemu.sh content.  The
# SVM suite runs the same tests (section content).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
LINUX_VCPUS=" " LINUX_TWO_VMS=0	# linux-tests.sh's helpers only
# shellcheck source=tests/l1/linux-tests.sh
. /tests/l1/linux-tests.sh
# shellcheck source=tests/l1/content-tests.sh
. /tests/l1/content-tests.sh
suite_begin
content_tests
t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm' | tail -n 10 | sed 's/^/# dmesg: /'
finish
