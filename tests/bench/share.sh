#!/usr/bin/env bash
# v3share's cost (issue #14), part of make bench: round time and bytes sent
# per node for 2, 4 and 8 ranks and 256 MiB, 1 GiB and 4 GiB of guest memory
# per node, on synthetic dumps (tests/share/mkdump: one table entry per 4 KiB
# page at most, so 65536 to 1048576 entries a node; round 2 changes 1 % of
# them).  All ranks run on this build machine (mpirun --oversubscribe):
# the times are those of shared-memory MPI on its cores, not of a cluster's
# network, but the bytes are what each node would send.  Writes
# build/bench/share.md.
#   BENCH_SHARE_RANKS, BENCH_SHARE_MIB  the lists to run (defaults below)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/bench
SHARE=$REPO/tests/share
# shellcheck disable=SC2206
MPIRUN=(${V3SHARE_MPIRUN:-mpirun --allow-run-as-root --oversubscribe \
	--mca btl_tcp_if_include lo --mca oob_tcp_if_include lo \
	--mca odls_base_sigkill_timeout 0})
say() { printf '[v3] %s\n' "$*"; }

make -s -C "$REPO/tools/v3share" >/dev/null
make -s -C "$SHARE" >/dev/null
W=$(mktemp -d "${TMPDIR:-/tmp}/v3share-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT"
{
	echo "| ranks | guest memory per node | entries per node | round 1 s | bytes sent per node, round 1 | bytes per entry | round 2 (1 % changed) s | bytes per node, round 2 |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >"$OUT/share.md"
for np in ${BENCH_SHARE_RANKS:-2 4 8}; do
	for mib in ${BENCH_SHARE_MIB:-256 1024 4096}; do
		e=$((mib * 256))
		rm -f "$W"/n*
		for r in 1 2; do
			"$SHARE/mkdump" --nodes "$np" --entries "$e" --seed 1 --round $r \
				--change 10 --out "$W/n%r.%n"
		done
		if ! timeout 600 "${MPIRUN[@]}" -np "$np" "$REPO/tools/v3share/v3share" \
			--dump "$W/n%r.%n" --rounds 2 --interval 0 --json >"$W/out.json" 2>"$W/err"; then
			say "v3share: $np ranks, $mib MiB: failed: $(tail -n 2 "$W/err")"
			echo "| $np | $mib MiB | $e | failed | | | | |" >>"$OUT/share.md"
			continue
		fi
		jq -r --arg np "$np" --arg mib "$mib" --arg e "$e" '
			def avg(f): ([.nodes[] | f] | add) / (.nodes | length);
			.rounds as $r |
			"| \($np) | \($mib) MiB | \($e) | \($r[0].time_s * 1000 | round / 1000) | \($r[0] | avg(.sent_bytes) | round) | \(($r[0] | avg(.sent_bytes)) / ($e | tonumber) * 100 | round / 100) | \($r[1].time_s * 1000 | round / 1000) | \($r[1] | avg(.sent_bytes) | round) |"' \
			"$W/out.json" >>"$OUT/share.md"
	done
done
cat "$OUT/share.md"
