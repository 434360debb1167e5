#!/bin/sh
# Shadow paging (issue #12): the bare-metal guests in shadow mode, VMs
# switched between the modes (shadow-tests.sh, also part of svm-suite.sh),
# then the Linux guest with every new VM in shadow mode (module parameter
# paging=shadow, adapt/paging.c).  Boot: boot-qemu.sh shadow
# (shadowquick: without Linux).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
# shellcheck source=tests/l1/shadow-tests.sh
. /tests/l1/shadow-tests.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk

t_cmd "insmod v3vmm.ko paging=shadow" 30 "$INSMOD" "$MOD" paging=shadow
timeout 10 v3ctl version 2>&1 | sed 's/^/# /'

name="shadow: paging=shadow: a new VM runs in shadow mode, shadow faults counted"
if need_guest "$name" hello.elf; then
	run 20 v3ctl create sh --mem 16M --kernel /guests/hello.elf
	run 10 v3ctl launch sh
	wait_state sh stopped 60
	l=$(sh_state sh)
	echo "# $l"
	sf=$(sh_pg sh shadow_faults)
	c=$(timeout 10 v3ctl console sh 2>/dev/null)
	result "$name" "$([ "$(sh_pg sh mode)" = shadow ] && [ "$(sh_pg sh current)" = shadow ] &&
		[ "${sf:-0}" -gt 0 ] && echo "$c" | grep -q 'Hello from a v3vmm guest'; echo $?)" "$l" "$(echo "$c" | tail -n 3)"
	vm_gone sh
fi

shadow_tests

if [ "${SHADOW_LINUX:-1}" = 1 ]; then
	LINUX_TWO_VMS=0
	# shellcheck source=tests/l1/linux-tests.sh
	. /tests/l1/linux-tests.sh
	for d in "$SH_SYS"/*/; do
		[ -d "$d" ] && echo "# $(sh_state "$(basename "$d")")"
	done
fi

t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm' | tail -n 20 | sed 's/^/# dmesg: /'
finish
