# Paging tests (issue #12: shadow paging, run-time switching), sourced by
# svm-suite.sh after linux-tests.sh (so by the SVM and the VMX suite) and
# by paging-suite.sh.  Needs tap.sh, v3.sh and linux-tests.sh's helpers
# (linux_create, console_wait, linux_checks, l2_fact).
#
#   PAGING_MODE        the paging mode the edge-case guests run in (nested,
#                      shadow; applied by paging_vm_mode, the one place a
#                      VM's mode is chosen).  The SVM suite runs them in
#                      nested mode and, when the module has shadow paging,
#                      again in shadow mode.
#   PAGING_FLIPS       mode flips during the memory-checksum workload (200;
#                      0 reports the test as a SKIP giving PAGING_FLIPS_SKIP)
#   PAGING_MEMCHK_SECS how long memchk runs in the guest while it flips (60)
#   PAGING_MEMCHK0_SECS how long it runs alone, before the flips and in the
#                      shadow-mode Linux boots (20; the Bochs VMX host: 3,
#                      each guest second of it costs Bochs over a minute)
#   PAGING_FLIPS_ON    own-vm: the flips on a Linux VM booted nested for
#                      them, after memchk alone (default); shadow-boot: on
#                      the first shadow-mode boot's VM, no other boot (the
#                      Bochs VMX host, where each boot costs minutes)
#   PAGING_MEMCHK0_SECS=0 skips memchk alone in the shadow-mode boots
#   PAGING_FLIP_GAP    seconds between flips (default: the flips spread over
#                      PAGING_MEMCHK_SECS less 10; the Bochs VMX host, where
#                      3 guest seconds of memchk last minutes: 10)
#   PAGING_LINUX       1: the Linux parts (default 1; 0 on the Bochs hosts,
#                      LINUX_BOOT_SECS >= 600, unless v3ctl paging exists)
#   PAGING_LINUX_VCPUS vCPU counts of the "Linux boots in shadow mode" tests
#                      (1 4; the VMX suite's LINUX_VCPUS when it set it)
: "${PAGING_MODE:=nested}"
: "${PAGING_FLIPS:=200}"
: "${PAGING_MEMCHK_SECS:=60}"
: "${PAGING_MEMCHK0_SECS:=20}"
: "${PAGING_FLIPS_ON:=own-vm}"
: "${PAGING_LINUX_VCPUS:=${LINUX_VCPUS:-1 4}}"
: "${PAGING_FLIP_VCPUS:=2}"
: "${PAGING_SYS:=/sys/kernel/v3vmm/vms}"

# --- how this build switches paging modes -----------------------------------
# paging_has_switch: v3ctl has the "paging" subcommand (policy's v3ctl
# paging VM nested|shadow|adaptive)
paging_has_switch() {
	[ -n "${PAGING_SWITCH_CACHED:-}" ] || {
		if timeout 10 v3ctl paging --help >/dev/null 2>&1; then
			PAGING_SWITCH_CACHED=yes
		else
			PAGING_SWITCH_CACHED=no
		fi
	}
	[ "$PAGING_SWITCH_CACHED" = yes ]
}

# paging_vm_mode VM MODE: the one place a VM's paging mode is chosen.
# Status 0 done, 2 this build cannot (no switch, or the mode refused).
# Without "v3ctl paging" nested paging is all there is: asking for it works.
paging_vm_mode() {
	if paging_has_switch; then
		timeout 30 v3ctl paging "$1" "$2" >/tmp/pg.out 2>&1 && return 0
		return 2
	fi
	[ "$2" = nested ] && return 0
	return 2
}

# flip_mode VM MODE: a run-time switch of a running VM (the flip test's)
flip_mode() { paging_has_switch || return 2; paging_vm_mode "$1" "$2"; }

# paging_current VM: the mode the VM runs in now (sysfs "current"; without
# it "nested", the only mode of a build without shadow paging)
paging_current() {
	if [ -r "$PAGING_SYS/$1/paging/current" ]; then
		cat "$PAGING_SYS/$1/paging/current"
	elif paging_has_switch; then
		echo unknown
	else
		echo nested
	fi
}

paging_switches() { cat "$PAGING_SYS/$1/paging/switches" 2>/dev/null || echo none; }

# paging_has_shadow: a created VM accepts shadow mode (probed once)
paging_has_shadow() {
	[ -n "${PAGING_SHADOW_CACHED:-}" ] || {
		PAGING_SHADOW_CACHED=no
		if paging_has_switch && [ -f "$GUESTS/hello.elf" ]; then
			run 20 v3ctl create pgprobe --mem 16M --kernel "$GUESTS/hello.elf"
			if [ "$RC" = 0 ] && paging_vm_mode pgprobe shadow &&
				[ "$(paging_current pgprobe)" != nested ]; then
				PAGING_SHADOW_CACHED=yes
			fi
			vm_gone pgprobe
		fi
	}
	[ "$PAGING_SHADOW_CACHED" = yes ]
}

paging_skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }

# --- the page-table edge-case guests -------------------------------------------
# paging_guest MODE ELF CMDLINE: create, choose MODE, launch, wait; pass =
# debug-exit status 1 (exit-code 1), a plan line, no "not ok"
paging_guest() {
	pm=$1 elf=$2 cl=$3
	# in nested paging the CPU, not the VMM, walks the guest's tables:
	# accept the CPU's P bit on reserved-bit faults (QEMU's TCG clears it)
	[ "$pm" = nested ] && cl="$cl rsvdp=any"
	name="paging: guest ${elf%.elf} ${3:+$3 }in $pm paging"
	need_guest "$name" "$elf" || return 0
	if [ -n "$cl" ]; then
		run 20 v3ctl create pgg --mem 64M --kernel "$GUESTS/$elf" --cmdline "$cl"
	else
		run 20 v3ctl create pgg --mem 64M --kernel "$GUESTS/$elf"
	fi
	if [ "$RC" != 0 ]; then
		fail "$name" "create exited $RC: $(head -n 2 "$ERR")"; vm_gone pgg; return
	fi
	if ! paging_vm_mode pgg "$pm"; then
		paging_skip "$name" "cannot choose $pm paging in this build: $(head -n 1 /tmp/pg.out 2>/dev/null)"
		vm_gone pgg; return
	fi
	run 10 v3ctl launch pgg
	wait_state pgg stopped 90
	st=$(info_field pgg state) why=$(info_field pgg stop-reason) code=$(info_field pgg exit-code)
	timeout 10 v3ctl console pgg >"$OUT" 2>/dev/null
	plan=$(grep -E '^1\.\.[0-9]+' "$OUT" | tail -n 1)
	bad=
	[ "$st" = stopped ] && [ "$why" = exit-port ] && [ "$code" = 1 ] ||
		bad="state '$st', stop-reason '$why', exit-code '$code' (pass: exit-port, 1): $(info_field pgg detail)"
	[ -z "$bad" ] && [ -z "$plan" ] && bad="no TAP plan on the console"
	[ -z "$bad" ] && grep -q '^not ok' "$OUT" && bad="the guest reported failures"
	if [ -z "$bad" ]; then
		pass "$name ($(grep -c '^ok' "$OUT") checks, $(grep -c '# SKIP' "$OUT") skipped)"
		grep -E '^# (mode|stale|RSVD)' "$OUT" | sort -u | sed 's/^# /#   /'
	else
		fail "$name" "$bad"
		grep -A1 '^not ok' "$OUT" | head -n 12 | sed 's/^/#   /'
		diag_file console "$OUT" 6
	fi
	vm_gone pgg
}

paging_guests() { # MODE
	paging_guest "$1" paging.elf "mode=32"
	paging_guest "$1" paging.elf "mode=pae"
	paging_guest "$1" paging64.elf ""
}

# --- Linux ---------------------------------------------------------------------------
# paging_type VM LINE: type a command into the guest's console
paging_type() {
	printf '%s\n' "$2" | timeout 10 v3ctl console "$1" --follow --timeout 1 >/dev/null 2>&1
}

# paging_memchk_start VM SECS TAG: start memchk in the guest; its result
# line and exit status arrive as "MEMCHK PASS|FAIL ..." and "TAG-RC-N"
paging_memchk_start() {
	paging_type "$1" "memchk -n 4 -t $2; echo $3-RC-\$?; echo $3-OOPS-\$(dmesg-bad -c)"
}

# paging_memchk_wait VM SECS TAG: wait for it; sets MC_LINE MC_RC MC_OOPS
paging_memchk_wait() {
	console_wait "$1" "$3-OOPS-[0-9]" "$2"
	tr -d '\r' <"/tmp/con.$1" >"/tmp/mc.$1"
	# this run's result line: just before its TAG-RC- line
	MC_LINE=$(grep -B 3 "^$3-RC-" "/tmp/mc.$1" | grep -E '^MEMCHK (PASS|FAIL)' | tail -n 1)
	MC_RC=$(sed -n "s/^$3-RC-\([0-9]*\).*/\1/p" "/tmp/mc.$1" | tail -n 1)
	MC_OOPS=$(sed -n "s/^$3-OOPS-\([0-9]*\).*/\1/p" "/tmp/mc.$1" | tail -n 1)
}

# The memory-checksum workload while the VM's paging mode flips
# PAGING_FLIPS times between nested and shadow: no corruption (memchk
# PASS), no guest oops, the VM's "switches" counter counts every flip.
# paging_flips VM VCPUS: on a booted Linux VM, in whatever mode it runs
paging_flips() {
	vmn=$1 v=$2
	name="paging: memchk in Linux ($v vcpu) while the mode flips $PAGING_FLIPS times"
	if [ "$PAGING_FLIPS" = 0 ]; then
		paging_skip "$name" "${PAGING_FLIPS_SKIP:-PAGING_FLIPS=0}"
		return
	fi
	if ! paging_has_switch; then
		paging_skip "$name" "no run-time paging switch in this build"
		return
	fi
	if ! paging_has_shadow; then
		paging_skip "$name" "no shadow paging in this build (v3ctl paging refuses shadow)"
		return
	fi
	s0=$(paging_switches "$vmn")
	cur=$(paging_current "$vmn")
	paging_memchk_start "$vmn" "$PAGING_MEMCHK_SECS" MC1
	# spread the flips over the run (each v3ctl call takes its own time)
	gap=${PAGING_FLIP_GAP:-$(awk -v s="$PAGING_MEMCHK_SECS" -v n="$PAGING_FLIPS" 'BEGIN { g = (s - 10) / n; if (g < 0) g = 0; printf "%.2f", g }')}
	done_n=0 bad_n=0 t0=$(uptime_s)
	while [ $done_n -lt "$PAGING_FLIPS" ]; do
		if [ "$cur" = shadow ]; then to=nested; else to=shadow; fi
		if flip_mode "$vmn" "$to"; then
			done_n=$((done_n + 1)); cur=$to
		else
			bad_n=$((bad_n + 1))
			[ $bad_n -le 3 ] && echo "# flip to $to refused: $(head -n 1 /tmp/pg.out)"
			[ $bad_n -ge 10 ] && break
		fi
		[ $((done_n % 50)) = 0 ] && echo "# flips: $done_n, now $cur"
		[ "$(info_field "$vmn" state)" = running ] || break
		sleep "$gap"
	done
	t1=$(uptime_s)
	paging_memchk_wait "$vmn" $((PAGING_MEMCHK_SECS + 120)) MC1
	s1=$(paging_switches "$vmn")
	echo "# $done_n flips in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; switches $s0 -> $s1; $MC_LINE"
	result "$name: all flips done" "$([ $done_n = "$PAGING_FLIPS" ]; echo $?)" \
		"$done_n done, $bad_n refused; state $(info_field "$vmn" state): $(info_field "$vmn" detail)"
	result "paging: memchk found no corruption across the flips" \
		"$([ "$MC_RC" = 0 ] && echo "$MC_LINE" | grep -q '^MEMCHK PASS'; echo $?)" \
		"memchk: '$MC_LINE' status '$MC_RC'"
	result "paging: no guest oops or warning across the flips" "$([ "$MC_OOPS" = 0 ]; echo $?)" \
		"guest dmesg complaints '$MC_OOPS'"; grep 'V3L2: bad' "/tmp/mc.$vmn" | head -n 3
	result "paging: the switches counter counts the flips ($s0 -> $s1, $done_n flips)" \
		"$(case "$s0$s1" in *[!0-9]*) echo 1 ;; *) [ $((s1 - s0)) = $done_n ]; echo $? ;; esac)" \
		"switches before '$s0' after '$s1' ($PAGING_SYS/$vmn/paging/switches)"
}

# A Linux VM booted nested for the flips: memchk alone first (it passes
# before any flip), then paging_flips
paging_flip_test() {
	vmn=pgflip v=$PAGING_FLIP_VCPUS
	linux_create "$vmn" "$v"
	if [ "$RC" != 0 ]; then fail "paging: Linux ($v vcpu) for the memchk test" "create exited $RC: $(head -n 2 "$ERR")"; return; fi
	run 10 v3ctl launch "$vmn"
	if ! console_wait "$vmn" "V3L2: ready" "$LINUX_BOOT_SECS"; then
		fail "paging: Linux ($v vcpu) boots for the memchk test" "state $(info_field "$vmn" state): $(info_field "$vmn" detail)"
		diag_file console "/tmp/con.$vmn" 20
		vm_gone "$vmn"; return
	fi
	paging_memchk_start "$vmn" "$PAGING_MEMCHK0_SECS" MC0
	paging_memchk_wait "$vmn" $((PAGING_MEMCHK0_SECS + 100)) MC0
	result "paging: memchk passes in Linux ($v vcpu, $(paging_current "$vmn") paging)" \
		"$([ "$MC_RC" = 0 ] && [ "$MC_OOPS" = 0 ] && echo "$MC_LINE" | grep -q '^MEMCHK PASS'; echo $?)" \
		"memchk: '$MC_LINE' status '$MC_RC' guest dmesg complaints '$MC_OOPS'"
	echo "# $MC_LINE"
	paging_flips "$vmn" "$v"
	vm_gone "$vmn"
}

# Linux boots in shadow mode with each of PAGING_LINUX_VCPUS and passes the
# Linux checks of linux-tests.sh
paging_linux_shadow() {
	for v in $PAGING_LINUX_VCPUS; do
		name="paging: Linux boots in shadow mode with $v vcpu"
		if ! paging_has_shadow; then
			paging_skip "$name" "no shadow paging in this build"
			continue
		fi
		linux_create "pgsh$v" "$v"
		if [ "$RC" != 0 ]; then fail "$name" "create exited $RC"; continue; fi
		if ! paging_vm_mode "pgsh$v" shadow; then
			fail "$name" "v3ctl paging pgsh$v shadow: $(head -n 1 /tmp/pg.out)"; vm_gone "pgsh$v"; continue
		fi
		run 10 v3ctl launch "pgsh$v"
		cur=$(paging_current "pgsh$v")
		result "$name: the VM runs in shadow mode" "$([ "$cur" = shadow ]; echo $?)" "current '$cur'"
		if linux_checks "pgsh$v" "$v" && [ "$PAGING_MEMCHK0_SECS" != 0 ]; then
			paging_memchk_start "pgsh$v" "$PAGING_MEMCHK0_SECS" MCS
			paging_memchk_wait "pgsh$v" $((PAGING_MEMCHK0_SECS + 100)) MCS
			result "paging: memchk passes in Linux ($v vcpu) in shadow mode" \
				"$([ "$MC_RC" = 0 ] && [ "$MC_OOPS" = 0 ] && echo "$MC_LINE" | grep -q '^MEMCHK PASS'; echo $?)" \
				"memchk: '$MC_LINE' status '$MC_RC' guest dmesg complaints '$MC_OOPS'"
		fi
		# the Bochs VMX host: the flips on this VM, no second Linux boot
		[ "$PAGING_FLIPS_ON" = shadow-boot ] && [ "$v" = "${PAGING_LINUX_VCPUS%% *}" ] &&
			paging_flips "pgsh$v" "$v"
		linux_poweroff "pgsh$v"
		vm_gone "pgsh$v"
	done
}

# --- the tests ------------------------------------------------------------------------
paging_tests() {
	echo "# paging: mode under test $PAGING_MODE; v3ctl paging: $(paging_has_switch && echo yes || echo no); shadow: $(paging_has_shadow && echo yes || echo no)"
	paging_guests "$PAGING_MODE"
	if [ "$PAGING_MODE" != shadow ]; then
		if paging_has_shadow; then
			# (the standard guests in shadow mode: shadow-tests.sh)
			paging_guests shadow
		else
			paging_skip "paging: edge-case and standard guests in shadow mode" "no shadow paging in this build"
		fi
	fi
	if [ -z "${PAGING_LINUX:-}" ]; then
		PAGING_LINUX=1
		# the Bochs hosts (VMX, ryzen: LINUX_BOOT_SECS 600) boot Linux in
		# minutes; without a paging switch there is nothing new to test
		[ "${LINUX_BOOT_SECS:-240}" -ge 600 ] && ! paging_has_switch && PAGING_LINUX=0
	fi
	if [ "$PAGING_LINUX" != 1 ]; then
		paging_skip "paging: Linux parts" "PAGING_LINUX=0 (Linux boots take this host minutes; the SVM suite runs them)"
	elif [ -f "$GUESTS/vmlinuz" ] && [ -f "$GUESTS/l2.cpio.gz" ]; then
		paging_linux_shadow
		[ "$PAGING_FLIPS_ON" = own-vm ] && paging_flip_test
	else
		fail "paging: Linux parts" "no $GUESTS/vmlinuz or $GUESTS/l2.cpio.gz in the initramfs"
	fi
}
paging_tests
