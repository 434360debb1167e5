#!/bin/sh
# A focused suite for the VMX side of issue #12 (module/vmx/vmx_paging.c):
# the bare-metal guests in nested paging, then, where the module has the
# capability paging-switch, in shadow paging (v3ctl run --paging shadow).  Boot it with v3suite=vmxpaging on the
# emulated VMX host (tests/harness/bochs/boot-bochs.sh).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk

t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
dmesg_new | grep 'VMX: VPID' | sed 's/^/# /'

guest() { # mode elf mem
	mode=$1 elf=$2 mem=$3
	name="$mode: guest ${elf%.elf} ($mem)"
	need_guest "$name" "$elf" || return 0
	v3ctl_run "p-${elf%.elf}" "$elf" "$mem" --paging "$mode"
	why=
	[ "$RC" = 1 ] || why="v3ctl run exited $RC (guest pass is 1)"
	if [ -z "$why" ] && grep -q 'not ok' "$OUT"; then why="the guest reported failures"; fi
	if [ -z "$why" ]; then pass "$name"; else
		fail "$name" "$why"
		grep 'not ok' "$OUT" | head -n 8 | sed 's/^/#   /'
		diag_file console "$OUT"; diag_file stderr "$ERR" 6
		dmesg_new | grep v3vmm | tail -n 30 | sed 's/^/#   dmesg: /'
	fi
	vm_gone "p-${elf%.elf}"
}

guests() { # mode
	for g in hello.elf hello64.elf cpuid.elf memory.elf longmode.elf exceptions.elf msr.elf; do
		guest "$1" "$g" 64M
	done
	guest "$1" memory.elf 256M
}

guests nested
# shadow paging exists where the module offers the capability paging-switch
caps=$(cat /sys/kernel/v3vmm/caps 2>/dev/null)
if [ -n "$caps" ] && [ $((caps & (1 << 17))) != 0 ]; then
	guests shadow
else
	T_N=$((T_N + 1)); echo "ok $T_N - shadow guests # SKIP no capability paging-switch (caps '$caps')"
fi

t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm' | tail -n 30 | sed 's/^/# dmesg: /'
finish
