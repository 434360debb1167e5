#!/usr/bin/env bash
# Build everything the tests need:
#   v3vmm.ko for the 6.1 (booted), 5.10 and 6.12 kernels -> build/modules/<kver>/
#   tests/gears-ko/v3gtest.ko for the 6.1 kernel (the L2 guest's) -> build/gears-ko/<kver>/
#   tools/v3ctl, tests/guests, tests/abi, tests/fuzz, tests/host (in the tree, with their Makefiles)
# then runs the host-side unit tests: tests/unit, tools/v3ctl's, tools/v3share's
# Each result is a TAP-style line in build/build.tap (check.sh counts them);
# logs go to build/logs/build-*.log.  Exit status 1 if anything failed.
# A module build that prints "warning:" fails.
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
load_kernels

mkdir -p "$BUILD/logs" "$BUILD/modules"
TAP=$BUILD/build.tap
: >"$TAP"
failed=0

result() { # status name [log]
	if [ "$1" = 0 ]; then
		echo "ok - build: $2" >>"$TAP"
		say "build: $2: ok"
	else
		echo "not ok - build: $2" >>"$TAP"
		say "build: $2: FAILED${3:+ (log $3)}"
		if [ -n "${3:-}" ]; then
			grep -E 'error|warning:|Error|\*\*\*' "$3" | head -n 12 | sed 's/^/    # /' | tee -a "$TAP" || true
		fi
		failed=1
	fi
}

# Build the module out of a copy of the sources so the three kernels do
# not share object files (and the tree stays clean).
build_module() {
	local kver=$1 kdir=$2 src=$BUILD/kmod/$1 log=$BUILD/logs/build-module-$1.log ko st=0
	rm -rf "$src"
	mkdir -p "$src"
	(cd "$REPO" && tar -c --exclude=./.git --exclude=./build --exclude=./.cache \
		--exclude=./tests --exclude=./tools --exclude=./docs \
		--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod*' . ) | tar -x -C "$src"
	# shellcheck disable=SC2046
	make -C "$src" -j2 module KDIR="$kdir" $(cc_args "$kdir") >"$log" 2>&1 || st=1
	if grep -qi 'warning:' "$log"; then st=1; fi
	ko=$(find "$src" -name v3vmm.ko | head -n1)
	[ -n "$ko" ] || { st=1; echo "build.sh: error: no v3vmm.ko was produced" >>"$log"; }
	if [ $st = 0 ]; then
		mkdir -p "$BUILD/modules/$kver"
		cp "$ko" "$BUILD/modules/$kver/v3vmm.ko"
	else
		rm -f "$BUILD/modules/$kver/v3vmm.ko"
	fi
	result $st "v3vmm.ko for $kver" "$log"
}

# tests/gears-ko/v3gtest.ko, the module GEARS' injection tests load into
# the L2 Linux guest (the 6.1 kernel the emulated host runs too; the L1
# initramfs ships it as /lib/v3/v3gtest.ko): out of a copy, as the module
build_gears_ko() {
	local st=0
	gears_ko "$1" "$2" "$BUILD/logs/build-gears-ko.log" || st=1
	result $st "tests/gears-ko (v3gtest.ko for $1)" "$BUILD/logs/build-gears-ko.log"
}

build_part() { # name target
	local log=$BUILD/logs/build-$1.log st=0
	make -C "$REPO" "$2" >"$log" 2>&1 || st=1
	result $st "$1" "$log"
}

build_module "$KVER_61" "$KDIR_61"
# the 5.10 and 6.12 builds (compile checks: only the 6.1 module boots in
# make check) beside the rest, whose steps mostly keep one CPU busy
# (their TAP lines in a file of their own until then: two writers
# appending to one file could split each other's lines)
( failed=0 TAP=$TAP.kernels
  : >"$TAP"
  build_module "$KVER_510" "$KDIR_510"
  build_module "$KVER_612" "$KDIR_612"
  exit $failed ) &
other_kernels=$!
build_gears_ko "$KVER_61" "$KDIR_61"
# tests/gears-elf/gexec: the static PIE "v3ctl gears exec" runs in the guest
build_gexec() {
	local log=$BUILD/logs/build-gexec.log st=0
	make -C "$REPO/tests/gears-elf" OUT="$BUILD/gears-elf" >"$log" 2>&1 || st=1
	result $st "tests/gears-elf (gexec, a static PIE)" "$log"
}
build_gexec
build_part v3ctl tools
build_part guests guests
# the /dev/v3vmm tests build on the kernel's kselftest harness (fetch-kernels.sh)
st=0; make -C "$REPO/tests/abi" KSFT_DIR="$KSFT_DIR" >"$BUILD/logs/build-abi.log" 2>&1 || st=1
result $st "tests/abi" "$BUILD/logs/build-abi.log"
st=0; make -C "$REPO/tests/fuzz" KSFT_DIR="$KSFT_DIR" >"$BUILD/logs/build-fuzz.log" 2>&1 || st=1
result $st "tests/fuzz" "$BUILD/logs/build-fuzz.log"
st=0; make -C "$REPO/tests/host" >"$BUILD/logs/build-host.log" 2>&1 || st=1
result $st "tests/host" "$BUILD/logs/build-host.log"

# Host-side unit tests: each TAP line becomes a result line of its own
# ("ok - unit: NAME").  A run that does not finish, or prints no plan,
# fails as a whole.
host_tests() { # label dir [make args]
	local label=$1 dir=$2 log=$BUILD/logs/test-$1.log st=0
	shift 2
	timeout 600 make -C "$dir" "$@" >"$log" 2>&1 || st=1
	sed -n -E 's/^(not ok|ok) [0-9]+ (- )?(.*)$/\1 - '"$label"': \3/p' "$log" >>"$TAP"
	if ! grep -qE '^1\.\.[0-9]+' "$log"; then
		result 1 "$label: ran to the end" "$log"
	elif [ $st != 0 ] && ! grep -q "^not ok - $label:" "$TAP"; then
		result 1 "$label: exit status" "$log"
	else
		say "$label: $(grep -c "^ok - $label:" "$TAP") passed, $(grep -c "^not ok - $label:" "$TAP") failed"
		[ $st = 0 ] || failed=1
	fi
}
# the unit tests take hardware layouts from the 6.1 headers' common part
host_tests unit "$REPO/tests/unit" KCOMMON="${KDIR_61%-amd64}-common" CACHE="$CACHE"
host_tests v3ctl-unit "$REPO/tools/v3ctl" test
# tools/v3share (MPI): builds it with mpicc, runs it under mpirun on this
# machine's loopback over synthetic dumps and checks it by brute force
# (tests/share/run.sh, no module, < 1 minute)
host_tests share "$REPO/tools/v3share" test
wait "$other_kernels" || failed=1
cat "$TAP.kernels" >>"$TAP"

exit $failed
