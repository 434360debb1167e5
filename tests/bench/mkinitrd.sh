#!/usr/bin/env bash
# Build the benchmark initramfs images under build/bench/:
#   l2.cpio.gz  the L2 guest: busybox, tests/bench/l2-init, v3bench, suite.conf
#               (the paging workloads of paging.conf are passed as v3bonly=)
#   l1.cpio.gz  the emulated host: busybox, kmod, tests/bench/l1-init as /init,
#               v3bench, v3vmm.ko, v3ctl, kvm/kvm-amd (+ deps) from the L1
#               kernel's own .deb, QEMU with its libraries and firmware (KVM's
#               user space), the Debian vmlinuz and l2.cpio.gz as the guest
# Needs tests/harness/deps.sh and build.sh to have run (kernel cache, module
# for the 6.1 kernel, tools/v3ctl).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/lib.sh
. "$HERE/../harness/lib.sh"
load_kernels

OUT=$BUILD/bench
MODULE=${BENCH_MODULE:-$BUILD/modules/$KVER_61/v3vmm.ko}
V3CTL=$REPO/tools/v3ctl/v3ctl
mkdir -p "$OUT"

[ -f "$MODULE" ] || die "no $MODULE (run tests/harness/build.sh)"
[ -x "$V3CTL" ] || die "no $V3CTL (run tests/harness/build.sh)"
command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64 (run tests/harness/deps.sh)"

# the benchmark program, static so the L2 initramfs needs no libraries
gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/v3bench" "$HERE/v3bench.c"

cpio_gz() { # dir out
	(cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$2"
}

busybox_into() { # root
	cp /bin/busybox "$1/bin/busybox"
	case $(ldd /bin/busybox 2>&1 || true) in
	*"not a dynamic"*) ;;
	*) die "/bin/busybox is not static (install busybox-static)" ;;
	esac
}

# ---------------------------------------------------------------- L2
R2=$OUT/l2root
rm -rf "$R2"
mkdir -p "$R2"/{bin,sbin,proc,sys,dev,tmp,bench}
busybox_into "$R2"
install -m 0755 "$HERE/l2-init" "$R2/init"
install -m 0755 "$OUT/v3bench" "$R2/bin/v3bench"
cp "$HERE/suite.conf" "$R2/bench/suite.conf"
cpio_gz "$R2" "$OUT/l2.cpio.gz"
say "bench L2 initramfs $OUT/l2.cpio.gz ($(du -h "$OUT/l2.cpio.gz" | cut -f1))"

# ---------------------------------------------------------------- L1
R1=$OUT/l1root
rm -rf "$R1"
mkdir -p "$R1"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,v3,kvm,qemu,guests,bench,lib64}
busybox_into "$R1"
busybox_links "$R1"

copy_exe() { initrd_exe "$R1" "$@"; }

# kmod's insmod/rmmod (busybox insmod retries a refused load, see mkinitrd.sh)
copy_exe /usr/bin/kmod /sbin/kmod
for a in insmod rmmod lsmod modinfo; do ln -sfn kmod "$R1/sbin/$a"; done
cp "$MODULE" "$R1/v3/v3vmm.ko"
copy_exe "$V3CTL" /bin/v3ctl
install -m 0755 "$OUT/v3bench" "$R1/bin/v3bench"
cp "$HERE/suite.conf" "$R1/bench/suite.conf"
cp "$HERE/paging.conf" "$R1/bench/paging.conf"
cp "$REPO/tests/l1/ptload-bench.sh" "$R1/bench/ptload-bench.sh"
install -m 0755 "$HERE/l1-init" "$R1/init"

# KVM from the L1 kernel's own package: irqbypass -> kvm -> ccp -> kvm-amd
deb=$(find "$KCACHE/debs" -maxdepth 1 -name "linux-image-${KVER_61}_*.deb" | head -n1)
[ -n "$deb" ] || die "no linux-image-$KVER_61 .deb in $KCACHE/debs (run tests/harness/deps.sh)"
KM=$OUT/kmods
if [ ! -f "$KM/$KVER_61.done" ]; then
	rm -rf "$KM"
	mkdir -p "$KM"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KM" --wildcards \
		"./lib/modules/$KVER_61/kernel/arch/x86/kvm/kvm.ko*" \
		"./lib/modules/$KVER_61/kernel/arch/x86/kvm/kvm-amd.ko*" \
		"./lib/modules/$KVER_61/kernel/virt/lib/irqbypass.ko*" \
		"./lib/modules/$KVER_61/kernel/drivers/crypto/ccp/ccp.ko*"
	touch "$KM/$KVER_61.done"
fi
for m in irqbypass kvm ccp kvm-amd; do
	f=$(find "$KM" -name "$m.ko*" | head -n1)
	[ -n "$f" ] || die "no $m.ko in $deb"
	case $f in
	*.ko) cp "$f" "$R1/kvm/$m.ko" ;;
	*.ko.xz) xz -dc "$f" >"$R1/kvm/$m.ko" ;;
	*) die "unexpected module file $f" ;;
	esac
done

# QEMU as KVM's user space: binary, libraries, the two firmware files of -M pc
copy_exe "$(command -v qemu-system-x86_64)" /qemu/qemu-system-x86_64
for fw in bios-256k.bin linuxboot_dma.bin; do
	f=$(find /usr/share/qemu /usr/share/seabios -name "$fw" 2>/dev/null | head -n1)
	[ -n "$f" ] || die "no $fw (qemu-system-x86 / seabios)"
	cp -L "$f" "$R1/qemu/$fw"
done

cp "$VMLINUZ" "$R1/guests/vmlinuz"
[ -f "$REPO/tests/guests/ptload.elf" ] || make -C "$REPO/tests/guests" -s ptload.elf
cp "$REPO/tests/guests/ptload.elf" "$R1/guests/ptload.elf"
cp "$OUT/l2.cpio.gz" "$R1/guests/l2.cpio.gz"
cpio_gz "$R1" "$OUT/l1.cpio.gz"
say "bench L1 initramfs $OUT/l1.cpio.gz ($(du -h "$OUT/l1.cpio.gz" | cut -f1))"
