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

# The guest's speculation controls (module/spec_ctrl.c, spec_policy.c):
# the specctl guest checks that what CPUID offers works (SPEC_CTRL bits
# round-trip, reserved bits and PRED_CMD reads #GP, IBPB writes complete)
# and prints what it was offered; this compares that with the CPU flags
# this host kernel shows.
#   spec_guest_tests [PARAM]   PARAM: the module was loaded with
#                              guest_spec_ctrl=0 or spec_off=1 (none offered)
spec_guest_tests() {
	hide=${1:-}
	[ -f "$GUESTS/specctl.elf" ] || { fail "guest specctl" "no $GUESTS/specctl.elf"; return 0; }
	guest_tap "guest specctl (64M${hide:+, $hide})" g-specctl specctl.elf 64M
	got=$(grep -o 'offered: spec_ctrl=0x[0-9a-f]* pred_cmd=[01]' "$OUT" | head -n1)
	got=${got:-"offered: spec_ctrl=0 pred_cmd=0"}
	sc=$(($(echo "$got" | sed 's/.*spec_ctrl=\([0-9a-fx]*\).*/\1/')))
	pc=${got##*=}
	flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
	# IBRS/STIBP exactly as the host has them; SSBD only where the host has
	# some SSBD (its "ssbd" flag also covers AMD's non-SPEC_CTRL kinds)
	want=0 wpc=0
	if [ -z "$hide" ]; then
		case "$flags" in *" ibrs "*) want=$((want | 1)) ;; esac
		case "$flags" in *" stibp "*) want=$((want | 2)) ;; esac
		case "$flags" in *" ibpb "*) wpc=1 ;; esac
	fi
	ssbd_ok=0
	case "$flags" in *" ssbd "*) ssbd_ok=1 ;; esac
	[ -n "$hide" ] && ssbd_ok=0
	ok=1
	[ $((sc & 3)) = "$want" ] && [ "$pc" = "$wpc" ] || ok=0
	[ $((sc & 4)) = 0 ] || [ $ssbd_ok = 1 ] || ok=0
	p1="SPEC_CTRL hidden (#GP path)" p2="PRED_CMD hidden (#GP path)"
	[ "$sc" != 0 ] && p1="SPEC_CTRL offered (bits $sc: round trips, reserved-bit #GP)"
	[ "$pc" = 1 ] && p2="PRED_CMD offered (IBPB writes)"
	echo "# specctl${hide:+ ($hide)}: $p1; $p2"
	result "guest speculation controls follow the host CPU${hide:+ ($hide: none)}: $got" \
		"$([ $ok = 1 ]; echo $?)" "cpu flags:$(echo "$flags" | tr ' ' '\n' | grep -E -x 'ibrs|ibpb|stibp|ssbd' | tr '\n' ' ')" \
		"expected spec_ctrl&3=$want pred_cmd=$wpc"
}

# With the module unloaded: load it with PARAM, run the guest (nothing may
# be offered), unload it again.
spec_guest_hidden_tests() {
	for p in guest_spec_ctrl=0 spec_off=1; do
		run 30 "$INSMOD" "$MOD" "$p"
		result "insmod $p" "$RC" "$(cat "$ERR")"
		[ "$RC" = 0 ] || continue
		spec_guest_tests "$p"
		timeout 10 "$RMMOD" v3vmm 2>/dev/null
	done
}
