# Guest NUMA topology (issue #13, v3ctl create --guest-numa N): a Linux
# guest created with --vcpus 2 --guest-numa 2 --mem 256M reads v3ctl's
# ACPI SRAT and SLIT and shows two nodes: node0 with CPU 0, node1 with
# CPU 1 and about half the RAM (v3ctl gives node 1 [128M, 256M)),
# distances 10 within a node and 20 between.  --guest-numa 2 with one
# vCPU is refused before a VM exists.
#
# Defines guest_numa_tests, which placement-suite.sh runs.  busybox sh,
# sourced after tap.sh, v3.sh and linux-tests.sh (for its helpers:
# linux_create, console_wait, linux_poweroff), with the module loaded.
# A suite would call it as
#   LINUX_VCPUS=" " LINUX_TWO_VMS=0; . /tests/l1/linux-tests.sh
#   . /tests/l1/guest-numa-tests.sh; guest_numa_tests

# gn_fact NAME NODE KEY: KEY=value of the "GN: nodeNODE" line the guest printed
gn_fact() {
	sed -n "s/^GN: node$2 .*$3=\([^ ]*\).*/\1/p" "/tmp/con.$1" | tr -d '\r' | head -n 1
}

guest_numa_tests() {
	gn=lxnuma
	if [ ! -f "$GUESTS/vmlinuz" ] || [ ! -f "$GUESTS/l2.cpio.gz" ]; then
		fail "guest numa tests" "no $GUESTS/vmlinuz or $GUESTS/l2.cpio.gz in the initramfs"
		return 1
	fi

	# refused before a VM exists: more nodes than vCPUs
	run 60 v3ctl create "$gn" --mem 256M --vcpus 1 --guest-numa 2 --kernel "$GUESTS/vmlinuz"
	result "guest numa: --guest-numa 2 with 1 vCPU -> 2, no VM" \
		"$([ "$RC" = 2 ] && ! vm_listed "$gn" && grep -q 'needs at least 2 vCPUs' "$ERR"; echo $?)" \
		"exit $RC: $(head -n 2 "$ERR")"
	vm_gone "$gn"

	linux_create "$gn" 2 --guest-numa 2	# --mem 256M
	if [ "$RC" != 0 ]; then
		fail "guest numa: create --vcpus 2 --guest-numa 2" "exit $RC: $(head -n 2 "$ERR")"
		return 1
	fi
	run 10 v3ctl launch "$gn"
	if ! console_wait "$gn" "V3L2: ready" "$LINUX_BOOT_SECS"; then
		fail "guest numa: Linux with 2 guest nodes boots to /init" \
			"state $(info_field "$gn" state): $(info_field "$gn" detail)"
		diag_file console "/tmp/con.$gn" 30
		vm_gone "$gn"
		return 1
	fi
	pass "guest numa: Linux with 2 guest nodes boots to /init"
	bad=$(l2_fact "$gn" dmesg-bad)
	# Known gap (#13): the module's CPUID gives every vCPU one shared
	# last-level cache, so Linux warns that LLC siblings sit on different
	# nodes (smpboot.c topology_sane); CPUID does not follow --guest-numa
	grep -q "V3L2: bad:.*llc-sibling" "/tmp/con.$gn" &&
		T_TODO="CPUID reports one LLC for all vCPUs; Linux warns when guest nodes split it"
	result "guest numa: guest dmesg has no warnings or BUGs" "$([ "$bad" = 0 ]; echo $?)" \
		"$(grep 'V3L2: bad:' "/tmp/con.$gn" | head -n 3)"
	T_TODO=

	# what the guest's sysfs says, one "GN: nodeN" line per node; the
	# marker is computed so that the echoed command line does not match
	cat <<-'EOF' | timeout 10 v3ctl console "$gn" --follow --timeout 1 >/dev/null 2>&1
	for n in 0 1; do d=/sys/devices/system/node/node$n; echo "GN: node$n exists=$([ -d $d ] && echo y || echo n) cpus=$(cat $d/cpulist 2>/dev/null) kb=$(sed -n 's/.*MemTotal: *\([0-9]*\) kB/\1/p' $d/meminfo 2>/dev/null) dist=$(tr ' ' , 2>/dev/null <$d/distance)"; done; dmesg | grep 'SRAT: Node' | sed 's/^/GN-SRAT: /'; echo GN-END-$((40 + 2))
	EOF
	if ! console_wait "$gn" "GN-END-42" 30; then
		fail "guest numa: the guest reports its nodes" "no GN-END-42"
		diag_file console "/tmp/con.$gn" 10
	else
		grep '^GN: ' "/tmp/con.$gn" | tr -d '\r' | sed 's/^/#   /'
		e1=$(gn_fact "$gn" 1 exists)
		result "guest numa: /sys/devices/system/node/node1 exists" "$([ "$e1" = y ]; echo $?)" \
			"node1: '$e1'"
		c0=$(gn_fact "$gn" 0 cpus) c1=$(gn_fact "$gn" 1 cpus)
		result "guest numa: node0 cpulist 0, node1 cpulist 1" \
			"$([ "$c0" = 0 ] && [ "$c1" = 1 ]; echo $?)" "node0 '$c0', node1 '$c1'"
		# node 1 is [128M, 256M) in the SRAT as Linux read it; its
		# MemTotal is less (the initramfs v3ctl loads at the top of RAM,
		# the node's memmap): more than 0, less than node 0's
		k0=$(gn_fact "$gn" 0 kb) k1=$(gn_fact "$gn" 1 kb)
		result "guest numa: the guest took node 1 = [128M, 256M) from the SRAT, MemTotal $k1 kB (node0 $k0 kB)" \
			"$(grep -q 'GN-SRAT: .*SRAT: Node 1 PXM 1 \[mem 0x08000000-0x0fffffff\]' "/tmp/con.$gn" &&
				[ "${k1:-0}" -gt 0 ]; echo $?)" \
			"$(grep 'GN-SRAT' "/tmp/con.$gn" | head -n 4 | tr '\n' ';')"
		d0=$(gn_fact "$gn" 0 dist) d1=$(gn_fact "$gn" 1 dist)
		result "guest numa: SLIT distances 10 local, 20 remote" \
			"$([ "$d0" = 10,20 ] && [ "$d1" = 20,10 ]; echo $?)" "node0 '$d0', node1 '$d1'"
	fi
	linux_poweroff "$gn"
	vm_gone "$gn"
}
