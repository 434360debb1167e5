# Adaptive paging moving (issue #12): the ptload guest (tests/guests/ptload.c)
# as a TLB-miss-bound workload, a page-table-update-bound one (churn) and the
# two phased; each VM in adaptive mode with short sampler knobs, and the
# decisions read back from /sys/kernel/v3vmm/vms/NAME/paging/.
#
# What is asserted is that the policy acts on what it measures: every
# decision's numbers (nested_ppm, shadow_ppm: each mode's paging cost in
# parts per million of the vCPU's cycles) agree with its reason, and the
# VM ends where those numbers point: shadow for tlb, nested for churn, both
# ways for phased.  Where nested paging's walks have no counter (QEMU TCG,
# Bochs: "measure" is trial) nested's cost is the nested_cost_pct knob and
# shadow's is measured (its exits' cycles); the guests' own rates
# (ns_per_op) are printed beside the decisions so a reader can see whether
# the emulator agrees.  Sourced by svm-suite.sh's paging section (on the
# VMX host with adapt-bochs.sh's knobs: tlb and churn), adapt-suite.sh and
# ptbench-suite.sh; busybox sh.
#   AD_SECS   bound of each wait for a decision (default 20)
#   AD_MIB    TLB region of the tlb and phased guests (default 16: 4096
#             pages, a shadow rebuild well inside a trial's first half)
#   AD_PHASE_MS  phased guest's phase length (default 5000)
#   AD_PAGES  pages per churn round (default 64)
#   AD_PARTS  which of tlb, churn, phased run (default all three)
#   AD_READY  the console line ad_start waits for (default 'ptload: t=',
#             the guest's first line of progress, a second into its run;
#             'ptload: mode=' comes once its tables are built, before the
#             first op: for an emulator where each guest second is dear)
#   AD_REC_SECS  the pauses before the guest's rates are read for the
#             record (default 2, and 2.5 for churn's rate in nested); 0:
#             no pauses and no rates (printed as ?)
#   AD_POLL_MS  interval of the waits' polling (default 200)
#   AD_PAUSE  1: pause each VM once its decisions are in, before they are
#             read back (default 0: it runs until destroyed); no rates
#             are read of a paused VM

: "${AD_SECS:=20}" "${AD_MIB:=16}" "${AD_PHASE_MS:=5000}" "${AD_PAGES:=64}"
: "${AD_PARTS:=tlb churn phased}"
: "${AD_READY:=ptload: t=}" "${AD_POLL_MS:=200}" "${AD_PAUSE:=0}"
ad_poll=$(awk -v ms="$AD_POLL_MS" 'BEGIN { print ms / 1000 }')
ad_caps=$(cat /sys/kernel/v3vmm/caps 2>/dev/null)
# trials of 2 s: their first half (warm-up, not measured) rebuilds the
# shadow tables, about a second for 8k pages on QEMU TCG (paging_policy.h)
: "${AD_KNOBS:=period_ms=100 trial_ms=2000 min_dwell_ms=0 trial_interval_ms=1000 threshold_pct=10 hysteresis_pct=5}"

ad_get() { cat "/sys/kernel/v3vmm/vms/$1/paging/$2" 2>/dev/null; }

# ad_start VM CMDLINE MODE: create the ptload VM in MODE with the short
# knobs, launch it and wait for its first line of progress (tables built)
ad_start() {
	run 20 v3ctl create "$1" --mem 64M --kernel /guests/ptload.elf --cmdline "$2" \
		--paging "$3"
	[ "$RC" = 0 ] || { echo "create: $(cat "$ERR")" >/tmp/ad.why; return 1; }
	for kv in $AD_KNOBS; do
		sh -c "echo ${kv#*=} >/sys/kernel/v3vmm/vms/$1/paging/${kv%%=*}" 2>/dev/null ||
			{ echo "knob $kv refused" >/tmp/ad.why; return 1; }
	done
	run 10 v3ctl launch "$1"
	[ "$RC" = 0 ] || { echo "launch: $(cat "$ERR")" >/tmp/ad.why; return 1; }
	i=0
	while [ $i -lt $((AD_SECS * 1000 / AD_POLL_MS)) ]; do
		timeout 10 v3ctl console "$1" 2>/dev/null | grep -q "$AD_READY" && return 0
		sleep "$ad_poll"
		i=$((i + 1))
	done
	echo "no progress line in ${AD_SECS}s: $(timeout 10 v3ctl console "$1" 2>&1 | tail -n 3)" >/tmp/ad.why
	return 1
}

# ad_wait VM AWK-COND: poll the decisions until a line matches (bounded)
ad_wait() {
	i=0
	while [ $i -lt $((AD_SECS * 1000 / AD_POLL_MS)) ]; do
		ad_get "$1" decisions | awk "$2 { f = 1 } END { exit !f }" && return 0
		sleep "$ad_poll"
		i=$((i + 1))
	done
	return 1
}

# ad_consistent FILE: every decision agrees with its numbers (threshold 10 %,
# hysteresis 5 %: paging_policy.h):
#   cheaper: the mode it went to costs < 95 % of the one it left (the last
#     of its periods may be inside the hysteresis band)
#   trial-keep: the mode tried costs < 90 % of the one it came from
#   trial-revert: the mode tried did not cost < 90 % of the one went back to
# prints the lines that do not
ad_consistent() {
	awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		c["nested"] = f["nested_ppm"] + 0; c["shadow"] = f["shadow_ppm"] + 0
		r = f["reason"]; bad = 0
		if (r == "cheaper" || r == "trial-keep") {
			# trial-keep: from = to = the mode kept; the other is the home mode
			to = f["to"]; oth = (to == "nested") ? "shadow" : "nested"
			if (!(c[to] * 100 < c[oth] * (r == "cheaper" ? 95 : 90))) bad = 1
		} else if (r == "trial-revert") {
			oth = (f["to"] == "nested") ? "shadow" : "nested"
			if (c[oth] * 100 < c[f["to"]] * 90) bad = 1
		}
		if (bad) print
	}' "$1"
}

# ad_agrees LABEL: the decisions ad_show saved agree with their numbers
ad_agrees() {
	bad=$(ad_consistent /tmp/ad.dec)
	result "adaptive: $1: each decision agrees with its measured costs" \
		"$([ -s /tmp/ad.dec ] && [ -z "$bad" ]; echo $?)" "disagreeing: $bad"
}

# ad_show VM LABEL: decisions, paging counters and the guest's rates
ad_show() {
	ad_get "$1" decisions >/tmp/ad.dec
	diag_file "$2 decisions" /tmp/ad.dec 16
	echo "# $2: measure $(ad_get "$1" measure) current $(ad_get "$1" current) switches $(ad_get "$1" switches) shadow_faults $(ad_get "$1" shadow_faults) wp_emulations $(ad_get "$1" wp_emulations) cr3_switches $(ad_get "$1" cr3_switches) invlpgs $(ad_get "$1" invlpgs) fault_cycles $(ad_get "$1" fault_cycles)"
	timeout 10 v3ctl console "$1" 2>/dev/null | grep 'ptload: t=' | grep -v progress >/tmp/ad.con
	diag_file "$2 guest phases (ns_per_op)" /tmp/ad.con 8
}

# ad_rate VM: ns_per_op of the guest's latest progress line
ad_rate() {
	timeout 10 v3ctl console "$1" 2>/dev/null | grep 'ptload: t=.* progress' | tail -n 1 |
		sed -n 's/.*ns_per_op=\([0-9]*\).*/\1/p'
}

# ad_hold VM: with AD_PAUSE=1, pause VM (its decisions are all in)
ad_held=
ad_hold() {
	[ "$AD_PAUSE" = 1 ] || return 0
	run 10 v3ctl pause "$1"
	ad_held=$1
}

# ad_rec VM SECS: ad_rate after a pause of SECS (AD_REC_SECS when set);
# nothing when AD_REC_SECS is 0 or VM is paused (ad_hold)
ad_rec() {
	[ "${AD_REC_SECS-}" = 0 ] || [ "$ad_held" = "$1" ] && return 0
	sleep "${AD_REC_SECS:-$2}"
	ad_rate "$1"
}

# ad_part NAME: NAME is in AD_PARTS
ad_part() { listed "$1" "$AD_PARTS"; }

adapt_tests() {
	if [ $((ad_caps & (1 << 17))) = 0 ]; then
		echo "ok $((T_N + 1)) - adaptive: tlb, churn, phased # SKIP no paging-switch capability"
		T_N=$((T_N + 1))
		return 0
	fi
	need_guest "adaptive: ptload guest" ptload.elf || return 0

	# --- TLB-miss bound: from nested, a trial of shadow, kept --------------
	ad_part tlb && if ad_start ad1 "mode=tlb mib=$AD_MIB" nested; then
		rn=$(ad_rec ad1 2)	# progress in nested for the record
		run 10 v3ctl paging ad1 adaptive
		ad_wait ad1 '/to=shadow reason=(trial-keep|cheaper)/'
		ok=$?
		rs=$(ad_rec ad1 2)
		ad_hold ad1
		ad_show ad1 tlb
		echo "# tlb: the guest's random reads: nested ${rn:-?} ns each, then $(ad_get ad1 current) ${rs:-?} ns each"
		c=$(ad_get ad1 current) ms=$(ad_get ad1 measure)
		result "adaptive: TLB-miss-bound guest moves to shadow (measure $ms)" \
			"$([ $ok = 0 ] && [ "$c" = shadow ]; echo $?)" \
			"current '$c'; no trial-keep/cheaper to shadow in ${AD_SECS}s"
		ad_agrees tlb
	else
		fail "adaptive: TLB-miss-bound guest moves to shadow" "$(cat /tmp/ad.why)"
	fi
	vm_gone ad1

	# --- page-table-update bound: started in shadow, leaves it -------------
	ad_part churn && if ad_start ad2 "mode=churn pages=$AD_PAGES" shadow; then
		rs=$(ad_rec ad2 2)
		run 10 v3ctl paging ad2 adaptive
		ad_wait ad2 '/from=shadow to=nested reason=cheaper/'
		ok=$?
		# and stays: the next trial of shadow (trial_interval_ms 1000) reverts
		ad_wait ad2 '/reason=trial-revert/'
		ok2=$?
		ad_hold ad2
		ad_show ad2 churn
		c=$(ad_get ad2 current)
		# the rate in nested, the sampler out of the way (fixed nested)
		run 20 v3ctl paging ad2 nested
		rn=$(ad_rec ad2 2.5)
		echo "# churn: the guest's rounds ($AD_PAGES pages mapped, touched, unmapped): shadow ${rs:-?} ns each, nested ${rn:-?} ns each"
		# what the policy measured for shadow against what the guest lost:
		# exits cost far more than the world-switch estimate on an emulator
		sp=$(sed -n 's/.*from=shadow to=nested reason=cheaper.*shadow_ppm=\([0-9]*\).*/\1/p' /tmp/ad.dec | head -n 1)
		[ -n "$sp" ] && [ -n "$rs" ] && [ -n "$rn" ] && awk -v sp="$sp" -v rs="$rs" -v rn="$rn" 'BEGIN {
			printf "# churn: shadow measured at %.1f %% of the vCPU cycles; by the guest'"'"'s rate it loses %.1f %% of its time\n",
				sp / 1e4, (rs > 0 ? (rs - rn) * 100 / rs : 0) }'
		result "adaptive: page-table-update-bound guest moves from shadow to nested" \
			"$([ $ok = 0 ]; echo $?)" "no cheaper to nested in ${AD_SECS}s"
		result "adaptive: churn: a later trial of shadow goes back to nested" \
			"$([ $ok2 = 0 ]; echo $?)" "no trial-revert in ${AD_SECS}s; current '$c'"
		ad_agrees churn
	else
		fail "adaptive: page-table-update-bound guest moves from shadow to nested" "$(cat /tmp/ad.why)"
	fi
	vm_gone ad2

	# --- phased: both ways ---------------------------------------------------
	ad_part phased && if ad_start ad3 "mode=phased mib=$AD_MIB pages=$AD_PAGES phase_ms=$AD_PHASE_MS" nested; then
		run 10 v3ctl paging ad3 adaptive
		ad_wait ad3 '/to=shadow reason=(trial-keep|cheaper)/' &&
			ad_wait ad3 '/from=shadow to=nested reason=cheaper/'
		ok=$?
		ad_show ad3 phased
		s=$(ad_get ad3 switches)
		result "adaptive: phased guest switches both ways (to shadow, back to nested; $s switches)" \
			"$([ $ok = 0 ] && [ "${s:-0}" -ge 2 ]; echo $?)" "switches '$s'"
		ad_agrees phased
	else
		fail "adaptive: phased guest switches both ways" "$(cat /tmp/ad.why)"
	fi
	vm_gone ad3
}
