#!/bin/sh
# The placement benchmark (issue #13) inside an L1 with 4 CPUs in 2 NUMA
# nodes (tests/bench/placement.sh boots it: boot-qemu.sh placebench --smp 4
# --numa 2).  Numbers, not tests: V3B-R lines "V3B-R placement NAME VALUE
# UNIT" that placement.sh turns into build/bench/placement.md.
#   vcpu-move-ms     one v3ctl vcpu move of a running vCPU, end to end
#                    (mean over PB_MOVES moves, round robin over the CPUs)
#   mem-move-gibs    v3ctl mem move of PB_MIB MiB between the nodes, while
#                    memstir runs (mean of the moves' own throughput)
#   mem-held-ms      longest time the vCPUs were held for one region
#   memstir-slowdown memstir's run time with moves back and forth during
#                    it over its run time alone (1.00: no slowdown)
#   sampler-ppm      the adaptive vCPU policy's sampler, with nothing to
#                    change (two independent placework hammers already on
#                    two nodes), in ns per second of guest time / 1000:
#                    parts per million of guest time (the seed: < 500)
#   adaptive-moves   moves it made meanwhile (0 expected)
#   adaptive-work    the hammers' passes under adaptive over static, the
#                    same run length (1.00: no slowdown)
# The emulated host has no NUMA latency (QEMU gives both nodes the same
# memory): only the mechanisms' costs are measured, not placement gains.
. /tests/l1/tap.sh
. /tests/l1/v3.sh
: "${PB_MOVES:=40}" "${PB_MIB:=64}" "${PB_PASSES:=30}" "${PB_SECS:=30}"
suite_begin
r() { echo "V3B-R placement $1 $2 $3"; }
upt() { cut -d' ' -f1 /proc/uptime; }

# --- vCPU move latency --------------------------------------------------------
run 20 v3ctl create pbv --mem 16M --kernel /guests/forever.elf
run 10 v3ctl launch pbv
sleep 1
t0=$(upt)
i=0 bad=0
while [ $i -lt "$PB_MOVES" ]; do
	timeout 10 v3ctl vcpu move pbv 0 $((i % 4)) || bad=$((bad + 1))
	i=$((i + 1))
done
t1=$(upt)
r vcpu-move-ms "$(awk -v a="$t0" -v b="$t1" -v n="$PB_MOVES" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }')" ms
echo "# $PB_MOVES moves, $bad refused; $(timeout 10 v3ctl vcpu pbv | tail -n 1)"
vm_gone pbv

# --- memstir alone, then with guest RAM moved back and forth ---------------
stir() { # NAME: create and launch memstir over PB_MIB - 8 MiB
	run 20 v3ctl create "$1" --mem "${PB_MIB}M" --numa bind:0 --kernel /guests/memstir.elf \
		--cmdline "mib=$((PB_MIB - 8)) passes=$PB_PASSES every=1"
	run 10 v3ctl launch "$1"
}
t0=$(upt)
stir pbs
wait_state pbs stopped 900
t1=$(upt)
alone=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
timeout 10 v3ctl console pbs | grep -q '^ok 1' || echo "V3B-E memstir alone failed"
vm_gone pbs

t0=$(upt)
stir pbm
to=1 n=0
: >/tmp/pb.moves
while [ "$(info_field pbm state)" = running ]; do
	timeout 120 v3ctl mem move pbm --node $to --json >>/tmp/pb.moves 2>/dev/null && n=$((n + 1))
	to=$((1 - to))
done
t1=$(upt)
moved=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
timeout 10 v3ctl console pbm | grep -q '^ok 1' || echo "V3B-E memstir with moves failed: $(timeout 10 v3ctl console pbm | tail -n 3)"
vm_gone pbm
echo "# memstir alone ${alone} s, with $n moves ${moved} s"
r memstir-slowdown "$(awk -v a="$alone" -v b="$moved" 'BEGIN { printf "%.2f", b / a }')" x
tr -d ' ' </tmp/pb.moves | awk -F'[,:}]' '
	{ for (i = 1; i < NF; i++) { if ($i == "\"moved_bytes\"") mb = $(i + 1); if ($i == "\"ns\"") ns = $(i + 1);
	    if ($i == "\"held_ns_max\"") h = $(i + 1) }
	  if (ns > 0 && mb > 0) { g += mb / ns * 1e9 / 1073741824; k++ } if (h > hm) hm = h }
	END { if (k) { printf "V3B-R placement mem-move-gibs %.3f GiB/s\n", g / k
	               printf "V3B-R placement mem-held-ms %.2f ms\n", hm / 1e6 } }'
# --- the adaptive policy's own cost, nothing to change -----------------------
# pw NAME POLICY: placework's two hammers on CPUs 0 and 2 (one per node)
# for PB_SECS; prints the passes they made together
pw() {
	run 20 v3ctl create "$1" --mem 48M --vcpus 2 --kernel /guests/placework.elf \
		--cmdline "pair=0 cpus=2 ma=0 mb=1 mib=4 secs=$PB_SECS every=10"
	timeout 10 v3ctl vcpu move "$1" 0 0
	timeout 10 v3ctl vcpu move "$1" 1 2
	echo "$2" >"/sys/kernel/v3vmm/vms/$1/placement/vcpu_policy"
	run 10 v3ctl launch "$1"
	wait_state "$1" stopped $((PB_SECS * 10))
	timeout 10 v3ctl console "$1" | grep -q '^ok 1' || echo "V3B-E placework $2 failed" >&2
	timeout 10 v3ctl console "$1" | sed -n 's/^placework: t=.* mem=\([0-9]*\),\([0-9]*\).*/\1 \2/p' |
		tail -n 1 | awk '{ print $1 + $2 }'
}
st=$(pw pbst static)
vm_gone pbst
ad=$(pw pbad adaptive)
set -- $(cat /sys/kernel/v3vmm/vms/pbad/placement/sampler)
echo "# placework passes: static $st, adaptive $ad; sampler: $* (samples ns guest_ns ns_per_guest_s moves)"
r sampler-ppm "$(awk -v n="$4" 'BEGIN { printf "%.1f", n / 1000 }')" ppm
r adaptive-moves "$5" moves
[ "${st:-0}" -gt 0 ] && r adaptive-work "$(awk -v a="$ad" -v s="$st" 'BEGIN { printf "%.3f", a / s }')" x
vm_gone pbad
t_cmd "rmmod" 60 "$RMMOD" v3vmm
echo V3B-DONE
finish
