#!/bin/sh
# Extract the ELF vmlinux from a bzImage (vmlinuz), for GEARS' unit tests.
#   tests/unit/vmlinux.sh VMLINUZ OUT
#
# The boot protocol's setup header (Documentation/arch/x86/boot.rst) says
# where the compressed kernel is: setup_sects (byte at 0x1f1; the real-mode
# part is setup_sects + 1 sectors of 512 bytes), then payload_offset and
# payload_length (u32 at 0x248 and 0x24c), relative to the protected-mode
# part.  arch/x86/boot/compressed/Makefile builds that payload as
#   vmlinux.bin (objcopy -S of vmlinux: a stripped ELF) + vmlinux.relocs
# compressed with gzip, bzip2, lzma, xz, lzo, lz4 or zstd, and most of them
# followed by the 4-byte uncompressed size (size_append).  OUT is the
# decompressed payload: the ELF, then the relocation table that the
# decompressor applies for KASLR (arch/x86/boot/compressed/misc.c), which
# tests/unit/shim/fakeguest.c applies the same way.
set -eu
in=$1 out=$2
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
magic() { od -An -tx1 -j "$2" -N"$3" "$1" | tr -d ' \n'; }

[ "$(magic "$in" 514 4)" = 48647253 ] || { echo "$in: not a bzImage (no HdrS)" >&2; exit 1; }
setup=$(( ($(u8 "$in" $((0x1f1))) + 1) * 512 ))
off=$(( setup + $(u32 "$in" $((0x248))) ))
len=$(u32 "$in" $((0x24c)))
payload() { tail -c +$((off + 1)) "$in" | head -c "$len"; }

tmp=$out.tmp
case $(magic "$in" "$off" 6) in
fd377a585a00)	payload | xz -dc --single-stream >"$tmp" ;;
28b52ffd*)	payload | head -c $((len - 4)) | zstd -dcq >"$tmp" ;;
1f8b*)		payload | gzip -dcq >"$tmp" || [ $? = 2 ] ;;	# 2: trailing size
02214c18*)	payload | lz4 -dcq >"$tmp" ;;
425a68*)	payload | bzip2 -dcq >"$tmp" ;;
5d0000*)	payload | head -c $((len - 4)) | xz -dc --format=lzma >"$tmp" ;;
*)	echo "$in: unknown compression $(magic "$in" "$off" 6)" >&2; exit 1 ;;
esac
[ "$(magic "$tmp" 0 4)" = 7f454c46 ] || { echo "$in: payload is not an ELF" >&2; rm -f "$tmp"; exit 1; }
mv "$tmp" "$out"
