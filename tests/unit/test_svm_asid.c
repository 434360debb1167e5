// SPDX-License-Identifier: GPL-2.0
/*
 * ASID and TLB_CONTROL decisions (module/svm/svm_asid.c), fed sequences of
 * (CPU, vCPU) entries.  Fixed sequences check the choices one by one;
 * random ones run against a model TLB and check that no vCPU ever sees a
 * translation that is not its own and current:
 *  - real SVM: entries tagged by ASID; TLB_CONTROL 1 flushes everything,
 *    3 this ASID (APM 15.16.2);
 *  - QEMU TCG: entries not tagged (an ASID-blind TLB); any TLB_CONTROL
 *    flushes everything.
 */
#include "svm/svm.h"
#include "unit.h"

#define NCPU	3
#define NVCPU	6
#define MAXASID	8

static struct v3_svm_cpu sd[NCPU];
static struct v3_svm_vcpu vc[NVCPU];
static struct v3_vmcb vmcbs[NVCPU];
static u64 next_uid = 1;
static struct v3_svm_features f;

static void reset(bool quirks, bool flush_by_asid, u32 nasid)
{
	unsigned int i;

	memset(sd, 0, sizeof(sd));
	for (i = 0; i < NCPU; i++) {	/* as v3_svm_cpu_alloc leaves it */
		sd[i].next_asid = 1;
		sd[i].asid_gen = 1;
	}
	memset(vc, 0, sizeof(vc));
	memset(vmcbs, 0, sizeof(vmcbs));
	for (i = 0; i < NVCPU; i++) {
		vc[i].vmcb = &vmcbs[i];
		vc[i].last_cpu = -1;
		vc[i].uid = next_uid++;
	}
	memset(&f, 0, sizeof(f));
	f.nasid = nasid;
	f.emulator_quirks = quirks;
	f.flush_by_asid = flush_by_asid;
}

static u8 enter(int cpu, int v, bool flush)
{
	return v3_svm_pick_asid(&sd[cpu], &vc[v], cpu, flush, &f);
}

#define ASID(v)	(vmcbs[v].control.asid)

static void fixed_real(bool fba)
{
	const char *m = fba ? "real, flush-by-ASID" : "real, no flush-by-ASID";
	u8 t;
	u32 a;

	reset(false, fba, 16);
	t = enter(0, 0, false);
	CHECK(t == V3_TLB_CTL_FLUSH_ALL && ASID(0) == 1,
	      "%s: first entry on a CPU: ASID 1, flush all (new generation; another hypervisor may have used the ASIDs)", m);
	t = enter(0, 1, false);
	CHECK(t == V3_TLB_CTL_NONE && ASID(1) == 2,
	      "%s: second vCPU on the CPU: fresh ASID 2, no flush", m);
	t = enter(0, 0, false);
	CHECK(t == V3_TLB_CTL_NONE && ASID(0) == 1,
	      "%s: vCPU 0 again after vCPU 1 ran: keeps ASID 1, no flush", m);
	t = enter(0, 0, false);
	CHECK(t == V3_TLB_CTL_NONE && ASID(0) == 1, "%s: vCPU 0 again: no flush", m);
	t = enter(0, 0, true);
	if (fba)
		CHECK(t == V3_TLB_CTL_FLUSH_ASID && ASID(0) == 1,
		      "%s: flush request: TLB_CONTROL 3 on ASID 1", m);
	else
		CHECK(t == V3_TLB_CTL_NONE && ASID(0) == 3,
		      "%s: flush request: a fresh ASID (3) instead of flushing", m);
	a = ASID(0);
	t = enter(1, 0, false);
	CHECK(t == V3_TLB_CTL_FLUSH_ALL && ASID(0) == 1,
	      "%s: vCPU 0 moves to CPU 1 (first use there): ASID 1 of CPU 1, flush all", m);
	t = enter(1, 1, false);
	CHECK(t == V3_TLB_CTL_NONE && ASID(1) == 2, "%s: vCPU 1 moves to CPU 1: fresh ASID 2, no flush", m);
	t = enter(0, 0, false);
	CHECK(t == V3_TLB_CTL_NONE && ASID(0) != a && ASID(0) > 1 && ASID(0) != 2,
	      "%s: vCPU 0 back on CPU 0: a fresh ASID (%u, not its old %u), no flush", m, ASID(0), a);

	/* rollover: 4 ASIDs = 1..3 usable */
	reset(false, fba, 4);
	enter(0, 0, false);
	enter(0, 1, false);
	enter(0, 2, false);
	CHECK(ASID(0) == 1 && ASID(1) == 2 && ASID(2) == 3, "%s: ASIDs 1, 2, 3 handed out", m);
	t = enter(0, 3, false);
	CHECK(t == V3_TLB_CTL_FLUSH_ALL && ASID(3) == 1,
	      "%s: ASIDs exhausted: new generation, ASID 1 again, flush all", m);
	t = enter(0, 0, false);
	CHECK(t == V3_TLB_CTL_NONE && ASID(0) == 2,
	      "%s: vCPU of the old generation takes a fresh ASID (2), no flush", m);
}

static void fixed_quirks(void)
{
	u8 t;

	reset(true, false, 16);
	t = enter(0, 0, false);
	CHECK(t == V3_TLB_CTL_FLUSH_ALL && ASID(0) == 1, "quirks: first entry: ASID 1, flush all");
	t = enter(0, 0, false);
	CHECK(t == V3_TLB_CTL_NONE, "quirks: same vCPU again: no flush");
	t = enter(0, 1, false);
	CHECK(t == V3_TLB_CTL_FLUSH_ALL && ASID(1) == 2, "quirks: another vCPU: flush all (ASIDs not trusted)");
	t = enter(0, 0, false);
	CHECK(t == V3_TLB_CTL_FLUSH_ALL && ASID(0) == 1, "quirks: vCPU 0 after vCPU 1: flush all, keeps ASID 1");
	t = enter(0, 0, true);
	CHECK(t == V3_TLB_CTL_FLUSH_ALL, "quirks: flush request: flush all");
	t = enter(1, 0, false);
	CHECK(t == V3_TLB_CTL_FLUSH_ALL, "quirks: moved CPU: flush all");
}

/* ---- random sequences against a model TLB ---- */
struct tlb_entry { u64 owner; u64 epoch; bool valid; };
static struct tlb_entry tlb[NCPU][MAXASID];
static u64 epoch[NVCPU];

/* true if the entry went well */
static bool model_enter(int cpu, int v, bool flush, bool asid_blind)
{
	u8 t = enter(cpu, v, flush);
	u32 a = ASID(v), i;

	if (a == 0 || a >= f.nasid) {
		printf("# asid %u out of range\n", a);
		return false;
	}
	if (t == V3_TLB_CTL_FLUSH_ALL || (asid_blind && t))
		memset(tlb[cpu], 0, sizeof(tlb[cpu]));
	else if (t == V3_TLB_CTL_FLUSH_ASID)
		tlb[cpu][a].valid = false;
	else if (t != V3_TLB_CTL_NONE)
		return false;
	/* what this vCPU can see: its ASID's entries, or all if blind */
	for (i = 0; i < MAXASID; i++) {
		struct tlb_entry *e = &tlb[cpu][i];

		if (!e->valid || (!asid_blind && i != a))
			continue;
		if (e->owner != vc[v].uid || e->epoch != epoch[v]) {
			printf("# cpu %d vcpu %d (uid %llu) asid %u sees an entry of uid %llu epoch %llu (now %llu)\n",
			       cpu, v, (unsigned long long)vc[v].uid, a,
			       (unsigned long long)e->owner,
			       (unsigned long long)e->epoch,
			       (unsigned long long)epoch[v]);
			return false;
		}
	}
	/* it runs: fills the TLB; its guest may change its page tables
	 * (and flush this CPU's TLB itself), leaving other CPUs stale */
	epoch[v]++;
	tlb[cpu][a] = (struct tlb_entry){ vc[v].uid, epoch[v], true };
	return true;
}

static unsigned int rnd(void)
{
	static u64 x = 88172645463325252ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static bool random_run(bool quirks, bool fba, bool asid_blind, unsigned int steps)
{
	unsigned int s;

	reset(quirks, fba, MAXASID);
	memset(tlb, 0, sizeof(tlb));
	memset(epoch, 0, sizeof(epoch));
	/* whatever a previous hypervisor left */
	tlb[0][1] = (struct tlb_entry){ 999, 0, true };
	tlb[1][2] = (struct tlb_entry){ 998, 0, true };
	for (s = 0; s < steps; s++) {
		int v = rnd() % NVCPU, cpu = rnd() % NCPU;
		unsigned int r = rnd() % 16;
		bool flush = false;

		if (r == 0) {
			/* guest changed its page tables without a local
			 * flush and asked for a flush (V3_REQ_TLB) */
			epoch[v]++;
			flush = true;
		} else if (r == 1) {
			/* the vCPU is destroyed, a new one takes its slot */
			memset(&vmcbs[v], 0, sizeof(vmcbs[v]));
			memset(&vc[v], 0, sizeof(vc[v]));
			vc[v].vmcb = &vmcbs[v];
			vc[v].last_cpu = -1;
			vc[v].uid = next_uid++;
			epoch[v] = 0;
		}
		if (!model_enter(cpu, v, flush, asid_blind)) {
			printf("# step %u\n", s);
			return false;
		}
	}
	return true;
}

int main(void)
{
	fixed_real(true);
	fixed_real(false);
	fixed_quirks();

	CHECK(random_run(false, true, false, 200000),
	      "real SVM, flush-by-ASID: 200000 random entries, no vCPU sees a stale or foreign translation");
	CHECK(random_run(false, false, false, 200000),
	      "real SVM, no flush-by-ASID: 200000 random entries, no stale or foreign translation");
	CHECK(random_run(true, false, true, 200000),
	      "quirks on an ASID-blind TLB (QEMU TCG): 200000 random entries, no stale or foreign translation");
	CHECK(random_run(true, true, false, 50000),
	      "quirks on real SVM: still correct (only slower)");
	CHECK(!random_run(false, true, true, 200000),
	      "the textbook logic on an ASID-blind TLB does leak (why the quirk exists; the model can fail)");
	return unit_done();
}
