#!/usr/bin/env bash
# Boot the emulated SVM host (L1) under QEMU TCG with the L1 initramfs and
# run one suite; the serial console goes to build/logs/<suite>.serial.log.
#   boot-qemu.sh SUITE [--cpu MODEL] [--timeout SECS] [--initrd FILE] [--live]
#                      [--smp N] [--numa NODES]
# --live streams the whole console to stdout; otherwise only TAP result
# lines are shown as they arrive.  --smp: L1 CPUs (default 2); --numa:
# split them and the 2 GiB of L1 RAM evenly into NODES NUMA nodes (ACPI
# SRAT from QEMU).  V3_APPEND: more of the L1 kernel command line, for a
# focused run ("v3sections=guests,paging", "v3env=VAR=VALUE": tests/l1/init).
# Exit status: QEMU's, 124 on timeout.
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/harness/tap-times.sh
. "$(dirname "$0")/tap-times.sh"
load_kernels

SUITE=${1:?usage: boot-qemu.sh SUITE [--cpu MODEL] [--timeout SECS] [--initrd FILE] [--live]}
shift
CPU=EPYC
TIMEOUT=600
INITRD=$BUILD/l1.cpio.gz
LIVE=0
SMP=2
NUMA=1
while [ $# -gt 0 ]; do
	case $1 in
	--smp) SMP=$2; shift 2 ;;
	--numa) NUMA=$2; shift 2 ;;
	--cpu) CPU=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--initrd) INITRD=$2; shift 2 ;;
	--live) LIVE=1; shift ;;
	*) die "unknown option $1" ;;
	esac
done
[ -f "$INITRD" ] || die "no initramfs $INITRD (run tests/harness/mkinitrd.sh)"
[ $((SMP % NUMA)) = 0 ] || die "--smp $SMP does not split into $NUMA nodes"

# -numa: node n gets CPUs [n*SMP/NUMA, (n+1)*SMP/NUMA) and 2048/NUMA MiB
NUMA_ARGS=()
if [ "$NUMA" -gt 1 ]; then
	per=$((SMP / NUMA))
	for ((n = 0; n < NUMA; n++)); do
		NUMA_ARGS+=(-object "memory-backend-ram,id=m$n,size=$((2048 / NUMA))M"
			-numa "node,nodeid=$n,cpus=$((n * per))-$((n * per + per - 1)),memdev=m$n")
	done
fi

# V3_QEMU_BIN / V3_QEMU_FW: another QEMU and its firmware folder (e.g. 10.0
# from bookworm-backports, unpacked with dpkg -x); V3_QEMU_EXTRA: more options.
QEMU=${V3_QEMU_BIN:-qemu-system-x86_64}
# The SVM host runs on one host CPU (lib.sh: qemu_pin); the no-SVM one
# runs no guests and need not.
PIN=()
[[ $CPU == *-svm* ]] || qemu_pin

LOG=$BUILD/logs/$SUITE.serial.log
mkdir -p "$(dirname "$LOG")"
: >"$LOG"
rm -f "$LOG.hung"

# Seconds the L1 kernel gets to reach /init.  Under TCG it is ~2 s, but a boot
# has been seen to hang (rarely) before /init: then it is retried once,
# without "quiet" so a second hang shows where.
BOOT_BOUND=${V3_BOOT_BOUND:-60}
# Seconds without console output after which a running suite counts as hung.
# It must exceed the longest single wait inside a suite, so that a slow step
# is reported by the suite's own test and not by the host being stopped:
# LINUX_BOOT_SECS (240; 600 where a suite raises it for a slow host),
# lifecycle-tests.sh's 400 s loop wait, the 300 s ioctl_neg/users runs,
# paging-tests.sh's memchk wait (PAGING_MEMCHK_SECS + 120).  Longest: 600.
SILENCE=${V3_SILENCE:-660}
QLOG=$BUILD/logs/$SUITE.qemu.log
PIDF=$BUILD/logs/$SUITE.qemu.pid
RCF=$BUILD/logs/$SUITE.qemu.rc

if [ "$LIVE" = 1 ]; then
	# the L1 from its /init on, without the firmware's terminal escapes
	filter() { sed -u -n -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' -e '/V3-SUITE-START\|Kernel panic\|BUG:\|Oops/,$p'; }
else
	filter() { grep --line-buffered -E '^(ok|not ok) [0-9]|^V3-SUITE|Kernel panic|BUG:|Oops' | sed -u 's/^/    /' || true; }
fi

# boot_once QUIET: one boot; sets rc (QEMU's status, 124 on timeout), hung
# (no /init within BOOT_BOUND s) and silent (no console output for SILENCE s
# after /init: the L1 is taken as hung and stopped).
boot_once() {
	local cmd waited=0 size=0 last quiet_for=0
	cmd=("${PIN[@]}" "$QEMU" ${V3_QEMU_FW:+-L "$V3_QEMU_FW"} -accel tcg -cpu "$CPU" -smp "$SMP" "${NUMA_ARGS[@]}" ${V3_QEMU_EXTRA:-} -m 2048
		-nographic -no-reboot -monitor none -pidfile "$PIDF"
		-kernel "$VMLINUZ" -initrd "$INITRD"
		-append "console=ttyS0 $1 panic=-1 tsc=reliable v3suite=$SUITE ${V3_APPEND:-}")
	rm -f "$PIDF" "$RCF"
	local t0s
	t0s=$(date +%s)
	tap_stamp_reset "$LOG"
	{
		st=0
		timeout -k 10 "$TIMEOUT" "${cmd[@]}" </dev/null 2>"$QLOG" || st=$?
		echo "$st" >"$RCF"
	} | sed -u 's/\r//g' | tee "$LOG" | filter &
	local pipe=$!
	hung=0 silent=0
	while kill -0 "$pipe" 2>/dev/null; do
		sleep 1
		waited=$((waited + 1))
		tap_stamp "$LOG" "$t0s"
		if ! grep -q 'V3-SUITE-START' "$LOG"; then
			[ "$waited" -lt "$BOOT_BOUND" ] && continue
			hung=1
		else
			last=$(stat -c %s "$LOG")
			if [ "$last" != "$size" ]; then size=$last quiet_for=0; continue; fi
			quiet_for=$((quiet_for + 1))
			[ "$quiet_for" -lt "$SILENCE" ] && continue
			silent=1
		fi
		[ -f "$PIDF" ] && kill "$(cat "$PIDF")" 2>/dev/null
		break
	done
	wait "$pipe" || true
	tap_stamp "$LOG" "$t0s"
	rc=$(cat "$RCF" 2>/dev/null || echo 1)
}

say "booting L1 ($KVER_61, -cpu $CPU) for suite '$SUITE', bound ${TIMEOUT}s, log $LOG"
t0=$(now)
boot_once quiet
if [ "$hung" = 1 ]; then
	say "L1 did not reach /init within ${BOOT_BOUND}s (an emulator boot hang): booting again, without quiet"
	cp "$LOG" "$LOG.hung"
	boot_once ""
	if [ "$hung" = 1 ]; then say "L1 hung before /init twice: giving up"; rc=1; fi
fi
if [ "$silent" = 1 ]; then
	say "L1 printed nothing for ${SILENCE}s: taken as hung and stopped"
	rc=1
elif [ "$rc" = 124 ]; then
	say "L1 did not finish within ${TIMEOUT}s: stopped"
elif [ "$rc" != 0 ]; then
	grep -v "TCG doesn't support" "$QLOG" | tail -n 5 >&2 || true
fi
rm -f "$PIDF" "$RCF"
say "L1 '$SUITE' finished in $(elapsed "$t0")s (qemu status $rc)"
exit "$rc"
