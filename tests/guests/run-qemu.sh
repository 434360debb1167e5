#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot a 32-bit guest under plain QEMU (TCG), for developing guests without
# the v3vmm module.  QEMU's -kernel Multiboot loader stands in for v3ctl.
#   run-qemu.sh GUEST.elf [--cmdline STR] [--initrd FILE] [--mem MiB]
# Exit status is the guest's debug-exit status: 1 = passed, 3 = failed
# (124 if the 20 s timeout hit).  The CPUID/hypercall checks that are
# specific to v3vmm fail under QEMU by design.
elf=$1
shift
cmdline="v3vmm-test arg=42"
initrd=
mem=128
while [ $# -gt 0 ]; do
	case $1 in
	--cmdline) cmdline=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	*) echo "usage: $0 GUEST.elf [--cmdline S] [--initrd F] [--mem MiB]" >&2
	   exit 2 ;;
	esac
done
set -- -accel tcg -display none -vga none -net none -no-reboot \
	-serial stdio -m "$mem" -kernel "$elf" -append "$cmdline" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
[ -n "$initrd" ] && set -- "$@" -initrd "$initrd"
exec timeout 20 qemu-system-x86_64 "$@"
