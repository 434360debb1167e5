# bench_l1_table SUITE TITLE TIMEOUT [boot-qemu.sh options...]: boot the
# emulated SVM host running tests/l1/SUITE-suite.sh and write its
# "V3B-R GROUP NAME VALUE UNIT [TARGET]" lines as a table, with its V3B-E
# lines and "# " notes under it, to $BUILD/bench/SUITE.md (and stdout).
# Status 0 when the suite reached V3B-DONE.  Sourced by the benchmarks
# that are one L1 boot (placement.sh, content.sh) after lib.sh.
#   BENCH_NOBUILD=1     reuse the built module, v3ctl and initramfs
#   BENCH_L1_BOCHS=1    boot the emulated VMX host (Bochs) instead; the
#                       boot-qemu.sh options are not used
bench_l1_table() {
	local suite=$1 title=$2 timeout=$3 out=$BUILD/bench log
	shift 3
	mkdir -p "$out"
	if [ "${BENCH_NOBUILD:-0}" != 1 ]; then
		"$REPO/tests/harness/build.sh" || say "warning: build.sh reported failures"
		"$REPO/tests/harness/mkinitrd.sh"
	fi
	[ -f "$BUILD/l1.cpio.gz" ] || "$REPO/tests/harness/mkinitrd.sh"
	log=$BUILD/logs/$suite.serial.log
	if [ "${BENCH_L1_BOCHS:-0}" = 1 ]; then
		load_kernels
		rm -f "$log"
		bochs_suite "$suite" "$log" "$timeout" || true
	else
		"$REPO/tests/harness/boot-qemu.sh" "$suite" "$@" --timeout "$timeout" || true
	fi
	{
		echo "# $title ($(date -u '+%Y-%m-%d %H:%M UTC'))"
		echo
		echo "| measure | value | unit | target |"
		echo "| --- | ---: | --- | --- |"
		grep -a '^V3B-R ' "$log" | awk '{ printf "| %s | %s | %s | %s |\n", $3, $4, $5, $6 }'
		echo
		grep -a '^V3B-E\|^# ' "$log" | grep -av '^# v3vmm\|^# dmesg' | sed 's/^/    /'
	} >"$out/$suite.md"
	cat "$out/$suite.md"
	grep -aq '^V3B-DONE' "$log"
}
