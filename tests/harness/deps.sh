#!/usr/bin/env bash
# Install the host packages the build and the tests need (only those
# missing), then fetch the kernels into .cache/kernels.
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"

PKGS=(
	qemu-system-x86 busybox-static cpio gzip xz-utils
	# zstd: tests/unit/vmlinux.sh decompresses 6.12's vmlinuz
	zstd
	gcc make libc6-dev binutils bc flex bison libelf-dev libssl-dev
	dwarves kmod coreutils debian-archive-keyring
	bochs bochsbios vgabios bochs-term isolinux syslinux-common genisoimage
	bsdutils util-linux
	# file: check-gears-kernels.sh names the L2 kernel image's version
	file
	# v3ctl topology: libnuma.a is linked into the static v3ctl; Debian
	# has no libcpupower.a (v3ctl reads cpufreq from sysfs), its .so
	# serves the unit tests
	libnuma-dev libcpupower-dev
	# tools/v3share (machine-wide content sharing over MPI) and its
	# host-side tests: mpicc, mpirun; jq compares its JSON
	openmpi-bin libopenmpi-dev jq
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages ${missing[*]} and not root"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

exec "$(dirname "$0")/fetch-kernels.sh"
