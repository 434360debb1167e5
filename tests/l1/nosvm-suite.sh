#!/bin/sh
# The no-SVM suite: L1 booted with -cpu EPYC,-svm.  Loading must fail with
# ENODEV and one clear v3vmm line in the kernel log.
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
MOD=/v3/v3vmm.ko
INSMOD=/sbin/insmod # kmod (see v3.sh)
dmesg_mark

if grep -qw svm /proc/cpuinfo; then
	fail "L1 CPU has no svm" "svm is in /proc/cpuinfo: boot with -cpu EPYC,-svm"
else
	pass "L1 CPU has no svm"
fi
run 30 "$INSMOD" "$MOD"
result "insmod fails" "$([ "$RC" != 0 ]; echo $?)" "insmod exited $RC"
result "insmod error is ENODEV (No such device)" "$(grep -q 'No such device' "$ERR"; echo $?)" "$(cat "$ERR")"
result "no /dev/v3vmm" "$([ ! -e /dev/v3vmm ]; echo $?)" "$(ls -l /dev/v3vmm 2>&1)"
# the one line v3vmm logs to say why (the kernel's taint notes aside)
dmesg_new | grep -i v3vmm | grep -v -e 'taints kernel' -e 'tainting kernel' >/tmp/why
n=$(wc -l </tmp/why)
result "dmesg has exactly one v3vmm line" "$([ "$n" = 1 ]; echo $?)" "$n lines:" "$(head -n 5 /tmp/why)"
result "that line says SVM is missing" "$(grep -qi svm /tmp/why; echo $?)" "$(head -n 1 /tmp/why)"
sed 's/^/# dmesg: /' /tmp/why | head -n 3
finish
