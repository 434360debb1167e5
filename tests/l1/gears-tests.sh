# GEARS introspection (issue #15, module/gears/), sourced by
# gears-suite.sh.  A Linux guest (the L2 kernel and /init the other suites
# boot) starts a recognisable process, prints its own view through the
# console (every /proc/PID/stat, and /proc/kallsyms values as root), and
# v3ctl gears must agree with it: ps shows every guest process with the
# guest's pid, parent and name, sym the guest's own symbol addresses and
# its KASLR slide.  Also: an unknown symbol, a VM never launched and a
# bare-metal guest fail cleanly, and after a guest reboot (a new KASLR
# slide) GEARS finds the new kernel.
#   GEARS_VCPUS   the guests' vCPU counts, one Linux VM each (default
#                 "1 2"); the refusals and the reboot use the last one
#   GEARS_REBOOT  0: skip the reboot check (default 1)

GEARS_SYMS="_text init_task entry_SYSCALL_64"

# gears_type NAME LINE MARK SECS: type LINE into the guest's shell and
# wait for MARK in its console
gears_type() {
	printf '%s\n' "$2" | timeout 15 v3ctl console "$1" --follow --timeout 2 >/dev/null 2>&1
	console_wait "$1" "$3" "$4"
}

# gears_guest NAME ROUND: typed into the guest's shell (builtins but a
# grep, so nothing comes and goes while the processes are listed): a
# script process with a child, the guest's processes as /proc shows
# them, the symbols as root reads them; what it printed goes to
# /tmp/gears.con.  One line at a time, each after the last one's output:
# on a slow host (Bochs) the tty's echo of lines typed ahead lands in the
# middle of the output.
gears_guest() {
	gears_type "$1" "echo GB\$((1))-$2; printf '#!/bin/sh\nsleep 1000\necho gearsloop-done\n' >/tmp/gearsloop; chmod +x /tmp/gearsloop; /tmp/gearsloop &" \
		"^GB1-$2" 120 || return 1
	gears_type "$1" "echo GPID \$!; echo 0 >/proc/sys/kernel/kptr_restrict; sleep 1; echo GK\$((1))-$2" \
		"GK1-$2" 120 || return 1
	gears_type "$1" "grep -E ' ($(echo "$GEARS_SYMS" | tr ' ' '|'))\$' /proc/kallsyms | sed 's/^/GSYM /'; for d in /proc/[0-9]*; do read -r l <\$d/stat && echo \"GPROC \$l\"; done; echo GDONE\$((1))-$2" \
		"GDONE1-$2" 180 || return 1
	tr -d '\r' <"/tmp/con.$1" | sed -n "/^GB1-$2\$/,\$p" >/tmp/gears.con
}

# gears_sym_check NAME LABEL: each symbol's address and the KASLR slide
# (_text - 0xffffffff81000000) equal what the guest's /proc/kallsyms says
gears_sym_check() {
	gs_why=
	for s in $GEARS_SYMS; do
		want=$(sed -n "s/^GSYM \([0-9a-f]*\) . $s\$/\1/p" /tmp/gears.con | head -n 1)
		run 60 v3ctl gears sym "$1" "$s"
		got=$(sed -n 's/^address: 0x//p' "$OUT")
		[ "$RC" = 0 ] && [ -n "$want" ] && [ "$got" = "$(echo "$want" | sed 's/^0*//')" ] ||
			gs_why="$gs_why $s: guest '$want' gears '$got' (exit $RC: $(head -n 1 "$ERR"));"
		[ "$s" = _text ] && text=$want && slide=$(sed -n 's/^slide: //p' "$OUT")
	done
	d=$((0x${text:-0} - 0xffffffff81000000))
	if [ $d -lt 0 ]; then exp="-0x$(printf '%x' $((-d)))"; else exp="+0x$(printf '%x' $d)"; fi
	[ "$slide" = "$exp" ] || gs_why="$gs_why slide '$slide', _text says '$exp';"
	echo "# gears $2: _text $text, slide $slide"
	result "gears $2: sym equals the guest's /proc/kallsyms ($GEARS_SYMS) and its KASLR slide" \
		"$([ -z "$gs_why" ]; echo $?)" "$gs_why"
}

# gears_ps_check NAME LABEL: v3ctl gears ps against the GPROC lines
gears_ps_check() {
	sed -n 's/^GPROC \([0-9]*\) (\(.*\)) . \([0-9]*\) .*/\1 \3 \2/p' /tmp/gears.con |
		sort -n -u >/tmp/gears.guest
	run 60 v3ctl gears ps "$1"
	sed 1d "$OUT" | awk '{ c = $3; for (i = 4; i <= NF; i++) c = c " " $i; print $1, $2, c }' |
		sort -n >/tmp/gears.ps
	sed 's/^/#   gears ps: /' /tmp/gears.ps | head -n 40
	# every guest process, same parent, same name: task->comm, of which
	# /proc shows more for a workqueue worker ("-" and its work) and for a
	# kernel thread whose name did not fit (its full name), both in
	# fs/proc/array.c:proc_task_name()
	gp_why=$(awk 'NR == FNR { pp[$1] = $2; c = $3; for (i = 4; i <= NF; i++) c = c " " $i; cm[$1] = c; next }
		{ c = $3; for (i = 4; i <= NF; i++) c = c " " $i
		  if (!($1 in pp)) { printf "pid %s (%s) missing; ", $1, c; next }
		  if (pp[$1] != $2) printf "pid %s ppid %s, guest says %s; ", $1, pp[$1], $2
		  if (cm[$1] != c && index(c, cm[$1] "-") != 1 &&
		      !(length(cm[$1]) == 15 && index(c, cm[$1]) == 1)) printf "pid %s comm %s, guest says %s; ", $1, cm[$1], c }' \
		/tmp/gears.ps /tmp/gears.guest | head -c 600)
	ng=$(wc -l </tmp/gears.guest) np=$(wc -l </tmp/gears.ps)
	result "gears $2: ps lists the guest's $ng processes with their pid, ppid and comm" \
		"$([ "$RC" = 0 ] && [ "$ng" -gt 10 ] && [ -z "$gp_why" ]; echo $?)" \
		"exit $RC: $(head -n 2 "$ERR"); gears $np, guest $ng: $gp_why"
	gpid=$(sed -n 's/^GPID //p' /tmp/gears.con | head -n 1)
	init=$(awk '$1 == 1' /tmp/gears.ps) loop=$(awk -v p="$gpid" '$1 == p' /tmp/gears.ps)
	child=$(awk -v p="$gpid" '$2 == p' /tmp/gears.ps)
	result "gears $2: init (pid 1, ppid 0) and the test's gearsloop (pid ${gpid:-?}) with its child sleep" \
		"$(echo "$init" | grep -q '^1 0 ' && [ "$loop" = "$gpid 1 gearsloop" ] &&
		   echo "$child" | grep -q "^[0-9]* $gpid sleep\$"; echo $?)" \
		"init '$init', gearsloop '$loop', child '$child'"
}

# gears_on_linux NAME VCPUS: on a booted Linux guest (the linux section's,
# with LINUX_GEARS=1: the VMX suite, where another boot costs minutes),
# sym and ps against what it says itself; gears_after_reboot NAME VCPUS:
# after linux_reboot, the new kernel found again
gears_on_linux() {
	gears_has || return 0
	if ! gears_guest "$1" 1; then
		fail "gears $2 vcpu: the guest prints its processes and symbols" "$(tail -n 5 "/tmp/con.$1")"
		return 1
	fi
	gears_sym_check "$1" "$2 vcpu"
	gears_ps_check "$1" "$2 vcpu"
}
gears_after_reboot() {
	gears_has || return 0
	k=/sys/kernel/v3vmm/vms/$1/gears
	if gears_guest "$1" 2; then
		gears_sym_check "$1" "$2 vcpu after reboot"
		result "gears: after a guest reboot the kernel is found again" \
			"$([ "$(cat "$k/finds")" = 2 ]; echo $?)" "finds $(cat "$k/finds")"
	else
		fail "gears: after a guest reboot the kernel is found again" \
			"the guest did not answer: $(tail -n 3 "/tmp/con.$1")"
	fi
}
# gears_has: the module has GEARS (else a SKIP, once)
gears_has() {
	timeout 10 v3ctl version | grep -q '^caps:.* gears' && return 0
	[ -n "${GEARS_SKIPPED:-}" ] || pass "gears: ps and sym on a Linux guest # SKIP the module has no GEARS (capability gears)"
	GEARS_SKIPPED=1
	return 1
}

# gears_linux NAME VCPUS: boot the Linux guest, then sym and ps against
# what it says itself
gears_linux() {
	linux_create "$1" "$2"
	run 10 v3ctl launch "$1"
	if ! console_wait "$1" "V3L2: ready" "$LINUX_BOOT_SECS"; then
		fail "gears $2 vcpu: the Linux guest boots" "state $(info_field "$1" state): $(info_field "$1" detail)"
		diag_file console "/tmp/con.$1" 20
		return 1
	fi
	if ! gears_guest "$1" 1; then
		fail "gears $2 vcpu: the guest prints its processes and symbols" "$(tail -n 5 "/tmp/con.$1")"
		return 1
	fi
	gears_sym_check "$1" "$2 vcpu"
	gears_ps_check "$1" "$2 vcpu"
	sed 's/^/#   sysfs gears\/kernel: /' "/sys/kernel/v3vmm/vms/$1/gears/kernel"
	for f in layout finds requests errors held_ns_last held_ns_max; do
		echo "#   sysfs gears/$f: $(cat "/sys/kernel/v3vmm/vms/$1/gears/$f")"
	done
}

gears_tests() {
	if ! timeout 10 v3ctl version | grep -q '^caps:.* gears'; then
		for n in "ps and sym on a Linux guest" "an unknown symbol" "a VM never launched" \
			"a bare-metal guest" "after a guest reboot"; do
			pass "gears: $n # SKIP the module has no GEARS (capability gears)"
		done
		return 0
	fi
	list=${GEARS_VCPUS:-1 2}
	for v in $list; do last=$v; done
	for v in $list; do
		gx=gx$v
		if ! gears_linux "$gx" "$v"; then
			vm_gone "$gx"
			continue
		fi
		[ "$v" = "$last" ] || vm_gone "$gx"
	done
	gx=gx$last

	run 30 v3ctl gears sym "$gx" no_such_symbol_gears
	result "gears: an unknown symbol fails cleanly, named" \
		"$([ "$RC" = 1 ] && grep -q "has no symbol 'no_such_symbol_gears'" "$ERR" && [ ! -s "$OUT" ]; echo $?)" \
		"exit $RC: $(head -n 2 "$ERR")"

	run 20 v3ctl create gn --mem 16M --kernel "$GUESTS/forever.elf"
	run 20 v3ctl gears ps gn
	result "gears: a VM never launched is refused (EBUSY)" \
		"$([ "$RC" = 1 ] && grep -q 'never launched' "$ERR"; echo $?)" "exit $RC: $(head -n 2 "$ERR")"
	if need_guest "gears: a bare-metal guest is not taken for Linux" forever.elf; then
		run 10 v3ctl launch gn
		sleep 2
		run 30 v3ctl gears ps gn
		r1=$RC e1=$(head -n 1 "$ERR")
		run 30 v3ctl gears sym gn init_task
		result "gears: a bare-metal guest is not taken for Linux (ENOEXEC)" \
			"$([ "$r1" = 1 ] && [ "$RC" = 1 ] && echo "$e1" | grep -q 'no 64-bit Linux kernel' &&
			   grep -q 'no 64-bit Linux kernel' "$ERR" && [ "$(info_field gn state)" = running ]; echo $?)" \
			"ps exit $r1: $e1; sym exit $RC: $(head -n 1 "$ERR"); state $(info_field gn state)"
	fi
	vm_gone gn

	k=/sys/kernel/v3vmm/vms/$gx/gears
	if [ "${GEARS_REBOOT:-1}" = 1 ] && [ -d "$k" ]; then
		old=$(sed -n 's/^_text \(0x[0-9a-f]*\) .*/\1/p' "$k/kernel")
		linux_reboot "$gx" "$last"
		if gears_guest "$gx" 2; then
			gears_sym_check "$gx" "$last vcpu after reboot"
			new=$(sed -n 's/^_text \(0x[0-9a-f]*\) .*/\1/p' "$k/kernel")
			echo "# gears: _text $old before the reboot, $new after"
			result "gears: after a guest reboot the kernel is found again" \
				"$([ "$(cat "$k/finds")" = 2 ]; echo $?)" "finds $(cat "$k/finds")"
			gears_ps_check "$gx" "$last vcpu after reboot"
		else
			fail "gears: after a guest reboot the kernel is found again" \
				"the guest did not answer: $(tail -n 3 "/tmp/con.$gx")"
		fi
	fi
	vm_gone "$gx"
}
