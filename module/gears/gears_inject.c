// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS injection (issue #15): run a system call, a kernel function or the
 * guest's own module loader inside a guest process, at its next system
 * call boundary, and let the process go on as if nothing happened.
 *
 * The boundary.  While a request waits, every system call handler has its
 * UD2 (gears_hook.c).  The first entry by the process wanted (any
 * process for pid 0) is taken: the vCPU's registers are kept, and the
 * vCPU is sent into the guest function with a frame built below the
 * handler's: a copy of the process's pt_regs with the injected arguments
 * (a system call handler takes only that, arch/x86/include/asm/
 * syscall_wrapper.h) or the System V argument registers (a kernel
 * function), and a return address that is the site's own UD2.  The RET
 * exits there with RSP just above that address, which tells it from an
 * entry; RAX is the result.  Several steps chain that way: an injected
 * mmap(MAP_POPULATE) for scratch memory in the process, the bytes
 * copied in by the VMM, the call, the bytes copied back, munmap.  Then
 * the registers kept go back and the process's own call starts again at
 * its UD2, or at its NOP once the sites are gone.
 *
 * What the call sees.  It runs in the process's context, in its kernel
 * stack, preemptible, interrupts on: it may sleep, and may come back on
 * another vCPU (the return is matched by its stack slot, not by vCPU).
 * The entry work of a real system call (seccomp, audit, ptrace) is not
 * done for it.  Calls that do not return to their caller or that act on
 * the process's own registers are refused.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/signal.h>
#include "../v3.h"
#include "gears.h"
#include "ksyms.h"

#define V3_GEARS_INJ_TIMEOUT_MS	10000
/* room left below the handler's frame before the injected one */
#define V3_GEARS_INJ_GAP	256

enum {
	V3_STEP_START, V3_STEP_MAPPED, V3_STEP_CALLED, V3_STEP_UNMAPPED,
};

/* system calls an injection must not make (see the ABI header) */
static const char *const v3_gears_inj_refused[] = {
	"exit", "exit_group", "fork", "vfork", "clone", "clone3", "execve",
	"execveat", "rt_sigreturn", "vhangup",
};

void v3_gears_inj_finish(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			 int err)
{
	struct v3_gears_inj *inj = &gv->inj;
	unsigned long flags;

	memcpy(vcpu->regs.gpr, inj->gpr, sizeof(inj->gpr));
	vcpu->regs.rip = inj->rip;
	inj->err = err;
	inj->t_done = ktime_get_ns();
	spin_lock_irqsave(&gv->hit_lock, flags);
	inj->state = V3_INJ_DONE;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	complete(&inj->done);
}

/*
 * A new request of kind for process pid (0 any), not armed yet: what the
 * last one left (its data, if it timed out) gone.  gv->lock held, and no
 * injection armed or running.
 */
void v3_gears_inj_new(struct v3_gears_inj *inj, u32 kind, u32 pid)
{
	kvfree(inj->data);		/* left by one that timed out */
	inj->data = NULL;
	inj->data_len = 0;
	inj->state = V3_INJ_IDLE;
	inj->kind = kind;
	inj->pid = pid;
	inj->calls = 0;
	inj->ft_n = 0;
	inj->t_req = ktime_get_ns();
	reinit_completion(&inj->started);
	reinit_completion(&inj->done);
}

/*
 * Send the vCPU into func: a system call handler (pt_regs with args) or
 * a function (args in registers).  0, or -errno (nothing changed).
 */
int v3_gears_inj_call(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		      u64 func, bool syscall, const u64 *args)
{
	static const u8 regs[6] = { V3_RDI, V3_RSI, V3_RDX, V3_RCX, V3_R8,
				    V3_R9 };
	struct v3_gears_inj *inj = &gv->inj;
	u64 *gpr = vcpu->regs.gpr, sp = inj->gpr[V3_RSP] - V3_GEARS_INJ_GAP;
	u64 pt[V3_PT_WORDS];
	unsigned int i;
	int ret;

	if (syscall) {
		memcpy(pt, inj->pt, sizeof(pt));
		pt[V3_PT_DI] = args[0];
		pt[V3_PT_SI] = args[1];
		pt[V3_PT_DX] = args[2];
		pt[V3_PT_R10] = args[3];
		pt[V3_PT_R8] = args[4];
		pt[V3_PT_R9] = args[5];
		pt[V3_PT_ORIG_AX] = -1;
		pt[V3_PT_AX] = -ENOSYS;
		sp = (sp - sizeof(pt)) & ~15ULL;
		if (v3_write_gva(vcpu, sp, pt, sizeof(pt)))
			return -EFAULT;
		gpr[V3_RDI] = sp;
	} else {
		sp &= ~15ULL;
		for (i = 0; i < ARRAY_SIZE(regs); i++)
			gpr[regs[i]] = args[i];
	}
	/* as after a CALL: RSP + 8 16-byte aligned (System V ABI 3.2.2) */
	sp -= 8;
	if (v3_write_gva(vcpu, sp, &inj->ret_site, 8))
		return -EFAULT;
	ret = v3_gears_push_ret(gv, inj->ret_site, sp, 0, true, NULL);
	if (ret)
		return ret;
	gpr[V3_RSP] = sp;
	vcpu->regs.rip = func;
	inj->calls++;
	return 0;
}

/*
 * EXEC: the words the image lists get the mapping's address (argv,
 * envp and auxv pointers of its initial stack); offsets were checked
 * against data_len when the request came (v3_gears_inj_check_data).
 */
static void v3_gears_exec_reloc(struct v3_gears_inj *inj)
{
	const u64 *offs = inj->data + inj->args[2];
	u64 i, w;

	for (i = 0; i < inj->args[3]; i++) {
		memcpy(&w, inj->data + offs[i], 8);
		w += inj->uaddr;
		memcpy(inj->data + offs[i], &w, 8);
	}
}

/*
 * EXEC: the child a fork makes returns to user mode with a copy of the
 * process's own pt_regs (copy_thread(), arch/x86/kernel/process.c), so
 * for the fork they say where the program starts: RIP its entry, RSP its
 * initial stack, RDX 0 (the ELF entry's "function to register with
 * atexit", x86-64 psABI 3.4.1).  set: write those; else put back what
 * the process had.
 */
static int v3_gears_exec_regs(struct v3_vcpu *vcpu, struct v3_gears_inj *inj,
			      bool set)
{
	u64 va = inj->regs_va, v;
	int ret;

	v = set ? inj->uaddr + inj->args[0] : inj->pt[V3_PT_IP];
	ret = v3_write_gva(vcpu, va + V3_PT_IP * 8, &v, 8);
	v = set ? inj->uaddr + inj->args[1] : inj->pt[V3_PT_SP];
	ret = ret ?: v3_write_gva(vcpu, va + V3_PT_SP * 8, &v, 8);
	v = set ? 0 : inj->pt[V3_PT_DX];
	ret = ret ?: v3_write_gva(vcpu, va + V3_PT_DX * 8, &v, 8);
	inj->regs_set = set && !ret;
	return ret;
}

/* copy between the scratch mapping and data, page by page */
static int v3_gears_inj_copy(struct v3_vcpu *vcpu, u64 va, void *buf,
			     u64 len, bool in)
{
	u64 done = 0;

	while (done < len) {
		u64 n = min_t(u64, len - done, PAGE_SIZE - ((va + done) & ~PAGE_MASK));
		int ret = in ? v3_write_gva(vcpu, va + done, buf + done, n) :
			       v3_read_gva(vcpu, va + done, buf + done, n);

		if (ret)
			return ret;
		done += n;
		if (!(done & ((1 << 20) - 1)))
			cond_resched();
	}
	return 0;
}

static bool v3_gears_is_err(s64 ret)
{
	return ret < 0 && ret >= -4095;
}

/* the next step, given the result of the last one */
static void v3_gears_inj_next(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			      s64 prev)
{
	struct v3_gears_inj *inj = &gv->inj;
	u64 args[6] = {};
	unsigned int i;
	int ret = 0;

	if (inj->kind == V3_GEARS_INJ_RETSTUB ||
	    (inj->kind == V3_GEARS_INJ_FTRACE && inj->step < V3_GEARS_FT_STEP0 &&
	     !v3_gears_ret_live(gv))) {
		v3_gears_ret_step(gv, vcpu, prev);	/* the stub's pages first */
		return;
	}
	if (inj->kind == V3_GEARS_INJ_FTRACE ||
	    inj->kind == V3_GEARS_INJ_FTRACE_OFF) {
		v3_gears_ft_step(gv, vcpu, prev);
		return;
	}
	switch (inj->step) {
	case V3_STEP_START:
		if (inj->data_len) {
			args[1] = inj->map_len;
			args[2] = PROT_READ | PROT_WRITE;
			if (inj->kind == V3_GEARS_INJ_EXEC)
				args[2] |= PROT_EXEC;
			args[3] = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
			args[4] = -1;
			inj->step = V3_STEP_MAPPED;
			ret = v3_gears_inj_call(gv, vcpu, inj->sym_mmap, true,
						args);
			break;
		}
		fallthrough;
	case V3_STEP_MAPPED:
		if (inj->step == V3_STEP_MAPPED) {
			if (v3_gears_is_err(prev)) {
				ret = prev;
				break;
			}
			inj->uaddr = prev;
			if (inj->kind == V3_GEARS_INJ_EXEC)
				v3_gears_exec_reloc(inj);
			ret = v3_gears_inj_copy(vcpu, inj->uaddr, inj->data,
						inj->data_len, true);
			if (!ret && inj->kind == V3_GEARS_INJ_INSMOD)
				ret = v3_gears_inj_copy(vcpu,
						inj->uaddr + inj->data_len,
						inj->params,
						strlen(inj->params) + 1, true);
			if (ret)
				goto unmap;
		}
		memcpy(args, inj->args, sizeof(args));
		for (i = 0; i < 6; i++)
			if (inj->buf_mask & BIT(i))
				args[i] += inj->uaddr;
		if (inj->kind == V3_GEARS_INJ_INSMOD) {
			args[0] = inj->uaddr;
			args[1] = inj->data_len;
			args[2] = inj->uaddr + inj->data_len;
		}
		if (inj->kind == V3_GEARS_INJ_EXEC) {
			ret = v3_gears_exec_regs(vcpu, inj, true);
			if (ret)
				goto unmap;
			memset(args, 0, sizeof(args));
			args[0] = SIGCHLD;	/* a plain fork */
		}
		inj->step = V3_STEP_CALLED;
		ret = v3_gears_inj_call(gv, vcpu, inj->func,
					inj->kind != V3_GEARS_INJ_CALL, args);
		if (ret)
			goto unmap;
		return;
	case V3_STEP_CALLED:
		inj->ret = prev;
		if (inj->kind == V3_GEARS_INJ_EXEC)
			ret = v3_gears_exec_regs(vcpu, inj, false);
		if (!inj->uaddr)
			break;
		if (inj->kind == V3_GEARS_INJ_SYSCALL)
			ret = v3_gears_inj_copy(vcpu, inj->uaddr, inj->data,
						inj->data_len, false);
		goto unmap;
	case V3_STEP_UNMAPPED:
		ret = inj->err;
		break;
	}
	if (ret || inj->step != V3_STEP_MAPPED)
		v3_gears_inj_finish(gv, vcpu, ret);
	return;
unmap:
	/* the process's own registers back, the scratch mapping gone */
	if (inj->kind == V3_GEARS_INJ_EXEC && inj->regs_set)
		v3_gears_exec_regs(vcpu, inj, false);
	if (!inj->uaddr) {
		v3_gears_inj_finish(gv, vcpu, ret);
		return;
	}
	inj->err = ret;
	args[0] = inj->uaddr;
	args[1] = inj->map_len;
	inj->step = V3_STEP_UNMAPPED;
	if (v3_gears_inj_call(gv, vcpu, inj->sym_munmap, true, args))
		v3_gears_inj_finish(gv, vcpu, ret ? ret : -EFAULT);
}

void v3_gears_inj_ret(struct v3_gears_vm *gv, struct v3_vcpu *vcpu)
{
	v3_gears_inj_next(gv, vcpu, (s64)vcpu->regs.gpr[V3_RAX]);
}

int v3_gears_inj_hit(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		     struct v3_gears_bp *bp, u32 pid, u32 tgid,
		     const char *comm)
{
	/* RDI: the handler's pt_regs, the process's own */
	return v3_gears_inj_take(gv, vcpu, bp->va, bp->va,
				 vcpu->regs.gpr[V3_RDI], pid, tgid, comm);
}

int v3_gears_inj_take(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		      u64 resume, u64 ret_site, u64 regs_va, u32 pid,
		      u32 tgid, const char *comm)
{
	struct v3_gears_inj *inj = &gv->inj;
	unsigned long flags;
	bool mine;

	if (READ_ONCE(inj->state) != V3_INJ_ARMED || !tgid ||
	    (inj->pid && inj->pid != tgid))
		return 0;
	spin_lock_irqsave(&gv->hit_lock, flags);
	mine = inj->state == V3_INJ_ARMED;
	if (mine)
		inj->state = V3_INJ_RUNNING;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	if (!mine)
		return 0;
	memcpy(inj->gpr, vcpu->regs.gpr, sizeof(inj->gpr));
	inj->rip = resume;
	/* the steps return to this site's UD2 (gears_ftrace.c: its own) */
	inj->ret_site = ret_site;
	inj->regs_va = regs_va;
	inj->hit_pid = pid;
	inj->hit_tgid = tgid;
	memcpy(inj->hit_comm, comm, sizeof(inj->hit_comm));
	inj->t_hit = ktime_get_ns();
	inj->step = V3_STEP_START;
	inj->uaddr = 0;
	inj->regs_set = false;
	inj->err = 0;
	if (inj->kind < V3_GEARS_INJ_RETSTUB)	/* a user's, not GEARS' own */
		gv->injections++;
	complete(&inj->started);
	if (inj->kind == V3_GEARS_INJ_FTRACE ||
	    inj->kind == V3_GEARS_INJ_FTRACE_OFF)
		v3_gears_ft_begin(gv);	/* nobody may wait: a worker's safe point */
	if (v3_read_gva(vcpu, regs_va, inj->pt, sizeof(inj->pt)))
		v3_gears_inj_finish(gv, vcpu, -EFAULT);
	else
		v3_gears_inj_next(gv, vcpu, 0);
	return 1;
}

/* the VM or its kernel is gone: whoever waits gets err */
void v3_gears_inj_abort(struct v3_gears_vm *gv, int err)
{
	struct v3_gears_inj *inj = &gv->inj;
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&gv->hit_lock, flags);
	was = inj->state == V3_INJ_ARMED || inj->state == V3_INJ_RUNNING;
	if (was) {
		inj->state = V3_INJ_DONE;
		inj->err = err;
	}
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	if (was) {
		complete(&inj->started);
		complete(&inj->done);
	}
}

struct v3_gears_arm {
	const struct v3_gears_inject *r;
};

/* at the safe point: the functions named, then every site armed */
static int v3_gears_arm_held(struct v3_gears_vm *gv, struct v3_gears_mem *m,
			     void *arg)
{
	const struct v3_gears_inject *r = ((struct v3_gears_arm *)arg)->r;
	struct v3_gears_inj *inj = &gv->inj;
	char name[V3_GEARS_SYM_LEN + 16];
	unsigned long flags;
	int ret = v3_gears_hook_table(gv, m);

	if (ret)
		return ret;
	inj->sym_mmap = gears_ksyms_lookup(gv->ksyms, "__x64_sys_mmap");
	inj->sym_munmap = gears_ksyms_lookup(gv->ksyms, "__x64_sys_munmap");
	switch (r->kind) {
	case V3_GEARS_INJ_SYSCALL:
		snprintf(name, sizeof(name), "__x64_sys_%s", r->sym);
		break;
	case V3_GEARS_INJ_INSMOD:
		strscpy(name, "__x64_sys_init_module", sizeof(name));
		break;
	case V3_GEARS_INJ_EXEC:
		strscpy(name, "__x64_sys_clone", sizeof(name));
		break;
	default:
		strscpy(name, r->sym, sizeof(name));
	}
	inj->func = gears_ksyms_lookup(gv->ksyms, name);
	if (!inj->func && r->kind == V3_GEARS_INJ_CALL) {
		struct gears_vread rd = v3_gears_vread(m);

		/* not vmlinux's: a loaded module's, maybe one GEARS loaded */
		ret = v3_gears_modsym(&rd, &gv->layout, name, &inj->func);
		if (ret)
			return ret == -ENOENT || ret == -EOPNOTSUPP ? -ENXIO : ret;
	}
	if (!inj->func)
		return -ENOENT;
	if (inj->data_len && (!inj->sym_mmap || !inj->sym_munmap))
		return -EOPNOTSUPP;
	spin_lock_irqsave(&gv->hit_lock, flags);
	inj->state = V3_INJ_ARMED;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	return v3_gears_hook_sync(gv, m, NULL);
}

static int v3_gears_disarm_held(struct v3_gears_vm *gv,
				struct v3_gears_mem *m, void *arg)
{
	return v3_gears_hook_sync(gv, m, NULL);
}

static int v3_gears_inj_check(const struct v3_gears_inject *r)
{
	unsigned int i;

	switch (r->kind) {
	case V3_GEARS_INJ_SYSCALL:
		if (!r->pid)
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(v3_gears_inj_refused); i++)
			if (!strcmp(r->sym, v3_gears_inj_refused[i]))
				return -EPERM;
		for (i = 0; i < 6; i++)
			if ((r->buf_mask & BIT(i)) && r->args[i] >= r->data_len)
				return -EINVAL;
		return r->buf_mask >> 6 ? -EINVAL : 0;
	case V3_GEARS_INJ_CALL:
		return r->buf_mask || r->data_len ? -EINVAL : 0;
	case V3_GEARS_INJ_INSMOD:
		return r->buf_mask || !r->data_len ? -EINVAL : 0;
	case V3_GEARS_INJ_EXEC:
		if (!r->pid || r->buf_mask || !r->data_len ||
		    r->args[0] >= r->data_len || r->args[1] > r->data_len ||
		    (r->args[1] & 15) || r->args[2] > r->data_len ||
		    r->args[3] > (r->data_len - r->args[2]) / 8 ||
		    (r->args[2] & 7))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/* EXEC: every word to relocate inside the image */
static int v3_gears_inj_check_data(const struct v3_gears_inject *r,
				   const void *data)
{
	const u64 *offs = data + r->args[2];
	u64 i;

	if (r->kind != V3_GEARS_INJ_EXEC)
		return 0;
	for (i = 0; i < r->args[3]; i++)
		if (offs[i] > r->data_len - 8)
			return -EINVAL;
	return 0;
}

/*
 * V3_IOC_GEARS_INJECT.  *data (kvmalloc'ed, r->data_len bytes) is the
 * caller's again when this returns with *data still set; an injection
 * still running in the guest at its timeout keeps it (*data = NULL).
 */
int v3_gears_inject(struct v3_vm *vm, struct v3_gears_inject *r, void **data)
{
	struct v3_gears_arm a = { .r = r };
	u32 ms = r->timeout_ms ? r->timeout_ms : V3_GEARS_INJ_TIMEOUT_MS;
	struct v3_gears_inj *inj;
	struct v3_gears_vm *gv;
	unsigned long flags;
	long left;
	int ret;

	ret = v3_gears_inj_check(r);
	if (!ret)
		ret = v3_gears_inj_check_data(r, *data);
	if (ret)
		return ret;
	ret = v3_gears_begin(vm, &gv);
	if (ret)
		return ret;
	inj = &gv->inj;
	/*
	 * The return stub waiting for a trace's first call, or the
	 * unregistering of GEARS' ftrace_ops waiting for a boundary: those
	 * can wait (the latter is armed again when this one ends)
	 */
	v3_gears_ret_cancel(gv);
	spin_lock_irqsave(&gv->hit_lock, flags);
	if (inj->state == V3_INJ_ARMED && inj->kind == V3_GEARS_INJ_FTRACE_OFF)
		inj->state = V3_INJ_IDLE;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	if (inj->state == V3_INJ_ARMED || inj->state == V3_INJ_RUNNING) {
		/* an earlier one timed out and still runs in the guest */
		return v3_gears_end(gv, -EBUSY);
	}
	ret = v3_gears_hook_alloc(gv);
	if (ret)
		return v3_gears_end(gv, ret);
	v3_gears_inj_new(inj, r->kind, r->pid);
	memcpy(inj->args, r->args, sizeof(inj->args));
	inj->buf_mask = r->buf_mask;
	inj->data = *data;
	inj->data_len = r->data_len;
	strscpy(inj->params, r->kind == V3_GEARS_INJ_INSMOD ? r->sym : "",
		sizeof(inj->params));
	inj->map_len = PAGE_ALIGN(r->data_len + strlen(inj->params) + 1);
	ret = v3_gears_request(gv, v3_gears_arm_held, &a);
	if (ret) {
		inj->state = V3_INJ_IDLE;
		v3_gears_request(gv, v3_gears_disarm_held, NULL);
		inj->data = NULL;
		return v3_gears_end(gv, ret);
	}
	mutex_unlock(&gv->lock);

	left = wait_for_completion_killable_timeout(&inj->started,
						    msecs_to_jiffies(ms));
	mutex_lock(&gv->lock);
	spin_lock_irqsave(&gv->hit_lock, flags);
	if (inj->state == V3_INJ_ARMED) {
		inj->state = V3_INJ_IDLE;	/* no boundary came: called off */
		ret = left < 0 ? left : -ETIMEDOUT;
	}
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	/* the sites go now: only the running call's return stays */
	if (!gv->gone)
		v3_gears_request(gv, v3_gears_disarm_held, NULL);
	if (ret) {
		inj->data = NULL;
		return v3_gears_end(gv, ret);
	}
	mutex_unlock(&gv->lock);

	left = wait_for_completion_killable_timeout(&inj->done,
						    msecs_to_jiffies(ms));
	mutex_lock(&gv->lock);
	if (left <= 0 && inj->state == V3_INJ_RUNNING) {
		*data = NULL;		/* the guest still writes it back */
		return v3_gears_end(gv, left < 0 ? left : -ETIMEDOUT);
	}
	if (!gv->gone)
		v3_gears_request(gv, v3_gears_disarm_held, NULL);
	ret = inj->err;
	r->ret = inj->ret;
	r->hit_pid = inj->hit_pid;
	r->hit_tgid = inj->hit_tgid;
	memcpy(r->hit_comm, inj->hit_comm, sizeof(r->hit_comm));
	r->wait_ns = inj->t_hit - inj->t_req;
	r->run_ns = inj->t_done - inj->t_hit;
	r->calls = inj->calls;
	inj->state = V3_INJ_IDLE;
	inj->data = NULL;
	/* an unregistering of GEARS' ftrace_ops this call put off: again */
	if (gv->ft_live && !gv->tracing && !gv->gone)
		v3_gears_ft_off(gv, 0);
	return v3_gears_end(gv, ret);
}
