#!/bin/sh
# A focused suite for issue #12's loose ends in shadow mode: the crmem
# guest (LMSW/SMSW memory operands, SMSW sizes) in nested mode and in
# shadow mode (v3ctl run --paging shadow).  Boot: boot-qemu.sh crmem (the
# suites that make check runs have it too: svm-suite.sh, shadow-tests.sh).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk

t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
for mode in nested shadow; do
	name="crmem: $mode"
	if need_guest "$name" crmem.elf; then
		v3ctl_run "cr-$mode" crmem.elf 64M --paging "$mode"
		why=
		[ "$RC" = 1 ] || why="v3ctl run exited $RC (guest pass is 1)"
		if [ -z "$why" ] && grep -q 'not ok' "$OUT"; then why="the guest reported failures"; fi
		if [ -z "$why" ] && ! grep -q 'all 11 passed' "$OUT"; then why="no 'all 11 passed'"; fi
		result "$name" "$([ -z "$why" ]; echo $?)" "$why"
		[ -n "$why" ] && { diag_file console "$OUT" 14; diag_file stderr "$ERR" 4; }
		vm_gone "cr-$mode"
	fi
done
t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm' | tail -n 10 | sed 's/^/# dmesg: /'
finish
