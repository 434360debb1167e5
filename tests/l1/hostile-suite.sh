#!/bin/sh
# shellcheck disable=SC2030,SC2031 # OUT/ERR are set in subshells on purpose (a background run keeps its own files)
# Hostile guests (issue 11, section 2): the malicious-guest corpus of
# tests/guests/ (acloop, storm, ipistorm, allports, wildmmio, msrfuzz,
# badpt, resetloop; triplefault in a loop), each run beside a healthy VM
# with a fixed workload (tests/guests/healthy.c).  For each one:
#   - the healthy VM prints the same result as alone, within 1.5x of its
#     time beside a benign neighbour (see "Timing" below);
#   - the host stays responsive: a shell command and v3ctl list, run while
#     the storm goes on, complete within HOSTILE_RESP_SECS;
#   - the hostile VM is stopped and destroyed, each within 20 s;
#   - the kernel log gets no BUG/WARNING/lockup/RCU stall line.
# Then: LAPIC timers stop with their VM (/proc/timer_list), a failed
# device re-creation at a guest reset (v3vmm.debug_fail_device) frees
# nothing twice, and a Linux guest boots after a churn of VMs.
#
# Timing.  In the emulated SVM host QEMU runs all of L1's CPUs on ONE
# host CPU (tests/harness/lib.sh: qemu_pin), and the VMX host (Bochs) has
# one CPU: any busy neighbour, hostile or not, halves the healthy VM's
# share of real time.  "Within 1.5x of solo" would then fail for a
# perfectly well-behaved neighbour.  So the healthy VM is timed three
# ways in the same boot: alone ("solo"), beside the benign forever.elf
# (spins, no exits: "benign"), and beside each hostile guest; the pass
# bound is 1.5x the benign time — what the hostile guest must not do is
# take more than a fair neighbour's share, through host work done on its
# behalf (exits, interrupts, kicks, timers, locks) landing elsewhere.  The
# solo time and both ratios are printed.  On a host with real, separate
# CPUs the benign time equals the solo time and the bound is the issue's.
# The benign time is taken again right before each hostile run (the
# machine running the emulator is shared, and its load drifts), so each
# comparison is between two runs a few seconds apart (HOSTILE_REBASE=0,
# Bochs: once).  "on-CPU" is the
# healthy vCPU thread's time on its CPU (schedstat) over its run time:
# near 1 means nothing in L1 took its CPU away, so a slowdown with it
# near 1 happened below L1 (the emulator sharing one host CPU).
# Placement: with two or more L1 CPUs the healthy VM is pinned to CPU 1
# and the hostile VM to CPU 0 (a 2-vCPU hostile VM: CPUs 0 and 1); with
# one, nothing is pinned.  The healthy time is the module's own run-time
# (launch to stop, v3ctl info), not a polled shell clock.
#
# Sourced by svm-suite.sh (so the VMX suite runs it too), or run alone
# (v3suite=hostile: boot-qemu.sh hostile).  HOSTILE_SET picks the
# scenarios: full (the SVM suite), reduced (a Bochs host run alone), arch
# (the VMX and ryzen suites inside make check's time: only the attacks that
# reach the backend's own code most directly, the #AC intercept and the
# nested-paging walk fault; each costs Bochs minutes, and the rest is
# common code the SVM suite covers).
if [ -z "${V3_HOSTILE_SOURCED:-}" ]; then
	# shellcheck source=tests/l1/tap.sh
	. /tests/l1/tap.sh
	# shellcheck source=tests/l1/v3.sh
	. /tests/l1/v3.sh
	dmesg_mark
	echo 2 >/proc/sys/kernel/printk
	t_cmd "hostile: insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
	# linux-tests.sh's helpers (console_wait, linux_create), none of its tests
	# shellcheck disable=SC2034 # read by linux-tests.sh
	LINUX_VCPUS=" " LINUX_TWO_VMS=0	# (a blank: ":=" would replace an empty one)
	# shellcheck source=tests/l1/linux-tests.sh
	. /tests/l1/linux-tests.sh
	# alone on the VMX host (Bochs: slow, one CPU): what vmx-suite.sh sets
	if grep -qw vmx /proc/cpuinfo; then
		: "${HOSTILE_SET:=reduced}" "${HOSTILE_HEALTHY_MS:=2000}" "${HOSTILE_LINUX:=0}"
	fi
fi
: "${HOSTILE_SET:=full}"
: "${HOSTILE_HEALTHY_MS:=1000}"	# the healthy workload's solo length
: "${HOSTILE_RESP_SECS:=10}"
# the healthy VM's head start before the responsiveness probe in beside()
: "${HOSTILE_PROBE_SECS:=1}"
# 1: the benign baseline taken again right before each hostile run (a
# shared build machine's load drifts); 0: the first one serves them all
# (Bochs, whose clock is its instruction count: its ratios were
# 0.98x-1.00x, and each baseline costs it minutes)
: "${HOSTILE_REBASE:=1}"
: "${HOSTILE_LINUX:=1}"
# the parts to run (all by default): corpus lapic fault churn
: "${HOSTILE_PARTS:=corpus lapic fault churn}"
hpart() { listed "$1" "$HOSTILE_PARTS"; }

# the new kernel log lines since a mark that mean trouble
# (by the last line seen, not a line count: the ring buffer may wrap; if
# that line is gone, every line counts)
hk_mark() { HK_LAST=$(dmesg | tail -n 1); }
# hk_new: how many kernel log lines since the mark
hk_new() {
	dmesg | awk -v m="$HK_LAST" '{ if ($0 == m) s = NR } END { print NR - s }'
}
hk_bad() {
	dmesg | awk -v m="$HK_LAST" '{ l[NR] = $0; if ($0 == m) s = NR }
		END { for (i = s + 1; i <= NR; i++) print l[i] }' |
		grep -E 'BUG|WARNING|Oops|general protection|Call Trace|lockup|soft lockup|rcu_sched|rcu_preempt|rcu: INFO|stall|hung_task|blocked for more than'
}

if [ "$(nproc)" -ge 2 ]; then
	H_PIN="--pin 1" X_PIN="--pin 0"
else
	H_PIN="" X_PIN=""
fi

# run-time of a stopped VM in ms (v3ctl info "run-time: S.mmm s")
run_ms() { info_field "$1" run-time | awk '{ split($1, a, "."); print a[1] * 1000 + a[2] }'; }

# healthy_run NAME ROUNDS BOUND: run the healthy guest to its end; sets
# H_MS (its run time, ms), H_RES (its result) and H_OK (0 when it passed)
healthy_run() {
	H_MS='' H_RES='' H_OK=1
	# one healthy VM at a time, always named hy (its vCPU thread: v3vmm-hy/0)
	hy=hy
	# shellcheck disable=SC2086
	run 20 v3ctl create $hy --mem 16M $H_PIN --kernel "$GUESTS/healthy.elf" --cmdline "rounds=$2"
	[ "$RC" = 0 ] || { echo "# create $hy ($1): exit $RC $(head -n 1 "$ERR")"; return; }
	run 10 v3ctl launch $hy
	wait_state $hy stopped "$3"
	st=$(info_field $hy state) r=$(info_field $hy stop-reason)
	run 10 v3ctl console $hy
	cp "$OUT" "/tmp/healthy.$1"
	H_RES=$(sed -n 's/.*result \(0x[0-9a-f]*\).*/\1/p' "/tmp/healthy.$1" | head -n 1)
	H_MS=$(run_ms $hy)
	echo "# healthy-ms $H_MS" >"/tmp/healthy.$1.ms"
	# its vCPU thread's time on a CPU (/proc/PID/schedstat, ns) over its
	# run time: below 1 when something else in L1 took its CPU
	for c in /proc/[0-9]*/comm; do
		[ "$(cat "$c" 2>/dev/null)" = "v3vmm-$hy/0" ] || continue
		awk -v ms="$H_MS" '{ if (ms > 0) printf "# healthy-share %.2f\n", $1 / 1e6 / ms }' \
			"${c%/comm}/schedstat" >>"/tmp/healthy.$1.ms"
		break
	done
	if [ "$st" = stopped ] && [ "$r" = exit-port ] && grep -q 'all 1 passed' "/tmp/healthy.$1"; then
		H_OK=0
	else
		echo "# healthy $1: state '$st' reason '$r'"
		diag_file console "/tmp/healthy.$1" 4
	fi
	vm_gone $hy
}

# responsive: a shell command and v3ctl list, bounded; sets RESP_MS
responsive() {
	r0=$(cut -d' ' -f1 /proc/uptime)
	run "$HOSTILE_RESP_SECS" sh -c 'cat /proc/meminfo /proc/interrupts /proc/loadavg >/dev/null && ls / /tmp >/dev/null && v3ctl list >/dev/null'
	r1=$(cut -d' ' -f1 /proc/uptime)
	RESP_RC=$RC
	RESP_MS=$(awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%d", (b - a) * 1000 }')
}

# beside TAG: the healthy VM runs to its end (next to whatever runs on the
# other CPU), with the responsiveness probe meanwhile; sets H_MS, H_RES,
# H_OK, H_SHARE, RESP_MS, RESP_RC
# While the healthy VM is timed, with the VMs pinned, this script and what
# it starts (the v3ctl polls, the probe) run on the hostile VM's CPU, so
# the healthy VM's CPU holds its vCPU alone: what takes that CPU from it
# is then the hostile guest's doing (left to L1's scheduler, the polls
# took half of it on a slow build machine: on-CPU 0.51, 2.3x benign).
# Between the timings the script may use either CPU.
SCRIPT_CPUS=''
if [ -n "$X_PIN" ]; then SCRIPT_CPUS=$(taskset -p $$ 2>/dev/null | sed 's/.*: *//'); fi
script_on_hostile_cpu() { if [ -n "$SCRIPT_CPUS" ]; then taskset -p 1 $$ >/dev/null 2>&1; fi; }
script_on_any_cpu() { if [ -n "$SCRIPT_CPUS" ]; then taskset -p "$SCRIPT_CPUS" $$ >/dev/null 2>&1; fi; }
beside() {
	rm -f "/tmp/healthy.$1" "/tmp/healthy.$1.ms"
	script_on_hostile_cpu
	( OUT=/tmp/hb.out ERR=/tmp/hb.err; healthy_run "$1" "$ROUNDS" "$BOUND" ) &
	hp=$!
	sleep "$HOSTILE_PROBE_SECS"
	responsive
	wait "$hp"
	script_on_any_cpu
	# (healthy_run ran in a subshell: its results are in files)
	H_RES=$(sed -n 's/.*result \(0x[0-9a-f]*\).*/\1/p' "/tmp/healthy.$1" 2>/dev/null | head -n 1)
	H_OK=1; grep -q 'all 1 passed' "/tmp/healthy.$1" 2>/dev/null && H_OK=0
	H_MS=$(sed -n 's/^# healthy-ms //p' "/tmp/healthy.$1.ms" 2>/dev/null)
	H_SHARE=$(sed -n 's/^# healthy-share //p' "/tmp/healthy.$1.ms" 2>/dev/null)
}

# benign_baseline: the healthy VM beside forever.elf (spins, no exits) on
# the hostile VM's CPU; sets BENIGN_MS.  Taken right before each hostile
# run, so both see the same load on the machine running the emulator.
benign_baseline() {
	# shellcheck disable=SC2086
	run 20 v3ctl create benign --mem 16M $X_PIN --kernel "$GUESTS/forever.elf"
	run 10 v3ctl launch benign
	beside hbenign
	BENIGN_MS=$H_MS BENIGN_OK=$H_OK BENIGN_RES=$H_RES BENIGN_SHARE=$H_SHARE
	vm_gone benign
}

# --- the healthy workload: calibrated, then timed alone and beside a benign VM ---
HOSTILE_OK=1
hpart corpus || HOSTILE_OK=0
[ "$HOSTILE_OK" = 1 ] && for g in healthy.elf forever.elf triplefault.elf acloop.elf storm.elf ipistorm.elf allports.elf \
	wildmmio.elf msrfuzz.elf badpt.elf resetloop.elf lapictimer.elf; do
	need_guest "hostile: guest $g present" "$g" || HOSTILE_OK=0
done
if [ "$HOSTILE_OK" = 1 ]; then
	healthy_run hcal 100 60
	if [ "$H_OK" = 0 ] && [ "${H_MS:-0}" -gt 0 ]; then
		ROUNDS=$((100 * HOSTILE_HEALTHY_MS / H_MS))
		[ "$ROUNDS" -lt 20 ] && ROUNDS=20
		echo "# hostile: 100 healthy rounds took ${H_MS} ms: using $ROUNDS rounds"
	else
		fail "hostile: healthy guest calibration run" "no result"
		HOSTILE_OK=0
	fi
fi
if [ "$HOSTILE_OK" = 1 ]; then
	BOUND=$((HOSTILE_HEALTHY_MS * 8 / 1000 + 30))
	script_on_hostile_cpu
	healthy_run hsolo "$ROUNDS" "$BOUND"
	script_on_any_cpu
	SOLO_MS=$H_MS SOLO_RES=$H_RES
	H_SHARE=$(sed -n 's/^# healthy-share //p' /tmp/healthy.hsolo.ms 2>/dev/null)
	result "hostile: healthy VM alone: $SOLO_RES in ${SOLO_MS} ms (on-CPU ${H_SHARE:-?})" "$H_OK" "no clean run"
	benign_baseline
	ok=$([ "$BENIGN_OK" = 0 ] && [ "$BENIGN_RES" = "$SOLO_RES" ]; echo $?)
	result "hostile: healthy VM beside a benign busy VM: ${BENIGN_MS} ms ($(awk -v a="$BENIGN_MS" -v b="$SOLO_MS" 'BEGIN { printf "%.2f", a / b }')x solo; on-CPU ${BENIGN_SHARE:-?})" \
		"$ok" "result '$BENIGN_RES' (solo '$SOLO_RES')"
	[ "$ok" = 0 ] || HOSTILE_OK=0
fi

# hostile NAME ELF VCPUS CMDLINE: the checks above for one hostile guest
hostile() {
	hn=$1 helf=$2 hv=$3 hcmd=$4
	[ "$HOSTILE_REBASE" = 1 ] && benign_baseline
	hk_mark
	hk_t0=$(uptime_s)
	# shellcheck disable=SC2086
	run 20 v3ctl create "x-$hn" --mem 32M --vcpus "$hv" $X_PIN --kernel "$GUESTS/$helf" ${hcmd:+--cmdline "$hcmd"}
	if [ "$RC" != 0 ]; then
		fail "hostile $hn: create" "exit $RC"; diag_file stderr "$ERR" 2; return
	fi
	run 10 v3ctl launch "x-$hn"
	console_wait "x-$hn" "# hostile:" 20 >/dev/null 2>&1
	armed=$(grep -c '# hostile:' "/tmp/con.x-$hn" 2>/dev/null)
	beside "h-$hn"
	xs=$(info_field "x-$hn" state) xr=$(info_field "x-$hn" stop-reason)
	xd=$(info_field "x-$hn" detail) xres=$(info_field "x-$hn" resets)
	exits=$(timeout 10 v3ctl info "x-$hn" 2>/dev/null | awk '$1 == "exit" && $3 > 0 { printf "%s %s ", $2, $3 }')
	echo "# hostile $hn: ${armed:-0} armed line(s), state $xs${xr:+ ($xr${xd:+: $xd})}, resets ${xres:-0}; exits: $exits"
	[ -n "$(grep -v '^# hostile:\|^# v3vmm guest' "/tmp/con.x-$hn" 2>/dev/null | head -n 2)" ] &&
		grep -v '^# v3vmm guest' "/tmp/con.x-$hn" | head -n 3 | sed 's/^/#   console: /'
	# the #AC loop is only an attack where the CPU checks alignment
	if [ "$hn" = acloop ]; then
		timeout 10 v3ctl console "x-$hn" >/tmp/con.acloop 2>/dev/null
		if grep -q 'raised no #AC' /tmp/con.acloop; then
			pass "hostile acloop: #AC raised and intercepted # SKIP this (emulated) CPU does no alignment checking"
		else
			ex=$(exit_count "x-$hn" exception)
			result "hostile acloop: #AC raised and intercepted (exception exits: ${ex:-0})" \
				"$(grep -q '#AC raised' /tmp/con.acloop && [ "${ex:-0}" -gt 0 ]; echo $?)" \
				"$(grep 'acloop:' /tmp/con.acloop | head -n 2)"
		fi
	fi
	within=$(awk -v a="${H_MS:-0}" -v b="$BENIGN_MS" 'BEGIN { exit !(a > 0 && a <= 1.5 * b) }'; echo $?)
	# Emulated hosts share host CPUs with other jobs: one slow sample
	# is noise, so a run over the bound is timed once more, beside the
	# hostile guest whether it still runs or stopped itself (a wild-mmio
	# VM that had stopped at once left its healthy neighbour alone, at
	# on-CPU 0.94, yet 3x slower than solo: the build machine's noise);
	# two in a row fail.
	if [ "$within" != 0 ] && [ "$H_OK" = 0 ]; then
		echo "# hostile $hn: ${H_MS:-?} ms over 1.5x benign ${BENIGN_MS} ms: timing once more"
		beside "h2-$hn"
		within=$(awk -v a="${H_MS:-0}" -v b="$BENIGN_MS" 'BEGIN { exit !(a > 0 && a <= 1.5 * b) }'; echo $?)
	fi
	# The benign baseline is one sample too (beside a benign VM the
	# healthy one took 1.4x to 2.1x its solo time in make check's SVM
	# runs): with the hostile VM paused, it is taken again, and the
	# hostile VM, resumed, is timed against it a last time.
	if [ "$within" != 0 ] && [ "$H_OK" = 0 ] && [ "$(info_field "x-$hn" state)" = running ] &&
	   timeout 10 v3ctl pause "x-$hn" >/dev/null 2>&1; then
		echo "# hostile $hn: ${H_MS:-?} ms over 1.5x benign ${BENIGN_MS} ms again: the baseline taken again"
		benign_baseline
		if timeout 10 v3ctl resume "x-$hn" >/dev/null 2>&1; then
			beside "h3-$hn"
			within=$(awk -v a="${H_MS:-0}" -v b="$BENIGN_MS" 'BEGIN { exit !(a > 0 && a <= 1.5 * b) }'; echo $?)
		fi
	fi
	ratio=$(awk -v a="${H_MS:-0}" -v b="$BENIGN_MS" 'BEGIN { printf "%.2f", a / b }')
	sratio=$(awk -v a="${H_MS:-0}" -v b="$SOLO_MS" 'BEGIN { printf "%.2f", a / b }')
	ok=$([ "$H_OK" = 0 ] && [ "$H_RES" = "$SOLO_RES" ] && [ "$within" = 0 ]; echo $?)
	result "hostile $hn: healthy VM correct, ${H_MS:-?} ms = ${ratio}x benign ${BENIGN_MS} ms (${sratio}x solo; on-CPU ${H_SHARE:-?}), bound 1.5x" \
		"$ok" "result '$H_RES' (solo '$SOLO_RES'), passed: $([ "$H_OK" = 0 ] && echo yes || echo no)"
	result "hostile $hn: host responsive (shell + v3ctl list in ${RESP_MS} ms)" "$RESP_RC" "exit $RESP_RC after ${RESP_MS} ms"
	if [ "$(info_field "x-$hn" state)" = stopped ]; then
		pass "hostile $hn: stopped by itself ($xr), no v3ctl stop needed"
	else
		t_cmd "hostile $hn: v3ctl stop" 20 v3ctl stop "x-$hn"
	fi
	t_cmd "hostile $hn: v3ctl destroy" 20 v3ctl destroy "x-$hn"
	# a guest must not be able to flood the host's log: 40 lines, or 10
	# and 2 a second of the hostile VM's life when the timing was taken
	# again (the module's rate limits let through about 1.2 a second: a
	# resetloop VM kept longer by a retry logged 41 lines, 12-06)
	nlog=$(hk_new)
	lim=$(awk -v a="$hk_t0" -v b="$(uptime_s)" 'BEGIN { l = 10 + 2 * (b - a); if (l < 40) l = 40; printf "%d", l }')
	result "hostile $hn: host log stays quiet ($nlog lines, at most $lim)" "$([ "$nlog" -le "$lim" ]; echo $?)" \
		"$(dmesg | tail -n 3)"
	hk_bad >/tmp/hk.bad
	result "hostile $hn: no BUG/WARN/lockup/RCU stall in dmesg" "$([ ! -s /tmp/hk.bad ]; echo $?)" "$(head -n 3 /tmp/hk.bad)"
	vm_gone "x-$hn"
}

# triple faults: VMs that triple fault, created, launched and destroyed
# in a loop for as long as the healthy VM runs
tf_loop() {
	tf_i=0	# (wait_state uses $i)
	while [ ! -f /tmp/tf.stop ] && [ $tf_i -lt 200 ]; do
		# shellcheck disable=SC2086
		timeout 20 v3ctl create "x-tf$tf_i" --mem 16M $X_PIN --kernel "$GUESTS/triplefault.elf" >/dev/null 2>&1
		timeout 10 v3ctl launch "x-tf$tf_i" >/dev/null 2>&1
		wait_state "x-tf$tf_i" stopped 10
		[ "$(info_field "x-tf$tf_i" stop-reason)" = shutdown ] && echo ok >>/tmp/tf.count
		timeout 20 v3ctl destroy "x-tf$tf_i" >/dev/null 2>&1
		tf_i=$((tf_i + 1))
	done
}
hostile_tf() {
	[ "$HOSTILE_REBASE" = 1 ] && benign_baseline
	hk_mark
	rm -f /tmp/tf.stop /tmp/tf.count
	# the loop's own v3ctl processes are the test's, not the guest's:
	# they run on the hostile VM's CPU, as its vCPUs do (the loop keeps
	# the CPU it was started on when beside() lets the script go)
	script_on_hostile_cpu
	( OUT=/tmp/tf.out ERR=/tmp/tf.err; tf_loop ) &
	tp=$!
	beside h-tf
	within=$(awk -v a="${H_MS:-0}" -v b="$BENIGN_MS" 'BEGIN { exit !(a > 0 && a <= 1.5 * b) }'; echo $?)
	# one slow sample is noise (as in hostile() above): timed once more
	# while the loop still runs; two in a row fail
	if [ "$within" != 0 ] && [ "$H_OK" = 0 ]; then
		echo "# hostile triplefault-loop: ${H_MS:-?} ms over 1.5x benign ${BENIGN_MS} ms: timing once more"
		beside h2-tf
		within=$(awk -v a="${H_MS:-0}" -v b="$BENIGN_MS" 'BEGIN { exit !(a > 0 && a <= 1.5 * b) }'; echo $?)
	fi
	touch /tmp/tf.stop
	wait "$tp"
	n=$(wc -l </tmp/tf.count 2>/dev/null || echo 0)
	ratio=$(awk -v a="${H_MS:-0}" -v b="$BENIGN_MS" 'BEGIN { printf "%.2f", a / b }')
	ok=$([ "$H_OK" = 0 ] && [ "$H_RES" = "$SOLO_RES" ] && [ "$within" = 0 ]; echo $?)
	result "hostile triplefault-loop: $n VMs triple faulted (stop-reason shutdown) meanwhile" "$([ "$n" -ge 1 ]; echo $?)" "none did"
	result "hostile triplefault-loop: healthy VM correct, ${H_MS:-?} ms = ${ratio}x benign ${BENIGN_MS} ms (on-CPU ${H_SHARE:-?}), bound 1.5x" \
		"$ok" "result '$H_RES' (solo '$SOLO_RES')"
	result "hostile triplefault-loop: host responsive (${RESP_MS} ms)" "$RESP_RC" "exit $RESP_RC"
	left=$(timeout 10 v3ctl list 2>/dev/null | grep -c 'x-tf')
	result "hostile triplefault-loop: every VM destroyed" "$([ "$left" = 0 ]; echo $?)" \
		"left: $(timeout 10 v3ctl list 2>/dev/null | grep 'x-tf' | tr '\n' ' ')"
	hk_bad >/tmp/hk.bad
	result "hostile triplefault-loop: no BUG/WARN/lockup/RCU stall in dmesg" "$([ ! -s /tmp/hk.bad ]; echo $?)" "$(head -n 3 /tmp/hk.bad)"
	for v in $(timeout 10 v3ctl list 2>/dev/null | grep -o 'x-tf[0-9]*'); do vm_gone "$v"; done
}

if [ "$HOSTILE_OK" = 1 ]; then
	# in_set SETS: the scenario runs when HOSTILE_SET is one of SETS
	in_set() { listed "$HOSTILE_SET" "$*"; }
	in_set full reduced arch && hostile acloop acloop.elf 1 ""
	in_set full reduced && hostile storm-io storm.elf 1 "mode=io"
	in_set full && hostile storm-cpuid storm.elf 1 "mode=cpuid"
	in_set full && hostile storm-mmio storm.elf 1 "mode=mmio"
	in_set full reduced && hostile storm-hlt storm.elf 1 "mode=hlt"
	in_set full reduced && hostile ipistorm ipistorm.elf 2 ""
	in_set full reduced && hostile allports allports.elf 1 ""
	in_set full && hostile mmio-junk wildmmio.elf 1 "mode=junk"
	in_set full reduced && hostile wild-mmio wildmmio.elf 1 "mode=wild"
	in_set full reduced && hostile msrfuzz msrfuzz.elf 1 ""
	in_set full && hostile badpt-cr3 badpt.elf 1 "mode=cr3"
	in_set full && hostile badpt-cr3mmio badpt.elf 1 "mode=cr3mmio"
	in_set full reduced arch && hostile badpt-pae badpt.elf 1 "mode=pae"
	in_set full && hostile badpt-pde badpt.elf 1 "mode=pde"
	in_set full reduced && hostile resetloop resetloop.elf 1 ""
	in_set full reduced tf && hostile_tf
fi

# --- LAPIC timers stop with their VM ---------------------------------------------------
# /proc/timer_list names each queued hrtimer's function
lapic_timers() { grep -c 'v3_lapic_timer_fn' /proc/timer_list 2>/dev/null; }
if ! hpart lapic; then
	:
elif [ -f "$GUESTS/lapictimer.elf" ] && [ -r /proc/timer_list ]; then
	run 20 v3ctl create lt1 --mem 16M --kernel "$GUESTS/lapictimer.elf" --cmdline "mode=oneshot"
	run 10 v3ctl launch lt1
	wait_state lt1 stopped 30
	r=$(info_field lt1 stop-reason) n=$(lapic_timers)
	run 10 v3ctl console lt1
	result "lapic timer: a VM that stopped itself (one-shot timer minutes away) leaves no hrtimer queued" \
		"$([ "$r" = exit-port ] && grep -q 'all 1 passed' "$OUT" && [ "$n" = 0 ]; echo $?)" \
		"stop-reason '$r', $n v3_lapic_timer_fn in /proc/timer_list"; diag_file console "$OUT" 3
	vm_gone lt1
	run 20 v3ctl create lt2 --mem 16M --kernel "$GUESTS/lapictimer.elf" --cmdline "mode=periodic"
	run 10 v3ctl launch lt2
	console_wait lt2 "timer armed" 20
	n0=$(lapic_timers)
	run 20 v3ctl stop lt2
	sleep 0.5
	n=$(lapic_timers)
	result "lapic timer: a periodic timer (queued: $n0) is gone once the VM is stopped" \
		"$([ "$RC" = 0 ] && [ "${n0:-0}" -ge 1 ] && [ "$n" = 0 ]; echo $?)" "stop exit $RC, queued before $n0, after $n"
	vm_gone lt2
	n=$(lapic_timers)
	result "lapic timer: none queued after destroy" "$([ "$n" = 0 ]; echo $?)" "$n queued"
else
	fail "lapic timer tests" "no lapictimer.elf or /proc/timer_list"
fi

# --- a failed device re-creation at a guest reset frees nothing twice ---------------------
KNOB=/sys/module/v3vmm/parameters/debug_fail_device
if ! hpart fault; then
	:
elif [ -w "$KNOB" ]; then
	hk_mark
	echo pit-8254 >"$KNOB"
	run 20 v3ctl create fi0 --mem 16M --kernel "$GUESTS/hello.elf"
	left=$(vm_listed fi0 && echo "VM left behind")
	result "fault injection: create fails when a device cannot be created, leaves no VM" \
		"$(failed_cleanly && [ -z "$left" ]; echo $?)" "exit $RC $left"
	vm_gone fi0
	echo >"$KNOB"	# (a newline: an empty write would not reach the module)
	run 20 v3ctl create fi1 --mem 16M --kernel "$GUESTS/resetloop.elf"
	echo pit-8254 >"$KNOB"
	run 10 v3ctl launch fi1
	wait_state fi1 stopped 20
	r=$(info_field fi1 stop-reason) d=$(info_field fi1 detail)
	echo >"$KNOB"	# (a newline: an empty write would not reach the module)
	result "fault injection: reset with a device failing to re-create stops the VM (internal-error)" \
		"$([ "$r" = internal-error ] && echo "$d" | grep -q 're-create'; echo $?)" "stop-reason '$r' detail '$d'"
	t_cmd "fault injection: destroy after the failed reset" 20 v3ctl destroy fi1
	# the same VM memory and slabs reused at once: a double free shows here
	run 20 v3ctl create fi2 --mem 16M --kernel "$GUESTS/hello.elf"
	run 10 v3ctl launch fi2
	wait_state fi2 stopped 20
	r=$(info_field fi2 stop-reason)
	result "fault injection: a VM created next runs normally" "$([ "$r" = exit-port ]; echo $?)" "stop-reason '$r'"
	vm_gone fi2
	hk_bad >/tmp/hk.bad
	result "fault injection: no BUG/WARN in dmesg" "$([ ! -s /tmp/hk.bad ]; echo $?)" "$(head -n 3 /tmp/hk.bad)"
else
	fail "fault injection" "no writable $KNOB"
fi

# --- churn, then a 2-vCPU Linux guest (issue 11: "seen once" after several VMs) ----------
if hpart churn && [ "$HOSTILE_LINUX" = 1 ] && [ -f "$GUESTS/vmlinuz" ] && [ -f "$GUESTS/memory.elf" ]; then
	hk_mark
	bad=
	ch_i=0	# (wait_state uses $i)
	for spec in "64M 1" "256M 2" "32M 1" "128M 2" "16M 1" "256M 1" "64M 2"; do
		ch_mem=${spec% *} ch_v=${spec#* }
		run 30 v3ctl create "ch$ch_i" --mem "$ch_mem" --vcpus "$ch_v" --kernel "$GUESTS/memory.elf"
		[ "$RC" = 0 ] || bad="$bad create-ch$ch_i:$(head -n 1 "$ERR")"
		run 10 v3ctl launch "ch$ch_i"
		wait_state "ch$ch_i" stopped 60
		r=$(info_field "ch$ch_i" stop-reason)
		[ "$r" = exit-port ] || bad="$bad ch$ch_i($ch_mem,${ch_v}vcpu):$r"
		run 20 v3ctl destroy "ch$ch_i"
		[ "$RC" = 0 ] || bad="$bad destroy-ch$ch_i"
		ch_i=$((ch_i + 1))
	done
	result "churn: 7 VMs (16-256 MiB, 1-2 vCPUs) touch all their memory, are destroyed" "$([ -z "$bad" ]; echo $?)" "$bad"
	n_ok=0
	for round in 1 2; do
		linux_create "lch$round" 2
		if [ "$RC" != 0 ]; then
			echo "# churn: linux create $round failed: $(head -n 1 "$ERR")"
			continue
		fi
		run 10 v3ctl launch "lch$round"
		if console_wait "lch$round" "V3L2: ready" "$LINUX_BOOT_SECS"; then
			n_ok=$((n_ok + 1))
		else
			echo "# churn: linux boot $round failed: state $(info_field "lch$round" state) $(info_field "lch$round" detail)"
			diag_file console "/tmp/con.lch$round" 20
		fi
		vm_gone "lch$round"
		# more churn between the two boots: the pages the first freed
		run 30 v3ctl create chx --mem 128M --vcpus 2 --kernel "$GUESTS/memory.elf"
		run 10 v3ctl launch chx
		wait_state chx stopped 60
		vm_gone chx
	done
	result "churn: a 2-vCPU Linux guest boots after VMs were created and destroyed ($n_ok of 2)" "$([ "$n_ok" = 2 ]; echo $?)" "$n_ok of 2 booted"
	hk_bad >/tmp/hk.bad
	result "churn: no BUG/WARN in dmesg" "$([ ! -s /tmp/hk.bad ]; echo $?)" "$(head -n 3 /tmp/hk.bad)"
fi

if [ -z "${V3_HOSTILE_SOURCED:-}" ]; then
	dmesg_bad >/tmp/bad
	result "hostile: dmesg has no BUG/WARNING/Oops" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
	timeout 10 "$RMMOD" v3vmm 2>/dev/null
	finish
fi
