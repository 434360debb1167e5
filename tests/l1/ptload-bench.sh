# The paging benchmark's bare-metal part (issue #12): the ptload guest
# (tests/guests/ptload.c) under v3vmm in nested, shadow and adaptive paging,
# and the adaptive sampler's own overhead: workloads whose phases are long
# enough for adaptive mode to follow (the Linux ones of paging.conf are not).
# Sourced by tests/bench/l1-init (run_paging, copied to /bench) and by
# tests/l1/ptbench-suite.sh; busybox sh, v3vmm.ko loaded.  Prints
#   V3B-R ptload-MODE WORKLOAD MS ms       guest-timed work (TSC), lower is better
#   V3B-R ptload-ovh WAY MS ms rep=N       sampler overhead runs
#   V3B-INFO ptload ...                    knobs, decisions, counters
# Sizes (QEMU TCG, measured): tlb ~0.4-0.8 us a read in nested, ~0.1-0.3
# in shadow once its tables are built (16k fill faults, 1-2 s); churn ~40 us
# a round in nested, ~4.5 ms in shadow.
#   PB_TLB_OPS, PB_CHURN_OPS, PB_PH_TLB_OPS, PB_PH_CHURN_OPS, PB_PHASES,
#   PB_OVH_OPS, PB_REPS (overhead triples)

: "${PB_TLB_OPS:=10000000}" "${PB_CHURN_OPS:=1500}" "${PB_PHASES:=6}" "${PB_REPS:=5}"
: "${PB_PH_TLB_OPS:=10000000}" "${PB_PH_CHURN_OPS:=300}" "${PB_OVH_OPS:=5000000}"
PB_SYS=/sys/kernel/v3vmm/vms
# trials long enough for the shadow rebuild on QEMU TCG (see adapt-tests.sh)
PB_KNOBS="period_ms=100 trial_ms=2000 min_dwell_ms=0 trial_interval_ms=5000"

# pb_run WAY MODE KNOBS CMDLINE: one ptload VM to its end; its guest-timed
# milliseconds on stdout ("" on failure, V3B-E printed)
pb_run() {
	pb_way=$1 pb_mode=$2 pb_knobs=$3 pb_cmd=$4
	timeout 10 v3ctl destroy pb >/dev/null 2>&1
	if ! timeout 20 v3ctl create pb --mem 96M --kernel /guests/ptload.elf \
		--cmdline "$pb_cmd" --paging "$pb_mode" >/tmp/pb.out 2>&1; then
		echo "V3B-E ptload $pb_way: create: $(head -n 2 /tmp/pb.out | tr '\n' ' ')" >&2
		return 1
	fi
	for kv in $pb_knobs; do
		echo "${kv#*=}" >"$PB_SYS/pb/paging/${kv%%=*}" 2>/dev/null ||
			echo "V3B-E ptload $pb_way: knob $kv refused" >&2
	done
	timeout 10 v3ctl launch pb >/dev/null 2>&1
	i=0
	while [ $i -lt 600 ] && ! timeout 10 v3ctl info pb 2>/dev/null | grep -q '^state: stopped'; do
		sleep 0.2
		i=$((i + 1))
	done
	timeout 10 v3ctl console pb >/tmp/pb.con 2>&1
	ms=$(sed -n 's/^# ptload: done phases=[0-9]* ms=\([0-9]*\).*/\1/p' /tmp/pb.con)
	[ -n "$ms" ] || echo "V3B-E ptload $pb_way: no result in 120 s: $(tail -n 2 /tmp/pb.con | tr '\n' ' ')" >&2
	{
		echo "V3B-INFO ptload $pb_way sysfs current $(cat $PB_SYS/pb/paging/current) switches $(cat $PB_SYS/pb/paging/switches) shadow_faults $(cat $PB_SYS/pb/paging/shadow_faults) wp_emulations $(cat $PB_SYS/pb/paging/wp_emulations) invlpgs $(cat $PB_SYS/pb/paging/invlpgs) sampler $(cat $PB_SYS/pb/paging/sampler 2>/dev/null)"
		[ "$pb_mode" = adaptive ] && sed "s/^/V3B-INFO ptload $pb_way decision /" "$PB_SYS/pb/paging/decisions" | tail -n 6
		grep '^# ptload: t=' /tmp/pb.con | grep -v progress | head -n 8 | sed "s/^# ptload: /V3B-INFO ptload $pb_way phase /"
	} >&2
	timeout 10 v3ctl stop pb >/dev/null 2>&1
	timeout 10 v3ctl destroy pb >/dev/null 2>&1
	echo "$ms"
}

# median of the numbers on stdin
pb_median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

ptload_bench() {
	[ -f /guests/ptload.elf ] || { echo "V3B-E ptload: no /guests/ptload.elf"; return 1; }
	echo "V3B-INFO ptload bare-metal workloads; adaptive knobs: $PB_KNOBS"
	for w in tlb churn phased; do
		case $w in
		tlb) c="mode=tlb mib=64 ops=$PB_TLB_OPS phases=1" ;;
		churn) c="mode=churn pages=64 ops=$PB_CHURN_OPS phases=1" ;;
		phased) c="mode=phased mib=64 pages=64 tlb_ops=$PB_PH_TLB_OPS churn_ops=$PB_PH_CHURN_OPS phases=$PB_PHASES" ;;
		esac
		echo "V3B-INFO ptload $w cmdline $c"
		for m in nested shadow adaptive; do
			k=
			[ "$m" = adaptive ] && k=$PB_KNOBS
			ms=$(pb_run "$m-$w" "$m" "$k" "$c" 2>/tmp/pb.info)
			cat /tmp/pb.info
			[ -n "$ms" ] && echo "V3B-R ptload-$m $w $ms ms"
		done
	done
	# the sampler's overhead: adaptive that never switches (dwell of an
	# hour: every period measured and decided, reason "dwell") against
	# fixed nested, alternating, same work; sampling every 100 ms (the
	# default) and every 10 ms (the shortest period).  Two measures: the
	# guest's time (noisy on a shared emulated host: the fixed runs'
	# spread is printed) and the sampler's own time (sysfs "sampler":
	# periods and ns from snapshot to decision), as a share of the run
	c="mode=tlb mib=64 ops=$PB_OVH_OPS phases=1"
	: >/tmp/pb.fixed; : >/tmp/pb.a100; : >/tmp/pb.a10; : >/tmp/pb.smp
	i=1
	while [ $i -le "$PB_REPS" ]; do
		for way in fixed a100 a10; do
			case $way in
			fixed) m=nested k= ;;
			a100) m=adaptive k="period_ms=100 min_dwell_ms=3600000" ;;
			a10) m=adaptive k="period_ms=10 min_dwell_ms=3600000" ;;
			esac
			ms=$(pb_run "ovh-$way" "$m" "$k" "$c" 2>/tmp/pb.info)
			grep -q 'switches 0' /tmp/pb.info ||
				echo "V3B-E ptload ovh-$way switched: $(grep sysfs /tmp/pb.info)"
			[ -n "$ms" ] && { echo "$ms" >>/tmp/pb.$way; echo "V3B-R ptload-ovh $way $ms ms rep=$i"; }
			smp=$(sed -n 's/.* sampler \([0-9]*\) \([0-9]*\)$/\1 \2/p' /tmp/pb.info)
			[ "$m" = adaptive ] && [ -n "$ms" ] && [ -n "$smp" ] &&
				echo "$smp $ms" | awk -v w="$way" -v r="$i" '{
					printf "V3B-R ptload-sampler %s %.4f pct rep=%d periods=%d ns=%d ns_per_period=%d\n",
						w, $2 / ($3 * 1e4), r, $1, $2, $1 ? $2 / $1 : 0 }' >>/tmp/pb.smp
		done
		i=$((i + 1))
	done
	f=$(pb_median </tmp/pb.fixed) a=$(pb_median </tmp/pb.a100) b=$(pb_median </tmp/pb.a10)
	spread=$(sort -n /tmp/pb.fixed | awk '{ v[NR] = $1 } END { if (NR > 1 && v[1] > 0) printf "%.2f", (v[NR] - v[1]) * 100 / v[1] }')
	cat /tmp/pb.smp 2>/dev/null
	for way in a100 a10; do
		sm=$(awk -v w="$way" '$3 == w { print $4 }' /tmp/pb.smp 2>/dev/null | pb_median)
		[ -n "$sm" ] && echo "V3B-R ptload-ovh sampler-$way $sm pct"
	done
	echo "V3B-INFO ptload overhead medians of $PB_REPS: fixed nested $f ms, adaptive (100 ms period, never switching) $a ms, adaptive (10 ms) $b ms; fixed runs spread ${spread}%"
	[ -n "$f" ] && [ -n "$a" ] && [ -n "$b" ] &&
		awk -v f="$f" -v a="$a" -v b="$b" 'BEGIN {
			printf "V3B-R ptload-ovh overhead-100ms %.2f pct\nV3B-R ptload-ovh overhead-10ms %.2f pct\n",
				(a - f) * 100 / f, (b - f) * 100 / f }'
	return 0
}
