#!/bin/sh
# Focused suite for issue #12's paging interface (the policy's part):
# V3_IOC_PAGING's negative tests, v3ctl paging, the paging/ sysfs files,
# permissions and the paging= module parameter.  The same tests (but the
# parameter's) run in svm-suite.sh.
. /tests/l1/tap.sh
. /tests/l1/v3.sh
. /tests/l1/ksft.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
if [ -x /tests/ioctl_neg ]; then
	run 300 /tests/ioctl_neg
	ksft_results ioctl_neg "$OUT"
fi
PG_PARAM_TESTS=1
. /tests/l1/paging-policy-tests.sh
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
[ -s /tmp/bad ] && dmesg_new | grep -B12 -A30 -m1 'Call Trace' | sed 's/^/#   /'
t_cmd "rmmod" 60 "$RMMOD" v3vmm
finish
