# The host's life cycle (sourced by the suites after the Linux tests, with
# v3vmm loaded; leaves it loaded): guest time accounting, CPU hotplug
# under a running 2-vCPU Linux guest, suspend (pm_test "core": the whole
# suspend path, syscore ops included, without sleeping), and KVM and v3vmm
# taking turns at SVM/VMX.  module/hw.c, module/vcpu.c.
# LC_HOTPLUG_CYCLES, LC_WORK (loop iterations of the guest's workload);
# LC_GUEST_TIME=0 skips the guest time test, saying LC_GUEST_TIME_WHY.
: "${LC_HOTPLUG_CYCLES:=10}"
: "${LC_WORK:=100000}"
: "${V3_ARCH:=svm}"
CPU1=/sys/devices/system/cpu/cpu1/online
KMOD=/v3/kvm

# the pid of a vCPU thread ("v3vmm-VM/IDX")
vcpu_pid() { # vm idx
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "v3vmm-$1/$2" ] && { echo "${d#/proc/}"; return 0; }
	done
	return 1
}
# guest_time of a thread (/proc/PID/stat field 43) and the guest column of
# /proc/stat (field 10 of the "cpu" line), in clock ticks (USER_HZ)
pid_guest_ticks() { awk '{ print $43 }' "/proc/$1/stat" 2>/dev/null; }
stat_guest_ticks() { awk '$1 == "cpu" { print $10 }' /proc/stat; }
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# EFER.SVME (bit 12) of CPU N through msr.ko: 1, 0, or nothing (unreadable)
efer_svme() {
	ev=$(dd if="/dev/cpu/$1/msr" bs=8 count=1 skip=$((0xc0000080 / 8)) 2>/dev/null |
		od -An -tx8 | tr -d ' \n')
	[ -n "$ev" ] && echo $(((0x$ev >> 12) & 1))
}
svme_all() { # the CPUs with EFER.SVME set, as "cpu0=1 cpu1=1"
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		n=${c##*cpu}
		[ -f "$c/online" ] && [ "$(cat "$c/online")" = 0 ] && continue
		printf 'cpu%s=%s ' "$n" "$(efer_svme "$n")"
	done
}
have_msr() { [ "$V3_ARCH" = svm ] && [ -c /dev/cpu/0/msr ]; }
# kernel complaints since these tests began (an earlier one is not theirs)
lc_bad() { dmesg | tail -n +$((LC_DMESG0 + 1)) | grep -E 'BUG|WARNING|Oops|general protection|Call Trace'; }

# --- guest time ------------------------------------------------------------
# A guest that spins: its vCPU thread's time is guest time, in the thread's
# stat and in /proc/stat's guest column (module/compat.h).
lc_guest_time() {
	name="guest time: a spinning vCPU's time is accounted as guest time"
	need_guest "$name" forever.elf || return 0
	run 20 v3ctl create lc-gt --mem 16M --kernel /guests/forever.elf
	run 10 v3ctl launch lc-gt
	sleep "${SPIN_SECS:-1}"
	pid=$(vcpu_pid lc-gt 0)
	if [ -z "$pid" ]; then
		fail "$name" "no thread v3vmm-lc-gt/0"; vm_gone lc-gt; return
	fi
	g0=$(pid_guest_ticks "$pid") s0=$(stat_guest_ticks) t0=$(uptime_cs)
	sleep "${LC_GT_SECS:-4}"
	g1=$(pid_guest_ticks "$pid") s1=$(stat_guest_ticks) t1=$(uptime_cs)
	dg=$((g1 - g0)) ds=$((s1 - s0)) dt=$((t1 - t0))
	# the thread spins on one of the CPUs: at least half of the elapsed time
	result "$name (thread +$dg ticks in $dt)" "$([ $((dg * 2)) -ge $dt ]; echo $?)" \
		"guest_time $g0 -> $g1 over $dt ticks; state $(info_field lc-gt state)"
	result "guest time: /proc/stat guest column grows (+$ds ticks in $dt)" \
		"$([ $((ds * 2)) -ge $dt ]; echo $?)" "guest $s0 -> $s1 over $dt ticks"
	vm_gone lc-gt
}

# --- CPU hotplug -------------------------------------------------------------
cpu1_set() { # 0|1: bounded write to cpu1/online, status in $RC
	run 60 sh -c "echo $1 >$CPU1"
}

lc_hotplug_bare() {
	if have_msr; then
		s=$(svme_all)
		result "hotplug: EFER.SVME set on every CPU after insmod" \
			"$(echo "$s" | grep -qE '=0|= ' ; [ $? = 1 ] && [ -n "$s" ]; echo $?)" "$s"
	fi
	cpu1_set 0; r0=$RC
	off=$(cat $CPU1)
	cpu1_set 1; r1=$RC
	on=$(cat $CPU1)
	result "hotplug: CPU 1 goes offline and online with v3vmm loaded" \
		"$([ "$r0$r1" = 00 ] && [ "$off$on" = 01 ]; echo $?)" "exits $r0 $r1, online $off then $on"
	if have_msr; then
		v=$(efer_svme 1)
		result "hotplug: EFER.SVME set again on CPU 1 when it comes back" \
			"$([ "$v" = 1 ]; echo $?)" "EFER.SVME on cpu1: '$v'"
	fi
}

# ticks NAME: how many TICK lines the guest printed so far
ticks() { timeout 10 v3ctl console "$1" 2>/dev/null | grep -c '^TICK'; }

lc_hotplug_guest() {
	vmn=lc-hp
	name="hotplug: 2-vCPU Linux guest boots (vCPUs pinned to CPUs 0 and 1)"
	need_guest "$name" vmlinuz || return 0
	linux_create $vmn 2 --pin 0
	run 10 v3ctl launch $vmn
	if ! console_wait $vmn "V3L2: ready" "$LINUX_BOOT_SECS"; then
		fail "$name" "state $(info_field $vmn state): $(info_field $vmn detail)"
		diag_file console "/tmp/con.$vmn" 20
		vm_gone $vmn
		return
	fi
	pass "$name"
	# w NAME N: a loop of N iterations, then "WDONE-NAME START END" (the
	# guest's uptime).  Sized from a first run of LC_WORK iterations so the
	# two loops (one per vCPU) last about 30 s of an idle guest (the
	# cycles slow them: 10 took about 35 s under TCG, the loops longer).
	printf 'w() { s=$(cut -d" " -f1 /proc/uptime); i=0; while [ $i -lt $2 ]; do i=$((i+1)); done; echo "WDONE-$1 $s $(cut -d" " -f1 /proc/uptime)"; }; w cal %d\n' \
		"$LC_WORK" | timeout 10 v3ctl console $vmn --follow --timeout 1 >/dev/null 2>&1
	console_wait $vmn "^WDONE-cal [0-9.]* [0-9.]*" 120
	work=$(sed -n 's/^WDONE-cal \([0-9.]*\) \([0-9.]*\).*/\1 \2/p' "/tmp/con.$vmn" | tr -d '\r' |
		awk -v n="$LC_WORK" '{ d = $2 - $1; if (d < 0.01) d = 0.01; w = int(n * 30 / d); if (w > 50000000) w = 50000000; print w }')
	echo "# hotplug: $LC_WORK iterations took $(sed -n 's/^WDONE-cal //p' "/tmp/con.$vmn" | tr -d '\r' | awk '{ print $2 - $1 }') s; workload 2 x ${work:-?}"
	[ -n "$work" ] || work=$((LC_WORK * 20))
	printf 'w a %d & w b %d & while :; do echo TICK; sleep 1; done &\n' "$work" "$work" |
		timeout 10 v3ctl console $vmn --follow --timeout 1 >/dev/null 2>&1
	sleep 2
	p1=$(vcpu_pid $vmn 1)
	k0=$(ticks $vmn) t0=$(uptime_cs)
	wd0=$(timeout 10 v3ctl console $vmn 2>/dev/null | grep -c '^WDONE-[ab]')
	bad= n=0 low=
	while [ $n -lt "$LC_HOTPLUG_CYCLES" ]; do
		n=$((n + 1))
		kb=$(ticks $vmn)
		cpu1_set 0; [ "$RC" = 0 ] || bad="$bad offline#$n:$RC"
		sleep 1
		cpu1_set 1; [ "$RC" = 0 ] || bad="$bad online#$n:$RC"
		sleep 1
		st=$(info_field $vmn state)
		[ "$st" = running ] || { bad="$bad state#$n:$st"; break; }
		ka=$(ticks $vmn)
		# the guest's clock keeps ticking through each cycle
		[ "$ka" -gt "$kb" ] || low="$low #$n"
	done
	k1=$(ticks $vmn) t1=$(uptime_cs)
	wd1=$(timeout 10 v3ctl console $vmn 2>/dev/null | grep -c '^WDONE-[ab]')
	echo "# hotplug: workload loops finished: $wd0 of 2 before the cycles, $wd1 of 2 after them"
	result "hotplug: CPU 1 offline/online $n times while the guest runs" \
		"$([ -z "$bad" ] && [ "$n" = "$LC_HOTPLUG_CYCLES" ]; echo $?)" "failures:$bad"
	result "hotplug: the guest makes progress in every cycle ($((k1 - k0)) ticks in $(((t1 - t0) / 100)) s)" \
		"$([ -z "$low" ]; echo $?)" "no guest tick during cycles$low"
	# the loops ran through the cycles and then finished
	if [ "$wd0" = 0 ] && console_wait $vmn "WDONE-b " 400 && console_wait $vmn "WDONE-a " 60; then
		pass "hotplug: the guest's workload finishes ($(grep -h '^WDONE-[ab]' "/tmp/con.$vmn" | tr -d '\r' | awk '{ printf "%s %.0f s ", $1, $3 - $2 }'))"
	else
		fail "hotplug: the guest's workload finishes" "$wd0 loops done before the cycles; state $(info_field $vmn state): $(info_field $vmn detail)"
		diag_file console "/tmp/con.$vmn" 10
	fi
	# the vCPU pinned to CPU 1 ran elsewhere while CPU 1 was down, and is
	# back on CPU 1 (module/hw.c v3_hw_place)
	sleep 1
	al=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$p1/status" 2>/dev/null)
	on=$(awk '{ print $39 }' "/proc/$p1/stat" 2>/dev/null)
	result "hotplug: the vCPU pinned to CPU 1 is back on CPU 1" \
		"$([ "$al" = 1 ] && [ "$on" = 1 ]; echo $?)" "thread $p1 allowed '$al', last ran on '$on'"
	# the guest kernel saw nothing wrong
	printf 'echo GBAD-$(dmesg-bad -c)-END\n' | timeout 10 v3ctl console $vmn --follow --timeout 1 >/dev/null 2>&1
	console_wait $vmn "GBAD-[0-9]*-END" 30
	gb=$(grep -o 'GBAD-[0-9]*-END' "/tmp/con.$vmn" | tail -n 1 | tr -dc 0-9)
	result "hotplug: guest dmesg has no warnings or BUGs" "$([ "$gb" = 0 ]; echo $?)" "guest complaints '$gb'"
	lc_bad >/tmp/bad
	result "hotplug: host dmesg has no BUG/WARNING/Oops" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 5 /tmp/bad)"
	lc_suspend $vmn
	vm_gone $vmn
}

# --- suspend ---------------------------------------------------------------
# pm_test "core" runs suspend to RAM up to and including the syscore ops
# (v3vmm's disable on the boot CPU), then resumes instead of sleeping.
lc_suspend() { # vm (running)
	vmn=$1 name="suspend: pm_test core suspend/resume with the guest running"
	if ! grep -qw mem /sys/power/state 2>/dev/null || [ ! -w /sys/power/pm_test ]; then
		pass "$name # SKIP no suspend to RAM or no pm_test ($(cat /sys/power/state 2>/dev/null))"
		return
	fi
	echo core >/sys/power/pm_test
	kb=$(ticks "$vmn")
	run 120 sh -c 'echo mem >/sys/power/state'
	rs=$RC
	echo none >/sys/power/pm_test
	sleep 3
	ka=$(ticks "$vmn") st=$(info_field "$vmn" state)
	result "$name" "$([ "$rs" = 0 ] && [ "$st" = running ] && [ "$ka" -gt "$kb" ]; echo $?)" \
		"write exit $rs, state '$st', guest ticks $kb -> $ka"
	diag_file stderr "$ERR" 3
	if have_msr; then
		s=$(svme_all)
		result "suspend: EFER.SVME set on every CPU after resume" \
			"$(echo "$s" | grep -qE '=0|= '; [ $? = 1 ] && [ -n "$s" ]; echo $?)" "$s"
	fi
	lc_bad >/tmp/bad
	result "suspend: host dmesg has no BUG/WARNING/Oops" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 5 /tmp/bad)"
}

# --- KVM and v3vmm take turns ------------------------------------------------
lc_kvm_load() { # insmod the KVM stack; status in $RC
	RC=0
	for m in irqbypass kvm ccp $KVM_VENDOR; do
		grep -q "^$(echo $m | tr - _) " /proc/modules && continue
		[ "$m" = ccp ] && [ "$V3_ARCH" != svm ] && continue
		run 60 "$INSMOD" "$KMOD/$m.ko"
		[ "$RC" = 0 ] || return
	done
}
lc_kvm_unload() {
	for m in $KVM_VENDOR kvm ccp irqbypass; do
		timeout 30 "$RMMOD" "$(echo $m | tr - _)" 2>/dev/null
	done
	true
}

lc_kvm() {
	KVM_VENDOR=kvm-amd
	[ "$V3_ARCH" = vmx ] && KVM_VENDOR=kvm-intel
	if [ ! -f "$KMOD/$KVM_VENDOR.ko" ] || [ ! -x /tests/kvmvm ]; then
		fail "kvm: KVM modules and kvmvm in the initramfs" "$(ls $KMOD /tests 2>&1 | tr '\n' ' ')"
		return
	fi
	lc_kvm_load
	result "kvm: $KVM_VENDOR loads beside v3vmm" "$RC" "$(diag_file stderr "$ERR" 3)"
	run 30 /tests/kvmvm
	result "kvm: KVM_CREATE_VM fails while v3vmm holds $V3_ARCH" "$(failed_cleanly; echo $?)" \
		"kvmvm exited $RC: $(cat "$OUT" "$ERR" | head -n 2)"
	t_cmd "kvm: rmmod v3vmm" 30 "$RMMOD" v3vmm
	# KVM holds SVM/VMX while it has a VM (Linux 6.1; from 6.12 already
	# from its load, unless kvm.enable_virt_at_load=0)
	timeout 60 /tests/kvmvm hold 40 >/tmp/kvmhold 2>&1 &
	hp=$!
	i=0
	while [ $i -lt 40 ] && ! grep -q holding /tmp/kvmhold; do sleep 0.5; i=$((i + 1)); done
	dmesg_mark_lc=$(dmesg | wc -l)
	run 30 "$INSMOD" "$MOD"
	msg=$(dmesg | tail -n +$((dmesg_mark_lc + 1)) | grep 'v3vmm' | grep 'in use by another hypervisor')
	result "kvm: insmod v3vmm fails while a KVM VM holds $V3_ARCH" \
		"$(grep -q holding /tmp/kvmhold && failed_cleanly; echo $?)" "insmod exited $RC; kvmvm: $(head -n 2 /tmp/kvmhold)"
	result "kvm: the refusal names KVM and how to free it" \
		"$(echo "$msg" | grep -q "rmmod kvm_" && echo "$msg" | grep -q enable_virt_at_load; echo $?)" \
		"dmesg: '$msg'"
	echo "# $(echo "$msg" | sed 's/^\[[^]]*\] //')"
	kill "$hp" 2>/dev/null; wait "$hp" 2>/dev/null
	lc_kvm_unload
	t_cmd "kvm: insmod v3vmm works once KVM is unloaded" 30 "$INSMOD" "$MOD"
	t_cmd "kvm: rmmod v3vmm" 30 "$RMMOD" v3vmm
	lc_kvm_load
	result "kvm: $KVM_VENDOR loads again after rmmod v3vmm" "$RC" "$(diag_file stderr "$ERR" 3)"
	run 30 /tests/kvmvm
	result "kvm: KVM_CREATE_VM works after rmmod v3vmm" "$RC" "kvmvm exited $RC: $(cat "$OUT" "$ERR" | head -n 2)"
	lc_kvm_unload
	lc_bad >/tmp/bad
	result "kvm: no BUG/WARNING/Oops in dmesg" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 5 /tmp/bad)"
	t_cmd "kvm: v3vmm loads again" 30 "$INSMOD" "$MOD"
}

# --- run -----------------------------------------------------------------------
LC_DMESG0=$(dmesg | wc -l)
[ -f "$KMOD/msr.ko" ] && ! [ -c /dev/cpu/0/msr ] && timeout 30 "$INSMOD" "$KMOD/msr.ko" 2>/dev/null
if [ "${LC_GUEST_TIME:-1}" = 1 ]; then
	lc_guest_time
else
	pass "guest time: a spinning vCPU's time is accounted as guest time # SKIP $LC_GUEST_TIME_WHY"
fi
if [ -w "$CPU1" ]; then
	lc_hotplug_bare
	lc_hotplug_guest
else
	pass "hotplug: CPU hotplug # SKIP no second hot-pluggable CPU (the emulated VMX host has one CPU)"
	pass "suspend: pm_test core suspend/resume # SKIP runs with the hotplug guest"
fi
lc_kvm
