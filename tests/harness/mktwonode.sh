#!/usr/bin/env bash
# The two-node test's extra initramfs (build/twonode.cpio.gz): what the two
# emulated hosts of boot-twonode.sh need beyond the normal l1.cpio.gz, which
# stays as it is (the Bochs hosts load it slowly; it need not grow).
# boot-twonode.sh boots the two concatenated: the kernel unpacks one
# cpio.gz after the other.
#   - the NIC driver, e1000.ko from the Debian linux-image package (no
#     dependencies; QEMU's -device e1000)
#   - Open MPI: orterun (mpirun) and orted, its plugins and PMIx's, their
#     libraries (ldd of the binaries and of every plugin), the help and
#     parameter files; plugins for fabrics an emulated host has not
#     (UCX, OFI, PSM, verbs) and hwloc's GL/libxml plugins are left out
#   - tools/v3share/v3share, tests/share/brute, jq
#   - the test-only remote launcher (tests/l1/twonode-rsh, -rexecd) as
#     /tests/rsh and /tests/rexecd
#   - /etc/passwd, group, hosts, nsswitch.conf (Open MPI looks up root's
#     shell and the hosts' names)
# Exit status 3 (and a line saying why) when Open MPI or mpicc is not
# installed: the two-node test is then skipped.
#   mktwonode.sh [--out FILE]
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
load_kernels

OUT=$BUILD/twonode.cpio.gz
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	*) die "usage: mktwonode.sh [--out FILE]" ;;
	esac
done

skip() { say "two-node initramfs not built: $*"; exit 3; }

MPILIB=/usr/lib/x86_64-linux-gnu/openmpi/lib/openmpi3
PMIXDIR=/usr/lib/x86_64-linux-gnu/pmix2
ORTERUN=$(command -v orterun || true)
ORTED=$(command -v orted || true)
[ -n "$ORTERUN" ] && [ -n "$ORTED" ] && [ -d "$MPILIB" ] ||
	skip "Open MPI is not installed (Debian: openmpi-bin, libopenmpi-dev; tests/harness/deps.sh)"
command -v mpicc >/dev/null || skip "no mpicc to build tools/v3share (libopenmpi-dev)"
command -v jq >/dev/null || skip "no jq (Debian: jq)"
make -C "$REPO/tools/v3share" v3share >"$BUILD/logs/build-twonode.log" 2>&1 &&
	make -C "$REPO/tests/share" brute >>"$BUILD/logs/build-twonode.log" 2>&1 ||
	die "tools/v3share or tests/share/brute did not build ($BUILD/logs/build-twonode.log)"

ROOT=$BUILD/twonode-initrd
rm -rf "$ROOT"
mkdir -p "$ROOT"/{usr/bin,tests,v3/net,etc,root}

# the NIC driver, from the kernel package like mkinitrd.sh's kvm modules
kdeb=$(ls "$KCACHE"/debs/linux-image-"$KVER_61"_*.deb 2>/dev/null | head -n 1 || true)
[ -n "$kdeb" ] || die "no linux-image deb for $KVER_61 in $KCACHE/debs (tests/harness/deps.sh)"
nmods=$BUILD/netmods-$KVER_61
if [ ! -f "$nmods/.done" ]; then
	rm -rf "$nmods"; mkdir -p "$nmods"
	dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$nmods" --wildcards \
		'./lib/modules/*/kernel/drivers/net/ethernet/intel/e1000/e1000.ko'
	touch "$nmods/.done"
fi
find "$nmods" -name e1000.ko -exec cp {} "$ROOT/v3/net/" \;
[ -f "$ROOT/v3/net/e1000.ko" ] || die "no e1000.ko in $kdeb"

# libs FILE...: every library ldd lists for the files, copied to their paths
libs() {
	local f lib
	for f in "$@"; do
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
			[ -e "$ROOT$lib" ] && continue
			mkdir -p "$ROOT$(dirname "$lib")"
			cp -L "$lib" "$ROOT$lib"
		done
	done
}
# plugins that need a fabric library (or X11, libxml2: hwloc's GL and XML
# plugins, 35 MB with ICU) stay out; Open MPI opens what it finds
DENY='libfabric|libuc[pstm]|libpsm|libibverbs|librdmacm|libX|libxml2|libicu|libcuda'
plugins=()
for f in "$MPILIB"/*.so "$PMIXDIR"/lib/pmix/*.so /usr/lib/x86_64-linux-gnu/hwloc/*.so; do
	[ -f "$f" ] || continue
	[[ $(ldd "$f" 2>/dev/null) =~ $DENY ]] && continue
	plugins+=("$f")
done
for f in "${plugins[@]}"; do
	mkdir -p "$ROOT$(dirname "$f")"
	cp "$f" "$ROOT$f"
done
install -m 0755 "$ORTERUN" "$ROOT/usr/bin/orterun"
install -m 0755 "$ORTED" "$ROOT/usr/bin/orted"
ln -s orterun "$ROOT/usr/bin/mpirun"
install -m 0755 "$(command -v jq)" "$ROOT/usr/bin/jq"
install -m 0755 "$REPO/tools/v3share/v3share" "$ROOT/tests/v3share"
install -m 0755 "$REPO/tests/share/brute" "$ROOT/tests/brute"
libs "$ORTERUN" "$ORTED" "$(command -v jq)" "$REPO/tools/v3share/v3share" \
	"$REPO/tests/share/brute" "${plugins[@]}"
# help texts, parameter files (Debian's: no openib/ofi/ucx), PMIx's help
for d in /usr/share/openmpi /etc/openmpi "$PMIXDIR/share"; do
	[ -d "$d" ] || continue
	mkdir -p "$ROOT$(dirname "$d")"
	cp -rL "$d" "$ROOT$d"
done

install -m 0755 "$REPO/tests/l1/twonode-rsh" "$ROOT/tests/rsh"
install -m 0755 "$REPO/tests/l1/twonode-rexecd" "$ROOT/tests/rexecd"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\n' >"$ROOT/etc/group"
printf '127.0.0.1 localhost\n10.33.0.1 nodea\n10.33.0.2 nodeb\n' >"$ROOT/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$ROOT/etc/nsswitch.conf"

mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$OUT"
say "two-node initramfs $OUT ($(du -h "$OUT" | cut -f1), ${#plugins[@]} MPI/PMIx/hwloc plugins, $(du -sh "$ROOT" | cut -f1) unpacked)"
