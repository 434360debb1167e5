#!/bin/sh
# The content scanner's benchmark (issue #14, module/adapt/content.c)
# inside the emulated SVM host (tests/bench/content.sh boots it:
# boot-qemu.sh contentbench).  Numbers, not tests: "V3B-R content NAME
# VALUE UNIT [TARGET]" lines that content.sh turns into
# build/bench/contentbench.md.
#   scan-pages-s     pages the scanner hashes per second flat out (a paused
#                    VM, pages_to_scan 20000 every 1 ms), and
#   scan-ns-page     its CPU time per page (scan_ns / pages scanned)
#   default-pages-s  pages per second at the default knobs (pages_to_scan
#                    100 every 20 ms: KSM's defaults), on a running guest
#   default-cpu-pct  the scanner's CPU time at the defaults, % of one CPU
#   guest-slowdown   memstir's run time with its VM scanned at the
#                    defaults over its run time unscanned, run back to
#                    back in alternating order: the mean of the
#                    CB_RUNS pairs (-min, -max: their spread, the emulated
#                    host's noise; 1.000: no cost).  The
#                    emulated host's CPUs share one build-machine CPU, so
#                    the scanner's CPU time comes out of the guest's: an
#                    upper bound of the cost on a node, where it runs on
#                    another core.
. /tests/l1/tap.sh
. /tests/l1/v3.sh
: "${CB_MIB:=128}" "${CB_PASSES:=8}" "${CB_RUNS:=6}" "${CB_RATE_SECS:=5}"
suite_begin
CT=/sys/kernel/v3vmm/content
r() { echo "V3B-R content $1 $2 $3 ${4:-}"; }
upt() { cut -d' ' -f1 /proc/uptime; }
stat_of() { timeout 10 v3ctl content ${1:+"$1"} --json 2>/dev/null | tr -d ' \n' | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
knobs() { echo "$1" >"$CT/pages_to_scan"; echo "$2" >"$CT/sleep_millisecs"; }
d0=$(cat "$CT/pages_to_scan") s0=$(cat "$CT/sleep_millisecs")
echo "# default knobs: pages_to_scan $d0, sleep_millisecs $s0"

# --- the scanner flat out, on a paused VM ------------------------------------
run 20 v3ctl create cbr --mem "${CB_MIB}M" --kernel /guests/forever.elf
run 10 v3ctl launch cbr
run 10 v3ctl pause cbr
run 10 v3ctl content enable cbr
knobs 20000 1
echo 1 >"$CT/run"
sleep 1
p0=$(stat_of cbr pages_scanned) n0=$(stat_of cbr scan_ns) t0=$(upt)
sleep "$CB_RATE_SECS"
p1=$(stat_of cbr pages_scanned) n1=$(stat_of cbr scan_ns) t1=$(upt)
echo 0 >"$CT/run"
echo "# flat out: $((p1 - p0)) pages in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s, scan_ns $((n1 - n0))"
r scan-pages-s "$(awk -v p=$((p1 - p0)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", p / (b - a) }')" pages/s
[ $((p1 - p0)) -gt 0 ] && r scan-ns-page "$(awk -v p=$((p1 - p0)) -v n=$((n1 - n0)) 'BEGIN { printf "%.0f", n / p }')" ns
vm_gone cbr
knobs "$d0" "$s0"

# --- memstir unscanned and scanned at the defaults, alternating ---------------
# stir NAME SCAN: memstir over CB_MIB - 8 MiB, its VM scanned at the
# default knobs (SCAN=1) or not; its run time in s goes to /tmp/cb.t, the
# pages the scanner hashed meanwhile and its ns to /tmp/cb.scan1 (the
# node's counters: the VM's are gone with it)
stir() {
	run 20 v3ctl create "$1" --mem "${CB_MIB}M" --kernel /guests/memstir.elf \
		--cmdline "mib=$((CB_MIB - 8)) passes=$CB_PASSES every=100"
	[ "$2" = 1 ] && run 10 v3ctl content enable "$1"
	echo "$2" >"$CT/run"
	sp0=$(stat_of "" pages_scanned) sn0=$(stat_of "" scan_ns) a=$(upt)
	run 10 v3ctl launch "$1"
	wait_state "$1" stopped 1800
	b=$(upt) sp1=$(stat_of "" pages_scanned) sn1=$(stat_of "" scan_ns)
	echo 0 >"$CT/run"
	timeout 10 v3ctl console "$1" | grep -q '^ok 1' || echo "V3B-E memstir $1 failed" >&2
	vm_gone "$1"
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f\n", b - a }' >/tmp/cb.t
	[ "$2" = 1 ] && echo "$((sp1 - sp0)) $((sn1 - sn0))" >/tmp/cb.scan1
	return 0
}
: >/tmp/cb.off; : >/tmp/cb.on; : >/tmp/cb.scan
# a first run, not counted: the first VM of this size pays for the host's
# first touch of its memory
stir cbwarm 0
echo "# warm-up run: memstir $(cat /tmp/cb.t) s"
cb_i=0
while [ $cb_i -lt "$CB_RUNS" ]; do
	# the order alternates: the second VM of a pair was seen to run
	# faster (its host memory freshly freed by the first)
	if [ $((cb_i % 2)) = 0 ]; then
		stir cboff$cb_i 0; off=$(cat /tmp/cb.t)
		stir cbon$cb_i 1; on=$(cat /tmp/cb.t)
	else
		stir cbon$cb_i 1; on=$(cat /tmp/cb.t)
		stir cboff$cb_i 0; off=$(cat /tmp/cb.t)
	fi
	echo "$off" >>/tmp/cb.off; echo "$on" >>/tmp/cb.on
	echo "$on $(cat /tmp/cb.scan1)" >>/tmp/cb.scan
	echo "# run $cb_i: memstir unscanned $off s, scanned $on s ($(cat /tmp/cb.scan1): pages hashed, scanner ns)"
	cb_i=$((cb_i + 1))
done
# each pair's ratio (scanned over unscanned, run back to back, in
# alternating order): the emulated host's pace drifts by more than the
# scanner's cost between pairs; their mean (busybox awk has no log()
# for a geometric one), and their spread
paste /tmp/cb.on /tmp/cb.off | awk '{ printf "%.4f\n", $1 / $2 }' | sort -n >/tmp/cb.ratio
r guest-slowdown "$(awk '{ s += $1 } END { printf "%.3f", s / NR }' /tmp/cb.ratio)" x "<=1.01"
r guest-slowdown-min "$(head -n 1 /tmp/cb.ratio)" x
r guest-slowdown-max "$(tail -n 1 /tmp/cb.ratio)" x
awk '{ s += $1; p += $2; n += $3 } END { if (s > 0) {
	printf "V3B-R content default-pages-s %.0f pages/s\n", p / s
	printf "V3B-R content default-cpu-pct %.2f %%\n", n / s / 1e7 } }' /tmp/cb.scan
t_cmd "rmmod" 60 "$RMMOD" v3vmm
echo V3B-DONE
finish
