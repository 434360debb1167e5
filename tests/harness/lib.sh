# shellcheck shell=bash
# Common settings for the harness scripts (sourced, not run).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${V3_CACHE:-$REPO/.cache}
KCACHE=$CACHE/kernels
# shellcheck disable=SC2034
BUILD=${V3_BUILD:-$REPO/build}
KERNELS_ENV=$KCACHE/kernels.env

# Progress on stdout, errors on stderr.
say() { printf '[v3] %s\n' "$*"; }
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
