#!/bin/sh
# Focused suite for issue #12 (boot-qemu.sh lxshadow): one Linux guest in
# shadow mode; while it boots, its paging counters, v3ctl info and the
# console tail every few seconds.  v3lxv=N vCPUs (1), v3lxsecs=N bound (240).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
: "${LXV:=1}" "${LXSECS:=240}" "${LXMEMCHK:=1}"
for arg in $(cat /proc/cmdline); do
	case $arg in
	v3arch=*) V3_ARCH=${arg#v3arch=} ;;
	v3lxv=*) LXV=${arg#v3lxv=} ;;
	v3lxsecs=*) LXSECS=${arg#v3lxsecs=} ;;
	v3lxmemchk=*) LXMEMCHK=${arg#v3lxmemchk=} ;;
	esac
done
: "${V3_ARCH:=svm}"
t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
LINUX_VCPUS=" " LINUX_TWO_VMS=0 LINUX_BOOT_SECS=$LXSECS
# shellcheck source=tests/l1/linux-tests.sh
. /tests/l1/linux-tests.sh
# paging-tests.sh's helpers without its tests (its last line runs them)
sed '/^paging_tests$/d' /tests/l1/paging-tests.sh >/tmp/pgfuncs.sh
# shellcheck source=/dev/null
. /tmp/pgfuncs.sh
PG=/sys/kernel/v3vmm/vms
lx_watch() { # name secs: counters while the console lacks "V3L2: ready"
	w=0
	while [ $w -lt "$2" ]; do
		timeout 10 v3ctl console "$1" >"/tmp/con.$1" 2>/dev/null
		grep -q "V3L2: ready" "/tmp/con.$1" && return 0
		[ "$(info_field "$1" state)" = running ] || break
		if [ $((w % 10)) = 0 ]; then
			c=""
			for f in shadow_faults guest_faults wp_emulations cr3_switches invlpgs shadow_pages; do
				c="$c $f=$(cat $PG/$1/paging/$f 2>/dev/null)"
			done
			echo "# t=$w$c"
			echo "#   exits: $(tr '\n' ' ' <$PG/$1/exits 2>/dev/null | cut -c1-300)"
			echo "#   console: $(tail -n 1 /tmp/con.$1 | tr -d '\r' | cut -c1-150)"
			dmesg | grep v3dbg | tail -n 4 | sed 's/^/#   /'
		fi
		sleep 2; w=$((w + 2))
	done
	timeout 10 v3ctl info "$1" | sed 's/^/#   info /'
	return 1
}
LXN=lxs$LXV
linux_create "$LXN" "$LXV"
paging_vm_mode "$LXN" shadow || fail "v3ctl paging $LXN shadow" "$(cat /tmp/pg.out)"
run 10 v3ctl launch "$LXN"
cur=$(paging_current "$LXN")
result "lxshadow: the VM runs in shadow mode" "$([ "$cur" = shadow ]; echo $?)" "current '$cur'"
lx_watch "$LXN" "$LXSECS"
if linux_checks "$LXN" "$LXV" && [ "$LXMEMCHK" = 1 ]; then
	paging_memchk_start "$LXN" 20 MCS
	paging_memchk_wait "$LXN" 120 MCS
	result "memchk passes in Linux ($LXV vcpu) in shadow mode" \
		"$([ "$MC_RC" = 0 ] && [ "$MC_OOPS" = 0 ] && echo "$MC_LINE" | grep -q '^MEMCHK PASS'; echo $?)" \
		"memchk: '$MC_LINE' status '$MC_RC' guest dmesg complaints '$MC_OOPS'"
fi
for f in shadow_faults guest_faults wp_emulations cr3_switches invlpgs shadow_pages; do
	echo "# $f=$(cat $PG/$LXN/paging/$f 2>/dev/null)"
done
diag_file console "/tmp/con.$LXN" 40
dmesg | grep v3 | tail -n 30 | sed 's/^/#   /'
linux_poweroff "$LXN"
vm_gone "$LXN"
t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
finish
