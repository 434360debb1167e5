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
