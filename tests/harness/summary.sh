#!/usr/bin/env bash
# Summarise the results: the build's TAP lines, then each suite's serial
# log (TAP from inside L1).  A suite log without V3-SUITE-DONE (crash, hang,
# timeout) or whose plan does not match its results counts as a failure.
# Prints every test line, then exactly "N passed, N failed"; exits 1 on failure.
#   summary.sh BUILD_TAP SUITE=LOG...
set -euo pipefail

passed=0 failed=0 todo=0 failures=()
line_ok() { echo "ok - $1"; passed=$((passed + 1)); }
# failures are named again just above the totals: a CI log cut to its
# head and tail still says which test failed
line_fail() { echo "not ok - $1"; failed=$((failed + 1)); failures+=("$1"); }
# TAP TODO: a known gap an open issue names; its failure is not a failure
line_todo() { echo "not ok - $1"; todo=$((todo + 1)); }

# The build's results
if [ -f "$1" ]; then
	while IFS= read -r l; do
		case $l in
		"ok - "*) line_ok "${l#ok - }" ;;
		"not ok - "*) line_fail "${l#not ok - }" ;;
		*) echo "$l" ;;
		esac
	done <"$1"
fi
shift

for arg in "$@"; do
	suite=${arg%%=*} log=${arg#*=}
	if [ ! -s "$log" ]; then
		line_fail "$suite: no serial log $log (the L1 did not boot)"
		continue
	fi
	n=0 show_diag=0 last_failed=0 diag_n=0
	while IFS= read -r l; do
		if [[ $l =~ ^ok\ [0-9]+\ -\ (.*)$ ]]; then
			line_ok "$suite: ${BASH_REMATCH[1]}"; n=$((n + 1)); show_diag=0 last_failed=0
		elif [[ $l =~ ^not\ ok\ [0-9]+\ -\ (.*\ #\ TODO\ .*)$ ]]; then
			line_todo "$suite: ${BASH_REMATCH[1]}"; n=$((n + 1)); show_diag=1 last_failed=0
		elif [[ $l =~ ^not\ ok\ [0-9]+\ -\ (.*)$ ]]; then
			line_fail "$suite: ${BASH_REMATCH[1]}"; n=$((n + 1)); show_diag=1
			last_failed=1 diag_n=0
		elif [[ $l == "#"* ]] && [ $show_diag = 1 ]; then
			echo "    $l"
			# the failure's first diagnostic lines go with its name
			if [ "$last_failed" = 1 ] && [ "$diag_n" -lt 6 ]; then
				failures[-1]+=$'\n'"      $l"; diag_n=$((diag_n + 1))
			fi
		else
			show_diag=0
		fi
	done < <(tr -d '\r' <"$log")
	plan=$(tr -d '\r' <"$log" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | tail -n1)
	if ! tr -d '\r' <"$log" | grep -q '^V3-SUITE-DONE$'; then
		line_fail "$suite: the suite did not run to completion (L1 crashed, hung or timed out after $n results); last lines of $log:"
		tr -d '\r' <"$log" | grep -v '^qemu-system' | tail -n 15 | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' -e 's/^/    | /'
	elif [ "$plan" != "$n" ]; then
		line_fail "$suite: plan 1..${plan:-?} but $n result lines were read (console garbled?)"
	fi
done

if [ "$failed" != 0 ]; then
	echo "failed:"
	for f in "${failures[@]}"; do echo "  not ok - $f"; done
fi
# where the time went (check.sh: the build and each emulated host), next
# to the totals, which is what a cut CI log still shows
[ -z "${V3_SUMMARY_TIMES:-}" ] || [ ! -s "$V3_SUMMARY_TIMES" ] || echo "time: $(tr '\n' ' ' <"$V3_SUMMARY_TIMES")"
[ "$todo" = 0 ] || echo "$todo known gaps (TAP TODO, named by open issues): not counted as failures"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
