#!/bin/sh
# Shadow paging (issue #12): the bare-metal guests and the Linux guest in
# shadow mode, and VMs switched between the modes while they run.
# Boot it with v3suite=shadow (boot-qemu.sh shadow).  Until the policy's
# ABI exists the mode comes from INTERIM module parameters of vm.c:
# debug_paging= (mode of new VMs) and debug_paging_switch (NAME=mode).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
SW=/sys/module/v3vmm/parameters/debug_paging_switch

t_cmd "insmod v3vmm.ko debug_paging=shadow" 30 "$INSMOD" "$MOD" debug_paging=shadow
timeout 10 v3ctl version 2>&1 | sed 's/^/# /'

# mode_line NAME: the VM's line of the debug parameter
mode_line() { grep "^$1 " "$SW" 2>/dev/null; }
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }

# --- a guest in shadow mode: its MMU counters ---------------------------------
name="shadow: hello runs in shadow mode with shadow faults counted"
if need_guest "$name" hello.elf; then
	run 20 v3ctl create sh --mem 16M --kernel /guests/hello.elf
	run 10 v3ctl launch sh
	wait_state sh stopped 60
	l=$(mode_line sh)
	echo "# $l"
	sf=$(field "$l" shadow_faults)
	result "$name" "$(echo "$l" | grep -q '^sh shadow ' && [ "${sf:-0}" -gt 0 ]; echo $?)" "line '$l'"
	c=$(timeout 10 v3ctl console sh 2>/dev/null)
	result "shadow: hello prints its greeting" "$(echo "$c" | grep -q 'Hello from a v3vmm guest'; echo $?)" "$(echo "$c" | tail -n 3)"
	vm_gone sh
fi

# --- the bare-metal guests (pass = status 1, no "not ok") ----------------------
guest() { # elf mem [extra args]
	elf=$1 mem=$2; shift 2
	name="shadow: guest ${elf%.elf} ($mem${1:+ $*})"
	need_guest "$name" "$elf" || return 0
	v3ctl_run "s-${elf%.elf}" "$elf" "$mem" "$@"
	why=
	[ "$RC" = 1 ] || why="v3ctl run exited $RC (guest pass is 1)"
	if [ -z "$why" ] && grep -q 'not ok' "$OUT"; then why="the guest reported failures"; fi
	if [ -z "$why" ]; then pass "$name"; else
		fail "$name" "$why"
		grep 'not ok' "$OUT" | head -n 8 | sed 's/^/#   /'
		diag_file console "$OUT"; diag_file stderr "$ERR" 4
		dmesg_new | grep v3vmm | tail -n 12 | sed 's/^/#   /'
	fi
	vm_gone "s-${elf%.elf}"
}
for g in ${SHADOW_GUESTS:-hello hello64 cpuid portio memory longmode exceptions msr hypercall pcdev paging}; do
	[ "$g" = paging ] && [ ! -f "$GUESTS/paging.elf" ] && continue
	guest "$g.elf" 64M
done
guest memory.elf 256M
guest multiboot.elf 64M --cmdline "v3vmm-test arg=42" --initrd /guests/payload.txt

# --- switching a running VM back and forth -------------------------------------
# flip NAME N: switch N times, alternating; the count of failed writes in $FLIPERR
flip() {
	FLIPERR=0 i=0
	while [ $i -lt "$2" ]; do
		m=nested; [ $((i % 2)) = 1 ] && m=shadow
		echo "$1=$m" >"$SW" 2>/dev/null || FLIPERR=$((FLIPERR + 1))
		i=$((i + 1))
	done
}
name="switch: memory guest (256M) flipped 40 times while it runs still passes"
if need_guest "$name" memory.elf; then
	run 20 v3ctl create fm --mem 256M --kernel /guests/memory.elf
	run 10 v3ctl launch fm
	flip fm 40
	wait_state fm stopped 120
	l=$(mode_line fm); echo "# $l"
	c=$(timeout 10 v3ctl console fm 2>/dev/null)
	code=$(info_field fm exit-code)
	sw=$(field "$l" switches)
	result "$name" "$(echo "$c" | grep -q 'all [0-9]* passed' && ! echo "$c" | grep -q 'not ok' && [ "$FLIPERR" = 0 ]; echo $?)" \
		"write errors $FLIPERR, exit-code '$code', line '$l'" "$(echo "$c" | tail -n 4)"
	result "switch: switches counted (40)" "$([ "${sw:-0}" = 40 ]; echo $?)" "switches '$sw'"
	vm_gone fm
fi
name="switch: created, paused and stopped VMs switch too"
if need_guest "$name" forever.elf; then
	run 20 v3ctl create fs --mem 16M --kernel /guests/forever.elf
	e=0
	echo "fs=nested" >"$SW" || e=$((e + 1))
	echo "fs=shadow" >"$SW" || e=$((e + 1))
	run 10 v3ctl launch fs
	sleep 1
	run 10 v3ctl pause fs
	echo "fs=nested" >"$SW" || e=$((e + 1))
	run 10 v3ctl resume fs
	sleep 1
	echo "fs=shadow" >"$SW" || e=$((e + 1))
	st=$(info_field fs state)
	run 10 v3ctl stop fs
	echo "fs=nested" >"$SW" || e=$((e + 1))
	result "$name" "$([ "$e" = 0 ] && [ "$st" = running ]; echo $?)" "errors $e, state after the switches '$st'"
	vm_gone fs
fi
result "switch: a bad mode is refused" "$(! echo "nosuchvm=shadow" >"$SW" 2>/dev/null; echo $?)" "accepted"

# --- Linux in shadow mode ------------------------------------------------------
if [ "${SHADOW_LINUX:-1}" = 1 ]; then
	LINUX_TWO_VMS=0
	: "${LINUX_VCPUS:=1 4}"
	# shellcheck source=tests/l1/linux-tests.sh
	. /tests/l1/linux-tests.sh
fi

t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm' | tail -n 20 | sed 's/^/# dmesg: /'
finish
