# Shadow paging tests (issue #12), sourced by svm-suite.sh (and so by the
# VMX suite) and by shadow-suite.sh.  VMs are put into shadow mode before
# launch through the INTERIM module parameter debug_paging_switch (vm.c),
# to be replaced by v3ctl paging.  A backend without shadow paging (the
# write fails with EOPNOTSUPP) skips them.
SW=/sys/module/v3vmm/parameters/debug_paging_switch

# mode_line NAME: the VM's line of the debug parameter
mode_line() { grep "^$1 " "$SW" 2>/dev/null; }
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }

# shadow_guest ELF MEM [create args]: create, switch to shadow, launch, wait
shadow_guest() {
	elf=$1 mem=$2; shift 2
	vm="s-${elf%.elf}"
	name="shadow: guest ${elf%.elf} ($mem${1:+ $*})"
	need_guest "$name" "$elf" || return 0
	run 20 v3ctl create "$vm" --mem "$mem" --kernel "$GUESTS/$elf" "$@"
	if ! echo "$vm=shadow" >"$SW" 2>/dev/null; then
		skip "$name" "no shadow paging on this backend"
		vm_gone "$vm"
		return 0
	fi
	run 10 v3ctl launch "$vm"
	wait_state "$vm" stopped 60
	c=$(timeout 10 v3ctl console "$vm" 2>/dev/null)
	l=$(mode_line "$vm")
	why=
	echo "$l" | grep -q "^$vm shadow " || why="not in shadow mode: '$l'"
	[ -z "$why" ] && ! echo "$c" | grep -q 'all [0-9]* passed' && why="no 'all N passed' (state $(info_field "$vm" state): $(info_field "$vm" detail))"
	[ -z "$why" ] && echo "$c" | grep -q 'not ok' && why="the guest reported failures"
	if [ -z "$why" ]; then pass "$name"; else
		fail "$name" "$why"
		echo "$c" | grep 'not ok' | head -n 8 | sed 's/^/#   /'
		echo "$c" | tail -n 6 | sed 's/^/#   /'
		dmesg | grep v3vmm | tail -n 6 | sed 's/^/#   /'
	fi
	vm_gone "$vm"
}

# flip NAME N: switch N times, alternating; failed writes in $FLIPERR
flip() {
	FLIPERR=0 i=0
	while [ $i -lt "$2" ]; do
		m=nested; [ $((i % 2)) = 1 ] && m=shadow
		echo "$1=$m" >"$SW" 2>/dev/null || FLIPERR=$((FLIPERR + 1))
		i=$((i + 1))
	done
}

shadow_tests() {
	if [ ! -w "$SW" ]; then
		fail "shadow: debug_paging_switch parameter" "no $SW"
		return 0
	fi
	for g in ${SHADOW_GUESTS:-hello hello64 cpuid portio memory longmode exceptions msr hypercall pcdev}; do
		shadow_guest "$g.elf" 64M
	done
	shadow_guest memory.elf 256M
	shadow_guest multiboot.elf 64M --cmdline "v3vmm-test arg=42" --initrd /guests/payload.txt

	name="shadow: switch a running memory guest (256M) 40 times: it still passes"
	if need_guest "$name" memory.elf; then
		run 20 v3ctl create fm --mem 256M --kernel "$GUESTS/memory.elf"
		if echo "fm=shadow" >"$SW" 2>/dev/null; then
			run 10 v3ctl launch fm
			flip fm 40
			wait_state fm stopped 120
			l=$(mode_line fm); echo "# $l"
			c=$(timeout 10 v3ctl console fm 2>/dev/null)
			sw=$(field "$l" switches)
			result "$name" "$(echo "$c" | grep -q 'all [0-9]* passed' && ! echo "$c" | grep -q 'not ok' && [ "$FLIPERR" = 0 ]; echo $?)" \
				"write errors $FLIPERR, line '$l'" "$(echo "$c" | tail -n 4)"
			result "shadow: switches counted (41)" "$([ "${sw:-0}" = 41 ]; echo $?)" "switches '$sw'"
		else
			skip "$name" "no shadow paging on this backend"
		fi
		vm_gone fm
	fi
	name="shadow: created, paused and stopped VMs switch too"
	if need_guest "$name" forever.elf; then
		run 20 v3ctl create fs --mem 16M --kernel "$GUESTS/forever.elf"
		e=0
		if echo "fs=shadow" >"$SW" 2>/dev/null; then
			echo "fs=nested" >"$SW" || e=$((e + 1))
			echo "fs=shadow" >"$SW" || e=$((e + 1))
			run 10 v3ctl launch fs
			sleep 1
			run 10 v3ctl pause fs
			echo "fs=nested" >"$SW" || e=$((e + 1))
			run 10 v3ctl resume fs
			sleep 1
			echo "fs=shadow" >"$SW" || e=$((e + 1))
			sleep 1
			st=$(info_field fs state)
			run 10 v3ctl stop fs
			echo "fs=nested" >"$SW" || e=$((e + 1))
			result "$name" "$([ "$e" = 0 ] && [ "$st" = running ]; echo $?)" "errors $e, state after the switches '$st'"
		else
			skip "$name" "no shadow paging on this backend"
		fi
		vm_gone fs
	fi
	result "shadow: switching an unknown VM is refused" "$(! echo "nosuchvm=shadow" >"$SW" 2>/dev/null; echo $?)" "accepted"
}
