#!/usr/bin/env bash
# Build the initramfs of the L2 Linux guest (busybox + tests/l2/init, and
# the static test programs of tests/l2/*.c in /bin).
#   mkl2.sh [--out FILE]
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/l2.cpio.gz
[ "${1:-}" = --out ] && OUT=$2
ROOT=$BUILD/l2root
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,proc,sys,dev,tmp}
cp /bin/busybox "$ROOT/bin/busybox"
install -m 0755 "$REPO/tests/l2/init" "$ROOT/init"
# static, so the initramfs needs no libraries (as tests/bench/v3bench)
for c in "$REPO"/tests/l2/*.c; do
	gcc -static -O2 -Wall -Wextra -Werror -o "$ROOT/bin/$(basename "$c" .c)" "$c"
done
mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$OUT"
say "L2 initramfs $OUT ($(du -h "$OUT" | cut -f1))"
