/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GEARS, the module side (issue #15): a VM's guest Linux kernel seen from
 * outside.  gears.c is the per-VM service (a row of the service table in
 * adapt/adapt.c): it finds the guest kernel lazily, at the MMU's safe
 * point, and forgets it at a guest reset.  gears_mem.c reads guest kernel
 * memory by virtual address for the pure layers (struct gears_vread);
 * gears_ps.c walks the task list; gears_ioctl.c is the ABI (dev.c).
 */
#ifndef V3_GEARS_GEARS_H
#define V3_GEARS_GEARS_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/completion.h>
#include <linux/workqueue.h>
#include "gmem.h"
#include "gears_ps.h"
#include "gears_fops.h"
#include "../mmu/walk.h"

struct v3_vm;
struct gears_ksyms;
struct v3_gears_task;

/*
 * Guest kernel memory by virtual address: the guest's page tables from a
 * root taken at the safe point (gears_mem.c).  One translation is cached.
 */
struct v3_gears_mem {
	struct v3_vm *vm;
	struct v3_walk_env env;
	struct v3_walk_regs regs;	/* cr3 = the root used */
	u64 cache_va, cache_gpa;	/* one 4 KiB page: ~0 none */
	u64 pages;			/* translations done (statistics) */
};

/* From the paging registers of a vCPU (a snapshot): 0, or -ENOEXEC. */
int v3_gears_mem_init(struct v3_gears_mem *m, struct v3_vm *vm,
		      const struct v3_walk_regs *regs, u64 lstar);
/* As struct gears_vread wants it: 0 or -EFAULT */
int v3_gears_mem_read(void *ctx, u64 va, void *buf, u32 len);
/* Its gears_vread, for the pure layers. */
static inline struct gears_vread v3_gears_vread(struct v3_gears_mem *m)
{
	return (struct gears_vread){ .read = v3_gears_mem_read, .ctx = m };
}

/* Where va is in guest-physical memory: 0, or -EFAULT */
int v3_gears_mem_gpa(struct v3_gears_mem *m, u64 va, u64 *gpa);
/* Switch to the root at guest-physical root_gpa if it maps va as now. */
bool v3_gears_mem_set_root(struct v3_gears_mem *m, u64 root_gpa, u64 va);

/*
 * A breakpoint site (gears_hook.c): the 5-byte NOP that starts a system
 * call handler __x64_sys_NAME (its ftrace call site, patched to a NOP at
 * boot; after ENDBR64 where the kernel has IBT).  A UD2 made of it
 * (gears_site.h) exits; GEARS then resumes after the NOP, so nothing of the guest's
 * code is executed out of place or emulated.
 */
struct v3_gears_bp {
	u64 va;				/* the NOP */
	u64 gpa;
	char name[V3_GEARS_SYSCALL_LEN];	/* NAME */
	u8 placed;			/* the UD2 is in the guest's text */
	u8 trace;			/* selected by the running trace */
	u8 str_arg, str_len_arg;	/* buffer argument kept (0xff none), its length */
	u8 noret;			/* never returns to its caller */
	u8 ft;				/* hooked through the guest's ftrace */
	u8 owned;			/* ftrace's call when the table was built:
					 * hooked through ftrace only, no UD2 */
};

/* a call whose return GEARS waits for: the return address it replaced */
struct v3_gears_pend {
	u64 site;			/* the UD2 the handler returns to */
	u64 slot;			/* the stack slot of its return address */
	u64 ret_addr;			/* what was there */
	bool inj;			/* a step of the injection */
	bool bnd;			/* an injection's boundary at the return
					 * (GEARS_FT_BND): regs_va the call's
					 * pt_regs, ev only if has_ev */
	bool has_ev;
	u64 regs_va;
	struct v3_gears_event ev;	/* trace: the call so far */
};

#define V3_GEARS_PEND_MAX	256	/* calls in flight at once */

/*
 * A slot of the return stub (gears_ret.c, gears_retstub.h): the call
 * whose return address is its stub.  busy: 0 free, 1 a call returns
 * through it, 2 being claimed (its guest data not written yet).
 */
struct v3_gears_slot {
	u8 busy;
	u8 emitted;			/* its event went out without result */
	struct v3_gears_event ev;
};

/*
 * Injections GEARS makes itself (not in the ABI): the return stub; a
 * trace's hooks registered with the guest's ftrace, and unregistered.
 */
#define V3_GEARS_INJ_RETSTUB	0x100
#define V3_GEARS_INJ_FTRACE	0x101
#define V3_GEARS_INJ_FTRACE_OFF	0x102
/* calls in flight whose return may be an injection's boundary */
#define V3_GEARS_FT_BND_MAX	8
/* handlers one trace hooks through the guest's ftrace at most */
#define V3_GEARS_FT_MAX		512
/* FTRACE's own steps are numbered from this; the stub's are below */
#define V3_GEARS_FT_STEP0	16
#define V3_GEARS_RING		1024	/* events not read yet */

/* x86-64 struct pt_regs (arch/x86/include/asm/ptrace.h), in u64s */
enum {
	V3_PT_R15, V3_PT_R14, V3_PT_R13, V3_PT_R12, V3_PT_BP, V3_PT_BX,
	V3_PT_R11, V3_PT_R10, V3_PT_R9, V3_PT_R8, V3_PT_AX, V3_PT_CX,
	V3_PT_DX, V3_PT_SI, V3_PT_DI, V3_PT_ORIG_AX, V3_PT_IP, V3_PT_CS,
	V3_PT_FLAGS, V3_PT_SP, V3_PT_SS, V3_PT_WORDS
};

enum v3_gears_inj_state {
	V3_INJ_IDLE, V3_INJ_ARMED, V3_INJ_RUNNING, V3_INJ_DONE,
};

/* The injection of a request (gears_inject.c): one at a time per VM. */
struct v3_gears_inj {
	enum v3_gears_inj_state state;
	u32 kind;			/* V3_GEARS_INJ_* */
	u32 pid;			/* tgid wanted, 0 any */
	u64 func;			/* the handler or function called */
	u64 args[6];
	u32 buf_mask;
	void *data;			/* copied in, and back (SYSCALL) */
	u64 data_len, map_len;
	u64 sym_mmap, sym_munmap;	/* __x64_sys_mmap/munmap */
	u64 sym_ro, sym_x;		/* RETSTUB: set_memory_ro/x */
	bool execmem;			/* RETSTUB: func is execmem_alloc */
	bool traced_only;		/* armed on the traced sites alone */
	u16 ft_sites[V3_GEARS_FT_MAX];	/* FTRACE: the handlers (bps[] indices) */
	u32 ft_n, ft_i, ft_waits;	/* how many, the next, the waits so far */
	char params[V3_GEARS_SYM_LEN];	/* INSMOD */
	/* at the boundary */
	int step;
	u64 gpr[V3_NR_GPRS], rip;	/* the vCPU's registers, given back */
	u64 ret_site;			/* the UD2 each step returns to: the
					 * boundary's, or GEARS' own trap */
	u64 pt[V3_PT_WORDS];		/* the process's own pt_regs */
	u64 regs_va;			/* ... their address */
	u64 uaddr;			/* the scratch mapping */
	bool regs_set;			/* EXEC: the process's pt_regs changed */
	s64 ret;
	int err;
	u32 hit_pid, hit_tgid, calls;
	char hit_comm[V3_GEARS_COMM_LEN];
	u64 t_req, t_hit, t_done;
	struct completion started, done;
};

/* The per-VM state; its lock serializes every GEARS request of the VM. */
struct v3_gears_vm {
	struct mutex lock;		/* a request; everything below */
	struct v3_vm *vm;
	bool gone;			/* the VM is being destroyed */

	/* the kernel found; valid while vm->resets == resets */
	struct gears_ksyms *ksyms;
	u64 resets;
	u64 lstar;
	u64 root;			/* init_top_pgt's guest-physical address, 0: none */
	/* task_struct's layout: layout_err 0 when valid, 1 not looked for */
	struct v3_gears_layout layout;
	int layout_err;

	/*
	 * Hooks (gears_hook.c).  bps[] and each bp's placed change only at
	 * the safe point, so the exit path reads them without a lock; what
	 * the exit path changes is under hit_lock (a spinlock: no guest
	 * memory is touched under it).
	 */
	struct v3_gears_bp *bps;	/* every __x64_sys_*, by address */
	u32 nr_bps, placed;
	u64 hk_resets;			/* bps[] belongs to this boot */
	u64 cur_task;			/* per-cpu offset of the current task */
	spinlock_t hit_lock;
	struct v3_gears_pend *pend;
	u32 nr_pend;
	bool tracing;
	u32 t_pid;
	char t_comm[V3_GEARS_COMM_LEN];
	struct v3_gears_event *ring;
	u32 ring_head, ring_count;
	u64 seq, lost;
	wait_queue_head_t trace_wq;
	struct v3_gears_inj inj;
	/*
	 * The return stub (gears_ret.c): ret_va its code page in the guest
	 * kernel, ret_gpa its data page; valid while ret_resets is the VM's
	 * resets.  ret_use: the running trace returns through it once it
	 * is there (it may be made at the trace's first call).
	 */
	u64 ret_va, ret_gpa, ret_resets;
	u64 ret_resets_arm;		/* the boot its making was armed in */
	u8 *ret_code;			/* both pages' bytes, as written */
	int ret_err;			/* why there is none: -errno */
	bool ret_use;
	unsigned long ret_reaping;	/* bit 0: one reaper at a time */
	struct v3_gears_slot *slots;
	u32 ret_waiting;		/* busy slots whose event is still due */
	/*
	 * Hooks through the guest's ftrace (gears_ftrace.c): ft_want, the
	 * trace's sites get no UD2 (its making is armed or done); ft_live,
	 * an ftrace_ops of GEARS' is registered in the guest (ft_resets'
	 * boot) and its callback's exits are traced calls.
	 */
	struct gears_ft_syms ft_syms;
	struct work_struct ft_work;	/* the safe point for the making */
	bool ft_want, ft_live;
	u32 ft_bnd;			/* calls that return to GEARS_FT_BND */
	u64 ft_resets;
	int ft_err;			/* why the last trace did not use it */
	u64 trace_entries, trace_returns, trace_events, bp_foreign;
	u64 trace_stub_returns;
	u64 injections;

	/* statistics (sysfs vms/NAME/gears/) */
	u64 finds, requests, errors;
	u64 held_ns_last, held_ns_max;	/* the vCPUs held by a request */
	int last_err;
};

/* gears.c */
int v3_gears_sym(struct v3_vm *vm, const char *name, u64 *addr, s64 *slide,
		 u64 *text, u32 *nr_syms);
int v3_gears_ps(struct v3_vm *vm, struct v3_gears_task *buf, u32 max,
		u32 *count);
extern const struct attribute_group v3_gears_vm_group;

/* gears.c: a request at the safe point, under gv->lock */
int v3_gears_request(struct v3_gears_vm *gv,
		     int (*fn)(struct v3_gears_vm *gv, struct v3_gears_mem *m,
			       void *arg),
		     void *arg);
int v3_gears_begin(struct v3_vm *vm, struct v3_gears_vm **out);
int v3_gears_end(struct v3_gears_vm *gv, int ret);
int v3_gears_need_layout(struct v3_gears_vm *gv, struct v3_gears_mem *m);
struct v3_gears_vm *v3_gears_of(struct v3_vm *vm);

/* gears_hook.c: the traps, the #UD hook and the trace */
int v3_gears_hook_init(void);
void v3_gears_hook_exit(void);
int v3_gears_hook_attach(struct v3_gears_vm *gv);
int v3_gears_hook_alloc(struct v3_gears_vm *gv);
void v3_gears_hook_detach(struct v3_gears_vm *gv);
void v3_gears_hook_free(struct v3_gears_vm *gv);
void v3_gears_hook_forget(struct v3_gears_vm *gv);
int v3_gears_hook_table(struct v3_gears_vm *gv, struct v3_gears_mem *m);
int v3_gears_hook_sync(struct v3_gears_vm *gv, struct v3_gears_mem *m,
		       void *arg);
struct v3_gears_bp *v3_gears_bp_named(struct v3_gears_vm *gv,
				      const char *name);
void v3_gears_task_of(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		      u32 *pid, u32 *tgid, char *comm);
int v3_gears_push_ret(struct v3_gears_vm *gv, u64 site, u64 slot,
		      u64 ret_addr, bool inj, const struct v3_gears_event *ev);
int v3_gears_trace(struct v3_vm *vm, struct v3_gears_trace *t,
		   struct v3_gears_event *buf);

/* gears_ret.c: the return stub */
int v3_gears_ret_prepare(struct v3_gears_vm *gv);
int v3_gears_ret_arm(struct v3_gears_vm *gv);
void v3_gears_ret_cancel(struct v3_gears_vm *gv);
void v3_gears_ret_step(struct v3_gears_vm *gv, struct v3_vcpu *vcpu, s64 prev);
int v3_gears_ret_hook(struct v3_gears_vm *gv, struct v3_vcpu *vcpu, u64 slot_va,
		      u64 ret_addr, const struct v3_gears_event *ev);
void v3_gears_ret_reap(struct v3_gears_vm *gv, bool in_exit);
void v3_gears_ret_stop(struct v3_gears_vm *gv);
void v3_gears_ret_forget(struct v3_gears_vm *gv);
void v3_gears_ret_free(struct v3_gears_vm *gv);
ssize_t v3_gears_ret_stub_fmt(struct v3_gears_vm *gv, char *buf);
extern bool v3_gears_ret_enable;	/* module parameter gears_ret_stub */

/* gears_hook.c, for gears_ret.c and gears_ftrace.c */
void v3_gears_count(struct v3_gears_vm *gv, u64 *counter);
void v3_gears_emit(struct v3_gears_vm *gv, struct v3_gears_event *ev);
bool v3_gears_trace_event(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			  struct v3_gears_bp *bp, u32 pid, u32 tgid,
			  const char *comm, u64 regs_va,
			  struct v3_gears_event *out);
int v3_gears_push_bnd(struct v3_gears_vm *gv, u64 site, u64 slot,
		      u64 ret_addr, u64 regs_va,
		      const struct v3_gears_event *ev);
bool v3_gears_pop_ret(struct v3_gears_vm *gv, u64 site, u64 slot,
		      struct v3_gears_pend *out);
void v3_gears_trace_entry(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			  struct v3_gears_bp *bp, u32 pid, u32 tgid,
			  const char *comm, u64 regs_va, u64 slot_va);
struct v3_gears_bp *v3_gears_bp_find(struct v3_gears_vm *gv, u64 va);
u64 v3_gears_ret_live(struct v3_gears_vm *gv);

/* gears_ftrace.c: hooks through the guest's own ftrace */
int v3_gears_ft_arm(struct v3_gears_vm *gv);
void v3_gears_ft_begin(struct v3_gears_vm *gv);
void v3_gears_ft_done(struct v3_gears_vm *gv, struct v3_vcpu *vcpu, int err);
void v3_gears_ft_settle(struct v3_gears_vm *gv);
int v3_gears_ft_off(struct v3_gears_vm *gv, u32 wait_ms);
/* how long a trace's stop waits for the unregistering's boundary */
#define V3_GEARS_FT_STOP_MS	2000
void v3_gears_ft_init(struct v3_gears_vm *gv);
void v3_gears_ft_free(struct v3_gears_vm *gv);
void v3_gears_ft_step(struct v3_gears_vm *gv, struct v3_vcpu *vcpu, s64 prev);
int v3_gears_ft_exit(struct v3_gears_vm *gv, struct v3_vcpu *vcpu);
void v3_gears_ft_bnd_ret(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			 struct v3_gears_pend *p);
void v3_gears_ft_forget(struct v3_gears_vm *gv);
ssize_t v3_gears_ftrace_hook_fmt(struct v3_gears_vm *gv, char *buf);
extern bool v3_gears_ft_enable;		/* module parameter gears_ftrace */

/* gears_inject.c */
int v3_gears_inject(struct v3_vm *vm, struct v3_gears_inject *r, void **data);
void v3_gears_inj_new(struct v3_gears_inj *inj, u32 kind, u32 pid);
/* a step of an injection: into func with args; its end */
int v3_gears_inj_call(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		      u64 func, bool syscall, const u64 *args);
void v3_gears_inj_finish(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			 int err);
/* at a breakpoint's entry: 1 when the injection took this boundary */
int v3_gears_inj_hit(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		     struct v3_gears_bp *bp, u32 pid, u32 tgid,
		     const char *comm);
/*
 * The same at any boundary: resume is where the vCPU goes on after the
 * injection, ret_site the UD2 its steps return to, regs_va the system
 * call's struct pt_regs.
 */
int v3_gears_inj_take(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		      u64 resume, u64 ret_site, u64 regs_va, u32 pid,
		      u32 tgid, const char *comm);
/* its step's return reached: go on */
void v3_gears_inj_ret(struct v3_gears_vm *gv, struct v3_vcpu *vcpu);
void v3_gears_inj_abort(struct v3_gears_vm *gv, int err);

/* gears_layout.c: task_struct's layout from the guest's BTF */
int v3_gears_layout_find(struct v3_gears_mem *m, const struct gears_ksyms *k,
			 struct v3_gears_layout *l);

/* gears_ioctl.c (dev.c) */
int v3_gears_ioc_sym(void __user *arg);
int v3_gears_ioc_ps(void __user *arg);
int v3_gears_ioc_trace(void __user *arg);
int v3_gears_ioc_inject(void __user *arg);

#endif
