# shellcheck shell=bash
# Common settings for the harness scripts (sourced, not run).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${V3_CACHE:-$REPO/.cache}
KCACHE=$CACHE/kernels
# shellcheck disable=SC2034
BUILD=${V3_BUILD:-$REPO/build}
KERNELS_ENV=$KCACHE/kernels.env
# the kernel's kselftest harness headers (fetch-kernels.sh)
KSFT_DIR=$CACHE/kselftest

# Progress on stdout, errors on stderr.
# the time of day on each line: where CI's time went, read off its output
say() { printf '[v3 %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[v3] error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with a fraction, for timings.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Load what fetch-kernels.sh resolved (KVER_61, KDIR_61, VMLINUZ, ...).
load_kernels() {
	[ -f "$KERNELS_ENV" ] || die "no $KERNELS_ENV: run tests/harness/deps.sh first"
	# shellcheck source=/dev/null
	. "$KERNELS_ENV"
}

# The compiler named by Debian's headers (gcc-10 for 5.10) may be missing
# on this machine: use the default gcc then.
cc_args() {
	local cc
	cc=$(grep -o 'gcc-[0-9]*' "$1/.kernelvariables" 2>/dev/null | head -n1 || true)
	if [ -n "$cc" ] && ! command -v "$cc" >/dev/null && ! command -v "x86_64-linux-gnu-$cc" >/dev/null; then
		echo CC=gcc
	fi
}

# gears_ko KVER KDIR LOG: tests/gears-ko/v3gtest.ko for KVER, out of a
# copy, in $BUILD/gears-ko/KVER/ (build.sh for the 6.1 guest,
# check-gears-kernels.sh for the others); status 1 on an error or warning
gears_ko() {
	local src=$BUILD/gears-ko/$1 st=0
	rm -rf "$src"
	mkdir -p "$src"
	cp "$REPO"/tests/gears-ko/{Kbuild,Makefile,v3gtest.c} "$src/"
	# shellcheck disable=SC2046
	make -C "$src" KDIR="$2" $(cc_args "$2") >"$3" 2>&1 || st=1
	if grep -qi 'warning:' "$3"; then st=1; fi
	[ -f "$src/v3gtest.ko" ] || { st=1; echo "gears_ko: error: no v3gtest.ko was produced" >>"$3"; }
	# its debug info is most of it (what GEARS copies into the guest)
	[ $st = 0 ] && { strip --strip-debug "$src/v3gtest.ko" >>"$3" 2>&1 || st=1; }
	return $st
}

# busybox_links ROOT: a symlink to /bin/busybox for each of its applets.
busybox_links() {
	local a
	for a in $(/bin/busybox --list-full); do
		[ -e "$1/$a" ] || ln -s /bin/busybox "$1/$a"
	done
}

# initrd_exe ROOT SRC DST: an executable and the shared libraries it needs
# (none when static), copied into the initramfs tree ROOT.
initrd_exe() {
	local root=$1 src=$2 dst=$3 lib
	install -m 0755 "$src" "$root/$dst"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# qemu_pin: sets PIN to the command prefix that keeps a QEMU on one host CPU.
# QEMU's multi-threaded TCG has a race in its SVM world switch (seen with
# 7.2 and 10.0): with the emulated host's vCPU threads running truly in
# parallel, about one VMRUN in 10^5 under heavy port I/O loads only half of
# the new state (guest state without nested paging, or nested paging with
# the host state; module/svm/svm_entry_check.c).  A guest running without
# nested paging walks, and may mark, the host's memory, so v3vmm cannot
# fully undo it.  With QEMU on one host CPU (its threads interleaved, not
# parallel) it has not been seen.  V3_QEMU_PIN=0 lifts it.
qemu_pin() {
	PIN=()
	if [ "${V3_QEMU_PIN:-1}" = 1 ] && command -v taskset >/dev/null; then
		PIN=(taskset -c "$(taskset -pc $BASHPID | sed 's/.*: //; s/[,-].*//')")
	fi
}

# bochs_pin: sets PIN to the command prefix that keeps Bochs (one thread)
# on the last host CPU we may use, away from the pinned QEMU on the first,
# so the VMX and SVM suites can run side by side.
# Both read the CPUs of the shell that calls them ($BASHPID): a make check
# lane is a subshell pinned to its CPU, while $$ is check.sh's own shell,
# which the other lane pinned to the first CPU.  With $$, Bochs went to
# that CPU whichever lane ran it, beside that lane's QEMU, and the second
# CPU idled (seen 12-06: both at half speed, make check about 2x slower).
bochs_pin() {
	PIN=()
	if command -v taskset >/dev/null; then
		PIN=(taskset -c "$(taskset -pc $BASHPID | sed 's/.*: //' | grep -o '[0-9]*' | tail -n 1)")
	fi
}

# bochs_suite SUITE LOG TIMEOUT: L1 on Bochs running tests/l1/SUITE-suite.sh,
# its serial console in LOG, on the last host CPU we may use (a make check
# lane pins itself to one CPU first: then that one).  The suites: vmx and
# vmx2 (the VMX suite's two halves), vmxadapt (adaptive paging moving;
# make check-vmx-adapt) on Intel corei7_skylake_x with EPT; ryzen, the SVM
# suite on Bochs' AMD model (NRIP save, flush-by-ASID; boot-bochs.sh turns
# MWAIT into a no-op for it: Bochs 2.7's timed MWAITX never wakes,
# docs/emulated-hosts.md).
bochs_suite() {
	local model=corei7_skylake_x
	[ "$1" = ryzen ] && model=ryzen
	bochs_pin
	BOCHS_MODEL=$model BOCHS_MEGS=2048 "${PIN[@]}" "$REPO/tests/harness/bochs/boot-bochs.sh" \
		"$VMLINUZ" "$BUILD/l1.cpio.gz" \
		"console=ttyS0 quiet panic=-1 tsc=reliable v3suite=$1 ${V3_APPEND:-}" "$2" "$3"
}
