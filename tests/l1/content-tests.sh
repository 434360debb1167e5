#!/bin/sh
# Memory content tracking (issue #14, module/adapt/content.c), sourced by
# svm-suite.sh (section content) and content-suite.sh.  Two VMs run the
# contentfill guest (tests/guests/contentfill.c) with different seeds:
# zero pages, pages common to both, duplicates within each, unique pages.
# The module's counts, per VM and for the node, must equal those of
# tests/host/content_census, which reads the same RAM through
# V3_IOC_MEM_READ and counts with a hash and code of its own.  A guest
# that rewrites pages after a pass shows them changed in the next.
#   CT_MIB  each VM's RAM in MiB (default 16)

CT=/sys/kernel/v3vmm/content
CTV=/sys/kernel/v3vmm/vms

# ct_get VM|node KEY: the module's count (sysfs)
ct_get() {
	if [ "$1" = node ]; then cat "$CT/$2" 2>/dev/null; else cat "$CTV/$1/content/$2" 2>/dev/null; fi
}
# ct_census VM|node KEY: from the census output in /tmp/census
ct_census() {
	if [ "$1" = node ]; then w="node"; else w="vm $1"; fi
	grep "^$w " /tmp/census | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# ct_compare: every figure of ca, cb and the node against the census;
# prints what differs (nothing: all equal)
ct_compare() {
	for w in ca cb node; do
		for pair in pages_hashed:pages pages_distinct:distinct pages_zero:zero \
			pages_shared:shared pages_sharing:sharing pages_unique:unique \
			pages_shared_other:shared_other; do
			m=$(ct_get $w "${pair%%:*}") c=$(ct_census $w "${pair#*:}")
			[ -n "$m" ] && [ "$m" = "$c" ] || printf '%s %s module %s census %s; ' "$w" "${pair%%:*}" "${m:-?}" "${c:-?}"
		done
	done
}
# ct_settled SECS PASSES: each VM made PASSES more full passes than at the
# call, and no page is volatile
ct_settled() {
	a0=$(ct_get ca full_scans) b0=$(ct_get cb full_scans)
	i=0
	while [ $i -lt $(($1 * 5)) ]; do
		[ "$(ct_get ca full_scans)" -ge $((a0 + $2)) ] && [ "$(ct_get cb full_scans)" -ge $((b0 + $2)) ] &&
			[ "$(ct_get node pages_volatile)" = 0 ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
ct_show() {
	for w in ca cb; do
		echo "# content $w: $(timeout 10 v3ctl content $w --json 2>&1)"
	done
	echo "# content node: $(timeout 10 v3ctl content --json 2>&1)"
	sed 's/^/# census: /' /tmp/census
}

content_tests() {
	name="content: per-VM and node counts equal a census of the VMs' RAM"
	mib=${CT_MIB:-16}
	if [ ! -d "$CT" ]; then
		for n in "$name" "content: a rewrite after a pass" "content: dump" "content: disable" "content: refusals"; do
			pass "$n # SKIP the module has no content tracking"
		done
		return 0
	fi
	need_guest "$name" contentfill.elf || return 0
	args="zero=64 common=64 dup=16 copies=4 uniq=64 rewrite=8"
	for v in ca:1 cb:2; do
		run 20 v3ctl create "${v%%:*}" --mem "${mib}M" --kernel "$GUESTS/contentfill.elf" --cmdline "$args seed=${v#*:}"
		run 10 v3ctl launch "${v%%:*}"
	done
	why=
	for v in ca cb; do
		console_wait $v "contentfill: filled" 60 || why="$why $v did not fill: $(tail -n 2 /tmp/con.$v | tr '\n' ' ')"
	done
	run 10 v3ctl content enable ca
	[ "$RC" = 0 ] || why="$why enable ca: rc $RC $(cat "$ERR")"
	run 10 v3ctl content enable cb
	echo 1000 >$CT/pages_to_scan && echo 10 >$CT/sleep_millisecs && echo 1 >$CT/run || why="$why knobs refused"
	# a pass may have begun before the fill ended: three more, all still
	[ -n "$why" ] || ct_settled 120 3 || why="not settled in 120 s: full_scans $(ct_get ca full_scans) $(ct_get cb full_scans), volatile $(ct_get node pages_volatile)"
	/tests/content_census ca "$mib" cb "$mib" >/tmp/census 2>&1
	ct_show
	[ -n "$why" ] || why=$(ct_compare)
	# and what the guests wrote: 64 common pages in both VMs, 16 contents
	# 4 times in each, the zero page shared
	[ -n "$why" ] || { [ "$(ct_get ca pages_shared_other)" -ge 128 ] && [ "$(ct_get ca pages_shared)" -ge 17 ] &&
		[ "$(ct_get ca pages)" = $((mib * 256)) ]; } ||
		why=${why:-"ca: shared_other $(ct_get ca pages_shared_other) (want >= 128), shared $(ct_get ca pages_shared) (>= 17), pages $(ct_get ca pages)"}
	# v3ctl reads the same through the ioctl
	j=$(timeout 10 v3ctl content ca --json 2>/dev/null | tr -d ' ' | sed -n 's/.*"pages_distinct":\([0-9]*\).*/\1/p')
	[ -n "$why" ] || [ "$j" = "$(ct_get ca pages_distinct)" ] || why="v3ctl content ca --json: pages_distinct '$j', sysfs $(ct_get ca pages_distinct)"
	result "$name (ca: $(ct_get ca pages_distinct) distinct, $(ct_get ca pages_shared_other) shared with cb; node: $(ct_get node pages_distinct) distinct of $(ct_get node pages_hashed))" \
		"$([ -z "$why" ]; echo $?)" "$why"

	name="content: a rewrite after a pass: 8 pages seen changed in the next, counts settle to the census again"
	c0=$(ct_get ca pages_changed)
	printf 'w' | timeout 10 v3ctl console ca --follow --timeout 2 >/dev/null 2>&1
	why=
	console_wait ca "contentfill: rewrote 8" 30 || why="the guest did not rewrite"
	[ -n "$why" ] || ct_settled 120 3 || why="not settled in 120 s"
	c1=$(ct_get ca pages_changed)
	d=$((c1 - c0))
	/tests/content_census ca "$mib" cb "$mib" >/tmp/census 2>&1
	# the 8 pages, and maybe the guest's stack page (its call frames)
	[ -n "$why" ] || { [ "$d" -ge 8 ] && [ "$d" -le 10 ]; } || why="pages_changed went $c0 -> $c1"
	[ -n "$why" ] || why=$(ct_compare)
	result "$name ($d changes seen)" "$([ -z "$why" ]; echo $?)" "$why"

	name="content: dump: VM and node tables in the documented format, sizes match the counts"
	why=
	run 20 v3ctl content dump ca -o /tmp/ca.dump
	[ "$RC" = 0 ] || why="dump ca: rc $RC $(cat "$ERR")"
	run 20 v3ctl content dump --all -o /tmp/node.dump
	[ -n "$why" ] || [ "$RC" = 0 ] || why="dump --all: rc $RC $(cat "$ERR")"
	sa=$(wc -c </tmp/ca.dump 2>/dev/null) sn=$(wc -c </tmp/node.dump 2>/dev/null)
	[ -n "$why" ] || { [ "$sa" = $((144 + 16 * $(ct_get ca pages_distinct))) ] &&
		[ "$sn" = $((144 + 16 * $(ct_get node pages_distinct))) ]; } ||
		why="sizes $sa and $sn for $(ct_get ca pages_distinct) and $(ct_get node pages_distinct) contents"
	[ -n "$why" ] || [ "$(head -c 8 /tmp/ca.dump)" = V3CONTNT ] || why="magic '$(head -c 8 /tmp/ca.dump)'"
	so=$(timeout 10 v3ctl content dump ca -o - 2>/dev/null | wc -c)
	[ -n "$why" ] || [ "$so" = "$sa" ] || why="-o - gave $so bytes, the file $sa"
	result "$name" "$([ -z "$why" ]; echo $?)" "$why"

	name="content: disable cb: the node keeps ca's pages alone"
	run 10 v3ctl content disable cb
	why=
	[ "$RC" = 0 ] || why="disable: rc $RC $(cat "$ERR")"
	[ -n "$why" ] || { [ "$(ct_get node pages_hashed)" = "$(ct_get ca pages_hashed)" ] &&
		[ "$(ct_get node pages_shared_other)" = 0 ] && [ "$(ct_get cb pages_hashed)" = 0 ] &&
		timeout 10 v3ctl content --json 2>/dev/null | tr -d ' ' | grep -q '"enabled":1,'; } ||
		why="node hashed $(ct_get node pages_hashed) (ca $(ct_get ca pages_hashed)), shared_other $(ct_get node pages_shared_other), cb $(ct_get cb pages_hashed)"
	result "$name" "$([ -z "$why" ]; echo $?)" "$why"

	name="content: refusals: no such VM, run 2, pages_to_scan 0, a VM name in dump and --all"
	why=
	run 10 v3ctl content enable nosuchvm
	failed_cleanly || why="enable nosuchvm: rc $RC"
	run 10 v3ctl content nosuchvm
	[ -n "$why" ] || failed_cleanly || why="content nosuchvm: rc $RC"
	! echo 2 >$CT/run 2>/dev/null || why="$why; run=2 accepted"
	! echo 0 >$CT/pages_to_scan 2>/dev/null || why="$why; pages_to_scan=0 accepted"
	run 10 v3ctl content dump ca --all -o /tmp/x.dump
	[ "$RC" = 2 ] || why="$why; dump ca --all: rc $RC"
	result "$name" "$([ -z "$why" ]; echo $?)" "$why"

	content_memcg_test
	ns=$(ct_get node scan_ns) np=$(ct_get node pages_scanned)
	echo "# content: scanner $np pages in $ns ns ($((ns / (np + 1))) ns a page on this emulated host)"
	echo 0 >$CT/run
	echo 100 >$CT/pages_to_scan
	echo 20 >$CT/sleep_millisecs
	vm_gone ca
	vm_gone cb
}

# A VM's tables (the per-page hashes and states from "enable", the table
# the scanner grows) are charged to the memory cgroup of the VM's creator,
# though the scanner is a kernel worker in no cgroup; "disable" uncharges
# them.  memory.current moves in per-CPU batches of up to 64 pages
# (MEMCG_CHARGE_BATCH): the bounds allow 512 KiB of that.
content_memcg_test() {
	name="content: a VM's tables are charged to its creator's memory cgroup, disable uncharges them"
	cg=/sys/fs/cgroup
	[ -f $cg/cgroup.controllers ] || mount -t cgroup2 none $cg 2>/dev/null
	if ! grep -qw memory $cg/cgroup.controllers 2>/dev/null; then
		pass "$name # SKIP no cgroup2 memory controller"
		return 0
	fi
	echo +memory >$cg/cgroup.subtree_control
	mkdir -p $cg/v3ct
	run 20 sh -c "echo \$\$ >$cg/v3ct/cgroup.procs && exec v3ctl create cc --mem 128M --kernel $GUESTS/contentfill.elf --cmdline 'uniq=16384 seed=3'"
	run 10 v3ctl launch cc
	why=
	console_wait cc "contentfill: filled" 120 || why="cc did not fill: $(tail -n 2 /tmp/con.cc | tr '\n' ' ')"
	m0=$(cat $cg/v3ct/memory.current)
	run 10 v3ctl content enable cc
	f0=$(ct_get cc full_scans) i=0
	while [ $i -lt 600 ] && [ "$(ct_get cc full_scans)" -lt $((f0 + 2)) ]; do sleep 0.2; i=$((i + 1)); done
	m1=$(cat $cg/v3ct/memory.current)
	dist=$(ct_get cc pages_distinct) pages=$(ct_get cc pages)
	# content_table.c: 16-byte slots, a power of two at most 3/4 full;
	# 8 bytes of hash and 1 of state a page
	cap=64
	while [ $((cap * 3)) -lt $((dist * 4)) ]; do cap=$((cap * 2)); done
	want=$((cap * 16 + pages * 9)) d=$((m1 - m0))
	[ -n "$why" ] || [ "$(ct_get cc full_scans)" -ge $((f0 + 2)) ] || why="no two passes in 120 s"
	[ -n "$why" ] || { [ "$d" -ge $((want - (512 << 10))) ] && [ "$d" -le $((want * 2 + (512 << 10))) ]; } ||
		why="memory.current +$d bytes; the tables take $want (cap $cap for $dist contents, $pages pages)"
	run 10 v3ctl content disable cc
	m2=$(cat $cg/v3ct/memory.current)
	[ -n "$why" ] || [ $((m2 - m0)) -le $((want / 2 + (256 << 10))) ] || why="disable left +$((m2 - m0)) bytes of $want"
	result "$name (+$((d >> 10)) KiB for $((want >> 10)) KiB of tables)" "$([ -z "$why" ]; echo $?)" "$why"
	vm_gone cc
	rmdir $cg/v3ct 2>/dev/null
	return 0
}
