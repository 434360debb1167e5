#!/bin/sh
# The two-node test (issue #14): v3share across two emulated hosts joined
# by a virtual Ethernet (tests/harness/boot-twonode.sh: QEMU's socket
# netdev over the build machine's 127.0.0.1; inside, 10.33.0.1 is node A
# and 10.33.0.2 node B).  Sourced by twonodea-suite.sh and
# twonodeb-suite.sh (TN_ROLE a or b).  Needs the second initramfs of
# tests/harness/mktwonode.sh (e1000.ko, Open MPI, v3share, brute, jq, the
# test-only remote launcher /tests/rsh and /tests/rexecd); without it every
# test is a SKIP.
#
# Each node runs two contentfill guests (tests/guests/contentfill.c),
# ca with seed 1 on both nodes (its duplicate and unique pages exist on
# both) and cb with seed 2 on A, 3 on B (on one node only); the common
# pages are in all four VMs.  Once the scanner has settled, B serves
# /tests/rexecd on port TN_PORT and says "ok" in /tmp/tn/ready; A then
#   - takes both nodes' tables (v3ctl content dump --all; B's through the
#     service), runs mpirun -np 2 v3share --json --held-elsewhere across
#     both nodes (orted on B started by /tests/rsh), takes the tables
#     again (unchanged: v3share saw the dumps' tables), and compares every
#     machine-wide and per-node figure with tests/share/brute on the
#     dumps, the held-elsewhere files too, and the figures with what the
#     guests' parameters imply and with each node's module;
#   - runs v3share --rounds 2 --interval TN_INTERVAL while ca rewrites 8
#     pages after round 1: round 2 sends fewer bytes;
#   - writes /tmp/tn/done on B, which waits for it (TN_WAIT seconds) and
#     then ends.
# Every wait has a bound.  Results are TAP on each node's console (A's
# are the test's; B's say how its part went).

TN_NET=10.33.0
TN_PORT=7000
TN_DIR=/tmp/tn
TN_MIB=16
TN_ARGS="zero=64 common=64 dup=16 copies=4 uniq=64 rewrite=8"
# what TN_ARGS puts in each VM: Z zero, C common, D contents K times, U unique
TN_Z=64 TN_C=64 TN_D=16 TN_K=4 TN_U=64
: "${TN_WAIT:=420}"	# B: how long it waits for A after it is ready
: "${TN_READY_WAIT:=300}"	# A: how long it waits for B to be ready
: "${TN_INTERVAL:=2}"	# the rounds test's --interval
TN_B=$TN_NET.2
export TN_REXEC_PORT=$TN_PORT

# mpirun across the two nodes: one rank each, orted on B through the
# test-only launcher, every Open MPI socket on the private link
TN_MPIRUN="mpirun --allow-run-as-root -np 2 --host $TN_NET.1,$TN_NET.2
	--mca plm_rsh_agent /tests/rsh --mca plm_rsh_no_tree_spawn 1
	--mca oob_tcp_if_include $TN_NET.0/24 --mca btl_tcp_if_include $TN_NET.0/24
	--mca btl self,tcp --mca pml ob1 --mca odls_base_sigkill_timeout 0"

tn_rsh() { timeout -k 5 "${TN_RSH_SECS:-30}" /tests/rsh "$TN_B" "$@"; }

# tn_have: the second initramfs is there (else $TN_NOT says why)
tn_have() {
	TN_NOT=
	for f in /v3/net/e1000.ko /usr/bin/orterun /usr/bin/orted /tests/v3share /tests/brute \
		/usr/bin/jq /tests/rsh /tests/rexecd; do
		[ -e "$f" ] || { TN_NOT="no $f: booted without build/twonode.cpio.gz (Open MPI not installed on the build machine?)"; return 1; }
	done
}

# tn_net_up LAST-BYTE: e1000, lo, the private address, the host's name
tn_net_up() {
	why='' dev=''
	run 30 "$INSMOD" /v3/net/e1000.ko
	[ "$RC" = 0 ] || why="insmod e1000.ko: rc $RC $(head -c 200 "$ERR")"
	i=0
	while [ -z "$why" ] && [ $i -lt 50 ]; do
		for d in /sys/class/net/*; do [ "${d##*/}" = lo ] || dev="$dev ${d##*/}"; done
		[ -n "$dev" ] && break
		sleep 0.2
		i=$((i + 1))
	done
	# one NIC, the virtual link's (no other network reaches this host)
	[ -n "$why" ] || [ -n "$dev" ] || why="no interface 10 s after insmod e1000"
	[ -n "$why" ] || [ "$(echo "$dev" | wc -w)" = 1 ] || why="interfaces:$dev (want one)"
	dev=${dev# }
	ip link set lo up
	hostname "node$TN_ROLE"
	[ -n "$why" ] || { ip addr add "$TN_NET.$1/24" dev "$dev" && ip link set "$dev" up; } ||
		why="ip addr/link on $dev failed"
	i=0
	while [ -z "$why" ] && [ "$(cat "/sys/class/net/$dev/operstate" 2>/dev/null)" != up ]; do
		[ $i -lt 100 ] || { why="$dev not up after 20 s: $(cat "/sys/class/net/$dev/operstate")"; break; }
		sleep 0.2
		i=$((i + 1))
	done
	result "twonode $TN_ROLE: network: e1000 $dev up as $TN_NET.$1/24, host name node$TN_ROLE" \
		"$([ -z "$why" ]; echo $?)" "$why"
	TN_NET_OK=$([ -z "$why" ]; echo $?)
}

# tn_vms CB-SEED: ca (seed 1) and cb filled, tracked, the scanner settled
# (every VM 3 more full passes, nothing volatile); $TN_VMS_WHY says why not
tn_vms() {
	why=
	for v in ca:1 cb:$1; do
		run 20 v3ctl create "${v%%:*}" --mem "${TN_MIB}M" --kernel "$GUESTS/contentfill.elf" \
			--cmdline "$TN_ARGS seed=${v#*:}"
		[ "$RC" = 0 ] || why="$why create ${v%%:*}: rc $RC $(head -c 200 "$ERR")"
		run 10 v3ctl launch "${v%%:*}"
		[ "$RC" = 0 ] || why="$why launch ${v%%:*}: rc $RC"
	done
	for v in ca cb; do
		[ -n "$why" ] || console_wait $v "contentfill: filled" 90 ||
			why="$why $v did not fill: $(tail -n 2 /tmp/con.$v | tr '\n' ' ')"
	done
	for v in ca cb; do
		[ -n "$why" ] || { run 10 v3ctl content enable $v; [ "$RC" = 0 ] || why="enable $v: rc $RC $(cat "$ERR")"; }
	done
	[ -n "$why" ] || { echo 1000 >"$CT/pages_to_scan" && echo 10 >"$CT/sleep_millisecs" && echo 1 >"$CT/run"; } ||
		why="content knobs refused"
	[ -n "$why" ] || ct_settled 180 3 ||
		why="not settled in 180 s: full_scans $(ct_get ca full_scans) $(ct_get cb full_scans), volatile $(ct_get node pages_volatile)"
	TN_VMS_WHY=$why
	result "twonode $TN_ROLE: ca (seed 1) and cb (seed $1) filled, tracked, settled (node: $(ct_get node pages_hashed) pages, $(ct_get node pages_distinct) distinct)" \
		"$([ -z "$why" ]; echo $?)" "$why"
}

tn_end_vms() {
	echo 0 >"$CT/run" 2>/dev/null
	vm_gone ca
	vm_gone cb
}

# --- node B ------------------------------------------------------------------
twonode_b() {
	mkdir -p $TN_DIR
	tn_net_up 2
	: >/tmp/rexecd.log
	nc -ll -p $TN_PORT -e /tests/rexecd </dev/null >/dev/null 2>&1 &
	tn_nc=$!
	sleep 0.5
	result "twonode b: remote-exec service (nc -ll -p $TN_PORT -e /tests/rexecd) running" \
		"$(kill -0 $tn_nc 2>/dev/null; echo $?)" "nc exited"
	tn_vms 3
	if [ "$TN_NET_OK" = 0 ] && [ -z "$TN_VMS_WHY" ]; then echo ok >$TN_DIR/ready.new; else
		echo "fail: ${TN_VMS_WHY:-network}" >$TN_DIR/ready.new; fi
	mv $TN_DIR/ready.new $TN_DIR/ready
	# A runs the test: wait for its "done" (bounded), then end
	i=0
	while [ ! -s $TN_DIR/done ] && [ $i -lt $((TN_WAIT * 2)) ]; do
		sleep 0.5
		i=$((i + 1))
	done
	result "twonode b: node A finished within ${TN_WAIT}s ($(cat $TN_DIR/done 2>/dev/null))" \
		"$([ -s $TN_DIR/done ]; echo $?)" "no /tmp/tn/done from A"
	kill $tn_nc 2>/dev/null
	echo "# rexecd: $(grep -c ': exit' /tmp/rexecd.log) commands; its log (stderr of the commands):"
	cut -c 1-240 /tmp/rexecd.log | tail -n 60 | sed 's/^/# rexecd: /'
	tn_end_vms
}

# --- node A ------------------------------------------------------------------
# tn_j FILE FILTER: one value of a JSON file
tn_j() { jq -r "$2" "$1" 2>/dev/null; }

# the figures of round R of v3share's JSON, as brute prints them
# (tests/share/run.sh's filter)
tn_figures() { # json round
	jq -S --argjson r "$2" '.rounds[$r - 1]
		| del(.round, .time_s, .exchange_s, .sent_bytes, .held_bytes)
		| .nodes |= map(del(.sent_bytes, .held_bytes))' "$1"
}

# tn_dumps SUFFIX: both nodes' tables into $TN_DIR/nodeR.dumpSUFFIX; why
tn_dumps() {
	why=
	run 30 v3ctl content dump --all -o "$TN_DIR/node0.dump$1"
	[ "$RC" = 0 ] || why="dump on A: rc $RC $(head -c 200 "$ERR")"
	TN_RSH_SECS=60 tn_rsh v3ctl content dump --all -o - >"$TN_DIR/node1.dump$1" 2>/dev/null ||
		why="$why dump on B through /tests/rsh failed"
	for r in 0 1; do
		f=$TN_DIR/node$r.dump$1
		n=$(od -An -tu8 -j 32 -N 8 "$f" 2>/dev/null | tr -d ' ')
		[ "$(head -c 8 "$f" 2>/dev/null)" = V3CONTNT ] && [ -n "$n" ] &&
			[ "$(wc -c <"$f")" = $((144 + 16 * n)) ] ||
			why="$why node$r's dump: $(wc -c <"$f" 2>/dev/null) bytes, magic '$(head -c 8 "$f" 2>/dev/null)', count '$n'"
	done
}

# tn_same_tables: the dumps taken before and after hold the same entries
tn_same_tables() {
	for r in 0 1; do
		tail -c +145 "$TN_DIR/node$r.dump" >/tmp/tn.e1
		tail -c +145 "$TN_DIR/node$r.dump2" >/tmp/tn.e2
		cmp -s /tmp/tn.e1 /tmp/tn.e2 || { echo "node$r's table changed during the run"; return 1; }
	done
}

twonode_a() {
	mkdir -p $TN_DIR
	tn_net_up 1
	why=
	i=0
	until ping -c 1 -W 1 "$TN_B" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 60 ] || { why="no answer in 60 tries"; break; }
		sleep 1
	done
	result "twonode a: node B ($TN_B) answers ping over the virtual link" "$([ -z "$why" ]; echo $?)" "$why"
	tn_vms 2
	a_ok=$([ -z "$TN_VMS_WHY" ] && [ "$TN_NET_OK" = 0 ]; echo $?)

	# B's service and VMs
	t0=$(date +%s) ready=
	while [ "$TN_NET_OK" = 0 ] && [ $(($(date +%s) - t0)) -lt "$TN_READY_WAIT" ]; do
		ready=$(TN_RSH_SECS=15 tn_rsh cat $TN_DIR/ready 2>/dev/null)
		[ -n "$ready" ] && break
		sleep 2
	done
	result "twonode a: node B's remote-exec service answers, B's VMs settled (B said '${ready:-nothing}' after $(($(date +%s) - t0)) s)" \
		"$([ "$ready" = ok ]; echo $?)" "B: '${ready:-no answer within ${TN_READY_WAIT}s}'"
	both_ok=$([ "$a_ok" = 0 ] && [ "$ready" = ok ]; echo $?)

	# --- one round, every figure against brute force ---
	name="twonode: both nodes' tables (v3ctl content dump --all; B's through /tests/rsh)"
	why="not run: the nodes are not ready"
	[ "$both_ok" != 0 ] || tn_dumps ""
	result "$name ($(od -An -tu8 -j 32 -N 8 $TN_DIR/node0.dump 2>/dev/null | tr -d ' ') and $(od -An -tu8 -j 32 -N 8 $TN_DIR/node1.dump 2>/dev/null | tr -d ' ') contents)" \
		"$([ -z "$why" ]; echo $?)" "$why"
	dumps_ok=$([ -z "$why" ]; echo $?)

	J=$TN_DIR/share.json
	name="twonode: mpirun -np 2 across nodea and nodeb: v3share --json --held-elsewhere from the modules"
	why="not run: no tables"
	st=
	if [ "$dumps_ok" = 0 ]; then
		why=
		t1=$(date +%s)
		# shellcheck disable=SC2086
		timeout -k 5 240 $TN_MPIRUN /tests/v3share --json --held-elsewhere $TN_DIR/held \
			>$J 2>$TN_DIR/share.err </dev/null
		st=$?
		t2=$(date +%s)
		[ "$st" = 0 ] || why="mpirun exited $st"
		[ -n "$why" ] || [ "$(tn_j $J '.ranks')" = 2 ] || why="ranks '$(tn_j $J '.ranks')'"
		[ -n "$why" ] || [ "$(tn_j $J '[.rounds[0].nodes[].node] | join(",")')" = nodea,nodeb ] ||
			why="nodes '$(tn_j $J '[.rounds[0].nodes[].node] | join(",")')'"
		[ -n "$why" ] || { tn_dumps 2; [ -z "$why" ] && why=$(tn_same_tables); }
	fi
	result "$name (exit ${st:-?}, $((${t2:-0} - ${t1:-0})) s)" "$([ -z "$why" ]; echo $?)" "$why"
	[ -z "$why" ] || { diag_file "mpirun stderr" $TN_DIR/share.err 20; diag_file "mpirun stdout" $J 10; }
	share_ok=$([ -z "$why" ]; echo $?)
	[ "$share_ok" != 0 ] || {
		tn_j $J '.rounds[0] | "machine: \(.machine | to_entries | map("\(.key) \(.value)") | join(", "))"' | sed 's/^/# /'
		tn_j $J '.rounds[0].nodes[] | "node \(.rank) \(.node): pages \(.pages), distinct \(.distinct), zero \(.zero), within \(.shared_within), elsewhere \(.held_elsewhere) pages / \(.held_elsewhere_contents) contents (\(.held_elsewhere_pct)%), records \(.records), sent \(.sent_bytes) B"' | sed 's/^/# /'
		echo "# round: $(tn_j $J '.rounds[0].time_s') s (exchange $(tn_j $J '.rounds[0].exchange_s') s)"
	}

	name="twonode: every machine-wide and per-node figure equals tests/share/brute on the two dumps"
	why="not run: no v3share output"
	if [ "$share_ok" = 0 ]; then
		why=
		mkdir -p $TN_DIR/held-brute
		/tests/brute --nodes 2 --dump "$TN_DIR/node%r.dump" --round 1 --held $TN_DIR/held-brute \
			>$TN_DIR/brute.raw 2>$TN_DIR/brute.err || why="brute failed: $(head -c 200 $TN_DIR/brute.err)"
		[ -n "$why" ] || { jq -S . $TN_DIR/brute.raw >$TN_DIR/brute.fig && tn_figures $J 1 >$TN_DIR/share.fig; } ||
			why="jq failed"
		[ -n "$why" ] || diff $TN_DIR/brute.fig $TN_DIR/share.fig >$TN_DIR/fig.diff || why="they differ (brute <, v3share >)"
		nfig=$(jq '[.. | numbers] | length' $TN_DIR/share.fig 2>/dev/null)
	fi
	result "$name (${nfig:-0} numbers; pages $(tn_j $J '.rounds[0].machine.pages'), distinct $(tn_j $J '.rounds[0].machine.distinct'), on both nodes $(tn_j $J '.rounds[0].machine.distinct_multi_node') contents / $(tn_j $J '.rounds[0].machine.shared_across') pages, unique $(tn_j $J '.rounds[0].machine.unique'), within one node only $(tn_j $J '.rounds[0].machine.shared_within_only'), duplicate $(tn_j $J '.rounds[0].machine.duplicate'))" \
		"$([ -z "$why" ]; echo $?)" "$why"
	[ ! -s $TN_DIR/fig.diff ] || diag_file "diff" $TN_DIR/fig.diff 30

	name="twonode: --held-elsewhere files of both nodes hold brute force's entries"
	why="not run: no v3share output"
	if [ "$share_ok" = 0 ]; then
		why=
		tn_rsh cat $TN_DIR/held/held-elsewhere.1.bin >$TN_DIR/held-elsewhere.1.bin 2>/dev/null
		cp $TN_DIR/held/held-elsewhere.0.bin $TN_DIR/held-elsewhere.0.bin 2>/dev/null
		for r in 0 1; do
			# the header's time is the table's: v3share's read, brute's dump
			tail -c +145 $TN_DIR/held-elsewhere.$r.bin >/tmp/tn.h1 2>/dev/null
			tail -c +145 $TN_DIR/held-brute/held-elsewhere.$r.bin >/tmp/tn.h2 2>/dev/null
			[ -s /tmp/tn.h2 ] && cmp -s /tmp/tn.h1 /tmp/tn.h2 &&
				[ "$(head -c 8 $TN_DIR/held-elsewhere.$r.bin)" = V3CONTNT ] ||
				why="$why node $r: $(wc -c <$TN_DIR/held-elsewhere.$r.bin) bytes, brute $(wc -c <$TN_DIR/held-brute/held-elsewhere.$r.bin)"
		done
	fi
	result "$name ($(($(wc -c <$TN_DIR/held-elsewhere.0.bin 2>/dev/null || echo 144) / 16 - 9)) and $(($(wc -c <$TN_DIR/held-elsewhere.1.bin 2>/dev/null || echo 144) / 16 - 9)) entries)" \
		"$([ -z "$why" ]; echo $?)" "$why"

	# what the guests' parameters imply: 4 VMs of TN_MIB MiB; in all four
	# the common pages; in both ca (seed 1 on both nodes) the duplicates
	# and unique pages; only on A cb's (seed 2), only on B cb's (seed 3);
	# zero pages everywhere
	name="twonode: the figures hold what the guests wrote"
	why="not run: no v3share output"
	if [ "$share_ok" = 0 ]; then
		why=
		m() { tn_j $J ".rounds[0].machine.$1"; }
		nd() { tn_j $J ".rounds[0].nodes[$1].$2"; }
		vmp=$((TN_MIB * 256))
		ge() { [ "$2" -ge "$3" ] 2>/dev/null || why="$why $1 $2 (want >= $3);"; }
		eq() { [ "$2" = "$3" ] || why="$why $1 $2 (want $3);"; }
		eq "machine pages" "$(m pages)" $((4 * vmp))
		eq "unique+within_only+across" $(($(m unique) + $(m shared_within_only) + $(m shared_across))) "$(m pages)"
		eq "duplicate" "$(m duplicate)" $(($(m pages) - $(m distinct)))
		ge "contents on both nodes" "$(m distinct_multi_node)" $((TN_C + TN_D + TN_U + 1))
		ge "pages shared across nodes" "$(m shared_across)" $((4 * TN_C + 2 * TN_D * TN_K + 2 * TN_U + $(m zero)))
		ge "machine zero pages" "$(m zero)" $((4 * TN_Z))
		ge "unique pages" "$(m unique)" $((2 * TN_U))
		ge "pages shared within one node only" "$(m shared_within_only)" $((2 * TN_D * TN_K))
		for r in 0 1; do
			eq "node $r pages" "$(nd $r pages)" $((2 * vmp))
			ge "node $r held elsewhere (pages)" "$(nd $r held_elsewhere)" $((2 * TN_C + TN_D * TN_K + TN_U + $(nd $r zero)))
			ge "node $r held elsewhere (contents)" "$(nd $r held_elsewhere_contents)" $((TN_C + TN_D + TN_U + 1))
			ge "node $r shared within" "$(nd $r shared_within)" $((2 * TN_C + 2 * TN_D * TN_K + $(nd $r zero)))
		done
	fi
	result "$name (both nodes: $(tn_j $J '.rounds[0].machine.distinct_multi_node') contents >= $((TN_C + TN_D + TN_U + 1)); held elsewhere A $(tn_j $J '.rounds[0].nodes[0].held_elsewhere'), B $(tn_j $J '.rounds[0].nodes[1].held_elsewhere') pages >= $((2 * TN_C + TN_D * TN_K + TN_U)) + zero)" \
		"$([ -z "$why" ]; echo $?)" "$why"

	name="twonode: each node's figures equal its module's counts (pages_hashed, pages_distinct, pages_zero)"
	why="not run: no v3share output"
	if [ "$share_ok" = 0 ]; then
		why=
		for k in pages_hashed:pages pages_distinct:distinct pages_zero:zero; do
			a=$(ct_get node "${k%%:*}")
			b=$(tn_rsh cat "$CT/${k%%:*}" 2>/dev/null)
			[ "$a" = "$(tn_j $J ".rounds[0].nodes[0].${k#*:}")" ] || why="$why A ${k%%:*} $a, v3share $(tn_j $J ".rounds[0].nodes[0].${k#*:}");"
			[ "$b" = "$(tn_j $J ".rounds[0].nodes[1].${k#*:}")" ] || why="$why B ${k%%:*} $b, v3share $(tn_j $J ".rounds[0].nodes[1].${k#*:}");"
		done
	fi
	result "$name" "$([ -z "$why" ]; echo $?)" "$why"

	# --- rounds: ca rewrites 8 pages between round 1 and round 2 ---
	R=$TN_DIR/rounds.json
	name="twonode: v3share --rounds 2 --interval $TN_INTERVAL, ca rewrites 8 pages after round 1: round 2 sends fewer bytes"
	why="not run: the nodes are not ready"
	if [ "$both_ok" = 0 ]; then
		why=
		rm -f $TN_DIR/rounds.rc
		# shellcheck disable=SC2086
		(timeout -k 5 240 $TN_MPIRUN /tests/v3share --json --rounds 2 --interval "$TN_INTERVAL" \
			>$R 2>$TN_DIR/rounds.err </dev/null; echo $? >$TN_DIR/rounds.rc) &
		i=0
		while ! grep -q '"round": 1' $R 2>/dev/null && [ ! -f $TN_DIR/rounds.rc ] && [ $i -lt 900 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		if grep -q '"round": 1' $R 2>/dev/null; then
			c0=$(ct_get ca pages_changed)
			printf 'w' | timeout 10 v3ctl console ca --follow --timeout 2 >/dev/null 2>&1
			console_wait ca "contentfill: rewrote 8" 30 || why="ca did not rewrite"
		else
			why="no round 1 in 180 s"
		fi
		i=0
		while [ ! -f $TN_DIR/rounds.rc ] && [ $i -lt 1200 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		st=$(cat $TN_DIR/rounds.rc 2>/dev/null)
		[ -n "$why" ] || [ "$st" = 0 ] || why="mpirun exited ${st:-?: still running after 240 s}"
		b1=$(tn_j $R '.rounds[0].sent_bytes') b2=$(tn_j $R '.rounds[1].sent_bytes')
		r1=$(tn_j $R '.rounds[0].records') r2=$(tn_j $R '.rounds[1].records')
		[ -n "$why" ] || [ "$r2" -gt 0 ] 2>/dev/null || why="round 2 has no records ('$r2'): the rewrite was not seen before it"
		[ -n "$why" ] || [ "$b2" -lt "$b1" ] 2>/dev/null || why="round 2 sent '$b2' bytes, round 1 '$b1'"
		echo "# rounds: round 1 $r1 records, $b1 bytes sent, $(tn_j $R '.rounds[0].time_s') s; round 2 $r2 records, $b2 bytes sent, $(tn_j $R '.rounds[1].time_s') s; ca pages_changed $c0 -> $(ct_get ca pages_changed)"
		tn_j $R '.rounds[1].nodes[] | "# rounds: round 2 node \(.rank): records \(.records), sent \(.sent_bytes) B"'
	fi
	result "$name (round 1: ${b1:-?} bytes, ${r1:-?} records; round 2: ${b2:-?} bytes, ${r2:-?} records)" \
		"$([ -z "$why" ]; echo $?)" "$why"
	[ -z "$why" ] || { diag_file "mpirun stderr" $TN_DIR/rounds.err 20; diag_file "mpirun stdout" $R 10; }

	# B may end now
	# (written and read back in one call: B powers off once it sees the
	# file, so a second call may find nobody there)
	why= got=
	[ "$TN_NET_OK" = 0 ] && got=$(tn_rsh "echo done >$TN_DIR/done && cat $TN_DIR/done" 2>/dev/null) || why="could not reach B"
	[ -n "$why" ] || [ "$got" = "done" ] || why="B has no /tmp/tn/done (read back '$got')"
	result "twonode a: told node B to end" "$([ -z "$why" ]; echo $?)" "$why"
	tn_end_vms
}

# twonode_tests: the node's part (TN_ROLE a or b)
twonode_tests() {
	if ! tn_have; then
		if [ "$TN_ROLE" = a ]; then
			pass "twonode: v3share across two emulated hosts # SKIP $TN_NOT"
		else
			pass "twonode b: serve node A # SKIP $TN_NOT"
		fi
		return 0
	fi
	if [ ! -d "$CT" ]; then
		pass "twonode $TN_ROLE # SKIP the module has no content tracking"
		return 0
	fi
	if [ "$TN_ROLE" = a ]; then twonode_a; else twonode_b; fi
}
