#!/bin/sh
# Boot an L1 Linux on Bochs' emulated Intel CPU (VMX with EPT) and capture
# its serial console.  See /work/shared/docs/test-platform.md for why each
# bochsrc line is there.
#
#   boot-bochs.sh VMLINUZ INITRD CMDLINE LOGFILE TIMEOUT_SECONDS
#
# The ISO, bochsrc and Bochs' own log go to a work directory
# ($BOCHS_WORKDIR, default: a fresh mktemp dir, removed afterwards unless
# BOCHS_KEEP=1).  Bochs runs non-interactively under script(1) with a hard
# timeout; the run ends when L1 powers off, reboots or panics (its serial
# log is watched), or when the timeout expires.  Exit status: 0 when L1
# powered off, 124 on timeout, 1 on reboot, panic, triple fault or setup errors.
# Environment: BOCHS_MEGS (L1 RAM, default 512), BOCHS_CPUS (default 1),
# BOCHS_IPS (default 200000000), BOCHS_MODEL (the emulated CPU, default
# corei7_skylake_x; ryzen for the AMD host, see docs/emulated-hosts.md),
# BOCHS_CPU_OPTS (more cpu: options; ryzen's default: mwait_is_nop=1),
# BOCHS_RC (extra bochsrc lines), BOCHS_DBG (debugger commands, run in turn
# at each stop, e.g. SIGINT to bochs-bin; for diagnosis), BOCHS_ERRORS (report: log Bochs' errors,
# e.g. why it refused a VM entry; off by default as the log grows by
# hundreds of MB per run with unmodelled-MSR notes), BOCHS_DONE (extended regex: also stop
# when the serial log matches it).
set -eu

if [ $# -ne 5 ]; then
	echo "usage: $0 VMLINUZ INITRD CMDLINE LOGFILE TIMEOUT_SECONDS" >&2
	exit 2
fi
VMLINUZ=$1
INITRD=$2
CMDLINE=$3
LOG=$4
TIMEOUT=$5
MEGS=${BOCHS_MEGS:-512}
CPUS=${BOCHS_CPUS:-1}
IPS=${BOCHS_IPS:-200000000}
MODEL=${BOCHS_MODEL:-corei7_skylake_x}
# Bochs 2.7's MWAITX never ends a timed wait: set_mwaitx_timer() arms the
# timer whose handle is the value of its "active" flag (0), not its own
# (fixed upstream after 2.7, bochs commit 26914d005).  Linux uses a timed
# MWAITX for udelay() on CPUs with MONITORX (the ryzen model), so the first
# udelay() with interrupts off sleeps forever (docs/emulated-hosts.md).
# mwait_is_nop turns MWAIT/MWAITX into no-ops: udelay() then spins on the TSC.
case $MODEL in
ryzen) CPU_OPTS=${BOCHS_CPU_OPTS-mwait_is_nop=1} ;;
*) CPU_OPTS=${BOCHS_CPU_OPTS-} ;;
esac
DONE_RE=${BOCHS_DONE:-}

for f in "$VMLINUZ" "$INITRD"; do
	[ -r "$f" ] || { echo "boot-bochs: cannot read $f" >&2; exit 1; }
done
# Bochs runs in the work directory: its com1 file needs an absolute path
case $LOG in
/*) ;;
*) LOG=$PWD/$LOG ;;
esac

ISOLINUX=/usr/lib/ISOLINUX/isolinux.bin
LDLINUX=/usr/lib/syslinux/modules/bios/ldlinux.c32
need=""
command -v bochs >/dev/null 2>&1 || need="$need bochs bochsbios vgabios bochs-term"
[ -e /usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so ] ||
	[ -n "$need" ] || need="$need bochs-term"
[ -r /usr/share/bochs/BIOS-bochs-latest ] || need="$need bochsbios"
[ -r /usr/share/bochs/VGABIOS-lgpl-latest ] || need="$need vgabios"
[ -r "$ISOLINUX" ] || need="$need isolinux"
[ -r "$LDLINUX" ] || need="$need syslinux-common"
command -v genisoimage >/dev/null 2>&1 || need="$need genisoimage"
command -v script >/dev/null 2>&1 || need="$need bsdutils"
if [ -n "$need" ]; then
	echo "boot-bochs: installing$need" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >&2 || {
		apt-get update -q >&2 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >&2
	}
fi

if [ -n "${BOCHS_WORKDIR:-}" ]; then
	WORK=$BOCHS_WORKDIR
	mkdir -p "$WORK"
else
	WORK=$(mktemp -d /tmp/bochs.XXXXXX)
fi
cleanup() {
	[ -n "${DRAIN:-}" ] && kill "$DRAIN" 2>/dev/null || true
	[ -n "${BPID:-}" ] && kill "$BPID" 2>/dev/null || true
	[ "${BOCHS_KEEP:-0}" = 1 ] || [ -n "${BOCHS_WORKDIR:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# --- ISO: isolinux + kernel + initramfs
rm -rf "$WORK/iso"
mkdir -p "$WORK/iso/isolinux"
cp "$ISOLINUX" "$LDLINUX" "$WORK/iso/isolinux/"
cp "$VMLINUZ" "$WORK/iso/vmlinuz"
cp "$INITRD" "$WORK/iso/initrd"
cat > "$WORK/iso/isolinux/isolinux.cfg" <<EOF
DEFAULT l1
PROMPT 0
TIMEOUT 0
LABEL l1
  KERNEL /vmlinuz
  INITRD /initrd
  APPEND $CMDLINE
EOF
genisoimage -quiet -o "$WORK/L1.iso" -b isolinux/isolinux.bin \
	-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
	-boot-info-table -R -J "$WORK/iso" >&2

# --- Bochs configuration (test-platform.md: "Bochs as a VMX host")
: > "$LOG"
cat > "$WORK/bochsrc" <<EOF
megs: $MEGS
cpu: model=$MODEL, count=$CPUS, ips=$IPS${CPU_OPTS:+, $CPU_OPTS}
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$WORK/L1.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$LOG
display_library: term
clock: sync=none, time0=local
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
plugin_ctrl: speaker=false
log: $WORK/bochs.log
panic: action=fatal
error: action=${BOCHS_ERRORS:-ignore}
info: action=ignore
${BOCHS_RC:-}
EOF
printf 'c\n%s' "${BOCHS_DBG:-}" > "$WORK/cmds"

# Bochs' debugger build stops at a prompt without -rc; the term display
# needs a terminal, which script(1) provides.
(
	cd "$WORK"
	TERM=xterm exec timeout -k 10 "$TIMEOUT" \
		script -qfec "bochs -q -f bochsrc -rc cmds" /dev/null \
		> "$WORK/screen.txt" 2>&1 < /dev/null
) &
BPID=$!

# Debian's Bochs (built with its debugger) draws the term display on a
# pseudo-terminal of its own ("Bochs connected to screen /dev/pts/N"),
# about 50 bytes per host second even for a still screen.  Unread, the
# kernel's pty buffer (~20 KB) fills after some 7 minutes and Bochs blocks
# in write() inside a timer callback: emulated time stops, which looked
# like a VMX bug.  Read that terminal for the whole run.
DRAIN=
drain_screen() {
	local pts
	[ -z "$DRAIN" ] || return 0
	pts=$(grep -ao 'connected to screen "/dev/pts/[0-9]*' "$WORK/screen.txt" 2>/dev/null |
		grep -o '/dev/pts/[0-9]*' | head -n 1)
	[ -n "$pts" ] && [ -e "$pts" ] || return 0
	cat "$pts" >/dev/null 2>&1 &
	DRAIN=$!
}

# When each TAP line reached the serial log (LOG.times)
. "$(dirname "$0")/../tap-times.sh"
T0=$(date +%s)
tap_stamp_reset "$LOG"

status=124
while kill -0 "$BPID" 2>/dev/null; do
	sleep 2
	drain_screen
	tap_stamp "$LOG" "$T0"
	if grep -qE 'reboot: Power down|ACPI: PM: Preparing to enter system sleep state S5' "$LOG" 2>/dev/null; then
		status=0
	elif grep -qE 'reboot: Restarting system|Kernel panic - not syncing' "$LOG" 2>/dev/null; then
		status=1
	elif [ -n "$DONE_RE" ] && grep -qE "$DONE_RE" "$LOG" 2>/dev/null; then
		status=0
	elif [ -z "${BOCHS_DBG:-}" ] && grep -aqE '<bochs:[0-9]+>' "$WORK/screen.txt"; then
		# Bochs stopped in its debugger: a triple fault or a panic
		# (cpu/exception.cc breaks into it before resetting); nothing
		# runs any more.  The line before "Next at" names the place.
		echo "boot-bochs: Bochs stopped in its debugger (triple fault?) at:" >&2
		grep -a -B1 '^Next at t=' "$WORK/screen.txt" | tail -n 3 |
			tr -d '\r' | sed 's/^/boot-bochs:   /' >&2
		status=1
	else
		continue
	fi
	sleep 2		# let the last lines reach the log
	pkill -P "$BPID" 2>/dev/null || true
	kill "$BPID" 2>/dev/null || true
	# at its debugger prompt Bochs ignores SIGTERM: timeout's -k ends it
	break
done
wait "$BPID" 2>/dev/null || rc=$?
tap_stamp "$LOG" "$T0"
BPID=
[ -n "$DRAIN" ] && kill "$DRAIN" 2>/dev/null || true
DRAIN=
# Bochs may also have exited on its own when L1 powered off
if [ $status = 124 ] && [ "${rc:-0}" != 124 ] &&
	grep -qE 'reboot: Power down' "$LOG"; then
	status=0
fi
# Bochs explains refused VM entries in its log: worth seeing in any case
grep -E 'VMENTER FAIL|VMFAIL|VMABORT' "$WORK/bochs.log" 2>/dev/null |
	sort | uniq -c | sort -rn | head -10 | sed 's/^/boot-bochs: bochs: /' >&2 || true
if [ $status != 0 ]; then
	echo "boot-bochs: L1 did not power off (status $status); last Bochs errors:" >&2
	grep -E '^[0-9]+[ep]\[' "$WORK/bochs.log" 2>/dev/null | tail -5 >&2 || true
fi
exit $status
