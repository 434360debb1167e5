// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' hooks in the guest kernel (issue #15): breakpoints on system call
 * handlers, the #UD exit they cause, and system-call tracing on top.
 *
 * Where.  Every handler __x64_sys_NAME of an x86-64 Linux kernel starts
 * with the call to __fentry__ that ftrace patches to a 5-byte NOP at boot
 * (arch/x86/kernel/ftrace.c; 0f 1f 44 00 00 is x86_nops[5]), after an
 * ENDBR64 when the kernel is built with IBT.  GEARS makes a UD2 of the
 * NOP (its second byte, gears_site.h).  When the guest reaches it the exit
 * leaves RIP at the UD2 (exit.c), and GEARS resumes the guest after the NOP: nothing
 * the guest wrote is executed out of place or emulated.  A site whose NOP
 * is not there (ftrace or a kprobe is using it) is not touched.  Handlers
 * not selected keep their NOP and cost nothing.
 *
 * The result.  At a traced entry RDI is the handler's struct pt_regs (the
 * system call's number and arguments, arch/x86/entry/common.c).  The
 * return address on the stack is swapped for a stub of GEARS' own in the
 * guest (gears_ret.c), which keeps RAX where the VMM reads it: one exit a
 * traced call.  Where there is no stub it is swapped for the site
 * itself, so the handler's RET lands on the same UD2 with RSP one slot
 * higher, which tells a return from an entry; RAX is then the result, and
 * RIP goes to the return address kept: two exits.  None for others.
 *
 * Changing the text.  UD2s are written and removed only at the MMU's
 * safe point (every vCPU out of the guest, gears.c), so no vCPU runs the
 * bytes being changed, and the exit path reads the site table without a
 * lock.  When a trace stops, a call still inside a handler gets its own
 * return address back in its stack slot before the UD2 goes; a call
 * between its RET and the UD2 (interrupted right there) keeps the UD2
 * until it passed, which the stop waits for.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/delay.h>
#include <linux/uaccess.h>
#include "../v3.h"
#include "gears.h"
#include "ksyms.h"
#include "gears_site.h"
#include "gears_retstub.h"

#define V3_GEARS_HANDLER	"__x64_sys_"
/* a reader waiting for events looks at the stub's slots this often */
#define V3_GEARS_RET_POLL_MS	10

/*
 * Calls whose arguments name a buffer worth showing: which argument, and
 * which one holds its length (0xff: a NUL-terminated path).
 */
static const struct {
	const char *name;
	u8 arg, len_arg;
} v3_gears_strs[] = {
	{ "write", 1, 2 }, { "pwrite64", 1, 2 }, { "sendto", 1, 2 },
	{ "open", 0, 0xff }, { "openat", 1, 0xff }, { "execve", 0, 0xff },
	{ "execveat", 1, 0xff }, { "newfstatat", 1, 0xff },
	{ "stat", 0, 0xff }, { "lstat", 0, 0xff }, { "statx", 1, 0xff },
	{ "access", 0, 0xff }, { "faccessat", 1, 0xff },
	{ "faccessat2", 1, 0xff }, { "unlink", 0, 0xff },
	{ "unlinkat", 1, 0xff }, { "mkdir", 0, 0xff }, { "mkdirat", 1, 0xff },
	{ "chdir", 0, 0xff }, { "readlink", 0, 0xff }, { "rename", 0, 0xff },
};

/* ------------------------------------------------------- the site table */

static void v3_gears_bp_kind(struct v3_gears_bp *bp)
{
	unsigned int i;

	bp->str_arg = 0xff;
	bp->str_len_arg = 0xff;
	for (i = 0; i < ARRAY_SIZE(v3_gears_strs); i++) {
		if (strcmp(bp->name, v3_gears_strs[i].name))
			continue;
		bp->str_arg = v3_gears_strs[i].arg;
		bp->str_len_arg = v3_gears_strs[i].len_arg;
	}
	bp->noret = !strcmp(bp->name, "exit") ||
		    !strcmp(bp->name, "exit_group");
}

/*
 * At the safe point, the kernel found: every __x64_sys_* with its NOP,
 * or with ftrace's call where the guest's ftrace owns it now (owned: GEARS
 * can hook it through ftrace only), in address order (kallsyms' order),
 * and where the current task is.
 */
int v3_gears_hook_table(struct v3_gears_vm *gv, struct v3_gears_mem *m)
{
	struct gears_vread r = v3_gears_vread(m);
	const size_t plen = strlen(V3_GEARS_HANDLER);
	struct v3_gears_bp *bps;
	u32 i, n = 0, owned = 0, count = gears_ksyms_count(gv->ksyms);
	char name[64], type;
	u64 addr, cur;
	int ret;

	if (gv->bps && gv->hk_resets == READ_ONCE(gv->vm->resets))
		return 0;
	ret = v3_gears_need_layout(gv, m);
	if (ret)
		return ret;
	cur = gears_current_task_offset(gv->ksyms);
	if (!cur)
		return -EOPNOTSUPP;
	for (i = 0; i < count; i++)
		if (!gears_ksyms_get(gv->ksyms, i, name, sizeof(name), &type,
				     &addr) && !strncmp(name, V3_GEARS_HANDLER, plen))
			n++;
	if (!n)
		return -EOPNOTSUPP;
	bps = kvcalloc(n, sizeof(*bps), GFP_KERNEL_ACCOUNT);
	if (!bps)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < count; i++) {
		struct v3_gears_bp *bp = &bps[n];
		u8 code[GEARS_SITE_PEEK];
		int off;

		if (gears_ksyms_get(gv->ksyms, i, name, sizeof(name), &type,
				    &addr) || strncmp(name, V3_GEARS_HANDLER, plen) ||
		    strlen(name + plen) >= sizeof(bp->name) ||
		    strchr(name, '.'))	/* a .cold part: not an entry */
			continue;
		if (n && bps[n - 1].va >= addr)
			continue;	/* an alias of the one before */
		if (gears_vread(&r, addr, code, sizeof(code)))
			continue;
		/* a NOP, or ftrace's call (a tracer, a kprobe on it) */
		off = gears_site_offset(code);
		bp->owned = off < 0;
		if (bp->owned)
			off = gears_site_ftrace_offset(code);
		if (off < 0)
			continue;	/* neither (notrace, an INT3) */
		addr += off;
		if ((addr & ~PAGE_MASK) > PAGE_SIZE - sizeof(gears_nop5))
			continue;	/* a NOP across pages: one gpa each */
		if (v3_gears_mem_gpa(m, addr, &bp->gpa))
			continue;
		bp->va = addr;
		strscpy(bp->name, name + plen, sizeof(bp->name));
		v3_gears_bp_kind(bp);
		owned += bp->owned;
		n++;
	}
	kvfree(gv->bps);
	gv->bps = bps;
	gv->nr_bps = n;
	gv->placed = 0;
	gv->cur_task = cur;
	gv->hk_resets = READ_ONCE(gv->vm->resets);
	v3_info("%s: gears: %u system call handlers can be hooked (%u of them through the guest's ftrace only: it owns them now)\n",
		gv->vm->name, n, owned);
	return 0;
}

/* the site at va, placed or not; NULL if none */
struct v3_gears_bp *v3_gears_bp_find(struct v3_gears_vm *gv, u64 va)
{
	u32 lo = 0, hi = gv->nr_bps;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (gv->bps[mid].va == va)
			return &gv->bps[mid];
		if (gv->bps[mid].va < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct v3_gears_bp *v3_gears_bp_named(struct v3_gears_vm *gv,
				      const char *name)
{
	u32 i;

	for (i = 0; i < gv->nr_bps; i++)
		if (!strcmp(gv->bps[i].name, name))
			return &gv->bps[i];
	return NULL;
}

/* ------------------------------------------- writing and removing UD2s */

static bool v3_gears_pend_uses(struct v3_gears_vm *gv, u64 site)
{
	u32 i;

	for (i = 0; i < gv->nr_pend; i++)
		if (gv->pend[i].site == site)
			return true;
	return false;
}

/*
 * The trace stopped: a call still inside its handler gets its return
 * address back (the slot still holds the site), and its event goes out
 * without a result.  At the safe point: the exit path is not running.
 */
static void v3_gears_unhook_returns(struct v3_gears_vm *gv,
				    struct v3_gears_mem *m)
{
	u32 i = 0;

	while (i < gv->nr_pend) {
		struct v3_gears_pend *p = &gv->pend[i];
		u64 cur, gpa;

		/* an injection's boundary returns to GEARS' trap, not a site */
		if (p->inj || p->bnd || v3_gears_mem_read(m, p->slot, &cur, 8) ||
		    cur != p->site || v3_gears_mem_gpa(m, p->slot, &gpa) ||
		    v3_write_gpa(gv->vm, gpa, &p->ret_addr, 8)) {
			i++;
			continue;
		}
		v3_gears_emit(gv, &p->ev);
		*p = gv->pend[--gv->nr_pend];
	}
}

/*
 * Make the text what the trace and the injection need: an UD2 on every
 * selected site, on every site while an injection waits for its
 * boundary, and on a site a call in flight will return to; the NOP back
 * everywhere else.  At the safe point.
 */
int v3_gears_hook_sync(struct v3_gears_vm *gv, struct v3_gears_mem *m,
		       void *arg)
{
	/* an injection waits on every site, the stub's on the traced ones */
	bool armed = READ_ONCE(gv->inj.state) == V3_INJ_ARMED &&
		     !gv->inj.traced_only;
	u32 i;
	int ret = 0;

	if (!gv->tracing)
		v3_gears_unhook_returns(gv, m);
	for (i = 0; i < gv->nr_bps; i++) {
		struct v3_gears_bp *bp = &gv->bps[i];
		bool want = armed || (gv->tracing && bp->trace && !gv->ft_want) ||
			    v3_gears_pend_uses(gv, bp->va);
		u8 code[5];

		/* the guest's ftrace has it (GEARS' hook or another's) */
		if (READ_ONCE(bp->ft) || bp->owned)
			want = false;
		if (want == !!bp->placed)
			continue;
		if (v3_read_gpa(gv->vm, bp->gpa, code, sizeof(code))) {
			ret = -EIO;
			continue;
		}
		if (want && memcmp(code, gears_nop5, 5)) {
			v3_warn("%s: gears: %s: no NOP at %llx any more (ftrace or a kprobe on it?): not hooked\n",
				gv->vm->name, bp->name, bp->va);
			continue;
		}
		if (!want && code[GEARS_TRAP_OFF] != GEARS_TRAP_BYTE) {
			v3_warn("%s: gears: %s: the guest changed the UD2 at %llx; left as it is\n",
				gv->vm->name, bp->name, bp->va);
		} else {
			code[GEARS_TRAP_OFF] = want ? GEARS_TRAP_BYTE :
						      gears_nop5[GEARS_TRAP_OFF];
			if (v3_write_gpa(gv->vm, bp->gpa + GEARS_TRAP_OFF,
					 &code[GEARS_TRAP_OFF], 1)) {
				ret = -EIO;
				continue;
			}
		}
		WRITE_ONCE(bp->placed, want);
		if (want)
			gv->placed++;
		else
			gv->placed--;
	}
	return ret;
}

/* -------------------------------------------------------- the exit path */

/* the task on this vCPU: its pid, tgid and comm (zeros when unreadable) */
void v3_gears_task_of(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		      u32 *pid, u32 *tgid, char *comm)
{
	const struct v3_gears_layout *l = &gv->layout;
	u64 gs = v3_arch->seg_base(vcpu, V3_SEG_GS), task;

	*pid = 0;
	*tgid = 0;
	comm[0] = 0;
	if (gs < V3_GEARS_KERNEL_HALF ||
	    v3_read_gva(vcpu, gs + gv->cur_task, &task, 8) ||
	    task < V3_GEARS_KERNEL_HALF)
		return;
	if (v3_read_gva(vcpu, task + l->pid, pid, 4) ||
	    v3_read_gva(vcpu, task + l->tgid, tgid, 4) ||
	    v3_read_gva(vcpu, task + l->comm, comm, V3_GEARS_COMM_LEN))
		comm[0] = 0;
	comm[V3_GEARS_COMM_LEN - 1] = 0;
}

/* a counter the vCPUs' exit paths share */
void v3_gears_count(struct v3_gears_vm *gv, u64 *counter)
{
	unsigned long flags;

	spin_lock_irqsave(&gv->hit_lock, flags);
	(*counter)++;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
}

/* a finished event into the ring (or counted lost) */
void v3_gears_emit(struct v3_gears_vm *gv, struct v3_gears_event *ev)
{
	unsigned long flags;

	spin_lock_irqsave(&gv->hit_lock, flags);
	ev->seq = ++gv->seq;
	if (gv->ring_count == V3_GEARS_RING) {
		gv->lost++;
	} else {
		gv->ring[(gv->ring_head + gv->ring_count) % V3_GEARS_RING] = *ev;
		gv->ring_count++;
		gv->trace_events++;
	}
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	wake_up_interruptible(&gv->trace_wq);
}

/* remember a return to wait for: 0, or -ENOSPC (too many in flight) */
static int v3_gears_push(struct v3_gears_vm *gv,
			 const struct v3_gears_pend *new)
{
	unsigned long flags;
	int ret = -ENOSPC;

	spin_lock_irqsave(&gv->hit_lock, flags);
	if (gv->nr_pend < V3_GEARS_PEND_MAX) {
		gv->pend[gv->nr_pend++] = *new;
		ret = 0;
	}
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	return ret;
}

int v3_gears_push_ret(struct v3_gears_vm *gv, u64 site, u64 slot,
		      u64 ret_addr, bool inj, const struct v3_gears_event *ev)
{
	struct v3_gears_pend p = { .site = site, .slot = slot,
				   .ret_addr = ret_addr, .inj = inj };

	if (ev)
		p.ev = *ev;
	return v3_gears_push(gv, &p);
}

/* the same for a boundary's return (gears_ftrace.c), its event if any */
int v3_gears_push_bnd(struct v3_gears_vm *gv, u64 site, u64 slot,
		      u64 ret_addr, u64 regs_va,
		      const struct v3_gears_event *ev)
{
	struct v3_gears_pend p = { .site = site, .slot = slot,
				   .ret_addr = ret_addr, .bnd = true,
				   .regs_va = regs_va, .has_ev = !!ev };

	if (ev)
		p.ev = *ev;
	return v3_gears_push(gv, &p);
}

/* the return to site whose address was in slot, taken out; false if none */
bool v3_gears_pop_ret(struct v3_gears_vm *gv, u64 site, u64 slot,
		      struct v3_gears_pend *out)
{
	unsigned long flags;
	bool found = false;
	u32 i;

	spin_lock_irqsave(&gv->hit_lock, flags);
	for (i = 0; i < gv->nr_pend; i++) {
		if (gv->pend[i].site != site || gv->pend[i].slot != slot)
			continue;
		*out = gv->pend[i];
		gv->pend[i] = gv->pend[--gv->nr_pend];
		found = true;
		break;
	}
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	return found;
}

/* bytes of a buffer argument: len of them, or up to a NUL */
static void v3_gears_keep_str(struct v3_vcpu *vcpu, struct v3_gears_event *ev,
			      const struct v3_gears_bp *bp)
{
	u64 va = ev->args[bp->str_arg];
	u32 n, want = V3_GEARS_STR_LEN, i;

	if (bp->str_len_arg != 0xff) {
		if (ev->args[bp->str_len_arg] < want)
			want = ev->args[bp->str_len_arg];
		else if (ev->args[bp->str_len_arg] > want)
			ev->flags |= V3_GEARS_EV_STR_CUT;
	}
	for (n = 0; n < want; n += i) {
		/* up to the end of the page: the next may not be mapped */
		i = min_t(u32, want - n, PAGE_SIZE - ((va + n) & ~PAGE_MASK));
		if (v3_read_gva(vcpu, va + n, ev->str + n, i))
			break;
	}
	if (bp->str_len_arg == 0xff) {
		ev->flags &= ~V3_GEARS_EV_STR_CUT;
		i = strnlen(ev->str, n);
		if (i == n && n == V3_GEARS_STR_LEN)
			ev->flags |= V3_GEARS_EV_STR_CUT;
		n = i;
	}
	if (!n && want)
		return;
	ev->str_arg = bp->str_arg;
	ev->str_len = n;
	ev->flags |= V3_GEARS_EV_STR;
}

static bool v3_gears_traced(struct v3_gears_vm *gv, u32 tgid, const char *comm)
{
	if (gv->t_pid && gv->t_pid != tgid)
		return false;
	return !gv->t_comm[0] ||
	       !strncmp(gv->t_comm, comm, V3_GEARS_COMM_LEN);
}

/*
 * A traced handler entered, as an event (counted in trace_entries): false
 * when the trace leaves this process out or its pt_regs cannot be read.
 */
bool v3_gears_trace_event(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			  struct v3_gears_bp *bp, u32 pid, u32 tgid,
			  const char *comm, u64 regs_va,
			  struct v3_gears_event *out)
{
	struct v3_gears_event ev = {};
	u64 pt[V3_PT_WORDS];

	if (!v3_gears_traced(gv, tgid, comm))
		return false;
	v3_gears_count(gv, &gv->trace_entries);
	if (v3_read_gva(vcpu, regs_va, pt, V3_PT_SS * 8))
		return false;
	ev.time_ns = ktime_get_ns();
	ev.args[0] = pt[V3_PT_DI];
	ev.args[1] = pt[V3_PT_SI];
	ev.args[2] = pt[V3_PT_DX];
	ev.args[3] = pt[V3_PT_R10];
	ev.args[4] = pt[V3_PT_R8];
	ev.args[5] = pt[V3_PT_R9];
	ev.nr = pt[V3_PT_ORIG_AX];
	ev.pid = pid;
	ev.tgid = tgid;
	ev.vcpu = vcpu->id;
	memcpy(ev.comm, comm, V3_GEARS_COMM_LEN);
	strscpy(ev.syscall, bp->name, sizeof(ev.syscall));
	if (gv->inj.state == V3_INJ_RUNNING && gv->inj.hit_pid == pid)
		ev.flags |= V3_GEARS_EV_INJECTED;
	if (bp->str_arg != 0xff)
		v3_gears_keep_str(vcpu, &ev, bp);
	*out = ev;
	return true;
}

/*
 * A traced handler entered: its event, and its return hooked.  regs_va
 * is the handler's argument (the system call's struct pt_regs), slot_va
 * the stack slot of its return address.
 */
void v3_gears_trace_entry(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			  struct v3_gears_bp *bp, u32 pid, u32 tgid,
			  const char *comm, u64 regs_va, u64 slot_va)
{
	struct v3_gears_event ev;
	u64 ret_addr;

	if (!v3_gears_trace_event(gv, vcpu, bp, pid, tgid, comm, regs_va, &ev))
		return;
	if (bp->noret || v3_read_gva(vcpu, slot_va, &ret_addr, 8)) {
		v3_gears_emit(gv, &ev);
		return;
	}
	/* the result from GEARS' stub in the guest (no exit), else a trap */
	if (!v3_gears_ret_hook(gv, vcpu, slot_va, ret_addr, &ev))
		return;
	/*
	 * Hooked through ftrace the site is ftrace's call, no UD2 to return
	 * to: with every stub slot taken the event goes out without result.
	 */
	if (!READ_ONCE(bp->ft) &&
	    !v3_gears_push_ret(gv, bp->va, slot_va, ret_addr, false, &ev)) {
		if (!v3_write_gva(vcpu, slot_va, &bp->va, 8))
			return;
		/* cannot happen: it was just read; but never lose the return */
		v3_gears_pop_ret(gv, bp->va, slot_va, &(struct v3_gears_pend){});
	}
	v3_gears_emit(gv, &ev);
}

/* the #UD hook (exit.c): one of GEARS' UD2s, or -ENOENT */
static int v3_gears_ud_exit(struct v3_vcpu *vcpu)
{
	struct v3_gears_vm *gv = v3_gears_of(vcpu->vm);
	u64 rip = vcpu->regs.rip, *gpr = vcpu->regs.gpr, stub;
	char comm[V3_GEARS_COMM_LEN];
	struct v3_gears_pend p;
	struct v3_gears_bp *bp;
	u32 pid, tgid;

	if (!gv)
		return -ENOENT;
	/* the callback GEARS gave the guest's ftrace */
	if (!v3_gears_ft_exit(gv, vcpu))
		return 0;
	/*
	 * GEARS' own traps (gears_ftrace.c): an injected call back, or a
	 * handler whose call is an injection's boundary
	 */
	stub = v3_gears_ret_live(gv);
	if (stub && (rip == stub + GEARS_FT_TRAP || rip == stub + GEARS_FT_BND) &&
	    v3_gears_pop_ret(gv, rip, gpr[V3_RSP] - 8, &p)) {
		if (p.bnd)
			v3_gears_ft_bnd_ret(gv, vcpu, &p);
		else if (p.inj)
			v3_gears_inj_ret(gv, vcpu);
		return 0;
	}
	bp = gv->bps && gv->hk_resets == READ_ONCE(vcpu->vm->resets) ?
	     v3_gears_bp_find(gv, rip) : NULL;
	if (!bp || !READ_ONCE(bp->placed)) {
		v3_gears_count(gv, &gv->bp_foreign);
		return -ENOENT;
	}
	/* a RET onto the site: one of the returns GEARS waits for */
	if (v3_gears_pop_ret(gv, rip, gpr[V3_RSP] - 8, &p)) {
		if (p.inj) {
			v3_gears_inj_ret(gv, vcpu);
			return 0;
		}
		v3_gears_count(gv, &gv->trace_returns);
		p.ev.ret = gpr[V3_RAX];
		p.ev.flags |= V3_GEARS_EV_RET;
		vcpu->regs.rip = p.ret_addr;
		v3_gears_emit(gv, &p.ev);
		return 0;
	}
	v3_gears_task_of(gv, vcpu, &pid, &tgid, comm);
	if (v3_gears_inj_hit(gv, vcpu, bp, pid, tgid, comm))
		return 0;
	if (READ_ONCE(gv->tracing) && bp->trace)
		v3_gears_trace_entry(gv, vcpu, bp, pid, tgid, comm,
				     gpr[V3_RDI], gpr[V3_RSP]);
	vcpu->regs.rip = bp->va + sizeof(gears_nop5);
	return 0;
}

static struct v3_ud_hook v3_gears_ud_hook = {
	.fn = v3_gears_ud_exit,
};

/* --------------------------------------------------------------- trace */

struct v3_gears_start {
	char *names;
	bool named;
	u32 hooked;
	int ret_err, ft_err;
};

/*
 * The trace's handlers get UD2s (no hooks through the guest's ftrace):
 * the return stub armed, the text synced, and a handler asked for by
 * name whose NOP is gone since the table was built (the guest's ftrace
 * or a kprobe made it a call; hook_sync logged which), or that ftrace
 * owned then, refused, not traced as nothing.  Without names the others
 * are traced.
 */
static int v3_gears_start_ud2(struct v3_gears_vm *gv, struct v3_gears_mem *m,
			      struct v3_gears_start *s)
{
	int ret;
	u32 i;

	gv->ft_want = false;
	s->ret_err = v3_gears_ret_arm(gv);
	ret = v3_gears_hook_sync(gv, m, NULL);
	s->hooked = 0;
	for (i = 0; i < gv->nr_bps; i++) {
		const struct v3_gears_bp *bp = &gv->bps[i];

		s->hooked += bp->trace && bp->placed;
		if (s->named && bp->trace && bp->owned)
			v3_info("%s: gears: trace: the guest's ftrace owns __x64_sys_%s and GEARS' hook through it is off (%d): not traced\n",
				gv->vm->name, bp->name, gv->ft_err);
		if (s->named && bp->trace && !bp->placed && !ret)
			ret = -ENOENT;
	}
	return ret;
}

static int v3_gears_start_held(struct v3_gears_vm *gv, struct v3_gears_mem *m,
			       void *arg)
{
	struct v3_gears_start *s = arg;
	char *names = s->names, *name;
	u32 i;
	int ret = v3_gears_hook_table(gv, m);

	if (ret)
		return ret;
	s->named = *names;
	for (i = 0; i < gv->nr_bps; i++)
		gv->bps[i].trace = !*names;
	while ((name = strsep(&names, ",")) != NULL) {
		struct v3_gears_bp *bp;

		if (!*name)
			continue;
		bp = v3_gears_bp_named(gv, name);
		if (!bp) {
			v3_info("%s: gears: trace: no handler __x64_sys_%s with a NOP to hook\n",
				gv->vm->name, name);
			for (i = 0; i < gv->nr_bps; i++)
				gv->bps[i].trace = 0;
			return -ENOENT;
		}
		bp->trace = 1;
	}
	gv->tracing = true;
	/* through the guest's ftrace (every site's UD2 waits for a boundary) */
	ret = v3_gears_ft_arm(gv);
	s->ft_err = gv->ft_err;
	if (ret)
		return v3_gears_start_ud2(gv, m, s);
	s->ret_err = v3_gears_ret_live(gv) ? 0 : -EINPROGRESS;
	s->hooked = 0;
	for (i = 0; i < gv->nr_bps; i++)
		s->hooked += gv->bps[i].trace;
	return v3_gears_hook_sync(gv, m, NULL);
}

static int v3_gears_stop_held(struct v3_gears_vm *gv, struct v3_gears_mem *m,
			      void *arg)
{
	u32 i;

	gv->tracing = false;
	for (i = 0; i < gv->nr_bps; i++)
		gv->bps[i].trace = 0;
	return v3_gears_hook_sync(gv, m, NULL);
}

static int v3_gears_sync_held(struct v3_gears_vm *gv, struct v3_gears_mem *m,
			      void *arg)
{
	return v3_gears_hook_sync(gv, m, NULL);
}

/* the tables the exit path fills, once per VM (READ uses them unlocked) */
int v3_gears_hook_alloc(struct v3_gears_vm *gv)
{
	if (!gv->pend)
		gv->pend = kvcalloc(V3_GEARS_PEND_MAX, sizeof(*gv->pend),
				    GFP_KERNEL_ACCOUNT);
	if (gv->pend && !gv->ring)
		gv->ring = kvcalloc(V3_GEARS_RING, sizeof(*gv->ring),
				    GFP_KERNEL_ACCOUNT);
	return gv->pend && gv->ring ? 0 : -ENOMEM;
}

/* calls of the trace still to return, their UD2 kept: wait (1 s at most) */
static void v3_gears_drain(struct v3_gears_vm *gv)
{
	int i;

	for (i = 0; i < 100 && gv->nr_pend; i++) {
		msleep(10);
		v3_gears_request(gv, v3_gears_sync_held, NULL);
	}
}

static int v3_gears_trace_start(struct v3_gears_vm *gv,
				struct v3_gears_trace *t)
{
	struct v3_gears_start s = { .names = t->syscalls };
	unsigned long flags;
	int ret;

	if (gv->tracing)
		return -EALREADY;
	ret = v3_gears_hook_alloc(gv);
	if (ret)
		return ret;
	ret = v3_gears_ret_prepare(gv);
	if (ret)
		return ret;
	spin_lock_irqsave(&gv->hit_lock, flags);
	gv->t_pid = t->pid;
	memcpy(gv->t_comm, t->comm, sizeof(gv->t_comm));
	gv->ring_head = 0;
	gv->ring_count = 0;
	gv->seq = 0;
	gv->lost = 0;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	ret = v3_gears_request(gv, v3_gears_start_held, &s);
	if (ret && gv->tracing) {
		v3_gears_ft_settle(gv);
		v3_gears_request(gv, v3_gears_stop_held, NULL);
		v3_gears_ft_off(gv, V3_GEARS_FT_STOP_MS);
		v3_gears_ret_stop(gv);
		v3_gears_drain(gv);
	}
	t->ret_err = s.ret_err;
	t->hook_err = s.ft_err;
	return ret;
}

static int v3_gears_trace_read(struct v3_gears_vm *gv,
			       struct v3_gears_trace *t,
			       struct v3_gears_event *buf)
{
	unsigned long flags;
	long left, got;
	u32 n = 0;

	if (!gv->ring)
		return -EALREADY;
	/*
	 * Calls that return through the stub make no exit: their results
	 * are looked for here, every V3_GEARS_RET_POLL_MS while any is due.
	 */
	left = msecs_to_jiffies(t->timeout_ms);
	for (;;) {
		long step = left;

		if (READ_ONCE(gv->ret_waiting)) {
			v3_gears_ret_reap(gv, false);
			step = min_t(long, left,
				     msecs_to_jiffies(V3_GEARS_RET_POLL_MS));
		}
		if (READ_ONCE(gv->ring_count) || left <= 0)
			break;
		got = wait_event_interruptible_timeout(gv->trace_wq,
				READ_ONCE(gv->ring_count) || !READ_ONCE(gv->tracing) ||
				READ_ONCE(gv->gone), step);
		if (got < 0)
			return got;
		if (got || !READ_ONCE(gv->tracing) || READ_ONCE(gv->gone))
			break;
		left -= step;
	}
	spin_lock_irqsave(&gv->hit_lock, flags);
	while (n < t->max && gv->ring_count) {
		buf[n++] = gv->ring[gv->ring_head];
		gv->ring_head = (gv->ring_head + 1) % V3_GEARS_RING;
		gv->ring_count--;
	}
	t->lost = gv->lost;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	t->count = n;
	return 0;
}

/* V3_IOC_GEARS_TRACE: buf has room for t->max events (READ) */
int v3_gears_trace(struct v3_vm *vm, struct v3_gears_trace *t,
		   struct v3_gears_event *buf)
{
	struct v3_gears_vm *gv;
	int ret;
	u32 i;

	if (t->op == V3_GEARS_TRACE_READ) {
		gv = v3_gears_of(vm);
		return gv->gone ? -ENOENT : v3_gears_trace_read(gv, t, buf);
	}
	ret = v3_gears_begin(vm, &gv);
	if (ret)
		return ret;
	switch (t->op) {
	case V3_GEARS_TRACE_START:
		ret = v3_gears_trace_start(gv, t);
		break;
	case V3_GEARS_TRACE_STOP:
		if (!gv->tracing) {
			ret = -EALREADY;
			break;
		}
		/* a making armed or running ends first: its UD2s go next */
		v3_gears_ft_settle(gv);
		ret = v3_gears_request(gv, v3_gears_stop_held, NULL);
		v3_gears_ft_off(gv, V3_GEARS_FT_STOP_MS);
		v3_gears_ret_stop(gv);
		v3_gears_drain(gv);
		wake_up_interruptible(&gv->trace_wq);
		t->lost = gv->lost;
		break;
	default:
		ret = -EINVAL;
	}
	t->hooked = 0;
	for (i = 0; i < gv->nr_bps; i++)
		t->hooked += gv->bps[i].trace &&
			     (gv->bps[i].placed || READ_ONCE(gv->bps[i].ft) ||
			      READ_ONCE(gv->ft_want));
	return v3_gears_end(gv, ret);
}

/* -------------------------------------------------------- the service */

int v3_gears_hook_init(void)
{
	v3_ud_hook_add(&v3_gears_ud_hook);
	return 0;
}

void v3_gears_hook_exit(void)
{
	v3_ud_hook_del(&v3_gears_ud_hook);
}

int v3_gears_hook_attach(struct v3_gears_vm *gv)
{
	spin_lock_init(&gv->hit_lock);
	init_waitqueue_head(&gv->trace_wq);
	init_completion(&gv->inj.started);
	init_completion(&gv->inj.done);
	v3_gears_ft_init(gv);
	return 0;
}

/* the VM is going: wake whoever waits; its text no longer matters */
void v3_gears_hook_detach(struct v3_gears_vm *gv)
{
	gv->tracing = false;
	v3_gears_inj_abort(gv, -ENOENT);
	wake_up_interruptible(&gv->trace_wq);
}

/*
 * A new guest kernel (a reset) or none: the sites belong to the old one.
 * At the safe point or with the vCPUs gone.
 */
void v3_gears_hook_forget(struct v3_gears_vm *gv)
{
	kvfree(gv->bps);
	gv->bps = NULL;
	gv->nr_bps = 0;
	gv->placed = 0;
	gv->nr_pend = 0;
	gv->tracing = false;
	v3_gears_ft_forget(gv);
	v3_gears_ret_forget(gv);
	v3_gears_inj_abort(gv, -ENOEXEC);
	wake_up_interruptible(&gv->trace_wq);
}

void v3_gears_hook_free(struct v3_gears_vm *gv)
{
	v3_gears_ft_free(gv);
	kvfree(gv->bps);
	gv->bps = NULL;
	kvfree(gv->pend);
	gv->pend = NULL;
	kvfree(gv->ring);
	gv->ring = NULL;
	v3_gears_ret_free(gv);
	kvfree(gv->inj.data);
	gv->inj.data = NULL;
}
