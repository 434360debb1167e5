# Reading kselftest-harness output in the L1 suites (busybox sh; sourced
# after tap.sh).

# ksft_results PREFIX FILE: the TAP of a kselftest-harness program
# ("ok N fixture.test", "not ok N fixture.test", "# ..." log lines before
# each result) as results of ours; a failure shows its log lines.
ksft_results() {
	: >/tmp/ksft.log
	while IFS= read -r l; do
		case $l in
		"not ok "[0-9]*)
			fail "$1: $(echo "$l" | sed -E 's/^not ok [0-9]+ -? ?//')"
			grep -v -E '^#[[:space:]]+(RUN|OK|FAIL)[[:space:]]' /tmp/ksft.log | tail -n 8 | sed 's/^/#   /'
			: >/tmp/ksft.log ;;
		"ok "[0-9]*)
			pass "$1: $(echo "$l" | sed -E 's/^ok [0-9]+ -? ?//')"
			: >/tmp/ksft.log ;;
		"#"*) echo "$l" >>/tmp/ksft.log ;;
		esac
	done <"$2"
}
