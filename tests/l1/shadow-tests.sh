# Shadow paging tests (issue #12), sourced by svm-suite.sh (and so by the
# VMX suite) and by shadow-suite.sh.  Guests are created in shadow mode
# (v3ctl create --paging shadow), a launched VM is switched through both
# doors of the paging service (v3ctl paging NAME MODE and
# /sys/kernel/v3vmm/vms/NAME/paging/mode), and each VM's mode and counters
# are read from its paging/ directory.  A backend without the capability
# paging-switch (no shadow paging) skips them.
SH_SYS=/sys/kernel/v3vmm/vms
SH_CAP_SWITCH=$((1 << 17))	# V3_CAP_PAGING_SWITCH

# sh_pg VM FILE: one file of the VM's paging/ directory
sh_pg() { cat "$SH_SYS/$1/paging/$2" 2>/dev/null; }
# sh_state VM: its paging state on one line, for diagnostics
sh_state() {
	echo "$1 mode $(sh_pg "$1" mode) current $(sh_pg "$1" current) switches $(sh_pg "$1" switches) shadow_faults $(sh_pg "$1" shadow_faults) guest_faults $(sh_pg "$1" guest_faults) wp $(sh_pg "$1" wp_emulations) cr3 $(sh_pg "$1" cr3_switches) invlpg $(sh_pg "$1" invlpgs) pages $(sh_pg "$1" shadow_pages) switch_ns $(sh_pg "$1" switch_ns_last)"
}
# sh_has_shadow: the loaded module can run shadow paging (read at each call:
# sourced before insmod by shadow-suite.sh)
sh_has_shadow() {
	c=$(cat /sys/kernel/v3vmm/caps 2>/dev/null)
	[ -n "$c" ] && [ $((c & SH_CAP_SWITCH)) != 0 ]
}
# sh_set VM MODE N: switch by v3ctl paging (N even) or sysfs (N odd)
sh_set() {
	if [ $(($3 % 2)) = 0 ]; then
		timeout 30 v3ctl paging "$1" "$2" >/dev/null 2>&1
	else
		sh -c "echo $2 >$SH_SYS/$1/paging/mode" 2>/dev/null
	fi
}
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }

# shadow_guest ELF MEM [create args]: create in shadow mode, launch, wait
shadow_guest() {
	elf=$1 mem=$2; shift 2
	vm="s-${elf%.elf}"
	name="shadow: guest ${elf%.elf} ($mem${1:+ $*})"
	need_guest "$name" "$elf" || return 0
	run 20 v3ctl create "$vm" --mem "$mem" --kernel "$GUESTS/$elf" --paging shadow "$@"
	if [ "$RC" != 0 ]; then
		fail "$name" "v3ctl create --paging shadow: $(head -n 2 "$ERR")"
		vm_gone "$vm"
		return 0
	fi
	run 10 v3ctl launch "$vm"
	wait_state "$vm" stopped 60
	c=$(timeout 10 v3ctl console "$vm" 2>/dev/null)
	cur=$(sh_pg "$vm" current) sf=$(sh_pg "$vm" shadow_faults)
	why=
	[ "$cur" = shadow ] || why="not in shadow mode: $(sh_state "$vm")"
	if [ -z "$why" ] && ! [ "${sf:-0}" -gt 0 ] 2>/dev/null; then
		why="no shadow faults counted: $(sh_state "$vm")"
	fi
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

# flip NAME N: switch N times, alternating modes and doors; failed
# switches in $FLIPERR
flip() {
	FLIPERR=0 i=0
	while [ $i -lt "$2" ]; do
		m=nested; [ $((i % 2)) = 1 ] && m=shadow
		sh_set "$1" $m $((i / 2)) || FLIPERR=$((FLIPERR + 1))
		i=$((i + 1))
	done
}

shadow_tests() {
	if ! sh_has_shadow; then
		skip "shadow: guests, switches" "no shadow paging on this backend (capability paging-switch missing)"
		return 0
	fi
	for g in ${SHADOW_GUESTS:-hello hello64 cpuid portio memory longmode exceptions crmem msr hypercall pcdev}; do
		shadow_guest "$g.elf" 64M
	done
	shadow_guest memory.elf 256M
	shadow_guest multiboot.elf 64M --cmdline "v3vmm-test arg=42" --initrd /guests/payload.txt

	name="shadow: switch a running memory guest (256M) 40 times: it still passes"
	if need_guest "$name" memory.elf; then
		run 20 v3ctl create fm --mem 256M --kernel "$GUESTS/memory.elf"
		if sh_set fm shadow 0; then
			run 10 v3ctl launch fm
			sw0=$(sh_pg fm switches)
			flip fm 40
			wait_state fm stopped 120
			l=$(sh_state fm); echo "# $l"
			c=$(timeout 10 v3ctl console fm 2>/dev/null)
			sw=$(sh_pg fm switches)
			result "$name" "$(echo "$c" | grep -q 'all [0-9]* passed' && ! echo "$c" | grep -q 'not ok' && [ "$FLIPERR" = 0 ]; echo $?)" \
				"switch errors $FLIPERR, $l" "$(echo "$c" | tail -n 4)"
			result "shadow: 40 switches counted" "$([ $((${sw:-0} - ${sw0:-0})) = 40 ]; echo $?)" "switches '$sw0' -> '$sw'"
		else
			fail "$name" "v3ctl paging fm shadow refused"
		fi
		vm_gone fm
	fi
	name="shadow: created, paused and stopped VMs switch too"
	if part shadow-states && need_guest "$name" forever.elf; then
		run 20 v3ctl create fs --mem 16M --kernel "$GUESTS/forever.elf"
		e=0 bad='' want=0
		sw0=$(sh_pg fs switches)
		# fs_set MODE DOOR WHEN: switch, count the changes, check current
		fs_set() {
			[ "$(sh_pg fs current)" != "$1" ] && want=$((want + 1))
			sh_set fs "$1" "$2" || e=$((e + 1))
			[ "$(sh_pg fs current)" = "$1" ] || bad="$bad $3:$(sh_pg fs current)"
		}
		fs_set shadow 0 created
		fs_set nested 1 created
		fs_set shadow 0 created
		run 10 v3ctl launch fs
		sleep "${SPIN_SECS:-1}"
		run 10 v3ctl pause fs
		fs_set nested 1 paused
		run 10 v3ctl resume fs
		sleep "${SPIN_SECS:-1}"
		fs_set shadow 0 running
		sleep "${SPIN_SECS:-1}"
		st=$(info_field fs state)
		run 10 v3ctl stop fs
		fs_set nested 1 stopped
		sw=$(sh_pg fs switches)
		result "$name" "$([ "$e" = 0 ] && [ -z "$bad" ] && [ "$st" = running ] && [ $((${sw:-0} - ${sw0:-0})) = "$want" ]; echo $?)" \
			"errors $e, wrong current:$bad, state after the switches '$st', switches '$sw0' -> '$sw' ($want changes)"
		vm_gone fs
	fi
	run 10 v3ctl paging nosuchvm shadow
	result "shadow: switching an unknown VM is refused" "$(failed_cleanly; echo $?)" "v3ctl exited $RC"
}
