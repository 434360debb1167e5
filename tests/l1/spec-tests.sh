# World-switch mitigations (module/spec_ctrl.c), sourced by svm-suite.sh
# (both backends) with the module loaded; busybox sh.
#   spec_tests          the reported set agrees across v3ctl version, its
#                       --json and sysfs, and with what this host kernel
#                       chose for itself (/sys/devices/system/cpu/vulnerabilities)
#   spec_cost NAME      cycles per CPUID round trip of the cpuidloop guest
VULN=/sys/devices/system/cpu/vulnerabilities

# vuln FILE: the kernel's line for one vulnerability ("" when absent)
vuln() { cat "$VULN/$1" 2>/dev/null; }

# The set this host kernel's choices imply, from its sysfs lines and the
# CPU flags it shows, one name per line (the same rules as
# module/spec_policy.c, read from the other side).  $V3_ARCH: svm or vmx.
spec_expected() {
	v2=$(vuln spectre_v2) rb=$(vuln retbleed) srso=$(vuln spec_rstack_overflow)
	flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
	# RSB_VMEXIT: retpoline/IBRS modes, unless an IBPB on every exit
	# already flushes the RSB (retbleed=ibpb, srso IBPB on VMEXIT)
	rsb=0
	case "$v2" in
	*Retpolines* | *"Mitigation: IBRS"* | *LFENCE*) rsb=1 ;;
	esac
	case "$rb$srso" in *IBPB*) rsb=0 ;; esac
	[ "$V3_ARCH" = vmx ] && case "$v2" in *"PBRSB-eIBRS: SW sequence"*) rsb=1 ;; esac
	[ $rsb = 1 ] && echo rsb-fill
	# IA32_SPEC_CTRL: the kernel shows ibrs/stibp/ssbd when it exists
	# (ssbd alone may be the older AMD LS_CFG or VIRT_SSBD interface)
	case "$flags" in *" ibrs "* | *" stibp "* | *" spec_ctrl "*) echo spec-ctrl ;; esac
	case "$v2" in *"IBPB: conditional"* | *"IBPB: always-on"*) echo ibpb ;; esac
	buf=0
	if [ "$V3_ARCH" = vmx ]; then
		for f in mds tsx_async_abort reg_file_data_sampling; do
			case "$(vuln $f)" in *"Clear CPU buffers"* | *"Clear Register File"*) buf=1 ;; esac
		done
		# MMIO alone: the VM-only static key for assigned devices
		case "$(vuln mmio_stale_data)" in
		*"Clear CPU buffers"*) case "$(vuln mds)$(vuln tsx_async_abort)" in *Clear*) buf=1 ;; esac ;;
		esac
	fi
	case "$(vuln tsa)" in *"Clear CPU buffers"*) case "$(vuln tsa)" in *user/kernel*) ;; *) buf=1 ;; esac ;; esac
	[ $buf = 1 ] && echo clear-cpu-buf
	if [ "$V3_ARCH" = vmx ]; then
		case "$(vuln l1tf)" in
		"Mitigation: PTE Inversion"*)
			case "$(vuln l1tf)" in
			*"flush not necessary"* | *"cache flushes not necessary"* | *"VMX: vulnerable"*) ;;
			*) case "$flags" in *" flush_l1d "*) echo l1d-flush ;; esac ;;
			esac ;;
		esac
	fi
	case "$v2" in *"KVM: SW loop"*) echo bhi ;; esac
	if [ "$V3_ARCH" = svm ]; then
		case "$rb$srso" in *untrained* | *"Safe RET"* | *IBPB*) echo untrain-ret ;; esac
	fi
	case "$(vuln vmscape)" in *"IBPB before exit to userspace"*) echo ibpb-exit-to-user ;; esac
}

spec_tests() {
	for f in "$VULN"/*; do echo "# vulnerabilities/${f##*/}: $(cat "$f")"; done
	echo "# cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2 | tr ' ' '\n' |
		grep -E -x 'ibrs|ibpb|stibp|ssbd|amd_ssbd|virt_ssbd|md_clear|flush_l1d|spec_ctrl|ibrs_enhanced|arch_capabilities' | tr '\n' ' ')"
	sys=$(cat /sys/kernel/v3vmm/mitigations 2>/dev/null)
	result "sysfs mitigations is readable" "$([ -n "$sys" ]; echo $?)" \
		"$(ls -l /sys/kernel/v3vmm 2>&1)"
	echo "# sysfs mitigations: $sys"
	run 10 v3ctl version
	ver=$(sed -n 's/^mitigations: //p' "$OUT")
	result "v3ctl version mitigations = sysfs" "$([ "$RC" = 0 ] && [ "$ver" = "$sys" ]; echo $?)" \
		"v3ctl: '$ver' (exit $RC)" "sysfs: '$sys'"
	run 10 v3ctl version --json
	js=$(sed -n 's/.*"mitigations":\[\([^]]*\)\].*/\1/p' "$OUT" | tr -d '"' | tr ',' ' ')
	[ -n "$js" ] || js=none
	result "v3ctl version --json mitigations = sysfs" \
		"$([ "$RC" = 0 ] && [ "$js" = "$sys" ]; echo $?)" "json: '$js'" "$(head -c 300 "$OUT")"
	want=$(spec_expected | tr '\n' ' ' | sed 's/ $//')
	[ -n "$want" ] || want=none
	result "mitigations follow this host kernel's choices ($V3_ARCH)" \
		"$([ "$want" = "$sys" ]; echo $?)" "expected from $VULN: '$want'" "module: '$sys'"
	# the module log line names the same set
	dmesg_new | grep -q "v3vmm: world-switch mitigations: $sys"
	result "module log names the active set" "$?" "$(dmesg_new | grep -i 'mitigation' | head -n 3)"
}

# spec_cost LABEL: cycles per CPUID exit+entry, from the guest's own TSC
spec_cost() {
	name="cpuidloop guest ($1)"
	need_guest "$name" cpuidloop.elf || return 0
	v3ctl_run "spec-cost" cpuidloop.elf 16M --cmdline "n=${SPEC_COST_N:-20000}"
	line=$(grep -o 'cpuidloop: [0-9]* exits in [0-9]* cycles' "$OUT")
	if [ "$RC" = 1 ] && [ -n "$line" ]; then
		n=$(echo "$line" | awk '{print $2}') c=$(echo "$line" | awk '{print $5}')
		pass "$name: $((c / n)) cycles per CPUID round trip over $n"
		echo "# spec-cost $1: $((c / n)) cycles/exit"
	else
		fail "$name" "v3ctl run exited $RC"; diag_file console "$OUT"; diag_file stderr "$ERR" 4
	fi
	vm_gone spec-cost
}
