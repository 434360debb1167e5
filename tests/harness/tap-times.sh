# tap_stamp LOG T0: append to LOG.times the TAP result lines LOG gained
# since the last call, each prefixed with the host seconds since T0 (an
# epoch second).  An emulated host's clock is no guide to where the build
# machine's time goes, and make check's budget is the build machine's time.
# tap_stamp_reset LOG: start LOG.times afresh.  POSIX sh; sourced by
# boot-bochs.sh and boot-qemu.sh.
TAP_SEEN=0
tap_stamp_reset() {
	: >"$1.times"
	TAP_SEEN=0
}
tap_stamp() {
	_n=$(wc -l <"$1" 2>/dev/null) || return 0
	[ "$_n" -gt "$TAP_SEEN" ] || return 0
	sed -n "$((TAP_SEEN + 1)),${_n}p" "$1" | tr -d '\r' |
		grep -aE '^(not )?ok [0-9]' |
		sed "s/^/$(($(date +%s) - $2)) /" >>"$1.times" || true
	TAP_SEEN=$_n
}
