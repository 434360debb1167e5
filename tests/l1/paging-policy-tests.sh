# Paging mode control (issue #12, the policy's interface): V3_IOC_PAGING
# through v3ctl paging, /sys/kernel/v3vmm/vms/NAME/paging/ (mode, current,
# statistics, knobs, decisions), refusals (bad modes and knob values,
# EOPNOTSUPP without the paging-switch capability, uid 1000), and with the
# capability: switching a running VM through both doors and adaptive mode
# making decisions.  Sourced by svm-suite.sh (so the VMX suite runs it too)
# and paging-policy-suite.sh, with v3vmm.ko loaded; busybox sh.

PG_CAP_SWITCH=$((1 << 17))	# V3_CAP_PAGING_SWITCH
pg_caps=$(cat /sys/kernel/v3vmm/caps 2>/dev/null)
PG_SW=0
[ -n "$pg_caps" ] && [ $((pg_caps & PG_CAP_SWITCH)) != 0 ] && PG_SW=1
echo "# paging: capability paging-switch $PG_SW (caps $pg_caps)"

pg_get() { cat "/sys/kernel/v3vmm/vms/$1/paging/$2" 2>/dev/null; }
# pg_set VM FILE VALUE: write through sysfs; status of the write
pg_set() { sh -c "echo '$3' >/sys/kernel/v3vmm/vms/$1/paging/$2" 2>/dev/null; }
# pg_field VM KEY: "KEY: value" of v3ctl paging VM
pg_field() { timeout 10 v3ctl paging "$1" 2>/dev/null | sed -n "s/^$2: //p"; }

PG_FILES="mode current measure decisions sampler switches shadow_faults guest_faults
wp_emulations cr3_switches invlpgs shadow_pages switch_ns_last switch_ns_max
fault_cycles shadow_prefetches wp_noprogress period_ms threshold_pct hysteresis_pct min_dwell_ms trial_ms
trial_interval_ms nested_cost_pct trial_backoff"
PG_KNOBS="period_ms=100 threshold_pct=10 hysteresis_pct=5 min_dwell_ms=1000
trial_ms=200 trial_interval_ms=10000 nested_cost_pct=5 trial_backoff=3"

if need_guest "paging: interface" forever.elf; then
	run 20 v3ctl create pg1 --mem 16M --kernel /guests/forever.elf
	result "paging: create pg1" "$RC" "$(cat "$ERR")"
	D=/sys/kernel/v3vmm/vms/pg1/paging

	# --- sysfs: the files, defaults, permissions -------------------------------
	missing=
	for f in $PG_FILES; do [ -f "$D/$f" ] || missing="$missing $f"; done
	result "paging: sysfs paging/ has its $(echo "$PG_FILES" | wc -w) files" \
		"$([ -z "$missing" ]; echo $?)" "missing:$missing"
	m=$(pg_get pg1 mode) c=$(pg_get pg1 current) s=$(pg_get pg1 switches)
	result "paging: a new VM is nested (mode, current) with 0 switches" \
		"$([ "$m" = nested ] && [ "$c" = nested ] && [ "$s" = 0 ]; echo $?)" \
		"mode '$m' current '$c' switches '$s'"
	perm=
	for f in mode current period_ms decisions; do
		perm="$perm$(ls -l "$D/$f" | awk '{ print $1 }') "
	done
	result "paging: mode and knobs 0644, current and decisions 0444" \
		"$([ "$perm" = "-rw-r--r-- -r--r--r-- -rw-r--r-- -r--r--r-- " ]; echo $?)" "'$perm'"
	bad=
	for kv in $PG_KNOBS; do
		v=$(pg_get pg1 "${kv%%=*}")
		[ "$v" = "${kv#*=}" ] || bad="$bad ${kv%%=*}=$v"
	done
	result "paging: knobs have their defaults" "$([ -z "$bad" ]; echo $?)" "got:$bad"
	d=$(pg_get pg1 decisions) ms=$(pg_get pg1 measure)
	result "paging: no decisions, measure none before adaptive" \
		"$([ -z "$d" ] && [ "$ms" = none ]; echo $?)" "decisions '$d' measure '$ms'"

	# --- refusals: bad modes and knob values -------------------------------------
	acc=
	for v in bogus Shadow "" "nested shadow" 1; do
		pg_set pg1 mode "$v" && acc="$acc '$v'"
	done
	m=$(pg_get pg1 mode)
	result "paging: sysfs mode refuses bogus, Shadow, '', two words, 1" \
		"$([ -z "$acc" ] && [ "$m" = nested ]; echo $?)" "accepted:$acc mode '$m'"
	acc=
	for kv in period_ms=0 period_ms=9 period_ms=60001 period_ms=abc period_ms=-1 \
		  period_ms=1.5 threshold_pct=0 threshold_pct=91 hysteresis_pct=11 \
		  min_dwell_ms=3600001 trial_ms=5 trial_interval_ms=99 nested_cost_pct=0 \
		  nested_cost_pct=91 period_ms=4294967296; do
		pg_set pg1 "${kv%%=*}" "${kv#*=}" && acc="$acc $kv"
	done
	bad=
	for kv in $PG_KNOBS; do
		v=$(pg_get pg1 "${kv%%=*}")
		[ "$v" = "${kv#*=}" ] || bad="$bad ${kv%%=*}=$v"
	done
	result "paging: knob values out of range or not numbers refused (EINVAL), knobs unchanged" \
		"$([ -z "$acc" ] && [ -z "$bad" ]; echo $?)" "accepted:$acc changed:$bad"
	pg_set pg1 period_ms 50; a=$?
	pg_set pg1 hysteresis_pct 10; b=$?
	v1=$(pg_get pg1 period_ms) v2=$(pg_get pg1 hysteresis_pct)
	result "paging: knobs in range are taken (period_ms 50, hysteresis_pct = threshold 10)" \
		"$([ $a = 0 ] && [ $b = 0 ] && [ "$v1" = 50 ] && [ "$v2" = 10 ]; echo $?)" \
		"status $a $b, read '$v1' '$v2'"
	pg_set pg1 period_ms 100; pg_set pg1 hysteresis_pct 5

	# --- v3ctl paging ------------------------------------------------------------------
	run 10 v3ctl paging pg1
	result "paging: v3ctl paging shows mode, current, switches, stats" \
		"$([ "$RC" = 0 ] && grep -qx 'mode: nested' "$OUT" && grep -qx 'current: nested' "$OUT" &&
		   grep -qx 'switches: 0' "$OUT" && grep -q '^shadow_pages: [0-9]' "$OUT" &&
		   grep -q '^switch_ns_max: [0-9]' "$OUT" && grep -qx 'last_decision: none' "$OUT"; echo $?)" \
		"exit $RC: $(cat "$OUT" "$ERR")"
	run 10 v3ctl paging pg1 --json
	result "paging: v3ctl paging --json" \
		"$([ "$RC" = 0 ] && grep -q '^{"name": "pg1", "mode": "nested", "current": "nested", "measure": "none", "switches": 0,' "$OUT" &&
		   grep -q '"last_decision": null}$' "$OUT"; echo $?)" "exit $RC: $(cat "$OUT" "$ERR")"
	run 10 v3ctl paging pg1 fast
	result "paging: v3ctl paging pg1 fast is a usage error (2)" \
		"$([ "$RC" = 2 ] && grep -q "unknown paging mode 'fast'" "$ERR"; echo $?)" "exit $RC: $(cat "$ERR")"
	run 10 v3ctl paging nosuch nested
	result "paging: v3ctl paging of a missing VM: ENOENT" \
		"$([ "$RC" = 1 ] && grep -q 'no such VM (ENOENT)' "$ERR"; echo $?)" "exit $RC: $(cat "$ERR")"
	run 10 v3ctl paging pg1 nested
	result "paging: setting the mode it has is fine, no switch" \
		"$([ "$RC" = 0 ] && [ "$(pg_get pg1 switches)" = 0 ]; echo $?)" "exit $RC: $(cat "$ERR")"

	if [ "$PG_SW" = 0 ]; then
		# --- no shadow paging on this backend: refused with EOPNOTSUPP ----------
		run 10 v3ctl paging pg1 shadow
		result "paging: without paging-switch, v3ctl paging shadow refused (EOPNOTSUPP, explained)" \
			"$([ "$RC" = 1 ] && grep -q 'cannot run shadow paging' "$ERR" && grep -q 'EOPNOTSUPP' "$ERR"; echo $?)" \
			"exit $RC: $(cat "$ERR")"
		run 10 v3ctl paging pg1 adaptive
		r1=$RC
		pg_set pg1 mode shadow; r2=$?
		m=$(pg_get pg1 mode) c=$(pg_get pg1 current)
		result "paging: without paging-switch, adaptive (ioctl) and shadow (sysfs) refused too" \
			"$([ "$r1" = 1 ] && [ "$r2" != 0 ] && [ "$m" = nested ] && [ "$c" = nested ]; echo $?)" \
			"v3ctl exit $r1, sysfs status $r2, mode '$m' current '$c'"
	else
		# --- switching, created and running, through both doors ------------------
		pg_set pg1 mode shadow; r=$?
		result "paging: sysfs mode=shadow switches a created VM" \
			"$([ $r = 0 ] && [ "$(pg_get pg1 current)" = shadow ] && [ "$(pg_get pg1 switches)" = 1 ]; echo $?)" \
			"status $r, current '$(pg_get pg1 current)', switches '$(pg_get pg1 switches)'"
		run 10 v3ctl launch pg1
		wait_state pg1 running 10
		i=0 err=
		while [ $i -lt 10 ]; do
			if [ $((i % 2)) = 0 ]; then
				run 20 v3ctl paging pg1 nested; want=nested
			else
				pg_set pg1 mode shadow; RC=$?; want=shadow
			fi
			c=$(pg_get pg1 current)
			[ "$RC" = 0 ] && [ "$c" = "$want" ] || err="$err [$i: status $RC current $c]"
			i=$((i + 1))
		done
		s=$(pg_get pg1 switches) st=$(info_field pg1 state)
		result "paging: 10 switches of a running VM, alternating v3ctl and sysfs" \
			"$([ -z "$err" ] && [ "$s" = 11 ] && [ "$st" = running ]; echo $?)" \
			"errors:$err switches '$s' state '$st'"
		mx=$(pg_get pg1 switch_ns_max) last=$(pg_get pg1 switch_ns_last)
		result "paging: switch latency recorded (last $last ns, max $mx ns)" \
			"$([ "${mx:-0}" -gt 0 ] && [ "${last:-0}" -gt 0 ] && [ "$last" -le "$mx" ]; echo $?)" \
			"last '$last' max '$mx'"

		# --- adaptive: the sampler decides, decisions readable ---------------------
		# from nested: shadow's cost is unknown, so the policy has to try it
		# (a trial, or a switch when counters say nested is costlier)
		run 20 v3ctl paging pg1 nested
		pg_set pg1 min_dwell_ms 0; pg_set pg1 period_ms 20; pg_set pg1 trial_ms 40
		run 10 v3ctl paging pg1 adaptive
		r=$RC
		i=0
		while [ $i -lt 50 ] && [ -z "$(pg_get pg1 decisions)" ]; do sleep 0.2; i=$((i + 1)); done
		m=$(pg_get pg1 mode) ms=$(pg_get pg1 measure)
		result "paging: adaptive: mode adaptive, measure counters or trial ($ms)" \
			"$([ "$r" = 0 ] && [ "$m" = adaptive ] && { [ "$ms" = counters ] || [ "$ms" = trial ]; }; echo $?)" \
			"exit $r, mode '$m', measure '$ms'"
		pg_get pg1 decisions >/tmp/pg.dec
		result "paging: adaptive: decisions in sysfs, one well-formed line each" \
			"$([ -s /tmp/pg.dec ] && ! grep -vE '^t=[0-9]+ from=(nested|shadow) to=(nested|shadow) reason=[a-z-]+ nested_ppm=[0-9]+ shadow_ppm=[0-9]+$' /tmp/pg.dec; echo $?)" \
			"$(head -n 4 /tmp/pg.dec)"
		diag_file "decisions" /tmp/pg.dec 6
		ld=$(pg_field pg1 last_decision)
		result "paging: adaptive: v3ctl paging shows the last decision ($ld)" \
			"$([ -n "$ld" ] && [ "$ld" != none ]; echo $?)" "'$ld'"
		run 10 v3ctl paging pg1 nested
		sleep 0.3
		c=$(pg_get pg1 current) s1=$(pg_get pg1 switches)
		sleep 0.5
		s2=$(pg_get pg1 switches)
		result "paging: leaving adaptive for nested stops the sampler" \
			"$([ "$RC" = 0 ] && [ "$c" = nested ] && [ "$s1" = "$s2" ]; echo $?)" \
			"exit $RC current '$c' switches $s1 then $s2"
		# destroyed while adaptive: the sampler stops with the VM (dmesg checked by the suite)
		pg_set pg1 mode adaptive
		sleep 0.2
	fi

	# --- uid 1000: no ioctl, no sysfs writes ---------------------------------------------
	if [ -x /tests/runas ]; then
		run 10 /tests/runas 1000 v3ctl paging pg1
		result "paging: uid 1000 cannot open the device for v3ctl paging" \
			"$(failed_cleanly && grep -q 'for root' "$ERR"; echo $?)" "exit $RC: $(cat "$ERR")"
		chmod 666 /dev/v3vmm
		run 10 /tests/runas 1000 v3ctl paging pg1
		r1=$RC e1=$(cat "$ERR")
		run 10 /tests/runas 1000 v3ctl paging pg1 nested
		r2=$RC e2=$(cat "$ERR")
		chmod 600 /dev/v3vmm
		result "paging: uid 1000 refused V3_IOC_PAGING get and set even with the device 0666" \
			"$([ "$r1" = 1 ] && [ "$r2" = 1 ] && echo "$e1 $e2" | grep -q 'CAP_SYS_ADMIN.*CAP_SYS_ADMIN'; echo $?)" \
			"exits $r1 $r2: $e1 / $e2"
		m0=$(pg_get pg1 mode) p0=$(pg_get pg1 period_ms)
		run 10 /tests/runas 1000 sh -c "echo nested >$D/mode"; r1=$RC
		run 10 /tests/runas 1000 sh -c "echo 30 >$D/period_ms"; r2=$RC
		run 10 /tests/runas 1000 cat "$D/mode"; r3=$RC o3=$(cat "$OUT")
		result "paging: uid 1000 cannot write mode or knobs, may read them" \
			"$([ "$r1" != 0 ] && [ "$r2" != 0 ] && [ "$r3" = 0 ] && [ "$o3" = "$m0" ] &&
			   [ "$(pg_get pg1 mode)" = "$m0" ] && [ "$(pg_get pg1 period_ms)" = "$p0" ]; echo $?)" \
			"write mode $r1, write period $r2, read $r3 '$o3'"
	fi

	run 20 v3ctl destroy pg1
	result "paging: destroy pg1 (adaptive if switching exists)" \
		"$([ "$RC" = 0 ] && [ ! -d "$D" ]; echo $?)" "exit $RC: $(cat "$ERR")"
	vm_gone pg1
fi

# --- paging= module parameter (reloads the module: focused suite only) ------------------
if [ "${PG_PARAM_TESTS:-0}" = 1 ]; then
	run 60 "$RMMOD" v3vmm
	run 30 "$INSMOD" "$MOD" paging=fast
	r=$RC
	result "paging: insmod paging=fast refused, logged" \
		"$([ "$r" != 0 ] && [ ! -d /sys/kernel/v3vmm ] && dmesg_new | grep -q "paging= must be nested, shadow or adaptive, not 'fast'"; echo $?)" \
		"exit $r: $(dmesg_new | grep paging= | tail -n 2)"
	run 30 "$INSMOD" "$MOD" paging=adaptive
	r=$RC
	if [ "$PG_SW" = 1 ]; then
		run 20 v3ctl create pg2 --mem 16M --kernel /guests/forever.elf
		m=$(pg_get pg2 mode)
		result "paging: insmod paging=adaptive: new VMs start adaptive" \
			"$([ "$r" = 0 ] && [ "$m" = adaptive ]; echo $?)" "insmod $r, mode '$m'"
		vm_gone pg2
		run 60 "$RMMOD" v3vmm
	else
		result "paging: insmod paging=adaptive refused without shadow paging" \
			"$([ "$r" != 0 ] && dmesg_new | grep -q 'paging=adaptive: the .* backend has no shadow paging'; echo $?)" \
			"exit $r"
	fi
	t_cmd "paging: insmod again with the default (nested)" 30 "$INSMOD" "$MOD"
fi
