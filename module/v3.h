/* SPDX-License-Identifier: GPL-2.0 */
/*
 * v3vmm core: VM and vCPU objects, the backend interface (struct
 * v3_arch_ops) and the services common code offers to backends and devices.
 */
#ifndef _V3_H
#define _V3_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <asm/msr-index.h>
#include "v3vmm.h"
#include "spec_ctrl.h"
#include "mmu/mmu_state.h"

#define V3_PR_PREFIX "v3vmm: "
#define v3_err(fmt, ...)  pr_err(V3_PR_PREFIX fmt, ##__VA_ARGS__)
#define v3_warn(fmt, ...) pr_warn(V3_PR_PREFIX fmt, ##__VA_ARGS__)
#define v3_info(fmt, ...) pr_info(V3_PR_PREFIX fmt, ##__VA_ARGS__)

struct v3_vm;
struct v3_vcpu;
struct v3_lapic;
struct v3_paging_hw;		/* mmu/mmu.h */

/* ---------------------------------------------------------------- memory */

/*
 * Guest-physical layout: RAM starts at 0; what does not fit below the
 * 3 GiB PCI hole continues at 4 GiB.  RAM is kept in 2 MiB regions, each
 * backed by one order-9 page when the allocator has one, else by 512
 * order-0 pages.
 */
#define V3_REGION_SHIFT		21
#define V3_REGION_SIZE		(1ULL << V3_REGION_SHIFT)
#define V3_LOW_RAM_LIMIT	(3ULL << 30)
#define V3_HIGH_RAM_BASE	(4ULL << 30)

struct v3_region {
	struct page *large;	/* order-9 page, or NULL */
	struct page **small;	/* 512 order-0 pages otherwise */
};

/* Where guest RAM goes (V3_MEM_* of the ABI) */
struct v3_mem_place {
	u32 policy;		/* enum v3_mem_policy */
	int local_node;		/* V3_MEM_LOCAL: preferred node */
	u64 nodes;		/* V3_MEM_BIND, _INTERLEAVE: node bits */
};

struct v3_guest_mem {
	u64 size;		/* bytes of RAM */
	u64 large_bytes;	/* of which backed by 2 MiB pages */
	u64 low_size;		/* RAM below V3_LOW_RAM_LIMIT */
	unsigned long nr_regions;
	struct v3_region *regions;
	u64 charged;		/* held of v3vmm.max_guest_mem */
	struct v3_mem_place place;	/* as created */
};

/*
 * What a VM allocates on its creator's behalf: charged to the creator's
 * memory cgroup; __GFP_RETRY_MAYFAIL makes a full cgroup (or host) fail
 * the creation with -ENOMEM instead of running the OOM killer on the
 * creator or its neighbours, and the refusal is logged once by us.
 */
#define V3_GFP_ACCOUNT	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

int v3_mem_alloc(struct v3_guest_mem *mem, u64 size,
		 const struct v3_mem_place *place, const char *name);
int v3_mem_place_check(const struct v3_create *c, const char *name);
void v3_mem_count_nodes(const struct v3_guest_mem *mem, u64 *pages,
			u64 *large, unsigned int max, unsigned int *nr);
void v3_guest_mem_limit_init(void);
u64 v3_guest_mem_limit(void);
u64 v3_guest_mem_in_use(void);
int v3_guest_mem_charge(const char *name, u64 bytes);
void v3_guest_mem_uncharge(u64 bytes);
void v3_mem_free(struct v3_guest_mem *mem);
int v3_region_alloc(struct v3_region *r, unsigned long npages,
		    int node, bool strict, u64 *large_bytes);
void v3_region_free(struct v3_region *r);
/* Host virtual address of a guest-physical page, NULL if not RAM. */
void *v3_gpa_to_hva(struct v3_vm *vm, u64 gpa);
/* Host physical address backing gpa, or ~0 if not RAM; *large if 2 MiB. */
u64 v3_gpa_to_hpa(struct v3_vm *vm, u64 gpa, bool *large);
void *v3_ram_hva(const struct v3_guest_mem *mem, u64 off);
bool v3_gpa_is_ram(struct v3_vm *vm, u64 gpa);
int v3_read_gpa(struct v3_vm *vm, u64 gpa, void *buf, size_t len);
int v3_write_gpa(struct v3_vm *vm, u64 gpa, const void *buf, size_t len);

int v3_tdp_build(struct v3_vm *vm, struct v3_tdp *tdp,
		 const struct v3_tdp_format *fmt);
void v3_tdp_free(struct v3_tdp *tdp);
int v3_tdp_remap(struct v3_vm *vm, struct v3_tdp *tdp, u64 gpa, u64 **old_pt);
/* hinting faults for memory placement (nested.c, adapt/mem_follow.c) */
int v3_tdp_hint(struct v3_vm *vm, u64 gpa);
bool v3_tdp_hint_fault(struct v3_vcpu *vcpu, u64 gpa);
void v3_tdp_dump(struct v3_vm *vm, const struct v3_tdp *tdp, u64 gpa);

/* ------------------------------------------------------------ registers */

enum v3_seg_reg {
	V3_SEG_ES, V3_SEG_CS, V3_SEG_SS, V3_SEG_DS, V3_SEG_FS, V3_SEG_GS,
	V3_SEG_TR, V3_SEG_LDTR, V3_NR_SEGS
};

/*
 * Architectural state common code reads after an exit.  The backend fills
 * it after every exit and writes rip, rsp, rax and rflags back before the
 * next entry; other changes go through v3_arch_ops.
 */
struct v3_regs {
	u64 gpr[V3_NR_GPRS];
	u64 rip;
	u64 rflags;
	u64 cr0, cr2, cr3, cr4, efer;
	u64 cs_base;
	u32 cs_attr_l:1, cs_attr_db:1;
	u8 cpl;
};

/* ---------------------------------------------------------------- exits */

/* A VM exit decoded by the backend into common terms. */
struct v3_exit {
	u32 reason;		/* enum v3_exit_reason */
	u32 insn_len;		/* length of the exiting instruction, 0: unknown */
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2, 4 */
			u8 in:1, string:1, rep:1;
			u8 addr_size;	/* string: 2, 4, 8 */
		} io;
		struct {
			u64 gpa;
			u64 gva;
			u32 write:1, fetch:1, present:1, gva_valid:1;
			/* the guest's own page-table walk faulted, not the
			 * access the instruction makes (SVM EXITINFO1[33],
			 * EPT qualification bit 8 clear with bit 7 set) */
			u32 walk:1;
		} mem;
		struct {
			u8 reg;		/* CR/DR number */
			u8 write:1;
			u8 gpr;		/* decoded operand, 0xff if unknown */
			/*
			 * CR exits only: the instruction (enum v3_cr_op).
			 * MOV: reg, write and gpr as above.  CLTS: write
			 * of CR0, gpr unused.  LMSW: write of CR0 with
			 * the 16-bit source in lmsw when the backend has
			 * it (gpr != 0xff), else gpr 0xff and common code
			 * decodes the instruction (mmu.c).
			 */
			u8 op;
			u16 lmsw;
		} crdr;
		struct {
			u8 vector;
			u32 error;
			/* #PF: the faulting linear address (CR2: SVM
			 * EXITINFO2, VMX exit qualification) */
			u64 addr;
		} exc;
		struct {
			u64 gva;	/* the operand, if valid */
			u8 valid:1;	/* 0: common code decodes it */
		} invlpg;
	};
	u64 raw[4];		/* backend exit code and qualifiers for dumps */
	u64 tsc;		/* TSC at exit, for cycle accounting */
};

/* struct v3_exit.crdr.op for V3_EXIT_CR_ACCESS */
enum v3_cr_op {
	V3_CR_MOV = 0,
	V3_CR_CLTS,
	V3_CR_LMSW,
};

/* ---------------------------------------------------------------- vCPU */

enum v3_vcpu_mode {
	V3_MODE_OUTSIDE = 0,
	V3_MODE_IN_GUEST = 1,
};

#define V3_REQ_STOP	0	/* leave the run loop */
#define V3_REQ_PAUSE	1	/* park until resumed */
#define V3_REQ_TLB	2	/* flush guest TLB on next entry */
#define V3_REQ_EVENT	3	/* an interrupt may have become pending */
#define V3_REQ_INIT	4	/* INIT IPI: wait for SIPI */
#define V3_REQ_SIPI	5	/* startup IPI: start at sipi_vector << 12 */
#define V3_REQ_RESET	6	/* leave the run loop: the VM is being reset */
#define V3_REQ_MMU	7	/* leave the guest: a paging-mode switch (mmu.c) */
#define V3_REQ_MOVE	8	/* rebind the thread to pin_cpu (placement.c) */

/* requests that make the backend return -EINTR instead of entering */
#define V3_REQ_EXIT_MASK (BIT(V3_REQ_STOP) | BIT(V3_REQ_RESET) | \
			  BIT(V3_REQ_PAUSE) | BIT(V3_REQ_MMU) | \
			  BIT(V3_REQ_EVENT) | BIT(V3_REQ_INIT) | \
			  BIT(V3_REQ_SIPI) | BIT(V3_REQ_MOVE))

struct v3_vcpu {
	struct v3_vm *vm;
	unsigned int id;
	struct task_struct *thread;
	wait_queue_head_t wq;
	unsigned long requests;
	int mode;			/* enum v3_vcpu_mode */
	int cpu;			/* physical CPU of the last entry */
	int pin_cpu;			/* -1: any */
	bool halted;
	bool parked;			/* halted with interrupts off: INIT only */
	bool irq_idle;			/* nothing pending at the last look (irq.c) */
	/* an acknowledged interrupt whose delivery gave way to a #PF
	 * (mmu/pf_event.c): BIT(31) | vector, injected first (irq.c) */
	u32 held_irq;
	bool started;			/* has a boot state (BSP) or SIPI */
	u8 sipi_vector;
	struct v3_lapic *lapic;		/* this vCPU's local APIC */
	call_single_data_t kick_csd;	/* IPI that forces an exit */

	struct v3_regs regs;
	struct v3_exit exit;
	u64 xcr0;			/* guest XCR0 */
	u64 dr[4], dr6, dr7;		/* emulated debug registers */
	u64 mtrr[0x31];			/* fixed, variable, default type */
	void *fpu;			/* guest XSAVE/FXSAVE area */
	bool fpu_loaded;		/* guest FPU in the registers (fpu.c) */
	bool arch_loaded;		/* vcpu_load done since sched-in */
	int cpus_gen;			/* hw.c CPU set its placement follows */
	struct preempt_notifier preempt;	/* on its thread (vcpu.c) */
	u64 pvclock_msr;		/* MSR_KVM_SYSTEM_TIME_NEW (pvclock.c) */
	struct v3_spec_vcpu spec;	/* guest SPEC_CTRL, entry work (spec_ctrl.c) */
	struct v3_mmu mmu;		/* paging mode state (mmu/) */

	/* statistics, written by the vCPU thread only */
	u64 exits[V3_NR_EXIT_REASONS];
	u64 exit_cycles[V3_NR_EXIT_REASONS];
	u64 entry_tsc;			/* end of the last exit's handling */
	u64 guest_cycles;		/* entry to exit: world switch and guest */
	u64 halt_ns;			/* asleep in HLT */
	u64 moves;			/* V3_IOC_VCPU_MOVE done (placement.c) */
	/* interrupts: IPIs this vCPU sent, by target (written by its own
	 * thread: ICR writes exit on it), and those devices sent it */
	u64 ipis_sent[V3_MAX_VCPUS];
	atomic64_t dev_irqs;

	void *arch;			/* backend state */
};

/* ----------------------------------------------------------------- VM */

/* The paravirtual clock's time line (pvclock.c); mul 0: not offered */
struct v3_pvclock {
	u64 wall_msr;			/* MSR_KVM_WALL_CLOCK_NEW */
	u32 mul;			/* TSC -> ns, as in pvclock_vcpu_time_info */
	s8 shift;
	u8 flags;			/* PVCLOCK_TSC_STABLE_BIT */
};

struct v3_io_handler {
	u16 base, len;
	/* return 0 if handled; val is little-endian, size 1/2/4 */
	int (*read)(struct v3_vcpu *vcpu, void *opaque, u16 port, u8 size,
		    u32 *val);
	int (*write)(struct v3_vcpu *vcpu, void *opaque, u16 port, u8 size,
		     u32 val);
	void *opaque;
	/* write may sleep: the guest FPU is put first (see v3_handle_exit) */
	bool write_sleeps;
};

#define V3_MAX_IO_HANDLERS	32

/* MMIO: accesses of 1, 2, 4 or 8 bytes decoded from the guest instruction */
struct v3_mmio_handler {
	u64 base, len;
	int (*read)(struct v3_vcpu *vcpu, void *opaque, u64 gpa, u8 size,
		    u64 *val);
	int (*write)(struct v3_vcpu *vcpu, void *opaque, u64 gpa, u8 size,
		     u64 val);
	/*
	 * XCHG with memory is locked (SDM vol. 2 "XCHG"; APM vol. 3): a
	 * handler backed by memory other CPUs may update gives it here as one
	 * atomic exchange (*val in: the new value, out: the old one).
	 * Optional; without it XCHG is a read and then a write.
	 */
	int (*exchange)(struct v3_vcpu *vcpu, void *opaque, u64 gpa, u8 size,
		    u64 *val);
	void *opaque;
};

#define V3_MAX_MMIO_HANDLERS	8

#define V3_CONSOLE_SIZE		(64 * 1024)

struct v3_console {
	spinlock_t lock;
	char *buf;
	u64 head;			/* total bytes ever written */
	wait_queue_head_t wq;
	/* input from v3ctl console, consumed by the UART */
	char in[256];
	unsigned int in_head, in_tail;
	struct mutex input_lock;	/* input/input_opaque vs. their use */
	void (*input)(struct v3_vm *vm, void *opaque);
	void *input_opaque;
};

#define V3_MAX_DEVICES		16

/* Unmodelled MSRs a guest touched, per MSR number (msr.c) */
struct v3_msr_stat_tbl {
	spinlock_t lock;
	unsigned int nr;
	struct v3_msr_stat ent[V3_MSR_STATS_MAX];
	u64 other_reads, other_writes, other_gp;
};

struct v3_vm {
	struct list_head node;		/* in the global VM list */
	bool ready;			/* built: visible to lookups */
	struct kref ref;
	char name[V3_NAME_MAX];
	struct mutex lock;		/* lifecycle operations */
	spinlock_t stop_lock;

	int state;			/* enum v3_vm_state */
	int stop_reason;		/* enum v3_stop_reason */
	int exit_code;
	char reason[V3_REASON_LEN];
	bool dead;			/* destroyed: no more operations */
	bool boot_set;
	struct v3_boot boot;
	u64 launch_ns, stop_ns;

	u32 flags;
	u32 first_cpu;
	unsigned int nr_vcpus;
	struct v3_vcpu **vcpus;

	struct v3_guest_mem mem;
	/*
	 * The creator's memory cgroup (a reference; NULL without memcg):
	 * kernel memory allocated for this VM later, by workers that run in
	 * no cgroup of their own (content.c's scanner), is charged to it.
	 */
	struct mem_cgroup *memcg;
	/* held by what changes guest RAM's backing (mem_move.c) and what
	 * reaches it from outside the vCPU threads (ioctls, reset) */
	struct mutex mem_lock;
	/*
	 * Host TSC when the VM was created or last reset: every vCPU's TSC
	 * offset is -tsc_base, so guest TSCs start at 0 and agree.
	 */
	u64 tsc_base;
	struct v3_pvclock pvclock;
	u64 spec_uid;			/* never reused: IBPB between VMs (spec_ctrl.c) */
	int node_id;			/* NUMA node of guest RAM */

	struct v3_io_handler io[V3_MAX_IO_HANDLERS];
	unsigned int nr_io;
	void *devices[V3_MAX_DEVICES];
	struct v3_mmio_handler mmio[V3_MAX_MMIO_HANDLERS];
	unsigned int nr_mmio;
	struct v3_pic *pic;		/* 8259A pair, if present */
	struct v3_ioapic *ioapic;	/* IOAPIC, if present */

	struct v3_console console;
	u64 counters[V3_NR_COUNTERS];	/* atomically updated */
	struct v3_msr_stat_tbl msr_stats;	/* unmodelled MSRs (msr.c) */

	/* guest reset (vm_reset.c) */
	struct list_head reset_image;	/* what the loader wrote, in order */
	u64 reset_image_bytes;
	bool reset_image_lost;		/* too large to keep: reset stops */
	struct work_struct reset_work;
	u64 resets;

	struct kobject *kobj;		/* /sys/kernel/v3vmm/vms/NAME */
	void *adapt[4];			/* adaptation services' state (adapt/adapt.h) */
	struct v3_mmu_vm mmu;		/* paging mode (mmu/) */
	void *arch;			/* backend state */
};

/* ---------------------------------------------------------- the backend */

struct v3_arch_ops {
	const char *name;
	u32 arch;			/* enum v3_arch */

	/*
	 * Check the CPU: 0 if this backend can run here, else -ENODEV with
	 * *why saying what is missing (NULL: not this vendor's CPU at all).
	 */
	int (*probe)(const char **why);
	/* Per-CPU memory for every possible CPU / its release. */
	int (*hw_setup)(void);
	void (*hw_teardown)(void);
	/*
	 * Enable (EFER.SVME, VMXON) or disable virtualization on this CPU,
	 * interrupts off; hw.c calls them as CPUs come and go, at suspend,
	 * resume and reboot.  cpu_enable returns -EBUSY when another
	 * hypervisor holds the CPU.  cpu_disable also runs in the NMI of an
	 * emergency reboot: no locks, no printk.
	 */
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	u64 (*caps)(void);		/* V3_CAP_*, after hw_setup */

	int (*vm_init)(struct v3_vm *vm);
	void (*vm_destroy)(struct v3_vm *vm);
	int (*vcpu_init)(struct v3_vcpu *vcpu);
	void (*vcpu_destroy)(struct v3_vcpu *vcpu);
	/* Load the architectural boot state (reset when boot is NULL). */
	int (*vcpu_set_boot)(struct v3_vcpu *vcpu, const struct v3_boot *boot);
	/*
	 * Optional: the vCPU's thread is about to enter the guest for the
	 * first time since it was scheduled in on this CPU (preemption
	 * disabled), so host state that only changes when another thread
	 * runs may be saved once here (see the preempt notifiers, vcpu.c).
	 */
	void (*vcpu_load)(struct v3_vcpu *vcpu);
	/*
	 * Enter the guest once; return 0 with vcpu->exit and vcpu->regs
	 * filled, or a negative errno when the entry itself failed.
	 * Called after vcpu_load: guest FPU loaded, preemption disabled,
	 * interrupts enabled.
	 */
	int (*vcpu_run)(struct v3_vcpu *vcpu);
	/* Queue an exception for the next entry. */
	void (*inject_exception)(struct v3_vcpu *vcpu, u8 vector,
				 bool has_error, u32 error);
	/* Write back a changed EFER (WRMSR emulation). */
	void (*set_efer)(struct v3_vcpu *vcpu, u64 efer);
	/*
	 * Get/set MSRs whose state lives in the VMCB/VMCS; 0 if handled.
	 * get_msr also answers MSR_LSTAR (GEARS finds the guest kernel
	 * from it) without a VMCS load, at the MMU's safe point.
	 */
	int (*get_msr)(struct v3_vcpu *vcpu, u32 msr, u64 *val);
	int (*set_msr)(struct v3_vcpu *vcpu, u32 msr, u64 val);
	/* Guest TSC - host TSC (the hardware's TSC offset). */
	u64 (*tsc_offset)(struct v3_vcpu *vcpu);
	void (*set_tsc_offset)(struct v3_vcpu *vcpu, u64 offset);
	/* Print the guest state to the kernel log. */
	void (*dump)(struct v3_vcpu *vcpu);
	/*
	 * perf's guest-only counters (exclude_host) count while this backend
	 * runs a guest: SVM keeps EFER.SVME set, which AMD's Guest-Only
	 * event bit needs; VMX switches perf's MSRs at VM entry and exit
	 * (vmx/vmx_perf.c) where the host has an Intel PMU.
	 */
	bool (*perf_guest_only)(void);
	/*
	 * The base of a guest segment register (enum v3_seg_reg): operands
	 * in memory that common code reaches (mmu/mmu_cr.c: LMSW, SMSW).
	 */
	u64 (*seg_base)(struct v3_vcpu *vcpu, unsigned int seg);

	/*
	 * External interrupts.  irq_allowed: RFLAGS.IF set, no interrupt
	 * shadow, no event already queued for the next entry.  irq_window:
	 * ask for an exit (V3_EXIT_INTR_WINDOW) as soon as the guest can
	 * take an interrupt.  A backend clears the interrupt shadow when
	 * common code moved RIP past an emulated instruction.
	 */
	bool (*irq_allowed)(struct v3_vcpu *vcpu);
	void (*inject_irq)(struct v3_vcpu *vcpu, u8 vector);
	void (*irq_window)(struct v3_vcpu *vcpu, bool enable);

	/*
	 * Paging (module/mmu/, issue #12).  tdp_format: the NPT/EPT entry
	 * encoding the VM-wide nested tables are built with (mmu/nested.c).
	 * set_paging: load the paging mode of struct v3_paging_hw for the
	 * next entries (see mmu/mmu.h).  inject_pf: queue #PF with error
	 * code error and CR2 = cr2 for the next entry.  A backend that
	 * leaves set_paging NULL runs nested paging only and builds its
	 * own nested tables when tdp_format is NULL too.
	 */
	const struct v3_tdp_format *tdp_format;
	int (*set_paging)(struct v3_vcpu *vcpu, const struct v3_paging_hw *hw);
	void (*inject_pf)(struct v3_vcpu *vcpu, u32 error, u64 cr2);
};

extern const struct v3_arch_ops *v3_arch;
/* main.c: emulator_quirks= (auto, on, off), read by the backends' probes */
extern char *v3_emulator_quirks;
extern const struct v3_arch_ops v3_svm_ops;
extern const struct v3_arch_ops v3_vmx_ops;

/* ------------------------------------------------------- common services */

/* vm.c */
struct v3_vm *v3_vm_get(const char *name);
void v3_vm_put(struct v3_vm *vm);
int v3_vm_create(const struct v3_create *c);
int v3_vm_destroy(const char *name);
int v3_vm_launch(struct v3_vm *vm);
int v3_vm_pause(struct v3_vm *vm, bool pause);
void v3_vm_stop(struct v3_vm *vm, int reason, int code, const char *fmt, ...)
	__printf(4, 5);
int v3_vm_list(char *names, u32 max, u32 *count);
void v3_vm_destroy_all(void);
void v3_vm_fill_info(struct v3_vm *vm, struct v3_info *info);

/* hw.c: virtualization on each CPU across hotplug, suspend and reboot */
int v3_hw_init(void);
void v3_hw_exit(void);
bool v3_hw_cpu_on(void);		/* this CPU; preemption disabled */
bool v3_hw_dead(void);			/* turned off for good (reboot) */
int v3_hw_cpus_gen(void);
int v3_hw_place(struct v3_vcpu *vcpu);
bool v3_hw_cpu_has_virt(int cpu);	/* virtualization on there now */

/* dev.c: checks of ioctl arguments */
bool v3_zero(const void *p, size_t len);
int v3_check_name(const char *name);

/* placement.c: vCPU and guest RAM placement ioctls (ABI 1.4) */
int v3_ioc_vcpus(void __user *arg);
int v3_vcpu_place(struct v3_vm *vm, unsigned int id, int cpu);
int v3_ioc_vcpu_move(void __user *arg);
int v3_ioc_mem_nodes(void __user *arg);
ssize_t v3_placement_ipis_show(struct v3_vm *vm, char *buf);
ssize_t v3_placement_irqs_show(struct v3_vm *vm, char *buf);
/* mem_move.c */
int v3_ioc_mem_move(void __user *arg);
int v3_mem_move_one(struct v3_vm *vm, unsigned long idx, int node,
		    u64 *held_ns);
long v3_mem_region_of(const struct v3_guest_mem *mem, u64 gpa);
u64 v3_mem_region_gpa(const struct v3_guest_mem *mem, unsigned long idx);
int v3_mem_region_node(const struct v3_guest_mem *mem, unsigned long idx);

/* vcpu.c */
struct v3_vcpu *v3_vcpu_create(struct v3_vm *vm, unsigned int id);
void v3_vcpu_free(struct v3_vcpu *vcpu);
int v3_vcpu_start(struct v3_vcpu *vcpu);
void v3_vcpu_kick(struct v3_vcpu *vcpu, int req);
/* an exit handled: counts it and its time (vcpu.c) */
void v3_vcpu_account(struct v3_vcpu *vcpu, u32 reason);
void v3_vcpu_stop_thread(struct v3_vcpu *vcpu);
void v3_vcpu_reset(struct v3_vcpu *vcpu);
int v3_vm_load_boot(struct v3_vm *vm);
int v3_vm_start_vcpus(struct v3_vm *vm);
void v3_vm_reset_tsc(struct v3_vm *vm);

/* vm_reset.c: the guest's reset (i8042, port 0xcf9) */
void v3_reset_init(struct v3_vm *vm);
void v3_reset_image_add(struct v3_vm *vm, u64 gpa, u64 len);
void v3_reset_image_free(struct v3_vm *vm);
void v3_vm_reset(struct v3_vm *vm, const char *why);
void v3_reset_cancel(struct v3_vm *vm);

/*
 * exit.c: returns 0 to continue, 1 when the VM must stop.  Called with
 * the guest FPU loaded; handlers that may sleep run after v3_fpu_put().
 */
int v3_handle_exit(struct v3_vcpu *vcpu);
void v3_skip_insn(struct v3_vcpu *vcpu);
/*
 * A #UD hook: fn returns -ENOENT when the UD2 is not its own (the next
 * hook or the guest gets it), else what an exit handler returns, RIP
 * moved on.  Runs in the vCPU thread, may sleep.
 */
struct v3_ud_hook {
	struct list_head node;
	int (*fn)(struct v3_vcpu *vcpu);
};
void v3_ud_hook_add(struct v3_ud_hook *h);
void v3_ud_hook_del(struct v3_ud_hook *h);
void v3_inject_gp(struct v3_vcpu *vcpu);
void v3_inject_ud(struct v3_vcpu *vcpu);

/* io.c */
int v3_io_register(struct v3_vm *vm, const struct v3_io_handler *h);
int v3_mmio_register(struct v3_vm *vm, const struct v3_mmio_handler *h);
int v3_handle_io(struct v3_vcpu *vcpu);
int v3_handle_mem_fault(struct v3_vcpu *vcpu);
/* the instruction at RIP against h at vcpu->exit.mem.gpa (also mmu/shadow.c) */
int v3_mmio_emulate(struct v3_vcpu *vcpu, struct v3_mmio_handler *h);

/* msr.c, cpuid.c, hypercall.c */
extern const u32 v3_passthrough_msrs[];
extern const unsigned int v3_nr_passthrough_msrs;
int v3_handle_rdmsr(struct v3_vcpu *vcpu);
int v3_handle_wrmsr(struct v3_vcpu *vcpu);
/* MSR access results beside 0 (modelled) and -EINVAL (bad value: #GP) */
#define V3_MSR_IGNORED	1	/* not modelled: read as 0 / write dropped */
/* -ENOENT: an MSR v3vmm does not model: #GP(0), as a CPU without it */
void v3_msr_stats_init(struct v3_vm *vm);
void v3_msr_stats_fill(struct v3_vm *vm, struct v3_msr_stats *out);

/* pmu.c: an empty PMU (no counters) */
int v3_pmu_rdmsr(struct v3_vcpu *vcpu, u32 msr, u64 *val);
int v3_pmu_wrmsr(struct v3_vcpu *vcpu, u32 msr, u64 val);
int v3_handle_rdpmc(struct v3_vcpu *vcpu);

/* mce.c: a machine check that hit while the guest ran goes to the host */
void v3_host_machine_check(void);
int v3_handle_cpuid(struct v3_vcpu *vcpu);
void v3_cpuid_guest(struct v3_vcpu *vcpu, u32 leaf, u32 sub,
		    u32 *a, u32 *b, u32 *c, u32 *d);
int v3_handle_hypercall(struct v3_vcpu *vcpu);
int v3_handle_xsetbv(struct v3_vcpu *vcpu);

/* pvclock.c: KVM-compatible paravirtual clock */
void v3_pvclock_init(struct v3_vm *vm);
bool v3_pvclock_cpuid(struct v3_vm *vm, u32 leaf, u32 *a, u32 *b, u32 *c,
		      u32 *d);
int v3_pvclock_rdmsr(struct v3_vcpu *vcpu, u32 msr, u64 *val);
int v3_pvclock_wrmsr(struct v3_vcpu *vcpu, u32 msr, u64 val);

/* guest_va.c: a locked update of guest RAM (sizes 1-8, aligned) */
int v3_gpa_cmpxchg(struct v3_vm *vm, u64 gpa, u64 old, u64 new,
		   unsigned int size);
/* ... of 16 aligned bytes (CMPXCHG16B): old[0], new[0] the low halves */
int v3_gpa_cmpxchg16(struct v3_vm *vm, u64 gpa, const u64 *old,
		     const u64 *new);
/* guest_va.c: guest-virtual access through the guest's page tables */
int v3_gva_to_gpa(struct v3_vcpu *vcpu, u64 gva, u64 *gpa);
void v3_dump_walk(struct v3_vcpu *vcpu, u64 gva);
int v3_read_gva(struct v3_vcpu *vcpu, u64 gva, void *buf, size_t len);
int v3_write_gva(struct v3_vcpu *vcpu, u64 gva, const void *buf, size_t len);
int v3_fetch_insn(struct v3_vcpu *vcpu, u8 *buf, size_t len);

/* emulate.c: decode the MOV-class instruction behind an MMIO exit */
struct v3_mmio_insn {
	u8 len;			/* instruction length */
	u8 size;		/* access size: 1, 2, 4, 8 */
	u8 write:1;		/* store to memory */
	u8 zext:1;		/* MOVZX: zero-extend the load */
	u8 xchg:1;		/* XCHG: load then store */
	u8 has_imm:1;		/* store of an immediate */
	u8 reg;			/* GPR operand (enum v3_gpr) */
	u8 reg_size;		/* width of the register operand */
	u8 reg_high8:1;		/* AH/CH/DH/BH */
	u64 imm;
};
int v3_decode_mmio(struct v3_vcpu *vcpu, struct v3_mmio_insn *insn);

/* irq.c: interrupt lines, delivery and injection */
#define V3_NR_GSIS		24
void v3_irq_set(struct v3_vm *vm, unsigned int irq, bool level);
void v3_irq_pulse(struct v3_vm *vm, unsigned int irq);
void v3_inject_pending(struct v3_vcpu *vcpu);
bool v3_vcpu_has_interrupt(struct v3_vcpu *vcpu);

/* devices/lapic.c: the local APIC of each vCPU (Intel SDM vol. 3 ch. 11) */
#define V3_APIC_BASE_DEFAULT	0xfee00000ULL
#define V3_APIC_DM_FIXED	0
#define V3_APIC_DM_LOWEST	1
#define V3_APIC_DM_SMI		2
#define V3_APIC_DM_NMI		4
#define V3_APIC_DM_INIT		5
#define V3_APIC_DM_STARTUP	6
#define V3_APIC_DM_EXTINT	7
int v3_lapic_create(struct v3_vcpu *vcpu);
void v3_lapic_destroy(struct v3_vcpu *vcpu);
void v3_lapic_quiesce(struct v3_vcpu *vcpu);
void v3_lapic_reset_vcpu(struct v3_vcpu *vcpu);
int v3_lapic_mmio_register(struct v3_vm *vm);
/* deliver an interrupt message (IOAPIC, MSI, IPI) to the LAPICs it names */
void v3_lapic_deliver(struct v3_vm *vm, u32 dest, bool logical, u8 mode,
		      u8 vector, bool level);
/* highest deliverable vector (LAPIC IRR or ExtINT from the PIC), or -1 */
int v3_lapic_pending(struct v3_vcpu *vcpu);
/* acknowledge it (IRR -> ISR, or PIC INTA): the vector to inject, or -1 */
int v3_lapic_ack(struct v3_vcpu *vcpu);
int v3_lapic_rdmsr(struct v3_vcpu *vcpu, u32 msr, u64 *val);
int v3_lapic_wrmsr(struct v3_vcpu *vcpu, u32 msr, u64 val);

/* devices/pic.c, devices/ioapic.c (interrupt controllers of the board) */
struct v3_pic;
struct v3_ioapic;
void v3_pic_set_irq(struct v3_pic *pic, unsigned int irq, bool level);
int v3_pic_pending(struct v3_pic *pic);		/* INTR asserted: vector, else -1 */
int v3_pic_ack(struct v3_pic *pic);		/* INTA: vector to deliver */
void v3_ioapic_set_irq(struct v3_ioapic *ioapic, unsigned int pin,
		       bool level);
void v3_ioapic_eoi(struct v3_ioapic *ioapic, u8 vector);

/* console.c */
int v3_console_init(struct v3_console *con);
void v3_console_free(struct v3_console *con);
void v3_console_put(struct v3_vm *vm, const char *s, size_t len);
int v3_console_read(struct v3_vm *vm, struct v3_console_io *io);
int v3_console_write(struct v3_vm *vm, struct v3_console_io *io);
int v3_console_getc(struct v3_vm *vm);
void v3_console_set_input(struct v3_vm *vm,
			  void (*fn)(struct v3_vm *vm, void *opaque),
			  void *opaque);

/* devices/devices.c */
int v3_devices_create(struct v3_vm *vm);
void v3_devices_destroy(struct v3_vm *vm);

/* sysfs.c */
int v3_sysfs_init(void);
void v3_sysfs_exit(void);
int v3_sysfs_add_vm(struct v3_vm *vm);
void v3_sysfs_del_vm(struct v3_vm *vm);
struct v3_vm *v3_sysfs_vm(struct kobject *k);

/* dev.c */
int v3_dev_init(void);
void v3_dev_exit(void);

/*
 * fpu.c: guest FPU/XSAVE state.  Loaded before guest entry and kept
 * across exits the kernel handles without sleeping; put back before the
 * vCPU thread may sleep or be scheduled out.  Loaded means preemption is
 * disabled: backends' vcpu_run is called with the guest FPU loaded.
 */
/*
 * XSAVE components v3vmm saves and offers to guests (SDM vol. 1 13.1):
 * x87, SSE, AVX, the three AVX-512 components and PKRU.  Not MPX (gone
 * from Linux), not AMX tile state (large, XFD-guarded on the host), not
 * supervisor state (no IA32_XSS), nor any component a later CPU adds.
 */
#define V3_XFEATURE_X87		BIT_ULL(0)
#define V3_XFEATURE_SSE		BIT_ULL(1)
#define V3_XFEATURE_YMM		BIT_ULL(2)
#define V3_XFEATURE_AVX512	(BIT_ULL(5) | BIT_ULL(6) | BIT_ULL(7))
#define V3_XFEATURE_PKRU	BIT_ULL(9)
#define V3_XCR0_GUEST		(V3_XFEATURE_X87 | V3_XFEATURE_SSE | \
				 V3_XFEATURE_YMM | V3_XFEATURE_AVX512 | \
				 V3_XFEATURE_PKRU)
int v3_fpu_alloc(struct v3_vcpu *vcpu);
void v3_fpu_free(struct v3_vcpu *vcpu);
void v3_fpu_reset(struct v3_vcpu *vcpu);
void v3_fpu_load(struct v3_vcpu *vcpu);
void v3_fpu_put(struct v3_vcpu *vcpu);
u64 v3_guest_xcr0(struct v3_vcpu *vcpu);
u64 v3_host_xcr0(void);
u32 v3_xsave_size(u64 xcr0);
u32 v3_xsavec_size(u64 xcr0);
void v3_fpu_init(void);

static inline void v3_count(struct v3_vm *vm, enum v3_counter c)
{
	/* x86 LOCK-prefixed increment; counters are statistics only */
	__sync_fetch_and_add(&vm->counters[c], 1);
}

/* 64-bit mode: IA-32e mode active and a 64-bit code segment */
/*
 * A result written to a GPR as an instruction of that operand size writes
 * it (SDM vol. 1 3.4.1.1): AH-BH (high8) or the low byte or word merged,
 * a doubleword zero-extended to 64 bits.
 */
static inline void v3_gpr_write(u64 *r, bool high8, unsigned int size,
				u64 val)
{
	if (high8)
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
	else if (size == 1)
		*r = (*r & ~0xffULL) | (val & 0xff);
	else if (size == 2)
		*r = (*r & ~0xffffULL) | (val & 0xffff);
	else if (size == 4)
		*r = (u32)val;
	else
		*r = val;
}

static inline bool v3_long_mode(struct v3_vcpu *vcpu)
{
	return (vcpu->regs.efer & EFER_LMA) && vcpu->regs.cs_attr_l;
}

static inline bool v3_vm_stopped(struct v3_vm *vm)
{
	return READ_ONCE(vm->state) == V3_STATE_STOPPED;
}

#endif /* _V3_H */
