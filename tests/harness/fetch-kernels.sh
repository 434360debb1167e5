#!/usr/bin/env bash
# Fetch the kernels the tests use into .cache/kernels without installing
# them: apt-get download + dpkg -x, with apt state of our own so the
# machine's apt configuration is left alone.
#   bookworm 6.1            image + headers  (the booted L1 kernel)
#   bullseye 5.10           headers
#   bookworm-backports 6.12 headers
# and, for GEARS' unit tests (tests/unit/test_gears_*.c), each of the three
# kernels' image (boot/vmlinuz-* out of its linux-image package: 5.10 56 MB,
# 6.1 70 MB, 6.12 106 MB; 6.1's is fetched for the L2 guest anyway; the
# .debs stay in debs/).  V3_GEARS_IMAGES=0 skips them.  The tests check
# the symbols they recover against each image's own export tables.
#   V3_GEARS_MAPS=1 (opt-in; make check does not set it) also fetches each
#   kernel's real System.map, for the tests' full symbol-by-symbol
#   comparison: Debian's linux-image package holds only a placeholder, the
#   real map is in linux-image-*-dbg (0.8-1 GB each, 2.7 GB for the three),
#   downloaded into a temporary directory, the map extracted to
#   usr/lib/debug/boot/ under the kernel's directory (4-7 MB), and the
#   package deleted.  Once fetched, the maps stay in the cache.
# and the kernel's own kselftest harness (kselftest_harness.h, kselftest.h
# from bookworm's linux-source-6.1) into .cache/kselftest for the user-space
# tests of /dev/v3vmm (tests/abi, tests/fuzz); they are never committed.
# Writes .cache/kernels/kernels.env.  Reuses the cache; V3_REFRESH=1 re-resolves.
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"

mkdir -p "$KCACHE"

kernels_cached() {
	[ -f "$KERNELS_ENV" ] && [ "${V3_REFRESH:-0}" != 1 ] || return 1
	load_kernels
	for d in "$KDIR_61" "$KDIR_510" "$KDIR_612"; do [ -f "$d/Makefile" ] || return 1; done
	[ -f "$VMLINUZ" ]
}
ksft_cached() {
	[ -f "$KSFT_DIR/kselftest_harness.h" ] && [ -f "$KSFT_DIR/kselftest.h" ]
}
# The kernel images of GEARS' unit tests (after the headers), and with
# V3_GEARS_MAPS=1 their System.maps.
gears_cached() {
	[ "${V3_GEARS_IMAGES:-1}" = 1 ] || return 0
	local k
	for k in "$KVER_61" "$KVER_510" "$KVER_612"; do
		[ -f "$KCACHE/$k/boot/vmlinuz-$k" ] || return 1
		[ "${V3_GEARS_MAPS:-0}" != 1 ] ||
			[ -f "$KCACHE/$k/usr/lib/debug/boot/System.map-$k" ] || return 1
	done
}
if kernels_cached && ksft_cached && gears_cached; then
	say "kernels cached: $KVER_61 $KVER_510 $KVER_612; kselftest harness in $KSFT_DIR"
	exit 0
fi

# The Debian mirror the machine already uses.
mirror_uri() {
	local f=/etc/apt/sources.list.d/debian.sources uri=""
	if [ -f "$f" ]; then
		uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
	fi
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } } }' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || die "cannot find the Debian mirror in /etc/apt/sources.list.d/debian.sources"
	echo "${uri%/}"
}
MIRROR=$(mirror_uri)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$KEYRING" ] || die "no $KEYRING (package debian-archive-keyring)"

# apt with a private state for one suite.
aptx() {
	local suite=$1 tool=$2; shift 2
	local d=$KCACHE/apt/$suite
	"$tool" -q \
		-o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State="$d/state" \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::State::status="$d/state/status" \
		-o Dir::Cache="$d/cache" \
		-o Dir::Cache::archives="$d/cache/archives" \
		-o Acquire::Languages=none \
		-o APT::Architecture=amd64 \
		-o APT::Architectures::=amd64 \
		-o APT::Sandbox::User=root \
		-o Debug::NoLocking=1 \
		"$@"
}

apt_setup() {
	local suite=$1 d=$KCACHE/apt/$1
	mkdir -p "$d/lists/partial" "$d/state" "$d/cache/archives/partial" "$KCACHE/debs"
	: >"$d/state/status"
	echo "deb [signed-by=$KEYRING] $MIRROR $suite main" >"$d/sources.list"
	say "apt-get update ($suite, $MIRROR)"
	aptx "$suite" apt-get update -qq >/dev/null
}

# First dependency of PKG whose name matches REGEX.
dep_of() {
	aptx "$1" apt-cache depends "$2" | awk -v re="$3" '$1 ~ /Depends:/ && $2 ~ re { print $2; exit }'
}

# Download package PKG from SUITE into debs/ (once) and echo the .deb path.
fetch_deb() {
	local suite=$1 pkg=$2 f
	f=$(find "$KCACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
	if [ -z "$f" ]; then
		(cd "$KCACHE/debs" && aptx "$suite" apt-get download -qq "$pkg" >/dev/null)
		f=$(find "$KCACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
	fi
	[ -n "$f" ] || die "could not download $pkg from $suite"
	echo "$f"
}

# Fetch and unpack the headers (and optionally the image) of one suite's
# default kernel.  Sets KVER (e.g. 6.1.0-37-amd64) and ROOT.
fetch_kernel() {
	local suite=$1 want_image=$2 hdr common kbuild deb
	apt_setup "$suite"
	hdr=$(dep_of "$suite" linux-headers-amd64 '^linux-headers-[0-9].*-amd64$')
	[ -n "$hdr" ] || die "$suite: cannot resolve linux-headers-amd64"
	KVER=${hdr#linux-headers-}
	common=$(dep_of "$suite" "$hdr" '^linux-headers-[0-9].*-common$')
	kbuild=$(dep_of "$suite" "$hdr" '^linux-kbuild-[0-9]')
	# The 6.12 -common headers carry the kbuild dependency instead.
	[ -n "$kbuild" ] || kbuild=$(dep_of "$suite" "$common" '^linux-kbuild-[0-9]')
	ROOT=$KCACHE/$KVER
	local pkgs=("$hdr" "$common")
	[ -n "$kbuild" ] && pkgs+=("$kbuild")
	if [ "$want_image" = 1 ]; then
		local img
		img=$(dep_of "$suite" linux-image-amd64 '^linux-image-[0-9].*-amd64$')
		[ "$img" = "linux-image-$KVER" ] || die "$suite: image $img does not match headers $hdr"
		pkgs+=("$img")
	fi
	say "$suite: ${pkgs[*]}"
	mkdir -p "$ROOT"
	for p in "${pkgs[@]}"; do
		deb=$(fetch_deb "$suite" "$p")
		if [ "$p" = "linux-image-$KVER" ]; then
			# Only the kernel image: the modules are not needed (yet).
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$ROOT" ./boot
		else
			dpkg -x "$deb" "$ROOT"
		fi
	done
	fix_headers "$ROOT" "$KVER"
}

# Make /usr/src/linux-headers-<ver>-amd64 usable where it was unpacked:
# references to /usr/src/... and /usr/lib/linux-kbuild-... become relative.
fix_headers() {
	local root=$1 kver=$2 dir
	dir=$root/usr/src/linux-headers-$kver
	[ -f "$dir/Makefile" ] || die "no $dir/Makefile"
	# Makefile includes of the -common tree by absolute path.
	sed -i -E "s#/usr/src/(linux-headers-[^/ ]+)#\$(abspath \$(dir \$(lastword \$(MAKEFILE_LIST)))../\\1)#g" "$dir/Makefile"
	# Absolute symlinks (lib/modules/<ver>/build, ...) stay inside the root.
	local l t
	while IFS= read -r l; do
		t=$(readlink "$l")
		case $t in
		/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$root$t")" "$l" ;;
		esac
	done < <(find "$root" -type l -lname '/*')
}

# kselftest_harness.h and kselftest.h out of linux-source-6.1's tarball
# (the .deb stays in debs/ for the next refresh).
fetch_kselftest() {
	local deb src tmp
	apt_setup bookworm
	src=$(aptx bookworm apt-cache depends linux-source | awk '$1 ~ /Depends:/ && $2 ~ /^linux-source-[0-9]/ { print $2; exit }')
	[ -n "$src" ] || src=linux-source-6.1
	deb=$(fetch_deb bookworm "$src")
	tmp=$KSFT_DIR.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	say "extracting the kselftest harness from $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$tmp" --wildcards --strip-components=4 \
			'*/tools/testing/selftests/kselftest_harness.h' \
			'*/tools/testing/selftests/kselftest.h'
	[ -f "$tmp/kselftest_harness.h" ] && [ -f "$tmp/kselftest.h" ] ||
		die "no kselftest_harness.h in $deb"
	echo "$src $(basename "$deb")" >"$tmp/SOURCE"
	rm -rf "$KSFT_DIR"
	mv "$tmp" "$KSFT_DIR"
}
# The image (vmlinuz only) of kernel KVER in SUITE, and with V3_GEARS_MAPS=1
# its real System.map.
fetch_gears_image() {
	local suite=$1 kver=$2 root=$KCACHE/$2 deb tmp map maps=${V3_GEARS_MAPS:-0}
	map=$root/usr/lib/debug/boot/System.map-$kver
	[ -f "$root/boot/vmlinuz-$kver" ] && { [ "$maps" != 1 ] || [ -f "$map" ]; } && return 0
	apt_setup "$suite"
	if [ ! -f "$root/boot/vmlinuz-$kver" ]; then
		deb=$(fetch_deb "$suite" "linux-image-$kver")
		mkdir -p "$root"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root" ./boot
	fi
	if [ "$maps" != 1 ] || [ -f "$map" ]; then
		return 0
	fi
	tmp=$KCACHE/dbg.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	say "$suite: linux-image-$kver-dbg for its System.map (downloaded, then deleted)"
	(cd "$tmp" && aptx "$suite" apt-get download -qq "linux-image-$kver-dbg" >/dev/null) ||
		die "could not download linux-image-$kver-dbg from $suite"
	deb=$(find "$tmp" -maxdepth 1 -name "linux-image-${kver}-dbg_*.deb" | head -n1)
	[ -n "$deb" ] || die "no linux-image-$kver-dbg .deb"
	# The map precedes the 600 MB vmlinux in the archive: --occurrence
	# stops tar there (dpkg-deb then dies of SIGPIPE, hence no pipefail).
	(set +o pipefail; dpkg-deb --fsys-tarfile "$deb" 2>/dev/null |
		tar -x -C "$tmp" --occurrence=1 "./usr/lib/debug/boot/System.map-$kver")
	[ -s "$tmp/usr/lib/debug/boot/System.map-$kver" ] || die "no System.map in $deb"
	mkdir -p "$(dirname "$map")"
	mv "$tmp/usr/lib/debug/boot/System.map-$kver" "$map"
	rm -rf "$tmp"
}
fetch_gears_images() {
	[ "${V3_GEARS_IMAGES:-1}" = 1 ] || return 0
	fetch_gears_image bookworm "$KVER_61"
	fetch_gears_image bullseye "$KVER_510"
	fetch_gears_image bookworm-backports "$KVER_612"
	say "GEARS images: $(cd "$KCACHE" && { ls -1 ./*/boot/vmlinuz-* ./*/usr/lib/debug/boot/System.map-* 2>/dev/null || true; } | tr '\n' ' ')"
}

ksft_cached || fetch_kselftest
if kernels_cached; then
	gears_cached || fetch_gears_images
	say "kernels cached: $KVER_61 $KVER_510 $KVER_612; kselftest harness in $KSFT_DIR"
	exit 0
fi

fetch_kernel bookworm 1
KVER_61=$KVER KDIR_61=$ROOT/usr/src/linux-headers-$KVER VMLINUZ=$ROOT/boot/vmlinuz-$KVER
fetch_kernel bullseye 0
KVER_510=$KVER KDIR_510=$ROOT/usr/src/linux-headers-$KVER
fetch_kernel bookworm-backports 0
KVER_612=$KVER KDIR_612=$ROOT/usr/src/linux-headers-$KVER

[ -f "$VMLINUZ" ] || die "no $VMLINUZ"
cat >"$KERNELS_ENV" <<EOT
# Written by tests/harness/fetch-kernels.sh
KVER_61=$KVER_61
KDIR_61=$KDIR_61
VMLINUZ=$VMLINUZ
KVER_510=$KVER_510
KDIR_510=$KDIR_510
KVER_612=$KVER_612
KDIR_612=$KDIR_612
EOT
fetch_gears_images
say "kernels: $KVER_61 (booted) $KVER_510 $KVER_612; cache $(du -sh "$KCACHE" | cut -f1)"
