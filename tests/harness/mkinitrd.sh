#!/usr/bin/env bash
# Build the L1 initramfs (cpio.gz): busybox, /init, v3vmm.ko, v3ctl,
# /lib/v3/v3gtest.ko (the L2 guest's GEARS test module), the
# test guests, tests/abi/ioctl_neg and runas, tests/fuzz/v3fuzz,
# tests/host/ioperm_loop and the L1 scripts of tests/l1/.
# Parts that are missing are left out with a warning: the suites inside
# L1 then report the tests that need them as failures.
#   mkinitrd.sh [--module KO] [--out FILE]
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
load_kernels

MODULE=$BUILD/modules/$KVER_61/v3vmm.ko
OUT=$BUILD/l1.cpio.gz
while [ $# -gt 0 ]; do
	case $1 in
	--module) MODULE=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	*) die "usage: mkinitrd.sh [--module KO] [--out FILE]" ;;
	esac
done

ROOT=$BUILD/initrd
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,v3,guests,tests/l1,lib64}

# busybox and its applets as symlinks
cp /bin/busybox "$ROOT/bin/busybox"
case $(ldd /bin/busybox 2>&1 || true) in
*"not a dynamic"*) ;;
*) die "/bin/busybox is not static (install busybox-static)" ;;
esac
busybox_links "$ROOT"

copy_exe() { initrd_exe "$ROOT" "$@"; }

warn() { say "warning: $*"; }

# kmod's insmod/rmmod instead of busybox's: busybox insmod retries a failed
# finit_module with init_module, so a refused load would run the module's
# init twice (and log its reason twice).
copy_exe /usr/bin/kmod /sbin/kmod
for a in insmod rmmod lsmod modinfo; do ln -sfn kmod "$ROOT/sbin/$a"; done

# without its debug sections (as INSTALL_MOD_STRIP=1 installs modules):
# 11 MiB of DWARF no L1 reads, which each emulated host would unpack
if [ -f "$MODULE" ]; then
	strip --strip-debug -o "$ROOT/v3/v3vmm.ko" "$MODULE" 2>/dev/null ||
		cp "$MODULE" "$ROOT/v3/v3vmm.ko"
else
	warn "no module $MODULE"
fi
# the module GEARS' injection tests load into the L2 guest (build.sh)
mkdir -p "$ROOT/lib/v3"
GKO=$BUILD/gears-ko/$KVER_61/v3gtest.ko
if [ -f "$GKO" ]; then cp "$GKO" "$ROOT/lib/v3/v3gtest.ko"; else warn "no $GKO (tests/harness/build.sh builds it)"; fi
# the static PIE the GEARS exec test runs in a guest process (build.sh)
GEXEC=$BUILD/gears-elf/gexec
if [ -f "$GEXEC" ]; then cp "$GEXEC" "$ROOT/lib/v3/gexec"; else warn "no $GEXEC (tests/harness/build.sh builds it)"; fi
if [ -x "$REPO/tools/v3ctl/v3ctl" ]; then copy_exe "$REPO/tools/v3ctl/v3ctl" /bin/v3ctl; else warn "no tools/v3ctl/v3ctl"; fi
if [ -x "$REPO/tests/abi/ioctl_neg" ]; then copy_exe "$REPO/tests/abi/ioctl_neg" /tests/ioctl_neg; else warn "no tests/abi/ioctl_neg"; fi
if [ -x "$REPO/tests/abi/runas" ]; then copy_exe "$REPO/tests/abi/runas" /tests/runas; else warn "no tests/abi/runas"; fi
if [ -x "$REPO/tests/fuzz/v3fuzz" ]; then copy_exe "$REPO/tests/fuzz/v3fuzz" /tests/v3fuzz; else warn "no tests/fuzz/v3fuzz"; fi
# the life-cycle tests (tests/l1/lifecycle-tests.sh): the host kernel's own
# KVM (irqbypass -> kvm -> ccp -> kvm-amd), msr.ko to read EFER from user
# space, and kvmvm, which creates a KVM VM
mkdir -p "$ROOT/v3/kvm"
kdeb=$(ls "$KCACHE"/debs/linux-image-"$KVER_61"_*.deb 2>/dev/null | head -n 1 || true)
if [ -n "$kdeb" ]; then
	kmods=$BUILD/kmods-$KVER_61
	if [ ! -f "$kmods/.done" ]; then
		rm -rf "$kmods"; mkdir -p "$kmods"
		dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$kmods" --wildcards \
			'./lib/modules/*/kernel/arch/x86/kvm/kvm.ko' \
			'./lib/modules/*/kernel/arch/x86/kvm/kvm-amd.ko' \
			'./lib/modules/*/kernel/arch/x86/kvm/kvm-intel.ko' \
			'./lib/modules/*/kernel/drivers/crypto/ccp/ccp.ko' \
			'./lib/modules/*/kernel/virt/lib/irqbypass.ko' \
			'./lib/modules/*/kernel/arch/x86/kernel/msr.ko'
		touch "$kmods/.done"
	fi
	find "$kmods" -name '*.ko' -exec cp {} "$ROOT/v3/kvm/" \;
else
	warn "no linux-image deb for $KVER_61 in $KCACHE/debs: no kvm modules"
fi
if ! gcc -static -O2 -Wall -o "$ROOT/tests/kvmvm" "$REPO/tests/lifecycle/kvmvm.c"; then
	warn "tests/lifecycle/kvmvm.c did not build"
fi
for p in ioperm_loop content_census; do
	if [ -x "$REPO/tests/host/$p" ]; then copy_exe "$REPO/tests/host/$p" "/tests/$p"; else warn "no tests/host/$p"; fi
done
n=0
for g in "$REPO"/tests/guests/*.elf; do
	[ -f "$g" ] || continue
	cp "$g" "$ROOT/guests/"; n=$((n + 1))
done
[ $n -gt 0 ] || warn "no guests in tests/guests/*.elf"
printf 'v3vmm-initrd-payload\n' >"$ROOT/guests/payload.txt"
# the L2 Linux guest: the same Debian kernel the emulated host runs
"$REPO/tests/harness/mkl2.sh" --out "$BUILD/l2.cpio.gz" >/dev/null
cp "$VMLINUZ" "$ROOT/guests/vmlinuz"
cp "$BUILD/l2.cpio.gz" "$ROOT/guests/l2.cpio.gz"
cp "$REPO"/tests/l1/*.sh "$ROOT/tests/l1/"
chmod 0755 "$ROOT"/tests/l1/*.sh
install -m 0755 "$REPO/tests/l1/init" "$ROOT/init"

mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$OUT"
say "initramfs $OUT ($(du -h "$OUT" | cut -f1), $n guests)"
