# ioperm beside a running VM (sourced by svm-suite.sh and ioperm-suite.sh;
# needs v3vmm loaded).  A VMX exit cuts the TR limit to 0x67 and the GDTR
# limit to 0xffff (Intel SDM vol. 3 27.5.2); a host process whose I/O
# bitmap lies beyond that TSS limit faults on its next IN/OUT unless the
# VMM restores the limits.  /tests/ioperm_loop reads and writes port 0x80
# on CPU 0 and yields to the vCPU thread pinned there.  SVM restores TR in
# full, so there the test guards against a regression only.
ioperm_tests() {
	name="ioperm: host process does port I/O on the CPU of a running VM without SIGSEGV"
	if [ ! -x /tests/ioperm_loop ]; then
		fail "$name" "no /tests/ioperm_loop in the initramfs"
		return 0
	fi
	need_guest "$name" forever.elf || return 0
	run 20 v3ctl create iop --mem 16M --pin 0 --kernel /guests/forever.elf
	run 10 v3ctl launch iop
	sleep "${SPIN_SECS:-1}"
	e0=$(exit_count iop host-intr)
	run 60 /tests/ioperm_loop -c 0 -s "${IOPERM_SECS:-5}"
	irc=$RC
	cp "$OUT" /tmp/iop.out; cp "$ERR" /tmp/iop.err
	e1=$(exit_count iop host-intr)
	s=$(info_field iop state)
	if [ "$irc" = 0 ] && [ "$s" = running ] && [ -n "$e0" ] && [ -n "$e1" ] && [ "$e1" -gt "$e0" ]; then
		pass "$name ($(sed 's/^ioperm_loop: //' /tmp/iop.out); VM host-intr exits $e0 -> $e1)"
	else
		fail "$name" "ioperm_loop exit $irc, VM state '$s', host-intr exits '$e0' -> '$e1' (must grow: the VM ran meanwhile)"
		diag_file stdout /tmp/iop.out 4; diag_file stderr /tmp/iop.err 4
	fi
	vm_gone iop
}
