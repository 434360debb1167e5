#!/bin/sh
# GEARS guest introspection (issue #15) alone: boot-qemu.sh gears.
# A suite that sources gears-tests.sh may set GEARS_VCPUS and
# GEARS_REBOOT first (see there); GEARS_PART=robust runs the tests on a
# guest that is not well instead (gearsrobust-suite.sh).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
LINUX_VCPUS=" " LINUX_TWO_VMS=0	# linux-tests.sh's helpers only
# shellcheck source=tests/l1/linux-tests.sh
. /tests/l1/linux-tests.sh
# shellcheck source=tests/l1/gears-tests.sh
. /tests/l1/gears-tests.sh
suite_begin
if [ "${GEARS_PART:-}" = robust ]; then
	gears_robust_tests	# gearsrobust-suite.sh
else
	gears_tests
fi
t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm' | tail -n 10 | sed 's/^/# dmesg: /'
finish
