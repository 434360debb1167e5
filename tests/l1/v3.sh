# v3ctl helpers for the L1 suites (busybox sh; sourced after tap.sh).
# The v3ctl command lines the suites assume are all in this file.
# shellcheck disable=SC2034 # variables used by the suites
GUESTS=/guests
MOD=/v3/v3vmm.ko
# kmod's tools by path: busybox sh runs its own applets before $PATH, and
# busybox insmod loads a second time (init_module) when finit_module fails.
INSMOD=/sbin/insmod RMMOD=/sbin/rmmod

# v3ctl_run NAME ELF MEM [extra v3ctl args]: create, run to the end (30 s
# bound inside v3ctl, 45 s outside), destroy.  Status in $RC, console in $OUT.
v3ctl_run() {
	vm=$1 elf=$2 mem=$3; shift 3
	run 45 v3ctl run --name "$vm" --mem "$mem" --kernel "$GUESTS/$elf" --timeout 30 "$@"
}

# info_field NAME FIELD: value of "FIELD: value" in v3ctl info NAME
info_field() {
	timeout 10 v3ctl info "$1" 2>/dev/null | sed -n "s/^[[:space:]]*$2:[[:space:]]*//p" | head -n1
}

# wait_state NAME STATE SECS: poll v3ctl info until state is STATE.
wait_state() {
	i=0
	while [ $i -lt $(($3 * 5)) ]; do
		st=$(info_field "$1" state)
		[ "$st" = "$2" ] && return 0
		timeout 10 v3ctl info "$1" >/dev/null 2>&1 || return 1
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# vm_listed NAME: v3ctl list names the VM (a word of its own on a line)
vm_listed() { timeout 10 v3ctl list 2>/dev/null | grep -Eq "(^|[[:space:]])$1([[:space:]]|\$)"; }

# exit_count NAME REASON: the count after the exit reason's name in info
exit_count() {
	timeout 10 v3ctl info "$1" 2>/dev/null | awk -v r="$2" '
		{ for (i = 1; i < NF; i++) { f = $i; sub(/[:=]$/, "", f)
			if (f == r && $(i + 1) ~ /^[0-9]+$/) { print $(i + 1); exit } }
		  for (i = 1; i <= NF; i++) if ($i ~ ("^" r "[:=][0-9]+$")) { sub(/^[^:=]*[:=]/, "", $i); print $i; exit } }'
}

# quiet cleanup of a VM (stop + destroy, errors ignored)
vm_gone() { timeout 10 v3ctl stop "$1" >/dev/null 2>&1; timeout 10 v3ctl destroy "$1" >/dev/null 2>&1; true; }

# suite_begin: a focused suite's start: mark the kernel log, keep the
# console quiet, load the module
suite_begin() {
	dmesg_mark
	echo 2 >/proc/sys/kernel/printk
	t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
}

# guest_tap NAME VM ELF MEM [ARGS]: run a TAP guest to its end; pass NAME
# when it exits with the pass status (1) and printed no "not ok".  The VM
# is destroyed after; its console stays in $OUT.
guest_tap() {
	gt_name=$1 gt_vm=$2; shift 2
	need_guest "$gt_name" "$1" || return 0
	v3ctl_run "$gt_vm" "$@"
	why=
	[ "$RC" = 1 ] || why="v3ctl run exited $RC (guest pass is 1)"
	if [ -z "$why" ] && grep -q 'not ok' "$OUT"; then why="the guest reported failures"; fi
	if [ -z "$why" ]; then pass "$gt_name"; else
		fail "$gt_name" "$why"
		grep -A1 'not ok' "$OUT" | head -n 12 | sed 's/^/#   /'
		diag_file console "$OUT"; diag_file stderr "$ERR" 4
	fi
	vm_gone "$gt_vm"
}

need_guest() { # test name, elf: fail the test when the guest is missing
	[ -f "$GUESTS/$2" ] && return 0
	fail "$1" "no $GUESTS/$2 in the initramfs"
	return 1
}
