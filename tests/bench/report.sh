#!/usr/bin/env bash
# Turn the serial logs of the benchmark boots (build/bench/logs/boot*.serial.log,
# lines V3B-* printed by tests/bench/l1-init) into a Markdown report on stdout.
#   report.sh LOGDIR
set -euo pipefail
LOGS=${1:?usage: report.sh LOGDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

shopt -s nullglob
logs=("$LOGS"/boot*.serial.log)
[ ${#logs[@]} -gt 0 ] || { echo "report.sh: no $LOGS/boot*.serial.log" >&2; exit 1; }

rev=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)

# "BOOT line" records: the V3B lines of each log (escape sequences before
# the first line stripped), host-side notes from boot*.host
for f in "${logs[@]}"; do
	b=$(basename "$f" .serial.log)
	b=${b#boot}
	grep -ao 'V3B-[A-Z]*.*' "$f" | sed "s/^/$b /" || true
	[ -f "$LOGS/boot$b.host" ] && sed "s/^/$b /" "$LOGS/boot$b.host"
done | awk -v nboots="${#logs[@]}" -v rev="$rev" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
	-v ncpu="$(nproc)" -v host_cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" '
function sortn(a, n,    i, j, t) {	# sort a[1..n] numerically
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
}
# median / min / max of the values listed (space separated) in s
function stats(s,    a, n) {
	n = split(s, a, " "); if (n == 0) { MED = MIN = MAX = ""; return 0 }
	sortn(a, n); MIN = a[1]; MAX = a[n]
	MED = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	return n
}
function fmt(v) {
	if (v == "") return "—"
	v += 0
	if (v >= 100000) return sprintf("%.0f", v)
	if (v >= 100) return sprintf("%.0f", v)
	if (v >= 10) return sprintf("%.1f", v)
	return sprintf("%.2f", v)
}
function cell(s,    n) {
	n = stats(s); if (!n) return "—"
	if (n == 1) return fmt(MED)
	return fmt(MED) " (" fmt(MIN) "–" fmt(MAX) ")"
}
function add(k, v) { L[k] = (k in L) ? L[k] " " v : v }
{
	boot = $1; tag = $2
	if (tag == "V3B-R") {
		way = $3; b = $4
		if (!(b in seenb)) { seenb[b] = 1; border[++nb] = b }
		if (b == "boot") { add(b SUBSEP way, $5); unit[b] = "ms"; sub(/^from-launch=/, "", $7); add("launch" SUBSEP way, $7) }
		else { add(b SUBSEP way, $5); unit[b] = $6; t = $7; sub(/^tsc=/, "", t); add("tsc" SUBSEP b SUBSEP way, t)
			n = $9; sub(/^n=/, "", n); N[b] = n }
	} else if (tag == "V3B-X") {
		b = $4; r = $5
		k = b SUBSEP r
		if (!(k in xseen)) { xseen[k] = 1; xr[b] = (b in xr) ? xr[b] " " r : r }
		add("xc" SUBSEP k, $6); add("xa" SUBSEP k, $7)
		xtot[b SUBSEP boot] += $6 * $7
		add("xcyc" SUBSEP k SUBSEP boot, $6 * $7)
	} else if (tag == "V3B-K") {
		b = $4; s = $5
		add("k" SUBSEP b SUBSEP s, $6)
	} else if (tag == "V3B-P") {
		b = $3; f = $4
		if (!((b SUBSEP f) in pseen)) { pseen[b SUBSEP f] = 1; pf[b] = (b in pf) ? pf[b] " " f : f; if (!(b in pbs)) { pbs[b] = 1; porder[++npb] = b } }
		pc[b SUBSEP f] = $5; pa[b SUBSEP f] = $6; ps[b SUBSEP f] = $7
	} else if (tag == "V3B-E") {
		$1 = ""; $2 = ""; sub(/^ +/, "")
		if ($0 ~ / log: [0-9]+ \.+$/) next	# the console benchmark'"'"'s dots
		errs[++nerr] = "boot " boot ": " $0
	} else if (tag == "V3B-INFO") {
		$1 = ""; $2 = ""; sub(/^ +/, "")
		if ($0 ~ /warmed memory|counter|dmesg: \[ *[0-9.]+\] v3vmm: module verification/) next
		sub(/dmesg: \[ *[0-9.]+\] /, "dmesg: ")
		if (!($0 in iseen)) { iseen[$0] = 1; info[++ninfo] = $0 }
	} else if (tag == "V3B-START") {
		$1 = ""; $2 = ""; sub(/^ +/, ""); start[boot] = $0
	} else if (tag == "V3B-WAY" && $4 == "end") {
		wt[boot] = wt[boot] " " $3 "=" sprintf("%.0f", $5 / 1000) "s"
	} else if (tag == "V3B-HOST") {
		$1 = ""; $2 = ""; sub(/^ +/, ""); hostn[boot] = hostn[boot] (hostn[boot] == "" ? "" : ", ") $0
	} else if (tag == "V3B-DONE") done[boot] = 1
}
END {
	target["cpu"] = 1.00; target["syscall"] = 1.00; target["mm"] = 1.00
	target["cpuid"] = 0.70; target["pio-pmtmr"] = 0.30; target["pio-80"] = 0.30; target["boot"] = 0.50
	desc["cpu"] = "integer loop (total)"; desc["syscall"] = "getppid()"; desc["mm"] = "mmap+touch+munmap, per 4K fault"
	desc["cpuid"] = "CPUID leaf 0"; desc["pio-pmtmr"] = "IN 0x608 (ACPI PM timer)"; desc["pio-80"] = "OUT 0x80"
	desc["pio-pic"] = "IN 0x21 (PIC mask)"; desc["console"] = "write to ttyS0"; desc["boot"] = "VM start to L2 /init"

	printf "# v3vmm benchmark results\n\n"
	printf "%s, tree %s; %d boot(s) of the emulated host (QEMU TCG -cpu EPYC, 2 vCPUs, 3 GiB) on a %d-CPU %s.\n", date, rev, nboots, ncpu, host_cpu
	printf "Each cell: median over boots (min–max); every boot value is itself the median of 3 runs.\n"
	printf "Ratios are time ratios of the medians (lower = v3vmm faster; throughput inverted), so the targets read “≤”.\n"
	printf "Absolute numbers are emulation timings (QEMU TCG): compare ratios only.\n\n"

	printf "| benchmark | what | unit | native (L1) | v3vmm (L2) | KVM (L2) | v3vmm/KVM | v3vmm/native | target v3vmm/KVM | met |\n"
	printf "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n"
	for (i = 1; i <= nb; i++) {
		b = border[i]
		nn = stats(L[b SUBSEP "native"]); mn = MED
		stats(L[b SUBSEP "v3vmm"]); mv = MED; lov = MIN; hiv = MAX
		stats(L[b SUBSEP "kvm"]); mk = MED; lok = MIN; hik = MAX
		inv = (unit[b] ~ /\/s$/)
		rk = rn = ""
		if (mv != "" && mk != "" && mv > 0 && mk > 0) rk = inv ? mk / mv : mv / mk
		if (mv != "" && mn != "" && mv > 0 && mn > 0) rn = inv ? mn / mv : mv / mn
		tg = (b in target) ? sprintf("≤ %.2f", target[b]) : "—"
		met = "—"
		if ((b in target) && rk != "") {
			if (rk <= target[b] + 1e-9) met = "met"
			else {
				met = "**missed**"
				if (target[b] == 1.00 && lov <= hik) met = "missed (ranges overlap: within noise)"
			}
		} else if ((b in target)) met = "no data"
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", b, desc[b], unit[b], \
			(b == "boot") ? "—" : cell(L[b SUBSEP "native"]), cell(L[b SUBSEP "v3vmm"]), cell(L[b SUBSEP "kvm"]), \
			rk == "" ? "—" : sprintf("%.2f", rk), rn == "" ? "—" : sprintf("%.2f", rn), tg, met
	}
	if (("launch" SUBSEP "v3vmm") in L)
		printf "\nboot: from `v3ctl create` (v3vmm) or QEMU start (KVM) to the first line of the guest'"'"'s /init, on L1'"'"'s clock; from `v3ctl launch` alone v3vmm takes %s ms.\n", cell(L["launch" SUBSEP "v3vmm"])

	printf "\n## Guest-side TSC cycles per operation (median over boots)\n\n"
	printf "Under TCG every level reads the outer host'"'"'s TSC, so these cycles compare across levels.\n\n"
	printf "| benchmark | unit of work | native | v3vmm | KVM |\n| --- | --- | ---: | ---: | ---: |\n"
	for (i = 1; i <= nb; i++) {
		b = border[i]; if (b == "boot") continue
		u = (b == "cpu") ? "whole loop" : (b == "console") ? "byte" : (b == "mm") ? "fault" : "call/insn/access"
		printf "| %s | %s | %s | %s | %s |\n", b, u, cell(L["tsc" SUBSEP b SUBSEP "native"]), cell(L["tsc" SUBSEP b SUBSEP "v3vmm"]), cell(L["tsc" SUBSEP b SUBSEP "kvm"])
	}

	printf "\n## Where the exit time goes (cycles per exit, medians)\n\n"
	printf "round trip: TSC cycles per CPUID/IN/OUT measured inside L2. handler window: v3vmm'"'"'s own mean for the exit reason (from the TSC read right after VMRUN returns to the end of the handler: FPU switch back, VMCB sync, decode, handler, accounting). outside: the rest of the round trip — the emulated VMRUN/#VMEXIT world switch, v3vmm'"'"'s entry path (request checks, injection, FPU/XCR0 load, CLGI, VMSAVE/VMLOAD) and the guest'"'"'s loop.\n\n"
	printf "| benchmark | exit reason | KVM round trip | v3vmm round trip | v3vmm handler window | v3vmm outside the window |\n| --- | --- | ---: | ---: | ---: | ---: |\n"
	split("cpuid:cpuid pio-pmtmr:io pio-80:io pio-pic:io", bx, " ")
	for (j = 1; j <= 4; j++) {
		split(bx[j], p, ":"); b = p[1]; r = p[2]
		if (!(("tsc" SUBSEP b SUBSEP "v3vmm") in L)) continue
		stats(L["tsc" SUBSEP b SUBSEP "v3vmm"]); rt = MED
		stats(L["xa" SUBSEP b SUBSEP r]); hw = MED
		printf "| %s | %s | %s | %s | %s | %s |\n", b, r, cell(L["tsc" SUBSEP b SUBSEP "kvm"]), fmt(rt), cell(L["xa" SUBSEP b SUBSEP r]), \
			(rt != "" && hw != "") ? sprintf("%.0f (%.0f%%)", rt - hw, 100 * (rt - hw) / rt) : "—"
	}

	printf "\n## v3vmm exits per benchmark\n\n"
	printf "From `v3ctl info` snapshots at the start and end of each benchmark (its 3 runs and a 1%% warm-up; boot: creation to /init). Medians over boots of the count and of the mean cycles per exit (handler window); share: of all exit cycles in that benchmark.\n\n"
	printf "| benchmark | reason | exits | mean cycles | share |\n| --- | --- | ---: | ---: | ---: |\n"
	nbx = 0; bl["boot"] = 1; blist[++nbx] = "boot"
	for (i = 1; i <= nb; i++) if (!(border[i] in bl)) { bl[border[i]] = 1; blist[++nbx] = border[i] }
	for (i = 1; i <= nbx; i++) {
		b = blist[i]; if (!(b in xr)) continue
		nr = split(xr[b], rs, " ")
		# order reasons by cycles (median count x median mean)
		tot = 0
		for (j = 1; j <= nr; j++) {
			stats(L["xc" SUBSEP b SUBSEP rs[j]]); c = MED; stats(L["xa" SUBSEP b SUBSEP rs[j]]); cyc[j] = c * MED; tot += cyc[j]
		}
		for (j = 1; j <= nr; j++) for (m = j + 1; m <= nr; m++) if (cyc[m] > cyc[j]) { t = cyc[j]; cyc[j] = cyc[m]; cyc[m] = t; t = rs[j]; rs[j] = rs[m]; rs[m] = t }
		for (j = 1; j <= nr; j++) {
			stats(L["xc" SUBSEP b SUBSEP rs[j]]); c = MED
			printf "| %s | %s | %.0f | %s | %.0f%% |\n", (j == 1) ? b : "", rs[j], c, cell(L["xa" SUBSEP b SUBSEP rs[j]]), tot ? 100 * cyc[j] / tot : 0
		}
	}

	printf "\n## KVM statistics per benchmark (debugfs, medians of the deltas)\n\n"
	printf "exits: all #VMEXITs KVM handled; io_exits: IN/OUT intercepts; to user space: `host_state_reload` (vCPU put: a return of KVM_RUN to QEMU, or a preemption); insn_emulation: instructions KVM decoded (without NRIP save it decodes to skip CPUID/IN/OUT).\n\n"
	printf "| benchmark | exits | io_exits | to user space | insn_emulation | irq_exits | halt_exits |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
	for (i = 1; i <= nbx; i++) {
		b = blist[i]; if (!(("k" SUBSEP b SUBSEP "exits") in L)) continue
		printf "| %s", b
		split("exits io_exits host_state_reload insn_emulation irq_exits halt_exits", ks, " ")
		for (j = 1; j <= 6; j++) { stats(L["k" SUBSEP b SUBSEP ks[j]]); printf " | %s", (MED == "") ? "0" : sprintf("%.0f", MED) }
		printf " |\n"
	}

	if (npb) {
		printf "\n## v3vmm function profile of the exit path (boot 1, function_graph tracer)\n\n"
		printf "The same L2 guest under v3vmm, 2000 operations per benchmark, with the function_graph tracer on all of the module'"'"'s functions. calls/exit: calls per VMRUN (per call of v3_svm_vcpu_run); incl: mean µs per call including callees; self: without the traced callees. The tracer adds roughly the smallest self time shown (about 1 µs under TCG) to every traced call, and the round trip grows accordingly (see the last line), so read these as relative weights. The self time of v3_svm_vcpu_run holds the emulated VMRUN/#VMEXIT world switch and the guest'"'"'s own instructions (its entry path, CLGI/STGI, interrupt flag changes are not separate functions). Functions with < 0.05 calls/exit are left out (e.g. v3ctl'"'"'s console ioctls on the other CPU).\n\n"
		printf "| benchmark | function | calls/exit | incl µs | self µs | self µs per exit |\n| --- | --- | ---: | ---: | ---: | ---: |\n"
		for (i = 1; i <= npb; i++) {
			b = porder[i]; nf = split(pf[b], fs, " ")
			runs = pc[b SUBSEP "v3_svm_vcpu_run"]; if (runs == "" || runs == 0) runs = 1
			for (j = 1; j <= nf; j++) for (m = j + 1; m <= nf; m++)
				if (pc[b SUBSEP fs[m]] * ps[b SUBSEP fs[m]] > pc[b SUBSEP fs[j]] * ps[b SUBSEP fs[j]]) { t = fs[j]; fs[j] = fs[m]; fs[m] = t }
			shown = 0; tot = 0
			for (j = 1; j <= nf; j++) { f = fs[j]; if (pc[b SUBSEP f] / runs >= 0.05) tot += pc[b SUBSEP f] * ps[b SUBSEP f] / runs }
			for (j = 1; j <= nf && shown < 12; j++) {
				f = fs[j]; if (pc[b SUBSEP f] / runs < 0.05) continue
				printf "| %s | %s | %.2f | %.2f | %.2f | %.2f |\n", shown ? "" : b, f, pc[b SUBSEP f] / runs, pa[b SUBSEP f], ps[b SUBSEP f], pc[b SUBSEP f] * ps[b SUBSEP f] / runs; shown++
			}
			printf "|  | *all traced time per exit* |  |  |  | %.2f |\n", tot
		}
		printf "\nround trips inside L2 while traced (ns/op):"
		for (i = 1; i <= nb; i++) if ((border[i] SUBSEP "profile") in L) printf " %s %s;", border[i], fmt(L[border[i] SUBSEP "profile"])
		printf "\n"
	}

	printf "\n## Boots\n\n"
	for (b = 1; b <= nboots; b++)
		printf "- boot %d: %s;%s%s; host: %s\n", b, start[b], wt[b], done[b] ? "" : " **incomplete**", hostn[b]
	if (nerr) { printf "\n## Errors\n\n"; for (i = 1; i <= nerr; i++) printf "- %s\n", errs[i] }
	if (ninfo) { printf "\n## Notes from the runs\n\n"; for (i = 1; i <= ninfo; i++) printf "- %s\n", info[i] }
}'
