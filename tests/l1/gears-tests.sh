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
	# /proc shows more for a workqueue worker ("+" and the work it runs
	# now, or "-" and its last: kernel/workqueue.c:wq_worker_comm()) and
	# for a kernel thread whose name did not fit (its full name), both in
	# fs/proc/array.c:proc_task_name()
	gp_why=$(awk 'NR == FNR { pp[$1] = $2; c = $3; for (i = 4; i <= NF; i++) c = c " " $i; cm[$1] = c; next }
		{ c = $3; for (i = 4; i <= NF; i++) c = c " " $i
		  if (!($1 in pp)) { printf "pid %s (%s) missing; ", $1, c; next }
		  if (pp[$1] != $2) printf "pid %s ppid %s, guest says %s; ", $1, pp[$1], $2
		  if (cm[$1] != c && index(c, cm[$1] "-") != 1 && index(c, cm[$1] "+") != 1 &&
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
	gears_inject_tests "$1" "$2"
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
	gears_inject_tests "$1" "$2"
}

# --- tracing and injection (ABI 1.7, capability gears-inject) -----------------
# gi_ftrace_tests NAME: the guest's own kprobe on a handler GEARS traces.
# GEARS hooks a trace's handlers through the guest's own ftrace (an
# ftrace_ops of its own, gears_ftrace.c), so in either order both see
# every call and the guest's ftrace finds what it expects:
#  - the kprobe first (ftrace-based on a handler with an fentry NOP), then
#    GEARS' trace: gpidloop's 20 getpid calls counted by both;
#  - GEARS first, then the kprobe (enabled with no ftrace warning), then
#    both count gpidloop's calls.
# After each trace's stop GEARS' ops is gone (sysfs ftrace_hook) and no
# byte of the text is GEARS' (text_dirty).
gi_ftrace_tests() {
	gi_dead "$1" && { gi_rest "$1"; return 1; }
	gi_ft_kprobe_first "$1" "the guest's kprobe on getpid first, then GEARS: both count every call through the guest's ftrace, no warning"
	gi_ft_kprobe_after "$1" 2 "GEARS traces getpid first: the guest's kprobe on it is enabled, with no ftrace warning, and both count every call
GEARS traces every handler first: the guest's kprobe on getpid is enabled, with no ftrace warning, and both count every call
every handler traced through the guest's ftrace: int_sqrt(1000000) injected meanwhile (its boundary a traced call's return) returns 1000; the stop unhooks them all" --syscalls getpid
	gi_ft_kprobe_after "$1" 3 "GEARS traces every handler first: the guest's kprobe on getpid is enabled, with no ftrace warning, and both count every call"
	gi_ft_every "$1"
}

# gi_ft_every NAME: a trace of every handler, all hooked through the
# guest's ftrace: no UD2 is left for a boundary, so a kernel call
# injected meanwhile, and the unregistering at the stop, take theirs at
# the return of a call GEARS' callback sees (gears_ftrace.c)
gi_ft_every() {
	gi_name="every handler traced through the guest's ftrace: int_sqrt(1000000) injected meanwhile (its boundary a traced call's return) returns 1000; the stop unhooks them all"
	gi_dead "$1" && { gi_rest "$1"; return 1; }
	if gi_trace_up "$1" --duration 60; then
		gi_type "$1" "echo GJ\$((1))EV-$gv" "GJ1EV-$gv" 60
		gi_ft_wait "$1"
		fh=$(gi_k "$1" ftrace_hook) td0=$(gi_k "$1" text_dirty)
		gi_type "$1" "(i=0; while [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done) & echo GJ\$((1))EW-$gv" "GJ1EW-$gv" 60
		run 30 v3ctl gears call "$1" int_sqrt 1000000 --timeout 10
		cr=$RC cv=$(gi_ret) ce=$(head -n 1 "$ERR")
		gi_bg_end 0
		gi_type "$1" "echo GJ\$((1))EX-$gv" "GJ1EX-$gv" 60
		gi_ft_gone "$1"
		fh1=$(gi_k "$1" ftrace_hook) td=$(gi_k "$1" text_dirty)
		ne=$(grep -c ' = ' /tmp/gi.tr)
		echo "# gears $gl: every handler: ftrace_hook '$fh', text_dirty $td0; int_sqrt: exit $cr, '$cv'; $ne calls traced; after the stop '$fh1', text_dirty $td"
		gi_res "$gi_name" \
			"$([ "$cr" = 0 ] && [ "$cv" = 1000 ] && grep -q "through the guest's ftrace" /tmp/gi.tre &&
			   case $fh in "registered: "[1-9][0-9][0-9]" handlers"*) true ;; *) false ;; esac &&
			   [ "$td0" = 0 ] && case $fh1 in none*) true ;; *) false ;; esac && [ "$td" = 0 ] &&
			   [ "$ne" -gt 0 ]; echo $?)" \
			"call: exit $cr, result '$cv' $ce; ftrace_hook while tracing '$fh' (text_dirty $td0), after '$fh1' (text_dirty $td); $ne calls traced" \
			"v3ctl gears trace: exit $GI_RC: $(head -n 2 /tmp/gi.tre | tr '\n' ' ')"
	else
		gi_ft_noup "$gi_name"
	fi
}

# gi_ft_kprobe_first NAME TEST: the guest's kprobe gjkp on getpid, then
# GEARS' trace of getpid, then gpidloop's 20 calls
gi_ft_kprobe_first() {
	gf_n=$1 gi_name=$2 T=/sys/kernel/tracing
	gi_type "$gf_n" "mount -t tracefs nodev $T 2>/dev/null; echo 'p:gjkp __x64_sys_getpid' >$T/kprobe_events && echo 1 >$T/events/kprobes/gjkp/enable; echo GJKA kp=\$?; echo GJ\$((1))KA-$gv" "GJ1KA-$gv" 60
	if gi_trace_up "$gf_n" --syscalls getpid --duration 60; then
		gi_type "$gf_n" "gpidloop 20 0 >/dev/null; echo GJKB hits=\$(grep -c 'gjkp:' $T/trace) warn=\$(dmesg | grep -c 'ftrace bug\\|ftrace failed'); echo 0 >$T/events/kprobes/gjkp/enable; echo '-:gjkp' >>$T/kprobe_events; echo GJ\$((1))KB-$gv" "GJ1KB-$gv" 60
		fh=$(gi_k "$gf_n" ftrace_hook)
		gi_bg_end 0
		# GEARS' ops goes at the next system call after the stop
		gi_type "$gf_n" "echo GJ\$((1))KX-$gv" "GJ1KX-$gv" 60
		gi_ft_gone "$gf_n"
		gi_con "$gf_n"
		ka=$(grep '^GJKA ' /tmp/gi.con | tail -n 1) kb=$(grep '^GJKB ' /tmp/gi.con | tail -n 1)
		gi_ft_res "$gi_name" "$([ "$ka" = 'GJKA kp=0' ] && echo "$kb" | grep -q ' warn=0$'; echo $?)" \
			"$(echo "$kb" | sed -n 's/.*hits=\([0-9]*\).*/\1/p')" "'$ka' '$kb'"
	else
		gi_ft_noup "$gi_name"
	fi
}

# gi_ft_kprobe_after NAME N TEST [TRACE ARGS...]: GEARS' trace first, then
# the guest's kprobe gjkpN on getpid, then gpidloop's 20 calls
gi_ft_kprobe_after() {
	gk_n=$1 gk_k=gjkp$2 gi_name=$3
	shift 3
	gi_dead "$gk_n" && { gi_rest "$gk_n"; return 1; }
	if gi_trace_up "$gk_n" "$@" --duration 60; then
		gi_type "$gk_n" "echo 'p:$gk_k __x64_sys_getpid' >$T/kprobe_events && echo 1 >$T/events/kprobes/$gk_k/enable; echo GJKC$gk_k kp=\$? warn=\$(dmesg | grep -c 'ftrace bug\\|ftrace failed'); gpidloop 20 0 >/dev/null; echo GJKD$gk_k hits=\$(grep -c '$gk_k:' $T/trace); echo GJ\$((1))KC$gk_k-$gv" "GJ1KC$gk_k-$gv" 60
		fh=$(gi_k "$gk_n" ftrace_hook)
		gi_bg_end 0
		gi_type "$gk_n" "echo 0 >$T/events/kprobes/$gk_k/enable; echo '-:$gk_k' >>$T/kprobe_events; echo GJKE$gk_k warn=\$(dmesg | grep -c 'ftrace bug\\|ftrace failed'); echo GJ\$((1))KE$gk_k-$gv" "GJ1KE$gk_k-$gv" 60
		gi_ft_gone "$gk_n"
		gi_con "$gk_n"
		kc=$(grep "^GJKC$gk_k " /tmp/gi.con | tail -n 1) kd=$(grep "^GJKD$gk_k " /tmp/gi.con | tail -n 1)
		ke=$(grep "^GJKE$gk_k " /tmp/gi.con | tail -n 1)
		gi_ft_res "$gi_name" "$([ "$kc" = "GJKC$gk_k kp=0 warn=0" ] && [ "$ke" = "GJKE$gk_k warn=0" ]; echo $?)" \
			"$(echo "$kd" | sed -n 's/.*hits=\([0-9]*\).*/\1/p')" "'$kc' '$kd' '$ke'"
	else
		gi_ft_noup "$gi_name"
	fi
}

# gi_ft_res NAME GUEST_OK HITS GUEST_LINES: one order's result: the
# guest's side (GUEST_OK 0), its kprobe's hits and GEARS' getpid events
# (20 at least each), the trace through the guest's ftrace, GEARS' ops
# registered while it ran ($fh) and gone after, no text of GEARS' left
gi_ft_res() {
	gev=$(grep -c ': getpid() = ' /tmp/gi.tr)
	fh1=$(gi_k "$gf_n" ftrace_hook) td=$(gi_k "$gf_n" text_dirty)
	gi_res "$1" \
		"$([ "$2" = 0 ] && grep -q "through the guest's ftrace" /tmp/gi.tre &&
		   [ "${3:-0}" -ge 20 ] && [ "${gev:-0}" -ge 20 ] &&
		   case $fh in registered*) true ;; *) false ;; esac &&
		   case $fh1 in none*) true ;; *) false ;; esac && [ "$td" = 0 ]; echo $?)" \
		"guest: $4; GEARS' getpid events $gev; ftrace_hook while tracing '$fh', after '$fh1'; text_dirty $td" \
		"v3ctl gears trace: exit $GI_RC: $(head -n 2 /tmp/gi.tre); $(wc -l </tmp/gi.tr) lines: $(head -n 2 /tmp/gi.tr | tr '\n' '|') getpid: $(grep -m 2 getpid /tmp/gi.tr | tr '\n' '|')"
}
gi_ft_noup() {
	gi_bg_end 5
	gi_fail "$1" "no '# tracing' from v3ctl gears trace (exit $GI_RC): $(head -n 3 /tmp/gi.tre)"
}

# gears_inject_tests NAME VCPUS, on the booted guest after ps and sym:
#   trace    v3ctl gears trace counts gpidloop's 1000 getpid calls exactly,
#            each with its pid and result, each at one exit (its entry:
#            the results from the return stub, sysfs trace_entries,
#            trace_returns, trace_stub_returns), and decodes the shell's
#            write(1, "MARK\n", 5) = 5 with the stub off (the return
#            trapped: the way a trace goes where there is no stub)
#   text     after the traces the handlers are unhooked and the text
#            GEARS wrote is restored (sysfs trace_hooked, text_dirty; the
#            guest's own view of __x64_sys_getpid and __x64_sys_write
#            through /proc/kcore, tests/l2/kpeek.c, before and after)
#   syscall  getpid and write(1, "INJECTED-HELLO\n", 15) injected into a
#            running process (tests/l2/heartbeat.c), which goes on and
#            exits 0
#   kernel   /lib/v3/v3gtest.ko (tests/gears-ko) loaded from outside,
#            its function and the kernel's int_sqrt called; the guest
#            lists it, unloads it, and logged no Oops
GEARS_INJECT_NAMES="trace --count 1000 of gpidloop's getpid calls: each one, its pid and result
a traced call costs one exit: the 1000 results came from GEARS' return stub in the guest
trace decodes the shell's write(1, \"MARK\\n\", 5) = 5 with returns trapped (gears_ret_stub=0)
after the traces the handlers are unhooked and the guest's kernel text is restored
syscall getpid injected into a running process returns its pid
syscall write injected into a running process prints on the guest console
exec: a static PIE run in a child of the process prints its pid (the fork's result), its parent and its argument
call v3gtest_add(2, 3) in the injected module returns 12
call int_sqrt(1000000) returns 1000
insmod v3gtest.ko answer=7 from outside: init_module returns 0, the guest lists it, its init ran
the process goes on after the injections and exits 0
the guest unloads the injected module (its exit runs)
the guest kernel logged no Oops, BUG: or general protection"
# gi_ftrace_tests' (GEARS_FTRACE=0 leaves them out)
[ "${GEARS_FTRACE:-1}" != 1 ] || GEARS_INJECT_NAMES="$GEARS_INJECT_NAMES
the guest's kprobe on getpid first, then GEARS: both count every call through the guest's ftrace, no warning
GEARS traces getpid first: the guest's kprobe on it is enabled, with no ftrace warning, and both count every call"

# gears_inject_has: the module traces and injects (capability
# gears-inject; an older v3ctl shows the bit as cap-21) and this v3ctl
# has 'gears trace'
gears_inject_has() {
	timeout 10 v3ctl version 2>/dev/null | grep -qE '^caps:.* (gears-inject|gears_inject|cap-21)( |$)' &&
		timeout 10 v3ctl gears trace --help >/dev/null 2>&1
}

# gi_exc NAME: the VM's exception exits so far (v3ctl info; GEARS' UD2s
# are among them)
gi_exc() { timeout 10 v3ctl info "$1" 2>/dev/null | awk '$1 == "exit" && $2 == "exception" { n = $3 } END { print n + 0 }'; }
# gi_k NAME COUNTER: the VM's GEARS counter in sysfs ('?' if none)
gi_k() { cat "/sys/kernel/v3vmm/vms/$1/gears/$2" 2>/dev/null || echo '?'; }
# gi_delta A B: B - A ('?' unless both are numbers)
gi_delta() {
	case "$1" in '' | *[!0-9]*) echo '?'; return ;; esac
	case "$2" in '' | *[!0-9]*) echo '?'; return ;; esac
	echo $(($2 - $1))
}
# gi_con NAME: the console as console_wait last read it, without \r, in /tmp/gi.con
gi_con() { tr -d '\r' <"/tmp/con.$1" >/tmp/gi.con; }
# gi_ret: the result of the call v3ctl printed ("NAME(...) = RET ...") in $OUT
gi_ret() { sed -n 's/.*) = \(-\{0,1\}[0-9][0-9]*\).*/\1/p' "$OUT" | tail -n 1; }
# gi_json KEY [FILE]: KEY's value in the first JSON object of FILE ($OUT)
gi_json() { tr -d '\n' <"${2:-$OUT}" | sed -n "s/.*\"$1\": *\"\{0,1\}\([^,}\"]*\).*/\1/p" | head -n 1; }

# gi_bg OUT ERR CMD...: CMD in the background, bounded by the caller;
# gi_bg_end SECS: wait up to SECS for it to end by itself, else SIGTERM
# (then SIGKILL) it: its exit status in GI_RC, GI_KILLED 1 if it was
# stopped.  One at a time.
gi_bg() {
	gb_o=$1 gb_e=$2
	shift 2
	rm -f /tmp/gi.pid /tmp/gi.rc
	: >"$gb_o"
	: >"$gb_e"
	(
		"$@" >"$gb_o" 2>"$gb_e" </dev/null &
		echo $! >/tmp/gi.pid
		gb_rc=0
		wait $! || gb_rc=$?
		echo $gb_rc >/tmp/gi.rc
	) &
	GI_SUB=$!
	gb_i=0
	while [ ! -s /tmp/gi.pid ] && [ $gb_i -lt 50 ]; do sleep 0.1; gb_i=$((gb_i + 1)); done
}
gi_bg_end() {
	ge_i=0
	while [ ! -f /tmp/gi.rc ] && [ $ge_i -lt $(($1 * 5)) ]; do sleep 0.2; ge_i=$((ge_i + 1)); done
	GI_KILLED=0
	if [ ! -f /tmp/gi.rc ]; then
		GI_KILLED=1
		kill "$(cat /tmp/gi.pid)" 2>/dev/null
		ge_i=0
		while [ ! -f /tmp/gi.rc ] && [ $ge_i -lt 25 ]; do sleep 0.2; ge_i=$((ge_i + 1)); done
		[ -f /tmp/gi.rc ] || kill -9 "$(cat /tmp/gi.pid)" 2>/dev/null
	fi
	wait "$GI_SUB" 2>/dev/null
	GI_RC=$(cat /tmp/gi.rc 2>/dev/null || echo '?')
}
# gi_wait FILE PATTERN SECS: poll FILE for PATTERN while the background
# command runs (and once after it ended)
gi_wait() {
	gw_i=0
	while [ $gw_i -lt $(($3 * 5)) ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		[ -f /tmp/gi.rc ] && break
		sleep 0.2
		gw_i=$((gw_i + 1))
	done
	grep -q -- "$2" "$1" 2>/dev/null
}

# gi_trace_up NAME ARGS...: start v3ctl gears trace NAME ARGS in the
# background (out /tmp/gi.tr, err /tmp/gi.tre) and wait for its
# "# tracing" line; status 1 when it did not come up
gi_trace_up() {
	gt_n=$1
	shift
	gi_bg /tmp/gi.tr /tmp/gi.tre timeout -k 5 150 v3ctl gears trace "$gt_n" "$@"
	gi_wait /tmp/gi.tre '^# tracing' 60
}
# gi_ft_gone NAME: up to 20 s for GEARS' ftrace_ops to be unregistered
# after a trace's stop (sysfs ftrace_hook "none")
gi_ft_gone() {
	gf_i=0
	while [ $gf_i -lt 100 ]; do
		case $(gi_k "$1" ftrace_hook) in none*) return 0 ;; esac
		sleep 0.2
		gf_i=$((gf_i + 1))
	done
	return 1
}
# gi_ft_wait NAME: up to 20 s for the trace's hooks through the guest's
# ftrace to be made (sysfs ftrace_hook leaves "making")
gi_ft_wait() {
	gf_i=0
	while [ $gf_i -lt 100 ]; do
		case $(gi_k "$1" ftrace_hook) in making*) ;; *) return 0 ;; esac
		sleep 0.2
		gf_i=$((gf_i + 1))
	done
	return 1
}

# gi_res NAME STATUS DIAG... and gi_fail NAME DIAG...: result and fail
# for the guest under test ("gears $gl: NAME"), counted in GI_DONE: the
# names of GEARS_INJECT_NAMES, in their order
gi_res() { GI_DONE=$((GI_DONE + 1)); gr_n=$1; shift; result "gears $gl: $gr_n" "$@"; }
gi_fail() { GI_DONE=$((GI_DONE + 1)); gr_n=$1; shift; fail "gears $gl: $gr_n" "$@"; }
# gi_dead NAME: the guest stopped, or its kernel panicked (its console
# in /tmp/gi.con)
gi_dead() {
	timeout 10 v3ctl console "$1" 2>/dev/null | tr -d '\r' >/tmp/gi.con
	[ "$(info_field "$1" state)" != running ] || grep -q 'Kernel panic' /tmp/gi.con
}
# gi_rest NAME: once the guest died, its last words, and the tests not
# run yet fail at once
gi_rest() {
	echo "# gears $gl: the guest died: state $(info_field "$1" state): $(info_field "$1" detail); its console from the first complaint:"
	awk '/Oops|BUG:|int3:|general protection|Call Trace|RIP:|Kernel panic/ && !f { f = 1 } f' /tmp/gi.con |
		head -n 60 | sed 's/^/#   /'
	printf '%s\n' "$GEARS_INJECT_NAMES" | tail -n +$((GI_DONE + 1)) >/tmp/gi.names
	while IFS= read -r n; do
		fail "gears $gl: $n" "not run: the guest died before"
	done </tmp/gi.names
}

# gi_conwait NAME PATTERN SECS: console_wait, that gives up at once when
# the guest's kernel panicked; gi_type NAME LINE MARK SECS: gears_type
# with it
gi_conwait() {
	gc_i=0
	while [ $gc_i -lt $(($3 * 2)) ]; do
		timeout 10 v3ctl console "$1" >"/tmp/con.$1" 2>/dev/null
		grep -q "$2" "/tmp/con.$1" && return 0
		grep -q 'Kernel panic' "/tmp/con.$1" && return 1
		[ "$(info_field "$1" state)" = running ] || return 1
		sleep 0.5
		gc_i=$((gc_i + 1))
	done
	return 1
}
gi_type() {
	printf '%s\n' "$2" | timeout 15 v3ctl console "$1" --follow --timeout 2 >/dev/null 2>&1
	gi_conwait "$1" "$3" "$4"
}

gears_inject_tests() {
	gn=$1 gl="$2 vcpu" gv=$2
	if ! gears_inject_has; then
		printf '%s\n' "$GEARS_INJECT_NAMES" >/tmp/gi.names
		while IFS= read -r n; do
			pass "gears $gl: $n # SKIP no GEARS tracing and injection (module capability gears-inject, v3ctl gears trace)"
		done </tmp/gi.names
		return 0
	fi
	GI_DONE=0
	gi_t0=$(uptime_s)
	for c in trace_hooked trace_entries trace_returns trace_events trace_lost bp_foreign injections text_dirty; do
		eval "gi0_$c=\$(gi_k \"\$gn\" $c)"
	done
	# the guest's own view of the two handlers the traces hook
	gi_type "$gn" "kpeek __x64_sys_getpid __x64_sys_write | sed 's/^/GJP0-/'; echo GJ\$((1))P0-$gv" "GJ1P0-$gv" 60
	gi_con "$gn"
	sed -n 's/^GJP0-KPEEK //p' /tmp/gi.con >/tmp/gi.peek0

	# --- trace: gpidloop's 1000 getpid calls, counted exactly ---
	gi_dead "$gn" && { gi_rest "$gn"; return 1; }
	ev0=$(gi_k "$gn" trace_events) lo0=$(gi_k "$gn" trace_lost)
	en0=$(gi_k "$gn" trace_entries) re0=$(gi_k "$gn" trace_returns) sr0=$(gi_k "$gn" trace_stub_returns)
	if gi_trace_up "$gn" --comm gpidloop --syscalls getpid --count 1000 --json --duration 120; then
		# the hooks through the guest's ftrace (and the return stub) are
		# made at the next system call of any process: the shell's echo
		gi_type "$gn" "echo GJ\$((1))H-$gv" "GJ1H-$gv" 60
		gi_ft_wait "$gn"
		fh=$(gi_k "$gn" ftrace_hook)
		ex0=$(gi_exc "$gn")
		hk=$(gi_k "$gn" trace_hooked)
		# gpidloop waits 300 ms; kpeek first: the text as the guest sees it now
		gi_type "$gn" "kpeek __x64_sys_getpid | sed 's/^/GJPD-/'; gpidloop 1000 300; echo GJ\$((1))L-$gv" "GJ1L-$gv" 120
		gi_bg_end 30
		gi_con "$gn"
		gpid=$(sed -n 's/.*GPIDLOOP pid=\([0-9][0-9]*\) n=1000 ok.*/\1/p' /tmp/gi.con | tail -n 1)
		# every event: getpid by gpidloop, pid = tgid = the pid it printed = its result
		chk=$(awk -v p="${gpid:-none}" '
			function val(k,   s) {
				if (!match($0, "\"" k "\": *")) return "<none>"
				s = substr($0, RSTART + RLENGTH)
				if (substr(s, 1, 1) == "\"") { s = substr(s, 2); return substr(s, 1, index(s, "\"") - 1) }
				match(s, /^[-0-9a-zA-Z_.]*/)
				return substr(s, 1, RLENGTH)
			}
			/"syscall"/ { n++
				if (val("syscall") != "getpid" || val("ret") != p || val("pid") != p ||
				    val("tgid") != p || val("comm") != "gpidloop" || val("injected") != "false") {
					bad++; if (bad <= 2) eg = eg " [" substr($0, 1, 200) "]" } }
			END { printf "%d %d%s\n", n, bad, eg }' /tmp/gi.tr)
		nev=${chk%% *} rest=${chk#* } nbad=${rest%% *}
		dev=$(gi_delta "$ev0" "$(gi_k "$gn" trace_events)") dlo=$(gi_delta "$lo0" "$(gi_k "$gn" trace_lost)")
		echo "# gears $gl: trace of gpidloop (pid ${gpid:-?}): $nev events, v3ctl exit $GI_RC (stopped by the test: $GI_KILLED), hooked $hk while up, trace_events +$dev, trace_lost +$dlo"
		sed -n 's/^GJPD-KPEEK /#   guest text while tracing: /p' /tmp/gi.con | tail -n 1
		gi_res "trace --count 1000 of gpidloop's getpid calls: each one, its pid and result" \
			"$([ -n "$gpid" ] && [ "$nev" = 1000 ] && [ "$nbad" = 0 ] && [ "$GI_RC" = 0 ] && [ "$GI_KILLED" = 0 ] &&
			   [ "$hk" = 1 ] && { [ "$dev" = '?' ] || [ "$dev" = 1000 ]; } && { [ "$dlo" = '?' ] || [ "$dlo" = 0 ]; }; echo $?)" \
			"gpidloop pid '${gpid}' ($(grep -o 'GPIDLOOP.*' /tmp/gi.con | tail -n 1)); events $nev, $nbad not (getpid, that pid, that result): ${rest#* }" \
			"v3ctl exit $GI_RC, stopped by the test $GI_KILLED; hooked '$hk' while tracing; trace_events +$dev trace_lost +$dlo" \
			"stderr: $(head -n 3 /tmp/gi.tre)" "first: $(head -n 1 /tmp/gi.tr | head -c 300)" \
			"guest console: $(tail -n 4 /tmp/gi.con | tr '\n' '|')"
		# one exit a call: its entry; the result read from the stub's slot
		den=$(gi_delta "$en0" "$(gi_k "$gn" trace_entries)") dre=$(gi_delta "$re0" "$(gi_k "$gn" trace_returns)")
		dsr=$(gi_delta "$sr0" "$(gi_k "$gn" trace_stub_returns)") rs=$(gi_k "$gn" ret_stub)
		# the VM's own count once the hooks are made: the 1000 entries
		# (the callback's UD2 that the guest's ftrace calls), and a few
		# calls of others to the handler the making's steps returned to,
		# until the safe point after it removed that UD2
		dex=$(gi_delta "$ex0" "$(gi_exc "$gn")")
		echo "# gears $gl: exits: trace_entries +$den trace_returns +$dre (traps); trace_stub_returns +$dsr; VM exception exits +$dex; ret_stub $rs; ftrace_hook $fh"
		gi_res "a traced call costs one exit: the 1000 results came from GEARS' return stub in the guest" \
			"$([ "$nev" = 1000 ] && [ "$nbad" = 0 ] && [ "$den" = 1000 ] && [ "$dre" = 0 ] && [ "$dsr" = 1000 ] &&
			   [ "$dex" != '?' ] && [ "$dex" -ge 1000 ] && [ "$dex" -le 1005 ] &&
			   grep -q "through the guest's ftrace" /tmp/gi.tre && grep -q 'results from the return stub (1 exit a call)' /tmp/gi.tre &&
			   case $rs in 0x*) true ;; *) false ;; esac &&
			   case $fh in 'registered: 1 handlers'*) true ;; *) false ;; esac; echo $?)" \
			"events $nev ($nbad wrong); trace_entries +$den, trace_returns +$dre, trace_stub_returns +$dsr; VM exception exits +$dex (want 1000-1005); ret_stub '$rs'; ftrace_hook '$fh'" \
			"stderr: $(head -n 2 /tmp/gi.tre)"
	else
		gi_bg_end 5
		gi_fail "trace --count 1000 of gpidloop's getpid calls: each one, its pid and result" \
			"no '# tracing' from v3ctl gears trace (exit $GI_RC): $(head -n 3 /tmp/gi.tre)"
		gi_fail "a traced call costs one exit: the 1000 results came from GEARS' return stub in the guest" \
			"no trace"
	fi

	# --- trace: the shell's write of "MARK\n", decoded ---
	gi_dead "$gn" && { gi_rest "$gn"; return 1; }
	gi_name="trace decodes the shell's write(1, \"MARK\\n\", 5) = 5 with returns trapped (gears_ret_stub=0)"
	GI_STUBP=/sys/module/v3vmm/parameters/gears_ret_stub
	echo 0 >"$GI_STUBP" 2>/dev/null
	re0=$(gi_k "$gn" trace_returns)
	if gi_trace_up "$gn" --comm sh --syscalls write --duration 60; then
		echo 1 >"$GI_STUBP" 2>/dev/null
		gi_type "$gn" "echo MARK" "^MARK" 60
		gi_wait /tmp/gi.tr 'write(1, "MARK\\n", 5) = 5' 20
		# stopped by SIGTERM: v3ctl must unhook on its way out
		gi_bg_end 0
		dre=$(gi_delta "$re0" "$(gi_k "$gn" trace_returns)")
		gi_res "$gi_name" "$(grep -qF 'write(1, "MARK\n", 5) = 5' /tmp/gi.tr && [ "$dre" != '?' ] && [ "$dre" -ge 1 ] &&
				     grep -qF 'returns trapped (2 exits a call): no return stub (EPERM)' /tmp/gi.tre; echo $?)" \
			"$(wc -l </tmp/gi.tr) lines, exit $GI_RC: $(grep -F MARK /tmp/gi.tr | head -n 3); trace_returns +$dre" \
			"first: $(head -n 2 /tmp/gi.tr)" "stderr: $(head -n 3 /tmp/gi.tre)"
	else
		echo 1 >"$GI_STUBP" 2>/dev/null
		gi_bg_end 5
		gi_fail "$gi_name" "no '# tracing' from v3ctl gears trace (exit $GI_RC): $(head -n 3 /tmp/gi.tre)"
	fi

	# --- text: unhooked and restored once the tracers are gone ---
	gi_dead "$gn" && { gi_rest "$gn"; return 1; }
	sleep 1
	hk=$(gi_k "$gn" trace_hooked) td=$(gi_k "$gn" text_dirty)
	gi_type "$gn" "kpeek __x64_sys_getpid __x64_sys_write | sed 's/^/GJP1-/'; echo GJ\$((1))P1-$gv" "GJ1P1-$gv" 60
	gi_con "$gn"
	sed -n 's/^GJP1-KPEEK //p' /tmp/gi.con >/tmp/gi.peek1
	sed 's/^/#   guest text before: /' /tmp/gi.peek0
	sed 's/^/#   guest text after:  /' /tmp/gi.peek1
	peek=0 pwhy=
	if [ "$(grep -c ' [0-9a-f]\{32\}$' /tmp/gi.peek0)" = 2 ]; then
		cmp -s /tmp/gi.peek0 /tmp/gi.peek1 || { peek=1; pwhy="the guest's bytes differ after the traces"; }
	else
		echo "# gears $gl: the guest could not read its own text (kpeek: $(head -n 1 /tmp/gi.peek0)): sysfs only"
	fi
	gi_res "after the traces the handlers are unhooked and the guest's kernel text is restored" \
		"$([ "$hk" = 0 ] && [ "$td" = 0 ] && [ $peek = 0 ]; echo $?)" \
		"trace_hooked '$hk', text_dirty '$td' after the tracers ended; $pwhy"
	if [ "$hk" != 0 ]; then
		# a trace left running: stopped for the tests that follow
		run 30 v3ctl gears trace "$gn" --stop
		echo "# gears $gl: v3ctl gears trace --stop: exit $RC $(head -n 1 "$ERR"); hooked now $(gi_k "$gn" trace_hooked), text_dirty $(gi_k "$gn" text_dirty)"
	fi

	# --- syscall: injections into a running process ---
	gi_dead "$gn" && { gi_rest "$gn"; return 1; }
	gi_type "$gn" "{ heartbeat ${GEARS_HEARTBEAT_SECS:-20}; echo GJ\$((1))HBRC=\$?; } &" "HB [0-9][0-9]* 2" 60
	gi_con "$gn"
	hp=$(sed -n 's/.*HB \([0-9][0-9]*\) [0-9][0-9]*$/\1/p' /tmp/gi.con | head -n 1)
	if [ -n "$hp" ]; then
		run 60 v3ctl gears syscall "$gn" --pid "$hp" getpid
		r=$(gi_ret)
		gi_res "syscall getpid injected into a running process returns its pid" \
			"$([ "$RC" = 0 ] && [ "$r" = "$hp" ] && grep -q "^pid $hp comm heartbeat\$" "$OUT"; echo $?)" \
			"heartbeat pid $hp, result '$r'; exit $RC: $(head -n 2 "$OUT") $(head -n 2 "$ERR")"
		run 60 v3ctl gears syscall "$gn" --pid "$hp" write 1 's:INJECTED-HELLO\n' 15
		r=$(gi_ret) rc=$RC
		gi_conwait "$gn" "INJECTED-HELLO" 20
		gi_con "$gn"
		gi_res "syscall write injected into a running process prints on the guest console" \
			"$([ "$rc" = 0 ] && [ "$r" = 15 ] && grep -q 'INJECTED-HELLO$' /tmp/gi.con; echo $?)" \
			"result '$r'; exit $rc: $(head -n 2 "$OUT") $(head -n 2 "$ERR"); console: $(grep -c INJECTED-HELLO /tmp/gi.con) INJECTED-HELLO"
		gi_name="exec: a static PIE run in a child of the process prints its pid (the fork's result), its parent and its argument"
		if [ -f /lib/v3/gexec ]; then
			run 60 v3ctl gears exec "$gn" --pid "$hp" /lib/v3/gexec GX-ARG
			r=$(gi_ret) rc=$RC
			gi_conwait "$gn" "GEARS-EXEC pid=" 20
			gi_con "$gn"
			gi_res "$gi_name" \
				"$([ "$rc" = 0 ] && [ -n "$r" ] && [ "$r" -gt 0 ] &&
				   grep -q "GEARS-EXEC pid=$r ppid=$hp argc=2 argv1=GX-ARG" /tmp/gi.con; echo $?)" \
				"result '$r'; exit $rc: $(head -n 2 "$OUT") $(head -n 2 "$ERR"); console: $(grep 'GEARS-EXEC' /tmp/gi.con | head -n 2)"
		else
			gi_fail "$gi_name" "no /lib/v3/gexec in the initramfs (tests/harness/build.sh builds it)"
		fi
	else
		gi_fail "syscall getpid injected into a running process returns its pid" \
			"heartbeat did not start: $(tail -n 3 /tmp/gi.con)"
		gi_fail "syscall write injected into a running process prints on the guest console" "no heartbeat"
		gi_fail "exec: a static PIE run in a child of the process prints its pid (the fork's result), its parent and its argument" "no heartbeat"
	fi

	# --- kernel: a module loaded from outside, functions called ---
	gi_dead "$gn" && { gi_rest "$gn"; return 1; }
	gi_name="insmod v3gtest.ko answer=7 from outside: init_module returns 0, the guest lists it, its init ran"
	# right after the system calls, while heartbeat makes calls (the
	# injections run at any process's next one: the idle shell makes none)
	if [ -f /lib/v3/v3gtest.ko ]; then
		run 120 v3ctl gears insmod "$gn" /lib/v3/v3gtest.ko answer=7
		r=$(gi_ret) rc=$RC
		head -n 2 "$OUT" >/tmp/gi.ins
		head -n 2 "$ERR" >>/tmp/gi.ins
	fi
	run 60 v3ctl gears call "$gn" v3gtest_add 2 3
	r2=$(gi_ret)
	gi_res "call v3gtest_add(2, 3) in the injected module returns 12" \
		"$([ "$RC" = 0 ] && [ "$r2" = 12 ]; echo $?)" "result '$r2'; exit $RC: $(head -n 2 "$OUT") $(head -n 2 "$ERR")"
	run 60 v3ctl gears call "$gn" int_sqrt 1000000
	r2=$(gi_ret)
	gi_res "call int_sqrt(1000000) returns 1000" \
		"$([ "$RC" = 0 ] && [ "$r2" = 1000 ]; echo $?)" "result '$r2'; exit $RC: $(head -n 2 "$OUT") $(head -n 2 "$ERR")"
	if [ -f /lib/v3/v3gtest.ko ]; then
		gi_type "$gn" "grep '^v3gtest ' /proc/modules | sed 's/^/GJM-/'; dmesg | grep 'v3gtest:' | sed 's/^/GJD-/'; echo GJ\$((1))M-$gv" "GJ1M-$gv" 60
		gi_con "$gn"
		gi_res "$gi_name" \
			"$([ "$rc" = 0 ] && [ "$r" = 0 ] && grep -q '^GJM-v3gtest ' /tmp/gi.con &&
			   grep -q '^GJD-.*v3gtest: loaded, answer=7$' /tmp/gi.con; echo $?)" \
			"result '$r'; exit $rc: $(tr '\n' ' ' </tmp/gi.ins)" \
			"guest: $(grep '^GJ[MD]-' /tmp/gi.con | head -n 4 | tr '\n' ' ')"
	else
		gi_fail "$gi_name" "no /lib/v3/v3gtest.ko in the initramfs (tests/harness/build.sh builds it)"
	fi

	# --- the process after the injections: all its beats, exit 0 ---
	gi_dead "$gn" && { gi_rest "$gn"; return 1; }
	if [ -n "$hp" ]; then
		gi_conwait "$gn" "GJ1HBRC=" 60
		gi_con "$gn"
		beats=$(grep -o "HB $hp [0-9]*" /tmp/gi.con | sort -u | wc -l)
		after=$(sed -n '/INJECTED-HELLO/,$p' /tmp/gi.con | grep -c "HB $hp ")
		gi_res "the process goes on after the injections and exits 0" \
			"$(grep -q "HB-DONE $hp" /tmp/gi.con && grep -q 'GJ1HBRC=0' /tmp/gi.con && [ "$after" -gt 0 ]; echo $?)" \
			"$beats of $((${GEARS_HEARTBEAT_SECS:-20} * 10)) beats, $after after INJECTED-HELLO; $(grep -o "HB-DONE $hp" /tmp/gi.con | head -n 1); $(grep -o 'GJ1HBRC=[0-9]*' /tmp/gi.con | head -n 1)"
	else
		gi_fail "the process goes on after the injections and exits 0" "no heartbeat"
	fi

	# --- the end: unload, and the guest kernel's log ---
	gi_dead "$gn" && { gi_rest "$gn"; return 1; }
	gi_type "$gn" "rmmod v3gtest; r=\$?; echo GJX rmmod=\$r unloaded=\$(dmesg | grep -c 'v3gtest: unloaded') bad=\$(dmesg | grep -cE 'Oops|BUG:|general protection'); dmesg | grep -E 'Oops|BUG:|general protection' | head -n 5 | sed 's/^/GJB-/'; echo GJ\$((1))R-$gv" "GJ1R-$gv" 60
	gi_con "$gn"
	x=$(grep '^GJX rmmod=' /tmp/gi.con | tail -n 1)
	gi_res "the guest unloads the injected module (its exit runs)" \
		"$(echo "$x" | grep -q 'rmmod=0 unloaded=1 '; echo $?)" "guest: '$x'"
	gi_res "the guest kernel logged no Oops, BUG: or general protection" \
		"$(echo "$x" | grep -q ' bad=0$'; echo $?)" "guest: '$x'" "$(grep '^GJB-' /tmp/gi.con)"
	[ "${GEARS_FTRACE:-1}" = 1 ] && gi_ftrace_tests "$gn"
	for c in trace_hooked trace_entries trace_returns trace_events trace_lost bp_foreign injections text_dirty; do
		echo "#   sysfs gears/$c: $(gi_k "$gn" "$c") (was $(eval "echo \"\$gi0_$c\""))"
	done
	echo "# gears $gl: tracing and injection took $(awk -v a="$gi_t0" -v b="$(uptime_s)" 'BEGIN { printf "%.0f", b - a }') s"
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
			[ "${GEARS_FTRACE:-1}" = 1 ] && gears_inject_has && gears_ft_owned "$gx" "$last"
		else
			fail "gears: after a guest reboot the kernel is found again" \
				"the guest did not answer: $(tail -n 3 "/tmp/con.$gx")"
		fi
	fi
	vm_gone "$gx"
}

# gears_ft_owned NAME VCPUS: on a guest just rebooted, before GEARS' first
# trace of the boot (which builds the boot's table of handlers), the
# guest's kprobe on getpid: its fentry is ftrace's call when the table is
# built, so GEARS can hook it through ftrace only; the trace does, and the
# module's log says the table has such handlers
gears_ft_owned() {
	gl="$2 vcpu after reboot" gv="$2r" GI_DONE=0
	gi_name="the guest's kprobe on getpid placed before GEARS' first trace of the boot: GEARS hooks it through the guest's ftrace, both count every call, no warning"
	if gi_dead "$1"; then
		fail "gears $gl: $gi_name" "the guest died: state $(info_field "$1" state): $(info_field "$1" detail)"
		return 1
	fi
	dm=$(dmesg | wc -l)
	gi_ft_kprobe_first "$1" "$gi_name"
	tb=$(dmesg | tail -n +$((dm + 1)) | grep "$1: gears: .* can be hooked" | tail -n 1)
	echo "# gears $gl: ${tb:-no table built}"
	result "gears $gl: the boot's table has getpid as the guest's ftrace's (built after the kprobe)" \
		"$(echo "$tb" | grep -q '([1-9][0-9]* of them through the guest'"'"'s ftrace only'; echo $?)" "module log: '${tb:-none}'"
}

# --- a guest that is not well ---------------------------------------------------
# gears_robust_tests: a 2-vCPU guest is rebooted while requests run (the
# kernel found again, or refused, mid-boot), then panicked (sysrq c) and
# asked again: every request ends within its bound with an answer or a
# refusal, and the host stays up (the suite's dmesg check).
gears_robust_tests() {
	gears_inject_has || { pass "gears: requests on a rebooting or panicked guest # SKIP no gears-inject"; return 0; }
	linux_create gr 2
	run 10 v3ctl launch gr
	if ! console_wait gr "V3L2: ready" "$LINUX_BOOT_SECS"; then
		fail "gears: the robustness guest boots" "$(tail -n 3 /tmp/con.gr)"
		return 1
	fi
	# a trace stopped while traced calls block in the guest (the shell in
	# read, a loop in nanosleep and wait4): their return addresses are put
	# back before the INT3s go, so they return where they came from
	printf '(while :; do sleep 0.2; done) &\n' |
		timeout 10 v3ctl console gr --follow --timeout 1 >/dev/null 2>&1
	run 30 v3ctl gears trace gr --syscalls read,nanosleep,clock_nanosleep,wait4 --duration 2
	tc=$(grep -c ' = ' "$OUT") tr=$RC
	printf 'echo GR-ALIVE-$((6 * 7))\n' |
		timeout 10 v3ctl console gr --follow --timeout 1 >/dev/null 2>&1
	console_wait gr "GR-ALIVE-42" 30
	result "gears: a trace stopped while its calls block: the guest goes on, nothing stays hooked ($tc calls traced)" \
		"$([ "$tr" = 0 ] && grep -q '^GR-ALIVE-42' /tmp/con.gr && [ "$(gi_k gr text_dirty)" = 0 ] &&
		   [ "$(info_field gr state)" = running ]; echo $?)" \
		"trace exit $tr: $(head -c 200 "$ERR"); text_dirty $(gi_k gr text_dirty); state $(info_field gr state); $(tail -n 2 /tmp/con.gr | tr '\n' ' ')"
	printf 'echo GRBOOT-$((6 * 7)); reboot -f\n' |
		timeout 10 v3ctl console gr --follow --timeout 1 >/dev/null 2>&1
	gr_why= n=0
	# requests while it reboots: each must end in its bound
	while [ $n -lt 12 ]; do
		n=$((n + 1))
		run 30 v3ctl gears call gr int_sqrt 1000000 --timeout 2
		[ "$RC" -ge 124 ] && gr_why="$gr_why call $n: exit $RC;"
		run 30 v3ctl gears trace gr --syscalls getpid,write --duration 1
		[ "$RC" -ge 124 ] && gr_why="$gr_why trace $n: exit $RC;"
	done
	n=0
	while [ $n -lt "$LINUX_BOOT_SECS" ]; do
		timeout 10 v3ctl console gr 2>/dev/null | tr -d '\r' | sed -n '/^GRBOOT-42/,$p' >/tmp/gr.con
		grep -q "V3L2: ready" /tmp/gr.con && break
		sleep 1; n=$((n + 1))
	done
	grep -q "V3L2: ready" /tmp/gr.con ||
		gr_why="$gr_why no second boot: $(tail -n 2 /tmp/gr.con | tr '\n' ' ');"
	# a process that makes system calls (the idle shell makes none)
	printf '(while :; do sleep 0.2; done) &\n' |
		timeout 10 v3ctl console gr --follow --timeout 1 >/dev/null 2>&1
	run 30 v3ctl gears call gr int_sqrt 1000000 --timeout 5
	result "gears: requests on a rebooting guest end in their bounds; after the boot int_sqrt(1000000) = 1000" \
		"$([ -z "$gr_why" ] && [ "$(gi_ret)" = 1000 ]; echo $?)" "$gr_why last: exit $RC $(head -c 200 "$OUT") $(head -c 200 "$ERR")"
	printf 'echo c >/proc/sysrq-trigger\n' |
		timeout 10 v3ctl console gr --follow --timeout 1 >/dev/null 2>&1
	console_wait gr "Kernel panic" 60 || true
	run 30 v3ctl gears call gr int_sqrt 1000000 --timeout 2
	c1=$RC
	run 30 v3ctl gears trace gr --syscalls getpid --duration 1
	c2=$RC
	run 30 v3ctl gears ps gr
	c3=$RC
	result "gears: requests on a panicked guest end (call $c1, trace $c2, ps $c3) and the host stays up" \
		"$([ "$c1" -lt 124 ] && [ "$c2" -lt 124 ] && [ "$c3" -lt 124 ]; echo $?)" "$(head -c 200 "$ERR")"
	k=/sys/kernel/v3vmm/vms/gr/gears
	result "gears: nothing left hooked in the panicked guest (text_dirty $(gi_k gr text_dirty))" \
		"$([ "$(gi_k gr text_dirty)" = 0 ]; echo $?)" "trace_hooked $(gi_k gr trace_hooked)"
	vm_gone gr
}
