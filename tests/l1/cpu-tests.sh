# The guest CPU model (module/cpuid.c, msr.c, pmu.c), sourced by the SVM
# and VMX suites and by cpu-suite.sh: the pmu guest (empty PMU, RDPMC #GP,
# no speculation-control/AMX/CET CPUID bits) and the per-MSR statistics of
# what it touched.  V3_ARCH=svm|vmx picks the counter MSR to look for.
: "${V3_ARCH:=svm}"

guest_tap "guest pmu (64M)" g-pmu pmu.elf 64M

# --- unmodelled MSRs are counted per MSR (the pmu guest) ---------------------
# the guest writes and reads each counter MSR of its vendor once and reads
# the unknown MSR 0x12345678 once
name="msr statistics: counter MSRs ignored, unknown MSR #GP, per MSR"
if need_guest "$name" pmu.elf; then
	if [ "$V3_ARCH" = vmx ]; then ctr=0x00000186; ctr_dec=390; else ctr=0xc0010000; ctr_dec=3221291008; fi
	run 20 v3ctl create ms --mem 16M --kernel /guests/pmu.elf
	run 10 v3ctl launch ms
	wait_state ms stopped 30
	run 10 v3ctl msrs ms
	if [ "$RC" = 0 ] && grep -qx "msr $ctr rd 1 wr 1 gp 0" "$OUT" &&
		grep -qx 'msr 0x12345678 rd 1 wr 0 gp 1' "$OUT"; then pass "$name"; else
		fail "$name" "v3ctl msrs exit $RC"; diag_file stdout "$OUT" 8; diag_file stderr "$ERR" 4
	fi
	f=/sys/kernel/v3vmm/vms/ms/msrs_unhandled
	result "msr statistics: sysfs msrs_unhandled" \
		"$(grep -qx '0x12345678 rd 1 wr 0 gp 1' $f && grep -qx "$ctr rd 1 wr 1 gp 0" $f; echo $?)" \
		"$(head -n 4 $f 2>&1 | tr '\n' ';')"
	run 10 v3ctl msrs --json ms
	result "msr statistics: v3ctl msrs --json" \
		"$([ "$RC" = 0 ] && grep -q "{\"msr\": $ctr_dec, \"reads\": 1, \"writes\": 1, \"gp\": 0}" "$OUT" &&
		   grep -q '{"msr": 305419896, "reads": 1, "writes": 0, "gp": 1}' "$OUT"; echo $?)" "$(head -c 300 "$OUT")"
	c=$(timeout 10 v3ctl info ms | sed -n 's/^counter msr-ignored //p')
	result "msr statistics: info counts msr-ignored" "$([ "${c:-0}" -ge 2 ]; echo $?)" "msr-ignored '$c'"
	# the exits the backend decodes for the guest's one RDPMC and WBINVD
	echo "# pmu guest exits: rdpmc '$(exit_count ms rdpmc)' wbinvd '$(exit_count ms wbinvd)' (empty: not intercepted)"
	vm_gone ms
fi

