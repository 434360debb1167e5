#!/bin/sh
# Focused suite for issue #11 part 3 (users): ioctl_neg, permissions,
# max_guest_mem, the memory cgroup, creation without the registry lock and
# a short fuzz run.  The same tests run in svm-suite.sh.
. /tests/l1/tap.sh
. /tests/l1/v3.sh
. /tests/l1/ksft.sh
suite_begin
if [ -x /tests/ioctl_neg ]; then
	run 300 /tests/ioctl_neg
	ksft_results ioctl_neg "$OUT"
fi
. /tests/l1/users-tests.sh
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
[ -s /tmp/bad ] && dmesg_new | grep -B12 -A30 -m1 'Call Trace' | sed 's/^/#   /'
t_cmd "rmmod" 60 "$RMMOD" v3vmm
finish
