#!/usr/bin/env bash
# The two-node test (issue #14, tests/l1/twonode-tests.sh): two emulated
# SVM hosts joined by a virtual Ethernet, v3share under mpirun across both.
#   boot-twonode.sh [--timeout SECS] [--smp N] [--mem MIB] [--live]
# Node A's QEMU listens on 127.0.0.1:PORT (a free port), node B's connects
# to it (QEMU's socket netdev: the frames travel over the build machine's
# loopback only, never multicast or another address); each has an e1000
# NIC and no other network (no user-mode networking: -netdev turns off
# QEMU's default NIC).  Inside, A is 10.33.0.1 and B 10.33.0.2.
# Both boot build/l1.cpio.gz with build/twonode.cpio.gz (mktwonode.sh:
# e1000.ko, Open MPI, v3share, the test-only launcher) appended.  Both
# QEMUs run on the one host CPU the SVM suites use (lib.sh: qemu_pin).
# The serial consoles go to build/logs/twonode-a.serial.log and
# twonode-b.serial.log; A's TAP lines are shown as they arrive (--live:
# A's whole console).  When Open MPI is not installed the logs say SKIP.
# Bounds: --timeout (default V3_TWONODE_TIMEOUT or 480 s) for each QEMU,
# V3_BOOT_BOUND (60 s) to reach /init (a pair with a boot hang is booted
# again once), 90 s for B once A is done.  Exit status: 0 when both
# ended by themselves (summary.sh judges the TAP), else 1 (124: timeout).
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
load_kernels

TIMEOUT=${V3_TWONODE_TIMEOUT:-480}
SMP=2
MEM=1536
LIVE=0
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) TIMEOUT=$2; shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--live) LIVE=1; shift ;;
	*) die "usage: boot-twonode.sh [--timeout SECS] [--smp N] [--mem MIB] [--live]" ;;
	esac
done
[ -f "$BUILD/l1.cpio.gz" ] || die "no $BUILD/l1.cpio.gz (run tests/harness/mkinitrd.sh)"

mkdir -p "$BUILD/logs"
L=$BUILD/logs
LOGA=$L/twonode-a.serial.log
LOGB=$L/twonode-b.serial.log
rm -f "$LOGA" "$LOGB" "$L"/twonode-?.qemu.log "$L"/twonode-?.hung.log
t0=$(now)

# the second archive; no Open MPI: the test is skipped (logs say why)
st=0
"$REPO/tests/harness/mktwonode.sh" >"$L/twonode.mk.log" 2>&1 || st=$?
if [ "$st" = 3 ]; then
	why=$(sed -n 's/.*not built: //p' "$L/twonode.mk.log" | head -n 1)
	for n in a b; do
		printf 'V3-SUITE-START twonode%s (not booted)\nok 1 - twonode %s # SKIP %s\n1..1\nV3-SUITE-DONE\n' \
			"$n" "$n" "$why" >"$L/twonode-$n.serial.log"
	done
	say "two-node test skipped: $why"
	exit 0
elif [ "$st" != 0 ]; then
	cat "$L/twonode.mk.log" >&2
	die "mktwonode.sh failed"
fi
tail -n 1 "$L/twonode.mk.log"
INITRD=$BUILD/l1-twonode.cpio.gz
cat "$BUILD/l1.cpio.gz" "$BUILD/twonode.cpio.gz" >"$INITRD"

QEMU=${V3_QEMU_BIN:-qemu-system-x86_64}
qemu_pin

# free_port: a TCP port nothing listens on here
free_port() {
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 20000))
		[ -z "$(ss -Htln "( sport = :$p )" 2>/dev/null)" ] && { echo "$p"; return; }
	done
	die "no free TCP port found"
}

# start NODE NETDEV MAC: one emulated host in the background; its console
# in $L/twonode-NODE.raw, its QEMU's status in $L/twonode-NODE.rc at the end
start() {
	local n=$1 raw=$L/twonode-$1.raw
	: >"$raw"
	rm -f "$L/twonode-$n.rc" "$L/twonode-$n.qemu.pid"
	{
		local s=0
		"${PIN[@]}" timeout -k 10 "$TIMEOUT" "$QEMU" ${V3_QEMU_FW:+-L "$V3_QEMU_FW"} \
			-accel tcg -cpu EPYC -smp "$SMP" -m "$MEM" \
			-display none -monitor none -serial "file:$raw" -no-reboot \
			-pidfile "$L/twonode-$n.qemu.pid" \
			-netdev "socket,id=n0,$2" -device "e1000,netdev=n0,mac=$3" \
			-kernel "$VMLINUZ" -initrd "$INITRD" \
			-append "console=ttyS0 quiet panic=-1 tsc=reliable v3suite=twonode$n" \
			</dev/null >"$L/twonode-$n.qemu.log" 2>&1 || s=$?
		echo "$s" >"$L/twonode-$n.rc"
	} &
}
running() { [ ! -f "$L/twonode-$1.rc" ]; }
# stop NODE: end its QEMU, by the pid it wrote
stop() {
	local p
	p=$(cat "$L/twonode-$1.qemu.pid" 2>/dev/null || true)
	[ -z "$p" ] || kill "$p" 2>/dev/null || true
}
if [ "$LIVE" = 1 ]; then
	show() { sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g'; }
else
	show() { grep -E '^(ok|not ok) [0-9]|^V3-SUITE|Kernel panic|BUG:|Oops' | sed 's/^/    /' || true; }
fi
started() { grep -q 'V3-SUITE-START' "$L/twonode-$1.raw" 2>/dev/null; }

# pair: boot A (listening), then B (connecting); follow them to the end.
# Sets hung (a boot hang before /init), rc_a, rc_b.
pair() {
	local port waited=0 shown=0 a_done_at=
	port=$(free_port)
	say "node A listens on 127.0.0.1:$port, node B connects; both on host CPU ${PIN[*]:-any}; ${SMP} CPUs, ${MEM} MiB each"
	start a "listen=127.0.0.1:$port" 52:54:00:33:00:01
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ss -Htln "( sport = :$port )" 2>/dev/null)" ] && break
		running a || break
		sleep 0.1
	done
	if [ -z "$(ss -Htln "( sport = :$port )" 2>/dev/null)" ]; then
		stop a; wait || true
		cat "$L/twonode-a.qemu.log" >&2
		die "node A's QEMU does not listen on 127.0.0.1:$port"
	fi
	start b "connect=127.0.0.1:$port" 52:54:00:33:00:02
	hung=0
	while running a || running b; do
		sleep 1
		waited=$((waited + 1))
		# A's TAP lines as they arrive (whole lines only)
		lines=$(tr -d '\r' <"$L/twonode-a.raw" | wc -l)
		if [ "$lines" -gt "$shown" ]; then
			tr -d '\r' <"$L/twonode-a.raw" | sed -n "$((shown + 1)),${lines}p" | show
			shown=$lines
		fi
		if [ "$waited" -ge "${V3_BOOT_BOUND:-60}" ] && { ! started a || ! started b; }; then
			hung=1
			for n in a b; do started $n || cp "$L/twonode-$n.raw" "$L/twonode-$n.hung.log"; done
			stop a; stop b
			break
		fi
		# B waits for A's word; once A has ended, B gets 90 s
		if ! running a && running b; then
			a_done_at=${a_done_at:-$waited}
			[ $((waited - a_done_at)) -lt 90 ] || { say "node B still running 90 s after A ended: stopped"; stop b; }
		fi
	done
	wait || true
	# shellcheck disable=SC2034 # read as ${!v} below
	rc_a=$(cat "$L/twonode-a.rc" 2>/dev/null || echo 1)
	# shellcheck disable=SC2034
	rc_b=$(cat "$L/twonode-b.rc" 2>/dev/null || echo 1)
}

say "two-node test: booting two L1s ($KVER_61, -cpu EPYC), bound ${TIMEOUT}s each"
pair
if [ "$hung" = 1 ]; then
	say "a node did not reach /init within ${V3_BOOT_BOUND:-60}s (an emulator boot hang): booting the pair again"
	pair
	[ "$hung" = 0 ] || say "a node hung before /init twice: giving up"
fi
for n in a b; do
	tr -d '\r' <"$L/twonode-$n.raw" >"$L/twonode-$n.serial.log"
	rm -f "$L/twonode-$n.raw" "$L/twonode-$n.rc"
done
rc=0
for n in a b; do
	v="rc_$n"
	case ${!v} in
	0) ;;
	124) say "node $n did not finish within ${TIMEOUT}s: stopped"; rc=1 ;;
	*) say "node $n: qemu status ${!v}"; grep -v "TCG doesn't support" "$L/twonode-$n.qemu.log" | tail -n 5 >&2 || true; rc=1 ;;
	esac
done
[ "$hung" = 0 ] || rc=1
say "two-node test finished in $(elapsed "$t0")s (logs $LOGA, $LOGB)"
exit "$rc"
