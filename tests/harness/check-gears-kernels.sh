#!/usr/bin/env bash
# make check-gears-kernels: GEARS (issue #15) on the guest kernels other
# than 6.1.  make check runs tests/l1/gears-tests.sh (ps, sym, tracing,
# system-call, exec, insmod and call injection, 1- and 2-vCPU guests, a
# reboot) on the Debian 6.1 guest in its SVM suite; this runs the same
# section, in the emulated SVM host, with the L2 guest's kernel swapped for
# each other kernel of the cache (fetch-kernels.sh: Debian 5.10 and 6.12)
# and tests/gears-ko/v3gtest.ko built for it.  About 4 minutes a kernel,
# so not in make check.  Prints "N passed, N failed" like make check.
#   check-gears-kernels.sh [510] [612]    the kernels (default both)
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
H=$REPO/tests/harness
KERNELS=("$@")
[ ${#KERNELS[@]} -gt 0 ] || KERNELS=(510 612)

"$H/deps.sh"
"$H/build.sh" || say "build failed: going on with what was built"
"$H/mkinitrd.sh"
load_kernels

# initramfs KVER KDIR OUT: the L1 initramfs with KVER's vmlinuz as the L2
# guest's kernel (/guests/vmlinuz) and v3gtest.ko built for it
initramfs() {
	local kver=$1 kdir=$2 out=$3 w=$BUILD/gears-kernels/$1 log
	log=$BUILD/logs/build-gears-ko-$kver.log
	gears_ko "$kver" "$kdir" "$log" ||
		{ say "v3gtest.ko for $kver failed to build ($log)"; return 1; }
	rm -rf "$w"
	mkdir -p "$w/root"
	(cd "$w/root" && zcat "$BUILD/l1.cpio.gz" | cpio -idm --quiet)
	cp "$KCACHE/$kver/boot/vmlinuz-$kver" "$w/root/guests/vmlinuz"
	cp "$BUILD/gears-ko/$kver/v3gtest.ko" "$w/root/lib/v3/v3gtest.ko"
	(cd "$w/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	# the version the image's own header names (bzImage kernel_version)
	say "L2 guest kernel: $(file -b "$w/root/guests/vmlinuz" | grep -o 'version [^ ]*')"
}

logs=()
for k in "${KERNELS[@]}"; do
	kver_var=KVER_$k kdir_var=KDIR_$k
	kver=${!kver_var:-} kdir=${!kdir_var:-}
	[ -n "$kver" ] || die "no kernel '$k' in $KERNELS_ENV (510 or 612)"
	log=$BUILD/logs/gears-$kver.serial.log
	rm -f "$log"
	logs+=("gears-$kver=$log")
	initramfs "$kver" "$kdir" "$BUILD/l1-gears-$kver.cpio.gz" || continue
	say "GEARS on a $kver guest"
	"$H/boot-qemu.sh" gears --initrd "$BUILD/l1-gears-$kver.cpio.gz" \
		--timeout "${V3_GEARS_TIMEOUT:-1200}" || true
	cp "$BUILD/logs/gears.serial.log" "$log"
	grep -a 'gears: Linux kernel at' "$log" | tail -n 1 | sed 's/^# dmesg: /[v3]   /'
done
exec "$H/summary.sh" /dev/null "${logs[@]}"
