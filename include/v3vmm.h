/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * v3vmm user/kernel ABI: the one header shared by v3vmm.ko and v3ctl.
 *
 * Every structure is made of fixed-width fields with explicit padding and
 * reserved space; reserved fields must be zero on input (the module returns
 * -EINVAL otherwise) so they can be given a meaning later without breaking
 * old callers.  VMs are named by a NUL-terminated string of at most
 * V3_NAME_MAX - 1 characters from [A-Za-z0-9_.-].
 *
 * All ioctls are issued on /dev/v3vmm and return 0 or -1 with errno set.
 */
#ifndef _UAPI_V3VMM_H
#define _UAPI_V3VMM_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define V3_ABI_MAJOR		1
#define V3_ABI_MINOR		9

#define V3_IOC_MAGIC		0xF7
#define V3_NAME_MAX		32
#define V3_MAX_VCPUS		64
#define V3_MAX_VMS		64

/* Capability bits reported by V3_IOC_VERSION */
#define V3_CAP_SVM		(1ULL << 0)	/* AMD SVM backend active */
#define V3_CAP_VMX		(1ULL << 1)	/* Intel VMX backend active */
#define V3_CAP_NESTED_PAGING	(1ULL << 2)	/* NPT or EPT in use */
#define V3_CAP_LARGE_PAGES	(1ULL << 3)	/* 2 MiB guest-physical mappings */
#define V3_CAP_NRIP_SAVE	(1ULL << 4)	/* SVM: hardware next-RIP */
#define V3_CAP_DECODE_ASSISTS	(1ULL << 5)	/* SVM: decode assists */
#define V3_CAP_VPID		(1ULL << 6)	/* VMX: VPID tagged TLB */
#define V3_CAP_UNRESTRICTED	(1ULL << 7)	/* VMX: unrestricted guest */
/* ABI 1.2: the real-CPU features each backend uses when present */
#define V3_CAP_FLUSH_BY_ASID	(1ULL << 8)	/* SVM: TLB_CONTROL flush of one ASID */
#define V3_CAP_VMCB_CLEAN	(1ULL << 9)	/* SVM: VMCB clean bits */
#define V3_CAP_PAUSE_FILTER	(1ULL << 10)	/* SVM: PAUSE filter count/threshold */
#define V3_CAP_EPT_AD		(1ULL << 12)	/* VMX: EPT accessed/dirty flags */
#define V3_CAP_PREEMPT_TIMER	(1ULL << 13)	/* VMX: VMX-preemption timer */
#define V3_CAP_EMULATOR_QUIRKS	(1ULL << 16)	/* workarounds for an emulated CPU active */
/* ABI 1.3: shadow paging and switching a VM between the modes (V3_IOC_PAGING) */
#define V3_CAP_PAGING_SWITCH	(1ULL << 17)
/* ABI 1.4: placement: vCPU moves, per-vCPU times, guest RAM node policy */
#define V3_CAP_PLACEMENT	(1ULL << 18)
/* ABI 1.5: guest memory content tracking (V3_IOC_CONTENT_*) */
#define V3_CAP_CONTENT		(1ULL << 19)
/* ABI 1.6: GEARS guest introspection (V3_IOC_GEARS_*) */
#define V3_CAP_GEARS		(1ULL << 20)
/* ABI 1.7: GEARS system-call tracing and injection (V3_IOC_GEARS_TRACE/INJECT) */
#define V3_CAP_GEARS_INJECT	(1ULL << 21)
/* ABI 1.8: a traced call's result from a stub in the guest (v3_gears_trace.ret_err) */
#define V3_CAP_GEARS_RET_STUB	(1ULL << 22)
/* ABI 1.9: traced handlers hooked through the guest's ftrace (v3_gears_trace.hook_err) */
#define V3_CAP_GEARS_FTRACE	(1ULL << 23)

enum v3_arch {
	V3_ARCH_NONE = 0,
	V3_ARCH_SVM = 1,
	V3_ARCH_VMX = 2,
};

struct v3_version {
	__u32 abi_major;
	__u32 abi_minor;
	__u32 arch;		/* enum v3_arch */
	__u32 max_vcpus;
	__u64 caps;		/* V3_CAP_* */
	__u64 mitigations;	/* ABI 1.2: V3_MIT_* active at the world switch */
	__u64 reserved[5];
};

/*
 * Transient-execution mitigations applied around guest entry and exit
 * (ABI 1.2), each following the host kernel's own choice for itself.
 */
#define V3_MIT_RSB_FILL		(1ULL << 0)	/* return stack refilled after exit */
#define V3_MIT_SPEC_CTRL	(1ULL << 1)	/* IA32_SPEC_CTRL switched guest/host */
#define V3_MIT_IBPB		(1ULL << 2)	/* IBPB when another VM's vCPU ran on the CPU */
#define V3_MIT_CLEAR_CPU_BUF	(1ULL << 3)	/* VERW before entry (MDS/TAA/MMIO/RFDS) */
#define V3_MIT_L1D_FLUSH	(1ULL << 4)	/* L1D flush before entry (L1TF) */
#define V3_MIT_BHI		(1ULL << 5)	/* branch history cleared after exit */
#define V3_MIT_UNTRAIN_RET	(1ULL << 6)	/* SVM: return predictions untrained after exit (Retbleed/SRSO) */
#define V3_MIT_IBPB_EXIT_USER	(1ULL << 7)	/* IBPB before the CPU next returns to user space (VMSCAPE) */
/* names by bit number (module log, sysfs and v3ctl print the same words) */
#define V3_MIT_NAMES {						\
	"rsb-fill", "spec-ctrl", "ibpb", "clear-cpu-buf",		\
	"l1d-flush", "bhi", "untrain-ret", "ibpb-exit-to-user",		\
}

/* VM creation flags */
#define V3_CREATE_PIN_VCPUS	(1U << 0)	/* pin vCPU i to host CPU first_cpu + i */
#define V3_CREATE_NO_PVCLOCK	(1U << 1)	/* no KVM-compatible clock at CPUID 0x40000100 */
#define V3_CREATE_REBOOT_STOPS	(1U << 2)	/* guest reset stops the VM (reason reset) */
#define V3_CREATE_FLAGS		(V3_CREATE_PIN_VCPUS | V3_CREATE_NO_PVCLOCK | \
				 V3_CREATE_REBOOT_STOPS)

/*
 * Where guest RAM is allocated (ABI 1.4), in 2 MiB regions.  Nodes are
 * host NUMA node numbers, at most V3_MAX_NODES.
 */
enum v3_mem_policy {
	/* the node of the vCPUs' CPUs (first_cpu when pinned, else the
	 * creating thread's); other nodes when it runs out */
	V3_MEM_LOCAL = 0,
	/* only the one node in mem_nodes: -ENOMEM when it runs out */
	V3_MEM_BIND = 1,
	/* region i on the i-th node of mem_nodes, round robin (0: every
	 * node with memory); each region on its node or refused */
	V3_MEM_INTERLEAVE = 2,
	V3_NR_MEM_POLICIES
};
#define V3_MAX_NODES		64

struct v3_create {
	char name[V3_NAME_MAX];
	__u64 mem_bytes;	/* multiple of 4 KiB, 1 MiB .. 64 GiB */
	__u32 vcpus;		/* 1 .. V3_MAX_VCPUS */
	__u32 flags;		/* V3_CREATE_* */
	__u32 first_cpu;	/* with V3_CREATE_PIN_VCPUS */
	__u32 mem_policy;	/* ABI 1.4: enum v3_mem_policy (was pad) */
	__u64 mem_nodes;	/* ABI 1.4: bit n: host node n (was reserved) */
	__u64 reserved[5];
};

/* Names a VM for the ioctls that take nothing else. */
struct v3_vm_ref {
	char name[V3_NAME_MAX];
	__u64 reserved[2];
};

/* Copy between a caller buffer and guest-physical memory. */
struct v3_mem_xfer {
	char name[V3_NAME_MAX];
	__u64 gpa;
	__u64 uaddr;		/* caller's buffer */
	__u64 len;		/* at most V3_MEM_XFER_MAX per call */
	__u64 reserved[2];
};
#define V3_MEM_XFER_MAX		(16ULL << 20)

/*
 * Initial CPU state of the boot vCPU (vCPU 0).  Loaders in v3ctl place the
 * kernel image in guest memory and then describe how to enter it.
 */
enum v3_boot_mode {
	/* 32-bit protected mode, paging off, flat 4 GiB CS/DS (Multiboot v1) */
	V3_BOOT_PROT32 = 1,
	/* 64-bit long mode, paging on with cr3 given, flat 64-bit CS */
	V3_BOOT_LONG64 = 2,
	/* real mode at cs:ip = (entry >> 4):(entry & 0xf) */
	V3_BOOT_REAL16 = 3,
};

enum v3_gpr {
	V3_RAX, V3_RCX, V3_RDX, V3_RBX, V3_RSP, V3_RBP, V3_RSI, V3_RDI,
	V3_R8, V3_R9, V3_R10, V3_R11, V3_R12, V3_R13, V3_R14, V3_R15,
	V3_NR_GPRS
};

struct v3_boot {
	char name[V3_NAME_MAX];
	__u32 mode;		/* enum v3_boot_mode */
	__u32 pad;
	__u64 entry;		/* guest RIP */
	__u64 cr3;		/* V3_BOOT_LONG64 only */
	__u64 gdt_base;		/* GDTR the guest starts with (0: none) */
	__u32 gdt_limit;
	__u16 cs;		/* selectors loaded with flat descriptors */
	__u16 ds;		/* (0: 0x08 / 0x10) */
	__u64 gpr[V3_NR_GPRS];	/* indexed by enum v3_gpr */
	__u64 reserved[4];
};

/* VM states */
enum v3_vm_state {
	V3_STATE_CREATED = 1,	/* configured, never launched */
	V3_STATE_RUNNING = 2,
	V3_STATE_PAUSED = 3,
	V3_STATE_STOPPED = 4,
};

/* Why a VM stopped */
enum v3_stop_reason {
	V3_STOP_NONE = 0,
	V3_STOP_USER = 1,		/* v3ctl stop */
	V3_STOP_EXIT_PORT = 2,		/* guest wrote the debug-exit port */
	V3_STOP_SHUTDOWN = 3,		/* triple fault / shutdown */
	V3_STOP_UNHANDLED_EXIT = 4,	/* exit the VMM does not handle */
	V3_STOP_BAD_MEMORY = 5,		/* access to unbacked guest memory */
	V3_STOP_ENTRY_FAILED = 6,	/* VMRUN/VMLAUNCH refused the state */
	V3_STOP_POWEROFF = 7,		/* guest powered off */
	V3_STOP_MODULE_UNLOAD = 8,	/* rmmod with the VM alive */
	V3_STOP_INTERNAL = 9,		/* VMM error (out of memory, ...) */
	V3_STOP_HALTED = 10,		/* HLT with interrupts off: no wake-up possible */
	V3_STOP_EMULATION = 11,		/* instruction the VMM could not emulate */
	V3_STOP_RESET = 12,		/* guest requested reset */
	V3_NR_STOP_REASONS
};

#define V3_STOP_NAMES {					\
	[V3_STOP_NONE] = "none",				\
	[V3_STOP_USER] = "user",				\
	[V3_STOP_EXIT_PORT] = "exit-port",			\
	[V3_STOP_SHUTDOWN] = "shutdown",			\
	[V3_STOP_UNHANDLED_EXIT] = "unhandled-exit",		\
	[V3_STOP_BAD_MEMORY] = "bad-memory",			\
	[V3_STOP_ENTRY_FAILED] = "entry-failed",		\
	[V3_STOP_POWEROFF] = "poweroff",			\
	[V3_STOP_MODULE_UNLOAD] = "module-unload",		\
	[V3_STOP_INTERNAL] = "internal-error",			\
	[V3_STOP_HALTED] = "halted",				\
	[V3_STOP_EMULATION] = "emulation-failure",		\
	[V3_STOP_RESET] = "reset",				\
}

#define V3_STATE_NAMES {					\
	[V3_STATE_CREATED] = "created",				\
	[V3_STATE_RUNNING] = "running",				\
	[V3_STATE_PAUSED] = "paused",				\
	[V3_STATE_STOPPED] = "stopped",				\
}

/* Exit reasons, common to both backends (statistics index). */
enum v3_exit_reason {
	V3_EXIT_IO = 0,
	V3_EXIT_HLT,
	V3_EXIT_CPUID,
	V3_EXIT_RDMSR,
	V3_EXIT_WRMSR,
	V3_EXIT_MEM_FAULT,	/* NPF / EPT violation */
	V3_EXIT_SHUTDOWN,	/* triple fault */
	V3_EXIT_HYPERCALL,	/* VMMCALL / VMCALL */
	V3_EXIT_INTR,		/* host interrupt */
	V3_EXIT_NMI,
	V3_EXIT_EXCEPTION,
	V3_EXIT_CR_ACCESS,
	V3_EXIT_DR_ACCESS,
	V3_EXIT_XSETBV,
	V3_EXIT_INVLPG,
	V3_EXIT_PAUSE,
	V3_EXIT_INTR_WINDOW,
	V3_EXIT_INVALID_STATE,	/* entry failure */
	V3_EXIT_VMX_INSN,	/* VMX/SVM instruction in the guest */
	V3_EXIT_RDTSC,
	V3_EXIT_UD_INSN,	/* instruction hidden from the guest: #UD */
	V3_EXIT_INVD,		/* cache invalidation, done as a no-op */
	V3_EXIT_OTHER,		/* unhandled: VM stops */
	V3_EXIT_ENTRY_LOST,	/* the (emulated) CPU botched the entry: retried */
	V3_EXIT_RDPMC,		/* ABI 1.2: performance-counter read */
	V3_EXIT_WBINVD,		/* ABI 1.2: write-back and invalidate caches */
	V3_NR_EXIT_REASONS = 32
};

#define V3_EXIT_NAMES {					\
	[V3_EXIT_IO] = "io",					\
	[V3_EXIT_HLT] = "hlt",					\
	[V3_EXIT_CPUID] = "cpuid",				\
	[V3_EXIT_RDMSR] = "rdmsr",				\
	[V3_EXIT_WRMSR] = "wrmsr",				\
	[V3_EXIT_MEM_FAULT] = "mem-fault",			\
	[V3_EXIT_SHUTDOWN] = "shutdown",			\
	[V3_EXIT_HYPERCALL] = "hypercall",			\
	[V3_EXIT_INTR] = "host-intr",				\
	[V3_EXIT_NMI] = "nmi",					\
	[V3_EXIT_EXCEPTION] = "exception",			\
	[V3_EXIT_CR_ACCESS] = "cr-access",			\
	[V3_EXIT_DR_ACCESS] = "dr-access",			\
	[V3_EXIT_XSETBV] = "xsetbv",				\
	[V3_EXIT_INVLPG] = "invlpg",				\
	[V3_EXIT_PAUSE] = "pause",				\
	[V3_EXIT_INTR_WINDOW] = "intr-window",			\
	[V3_EXIT_INVALID_STATE] = "invalid-state",		\
	[V3_EXIT_VMX_INSN] = "virt-insn",			\
	[V3_EXIT_RDTSC] = "rdtsc",				\
	[V3_EXIT_UD_INSN] = "ud-insn",				\
	[V3_EXIT_INVD] = "invd",				\
	[V3_EXIT_OTHER] = "other",				\
	[V3_EXIT_ENTRY_LOST] = "entry-lost",			\
	[V3_EXIT_RDPMC] = "rdpmc",				\
	[V3_EXIT_WBINVD] = "wbinvd",				\
}

/* Extra counters beside the per-reason exit table */
enum v3_counter {
	V3_CNT_IO_UNCLAIMED_READ = 0,	/* port read nobody claims: all-ones */
	V3_CNT_IO_UNCLAIMED_WRITE,	/* port write nobody claims: dropped */
	V3_CNT_MSR_GP,			/* unknown MSR access: #GP injected */
	V3_CNT_HYPERCALL_BAD,		/* unknown hypercall number */
	V3_CNT_CONSOLE_BYTES,		/* bytes the guest wrote to COM1 */
	V3_CNT_CONSOLE_DROPPED,		/* console bytes overwritten unread */
	V3_CNT_APIC_DROPPED,		/* NMI/SMI messages not modelled */
	V3_CNT_MSR_IGNORED,		/* ABI 1.2: MSR read as 0 / write dropped */
	V3_CNT_MACHINE_CHECK,		/* ABI 1.2: #MC during the guest, to the host */
	V3_NR_COUNTERS = 16
};

#define V3_COUNTER_NAMES {					\
	[V3_CNT_IO_UNCLAIMED_READ] = "io-unclaimed-read",	\
	[V3_CNT_IO_UNCLAIMED_WRITE] = "io-unclaimed-write",	\
	[V3_CNT_MSR_GP] = "msr-gp",				\
	[V3_CNT_HYPERCALL_BAD] = "hypercall-bad",		\
	[V3_CNT_CONSOLE_BYTES] = "console-bytes",		\
	[V3_CNT_CONSOLE_DROPPED] = "console-dropped",		\
	[V3_CNT_APIC_DROPPED] = "apic-dropped",			\
	[V3_CNT_MSR_IGNORED] = "msr-ignored",			\
	[V3_CNT_MACHINE_CHECK] = "machine-check",		\
}

#define V3_REASON_LEN		128

struct v3_info {
	char name[V3_NAME_MAX];		/* in */
	__u32 state;			/* enum v3_vm_state */
	__u32 stop_reason;		/* enum v3_stop_reason */
	__s32 exit_code;		/* V3_STOP_EXIT_PORT: (value << 1) | 1 */
	__u32 vcpus;
	__u64 mem_bytes;
	__u64 mem_large_bytes;		/* backed by 2 MiB chunks */
	__u64 run_ns;			/* time spent launched */
	char reason[V3_REASON_LEN];	/* human-readable stop detail */
	__u64 exits[V3_NR_EXIT_REASONS];	/* count per enum v3_exit_reason */
	__u64 exit_cycles[V3_NR_EXIT_REASONS];	/* TSC cycles handling them */
	__u64 counters[V3_NR_COUNTERS];	/* enum v3_counter */
	__u64 resets;			/* guest resets carried out (ABI 1.1) */
	__u64 reserved[7];
};

struct v3_list {
	__u32 max;		/* in: entries the buffer holds */
	__u32 count;		/* out: number of VMs (may exceed max) */
	__u64 names;		/* in: buffer of max * V3_NAME_MAX bytes */
	__u64 reserved[2];
};

/* Console: the guest's COM1 output is kept in a per-VM ring buffer. */
#define V3_CONSOLE_WAIT		(1U << 0)	/* block until data or VM stop */

struct v3_console_io {
	char name[V3_NAME_MAX];
	__u64 pos;		/* in: absolute stream offset; out: next offset */
	__u64 uaddr;		/* caller's buffer */
	__u32 len;		/* in: buffer size; out: bytes transferred */
	__u32 flags;		/* V3_CONSOLE_* */
	__u32 timeout_ms;	/* with V3_CONSOLE_WAIT: at most 10000 */
	__u32 state;		/* out: enum v3_vm_state at return */
	__u64 lost;		/* out: bytes overwritten before being read */
	__u64 reserved[2];
};

/*
 * Per-VM statistics of the MSRs a guest touched that v3vmm does not model
 * (ABI 1.2): answered with #GP(0) as an unimplemented MSR, or accepted and
 * ignored (reads 0, writes dropped; the empty PMU's MSRs among them).  The
 * first V3_MSR_STATS_MAX distinct MSR numbers get an entry each, in the
 * order the guest first touched them; the rest are summed in other_*.
 */
#define V3_MSR_STATS_MAX	64

struct v3_msr_stat {
	__u32 msr;		/* MSR number (ECX) */
	__u32 flags;		/* reserved, 0 */
	__u64 reads;		/* RDMSR of it */
	__u64 writes;		/* WRMSR of it */
	__u64 gp;		/* of those, answered #GP(0); the rest ignored */
};

struct v3_msr_stats {
	char name[V3_NAME_MAX];		/* in */
	__u32 count;			/* out: entries used in msrs[] */
	__u32 pad;
	__u64 other_reads;		/* out: MSRs beyond the table */
	__u64 other_writes;
	__u64 other_gp;
	__u64 reserved[4];		/* in: zero */
	struct v3_msr_stat msrs[V3_MSR_STATS_MAX];	/* out */
};

/*
 * Paging mode of a VM (ABI 1.3).  Nested: the CPU walks the guest's tables
 * and the NPT/EPT tables (two-dimensional walk on every TLB miss); shadow:
 * the CPU walks tables the VMM builds from the guest's (native TLB misses,
 * but guest page-table updates and CR3 switches exit); adaptive: the
 * module measures both and moves the VM to the cheaper one at run time.
 */
enum v3_paging_setting {
	V3_PAGING_NESTED = 0,
	V3_PAGING_SHADOW = 1,
	V3_PAGING_ADAPTIVE = 2,		/* a setting, never the active mode */
	V3_NR_PAGING_MODES
};

#define V3_PAGING_NAMES { "nested", "shadow", "adaptive" }

enum v3_paging_op {
	V3_PAGING_GET = 0,	/* fill the out fields */
	V3_PAGING_SET = 1,	/* set mode, then as GET */
};

/* How adaptive mode measures nested paging's cost */
enum v3_paging_measure {
	V3_MEASURE_NONE = 0,		/* not adaptive, or not yet sampled */
	V3_MEASURE_COUNTERS = 1,	/* guest-only page-walk counters (perf) */
	V3_MEASURE_TRIAL = 2,		/* no counter: short trials of the other mode */
};

#define V3_MEASURE_NAMES { "none", "counters", "trial" }

/* Why the adaptive policy did (or did not do) what it did */
enum v3_adapt_reason {
	V3_ADAPT_NONE = 0,		/* no decision yet */
	V3_ADAPT_STAY = 1,		/* the active mode is not costlier by threshold */
	V3_ADAPT_CONFIRMING = 2,	/* the other is cheaper: waiting for hysteresis */
	V3_ADAPT_DWELL = 3,		/* minimum dwell time not over */
	V3_ADAPT_CHEAPER = 4,		/* switched: the other mode was cheaper */
	V3_ADAPT_TRIAL_START = 5,	/* switched to try the other mode */
	V3_ADAPT_TRIAL_KEEP = 6,	/* the trial's mode was cheaper: kept */
	V3_ADAPT_TRIAL_REVERT = 7,	/* the trial's mode was not: switched back */
	V3_ADAPT_IDLE = 8,		/* guest did not run enough to measure */
	V3_ADAPT_SWITCH_FAILED = 9,	/* the switch was refused (errno logged) */
	V3_ADAPT_TRIAL = 10,		/* a trial of the other mode is running */
	V3_NR_ADAPT_REASONS
};

#define V3_ADAPT_REASON_NAMES {					\
	"none", "stay", "confirming", "dwell", "cheaper",		\
	"trial-start", "trial-keep", "trial-revert", "idle",		\
	"switch-failed", "trial",					\
}

/*
 * One decision of the adaptive policy.  Costs are each mode's paging
 * overhead in parts per million of the vCPUs' time (cycles spent in
 * paging exits and page walks over cycles available); a mode not
 * measured in the period carries its latest estimate.
 */
struct v3_paging_decision {
	__u64 time_ns;		/* CLOCK_MONOTONIC; 0: none */
	__u32 from;		/* enum v3_paging_setting (nested/shadow) */
	__u32 to;		/* same as from when it stayed */
	__u32 reason;		/* enum v3_adapt_reason */
	__u32 pad;
	__u64 cost_ppm[2];	/* [V3_PAGING_NESTED], [V3_PAGING_SHADOW] */
};

struct v3_paging {
	char name[V3_NAME_MAX];		/* in */
	__u32 op;			/* in: enum v3_paging_op */
	__u32 mode;			/* in (SET) / out: enum v3_paging_setting */
	__u32 active;			/* out: nested or shadow now */
	__u32 measure;			/* out: enum v3_paging_measure */
	__u64 switches;			/* out: mode changes of this VM */
	/* out: struct v3_mmu_stats of the module's MMU */
	__u64 shadow_faults;		/* #PF exits the shadow code fixed */
	__u64 guest_faults;		/* #PF exits reflected to the guest */
	__u64 wp_emulations;		/* writes to write-protected guest tables */
	__u64 cr3_switches;
	__u64 invlpgs;
	__u64 shadow_pages;		/* in use now */
	__u64 switch_ns_last;
	__u64 switch_ns_max;
	__u64 fault_cycles;		/* TSC cycles in the shadow fault path */
	struct v3_paging_decision last;	/* out: the policy's latest decision */
	/* out (were reserved: zero from older modules) */
	__u64 shadow_prefetches;	/* leaves filled beside a fault */
	__u64 wp_noprogress;		/* table writes emulated: no progress */
	__u64 reserved[6];		/* in: zero */
};

/* ---- placement (ABI 1.4) ---- */

enum v3_vcpu_state {
	V3_VCPU_CREATED = 0,	/* not started (AP waiting for its SIPI) */
	V3_VCPU_RUNNING = 1,	/* in the guest or handling an exit */
	V3_VCPU_HALTED = 2,	/* HLT: waiting for an interrupt */
	V3_VCPU_PAUSED = 3,	/* the VM is paused */
	V3_VCPU_STOPPED = 4,	/* the VM stopped */
	V3_NR_VCPU_STATES
};

#define V3_VCPU_STATE_NAMES {					\
	"created", "running", "halted", "paused", "stopped",		\
}

/* One vCPU's placement and where its time went (times in ns). */
struct v3_vcpu_info {
	__u32 id;
	__s32 cpu;		/* host CPU of the last entry; -1: never entered */
	__s32 pin_cpu;		/* host CPU it is bound to; -1: any */
	__s32 node;		/* NUMA node of cpu; -1 */
	__u32 state;		/* enum v3_vcpu_state */
	__u32 pad;
	__u64 guest_ns;		/* in the guest */
	__u64 halt_ns;		/* halted, waiting for an interrupt */
	__u64 exit_ns;		/* handling exits */
	__u64 exits;		/* exits handled */
	__u64 moves;		/* V3_IOC_VCPU_MOVE carried out */
	__u64 reserved[4];
};

/* Every vCPU of a VM: count is the VM's number, max what the buffer holds. */
struct v3_vcpus {
	char name[V3_NAME_MAX];	/* in */
	__u32 max;		/* in: entries the buffer holds */
	__u32 count;		/* out: vCPUs of the VM (may exceed max) */
	__u64 info;		/* in: buffer of max struct v3_vcpu_info */
	__u64 reserved[2];	/* in: zero */
};

/*
 * Bind a vCPU to one host CPU (cpu >= 0), or let it run on any CPU with
 * virtualization on (cpu = -1).  A running vCPU is on its new CPU when
 * the ioctl returns.  -EINVAL: no such vCPU or CPU; -ENODEV: the CPU is
 * offline or has no virtualization.
 */
struct v3_vcpu_move {
	char name[V3_NAME_MAX];	/* in */
	__u32 vcpu;		/* in */
	__s32 cpu;		/* in */
	__u64 reserved[2];	/* in: zero */
};

/* Guest RAM per host NUMA node, counted from the backing pages. */
struct v3_mem_nodes {
	char name[V3_NAME_MAX];		/* in */
	__u32 nr_nodes;			/* out: highest node id + 1 */
	__u32 policy;			/* out: enum v3_mem_policy */
	__u64 policy_nodes;		/* out: mem_nodes given at creation */
	__u64 pages[V3_MAX_NODES];	/* out: 4 KiB pages on node n */
	__u64 large[V3_MAX_NODES];	/* out: of them, in 2 MiB pages */
	__u64 reserved[4];		/* in: zero */
};

/*
 * Move guest RAM to one host node while the VM runs: region by region
 * (2 MiB), each copied with the vCPUs held outside the guest, then mapped
 * (nested and shadow) at its new place; a region already on the node is
 * skipped unless V3_MEM_MOVE_ALL.  2 MiB backing is used on the node where it has a free 2 MiB
 * page.  -ENOMEM when the node runs out (the regions moved so far stay
 * moved), -EINTR on a fatal signal.
 */
/* also copy the regions already on the node (into 2 MiB pages where it can) */
#define V3_MEM_MOVE_ALL		(1U << 0)

struct v3_mem_move {
	char name[V3_NAME_MAX];	/* in */
	__s32 node;		/* in: host NUMA node */
	__u32 flags;		/* in: V3_MEM_MOVE_* */
	__u64 gpa_start;	/* in: guest-physical range [start, end): the */
	__u64 gpa_end;		/*     2 MiB regions it touches; end 0: all RAM */
	__u64 moved_bytes;	/* out: copied to the node */
	__u64 skipped_bytes;	/* out: already there */
	__u64 large_bytes;	/* out: of moved, now in 2 MiB pages */
	__u64 ns;		/* out: the whole move */
	__u64 held_ns_max;	/* out: longest the vCPUs were held for a region */
	__u64 held_ns_total;	/* out: all the time they were held */
	__u64 reserved[4];	/* in: zero */
};

/*
 * Guest memory content tracking (ABI 1.5).  A rate-limited scanner hashes
 * the 4 KiB pages of the VMs it is enabled for (64-bit xxHash, seed 0:
 * V3_CONTENT_HASH_XXH64) and keeps, per VM and for the node, how many
 * copies of each content there are.  Only hashes leave the module.
 *
 * Counts follow KSM's names where they mean the same: a content is
 * "shared" when it has more than one copy; pages_shared counts such
 * contents, pages_sharing their copies beyond the first.  A page is
 * volatile when its hash changed between its last two scans: it is not
 * in the table until it holds still for a scan.
 */
#define V3_CONTENT_HASH_XXH64	1

struct v3_content_stats {
	char name[V3_NAME_MAX];	/* in: a VM, or "" for the node (every VM) */
	__u32 enabled;		/* out: the VM is scanned (node: VMs scanned) */
	__u32 pad;
	__u64 pages;		/* out: guest pages (4 KiB) tracked */
	__u64 pages_scanned;	/* out: pages hashed, ever */
	__u64 full_scans;	/* out: passes over all its pages */
	__u64 pages_hashed;	/* out: pages in the table (not volatile, seen) */
	__u64 pages_distinct;	/* out: distinct contents in the table */
	__u64 pages_zero;	/* out: pages of zeros */
	__u64 pages_shared;	/* out: contents with more than one copy */
	__u64 pages_sharing;	/* out: copies of those beyond the first */
	__u64 pages_unique;	/* out: pages whose content has one copy */
	__u64 pages_shared_other; /* out: pages whose content another VM holds */
	__u64 pages_volatile;	/* out: changed at their last scan */
	__u64 pages_changed;	/* out: scans that found a page changed, ever */
	__u64 pages_changed_last; /* out: of them, in the last full pass */
	__u64 scan_ns;		/* out: CPU time the scanner spent on it */
	__u64 reserved[5];	/* in: zero */
};

/* one content: its hash, copies (in the VM, or on the node) and flags */
#define V3_CONTENT_ZERO		(1U << 0)	/* the page of zeros */

struct v3_content_entry {
	__u64 hash;
	__u32 copies;
	__u16 vms;		/* VMs holding it (node table; 1 in a VM's) */
	__u16 flags;		/* V3_CONTENT_* */
};

/*
 * The table of a VM, or of the node (name ""), sorted by hash, taken at
 * once.  -ENOSPC when max is smaller than the table: count says how
 * many entries it has now.
 */
struct v3_content_table {
	char name[V3_NAME_MAX];	/* in */
	__u64 entries;		/* in: buffer of max struct v3_content_entry */
	__u64 max;		/* in */
	__u64 count;		/* out: entries in the table (written: min) */
	__u64 time_ns;		/* out: when taken, CLOCK_REALTIME */
	__u64 reserved[4];	/* in: zero */
};

/*
 * The dump file (v3ctl content dump, read by v3share): this header, then
 * count struct v3_content_entry sorted by hash, all little-endian.
 */
#define V3_CONTENT_DUMP_MAGIC	"V3CONTNT"
#define V3_CONTENT_DUMP_VERSION	1

struct v3_content_dump_hdr {
	char magic[8];		/* V3_CONTENT_DUMP_MAGIC, no NUL */
	__u32 version;		/* V3_CONTENT_DUMP_VERSION */
	__u32 hdr_size;		/* sizeof(struct v3_content_dump_hdr): 144 */
	__u64 time_ns;		/* when the table was taken, CLOCK_REALTIME */
	__u32 page_size;	/* 4096 */
	__u32 hash_kind;	/* V3_CONTENT_HASH_XXH64 */
	__u64 count;		/* entries that follow */
	__u32 scope;		/* V3_CONTENT_SCOPE_* */
	__u32 entry_size;	/* sizeof(struct v3_content_entry): 16 */
	char node[64];		/* the host's name (uname nodename) */
	char vm[V3_NAME_MAX];	/* the VM, "" for the node */
};
#define V3_CONTENT_SCOPE_NODE	0	/* every scanned VM of the node */
#define V3_CONTENT_SCOPE_VM	1	/* one VM */
/* v3share --held-elsewhere: a node's contents another node also holds */
#define V3_CONTENT_SCOPE_HELD_ELSEWHERE	2

/*
 * GEARS (ABI 1.6): a running guest's Linux kernel seen from outside, with
 * no guest agent and no profile.  The module finds the kernel from vCPU
 * 0's MSR_LSTAR (its syscall entry) the first time it is asked, and again
 * after a guest reset: its KASLR slide, its symbols (its own kallsyms
 * tables) and, for the task list, the layout of struct task_struct from
 * its own BTF.  Errors: ENOENT no such VM; EBUSY the VM was never
 * launched; ENOEXEC no 64-bit Linux kernel found (not Linux, or not
 * booted yet); ENXIO (sym) no symbol of that name; EOPNOTSUPP (ps) the
 * guest kernel has no BTF with what the task walk needs; EIO the guest's
 * kernel memory is not mapped where its symbols say; ELOOP (ps) the task
 * list did not end within V3_GEARS_TASKS_MAX entries.
 */
#define V3_GEARS_SYM_LEN	512	/* KSYM_NAME_LEN of Linux 6.1+, NUL included */

/* A guest kernel symbol's run-time address. */
struct v3_gears_sym {
	char name[V3_NAME_MAX];		/* in: the VM */
	char sym[V3_GEARS_SYM_LEN];	/* in: NUL-terminated symbol name */
	__u64 addr;			/* out: its address in the guest */
	__s64 slide;			/* out: KASLR slide: text - 0xffffffff81000000 */
	__u64 text;			/* out: _text's address in the guest */
	__u32 nr_syms;			/* out: symbols of the guest kernel */
	__u32 pad;			/* in: zero */
	__u64 reserved[4];		/* in: zero */
};

#define V3_GEARS_COMM_LEN	16	/* TASK_COMM_LEN */
#define V3_GEARS_TASKS_MAX	65536	/* the longest task list walked */

/* flags of a struct v3_gears_task */
#define V3_GEARS_TASK_KTHREAD	(1U << 0)	/* no mm: a kernel thread */

/* One guest process (a thread-group leader), as the guest's /proc shows it. */
struct v3_gears_task {
	__u64 task;		/* guest-virtual address of its task_struct */
	__u32 pid;		/* in the guest's initial PID namespace */
	__u32 tgid;
	__u32 ppid;		/* real_parent's tgid (/proc/PID/status PPid) */
	__u32 flags;		/* V3_GEARS_TASK_* */
	char comm[V3_GEARS_COMM_LEN];	/* NUL-terminated */
	__u64 reserved[2];
};

/*
 * The guest's processes in the order of its task list (init_task.tasks),
 * taken at once with the vCPUs held.  -ENOSPC when max is smaller than
 * the list: count says how many there are now.
 */
struct v3_gears_ps {
	char name[V3_NAME_MAX];	/* in */
	__u64 tasks;		/* in: buffer of max struct v3_gears_task */
	__u32 max;		/* in */
	__u32 count;		/* out: processes (written: min(max, count)) */
	__u64 time_ns;		/* out: when taken, CLOCK_REALTIME */
	__u64 reserved[4];	/* in: zero */
};

/*
 * GEARS interception and injection (ABI 1.7).  Both work by traps
 * GEARS writes into the guest kernel's text: a UD2 made of the ftrace site
 * (the 5-byte NOP at the start) of the system call's handler
 * __x64_sys_NAME, found by its own kallsyms.  System calls not selected
 * run untouched.  Everything written is restored when the trace stops or
 * the injection is done.  Errors besides those of GEARS_SYM/PS: ENOENT
 * (NAME) no handler __x64_sys_NAME, or its first instruction is not the
 * 5-byte NOP GEARS can replace (ftrace or a kprobe uses it: say which
 * in the kernel log); EALREADY a trace is running (START) or none is
 * (STOP/READ); ETIMEDOUT the target made no system call within
 * timeout_ms; EPERM (SYSCALL) a call that does not return to its caller
 * or needs the process's own registers (exit, exit_group, fork, vfork,
 * clone, clone3, execve, execveat, rt_sigreturn, vhangup); ENXIO (CALL)
 * no kernel symbol of that name; EBUSY an earlier injection timed out
 * and still runs in the guest; EOPNOTSUPP no mmap/munmap handler to get
 * scratch memory with; E2BIG data too large.
 */
#define V3_GEARS_SYSCALL_LEN	32	/* a system call's name, NUL included */
#define V3_GEARS_NAMES_LEN	4096	/* comma-separated names */
#define V3_GEARS_STR_LEN	64	/* bytes of a buffer argument kept */
#define V3_GEARS_DATA_MAX	(64U << 20)	/* injected bytes, at most */

/* struct v3_gears_trace.op */
#define V3_GEARS_TRACE_START	1	/* hook the selected calls */
#define V3_GEARS_TRACE_STOP	2	/* restore the text; READ still drains */
#define V3_GEARS_TRACE_READ	3	/* take events, waiting up to timeout_ms */

struct v3_gears_trace {
	char name[V3_NAME_MAX];		/* in: the VM */
	__u32 op;			/* in: V3_GEARS_TRACE_* */
	__u32 pid;			/* in START: only this process (tgid); 0 any */
	char comm[V3_GEARS_COMM_LEN];	/* in START: only this comm; "" any */
	char syscalls[V3_GEARS_NAMES_LEN];	/* in START: "getpid,write"; "" all */
	__u64 events;			/* in READ: buffer of max struct v3_gears_event */
	__u32 max;			/* in READ */
	__u32 count;			/* out READ: events written */
	__u32 timeout_ms;		/* in READ: wait this long for one event */
	__u32 hooked;			/* out: handlers hooked (START), still hooked */
	__u64 lost;			/* out: events dropped since START (buffer full) */
	/*
	 * out START (ABI 1.8): 0 when results come from GEARS' return stub
	 * in the guest (one exit a traced call); -EINPROGRESS when the stub
	 * is made at the trace's first call; else why there is none
	 * (-errno; -EPERM: module parameter gears_ret_stub=0) and each
	 * traced call's return traps too (two exits).
	 */
	__s32 ret_err;
	/*
	 * out START (ABI 1.9): 0 when the traced handlers are hooked through
	 * the guest's own ftrace (its kprobes and tracers keep working on
	 * them); else why GEARS wrote UD2s instead (-errno; -EPERM: module
	 * parameter gears_ftrace=0 or gears_ret_stub=0; -E2BIG: more than
	 * 512 handlers).
	 */
	__s32 hook_err;
	__u64 reserved[3];		/* in: zero */
};

/* flags of a struct v3_gears_event */
#define V3_GEARS_EV_RET		(1U << 0)	/* ret is the call's result */
#define V3_GEARS_EV_STR		(1U << 1)	/* str holds args[str_arg]'s bytes */
#define V3_GEARS_EV_STR_CUT	(1U << 2)	/* ...only the first str_len */
#define V3_GEARS_EV_INJECTED	(1U << 3)	/* a call GEARS injected */

/* One system call, written when it returned (or at entry if it cannot). */
struct v3_gears_event {
	__u64 seq;			/* 1, 2, ... since START */
	__u64 time_ns;			/* entry, host CLOCK_MONOTONIC */
	__u64 args[6];			/* rdi rsi rdx r10 r8 r9 at entry */
	__s64 ret;			/* if V3_GEARS_EV_RET */
	__u32 nr;			/* pt_regs->orig_ax */
	__u32 pid;			/* thread id */
	__u32 tgid;			/* process id */
	__u32 flags;			/* V3_GEARS_EV_* */
	__u16 vcpu;			/* vCPU it entered on */
	__u8 str_arg;			/* which args[] str holds */
	__u8 str_len;			/* bytes in str */
	__u32 pad;
	char comm[V3_GEARS_COMM_LEN];
	char syscall[V3_GEARS_SYSCALL_LEN];	/* NAME of __x64_sys_NAME */
	char str[V3_GEARS_STR_LEN];	/* not NUL-terminated: str_len */
	__u64 reserved[2];
};

/* struct v3_gears_inject.kind */
#define V3_GEARS_INJ_SYSCALL	1	/* sym: system call NAME, in process pid */
#define V3_GEARS_INJ_CALL	2	/* sym: kernel function, integer args */
#define V3_GEARS_INJ_INSMOD	3	/* data: a .ko; sym: its parameters */
#define V3_GEARS_INJ_EXEC	4	/* data: a program image; see below */

/*
 * Run something in the guest at a process's next system-call boundary
 * (the entry of whatever handler it calls next), in that process's
 * context, then let its own call go on as if nothing happened.
 * SYSCALL: args[i] with bit i of buf_mask set is an offset into data;
 * data is copied into a scratch mapping in the process (an injected
 * mmap, unmapped after) and that argument becomes its address there;
 * the mapping's bytes are copied back into data after the call (what a
 * read or getcwd wrote).  CALL and INSMOD run in any process (pid 0) or
 * in pid.  INSMOD: init_module(2) of data with parameters sym.
 * EXEC: a child of process pid runs a program: data is its image as
 * loaded (a static PIE's segments at their offsets, its initial stack
 * after them), copied to a scratch mapping the child inherits; the
 * process forks (clone(SIGCHLD)) with RIP = mapping + args[0] and RSP =
 * mapping + args[1]; the args[3] u64 words at the offsets listed (u64s)
 * at args[2] in data get the mapping's address added first (argv, auxv
 * pointers).  ret is the child's pid; the process's own mapping goes.
 */
struct v3_gears_inject {
	char name[V3_NAME_MAX];		/* in: the VM */
	__u32 kind;			/* in: V3_GEARS_INJ_* */
	__u32 pid;			/* in: process (tgid); 0 any (not SYSCALL) */
	char sym[V3_GEARS_SYM_LEN];	/* in: see kind */
	__u64 args[6];			/* in */
	__u32 buf_mask;			/* in SYSCALL: args that point into data */
	__u32 timeout_ms;		/* in: for the boundary; 0: 10000 */
	__u64 data;			/* in: user buffer (SYSCALL: copied back) */
	__u64 data_len;			/* in: at most V3_GEARS_DATA_MAX */
	__s64 ret;			/* out: the call's return value */
	__u32 hit_pid;			/* out: the thread it ran in */
	__u32 hit_tgid;			/* out */
	char hit_comm[V3_GEARS_COMM_LEN];	/* out */
	__u64 wait_ns;			/* out: request to boundary */
	__u64 run_ns;			/* out: boundary to result */
	__u32 calls;			/* out: guest calls made (mmap, ..., munmap) */
	__u32 pad;
	__u64 reserved[4];		/* in: zero */
};

#define V3_IOC_VERSION		_IOR(V3_IOC_MAGIC, 0x00, struct v3_version)
#define V3_IOC_CREATE		_IOW(V3_IOC_MAGIC, 0x01, struct v3_create)
#define V3_IOC_DESTROY		_IOW(V3_IOC_MAGIC, 0x02, struct v3_vm_ref)
#define V3_IOC_MEM_WRITE	_IOW(V3_IOC_MAGIC, 0x03, struct v3_mem_xfer)
#define V3_IOC_MEM_READ		_IOW(V3_IOC_MAGIC, 0x04, struct v3_mem_xfer)
#define V3_IOC_SET_BOOT		_IOW(V3_IOC_MAGIC, 0x05, struct v3_boot)
#define V3_IOC_LAUNCH		_IOW(V3_IOC_MAGIC, 0x06, struct v3_vm_ref)
#define V3_IOC_STOP		_IOW(V3_IOC_MAGIC, 0x07, struct v3_vm_ref)
#define V3_IOC_PAUSE		_IOW(V3_IOC_MAGIC, 0x08, struct v3_vm_ref)
#define V3_IOC_RESUME		_IOW(V3_IOC_MAGIC, 0x09, struct v3_vm_ref)
#define V3_IOC_INFO		_IOWR(V3_IOC_MAGIC, 0x0a, struct v3_info)
#define V3_IOC_LIST		_IOWR(V3_IOC_MAGIC, 0x0b, struct v3_list)
#define V3_IOC_CONSOLE_READ	_IOWR(V3_IOC_MAGIC, 0x0c, struct v3_console_io)
#define V3_IOC_CONSOLE_WRITE	_IOWR(V3_IOC_MAGIC, 0x0d, struct v3_console_io)
#define V3_IOC_MSR_STATS	_IOWR(V3_IOC_MAGIC, 0x0e, struct v3_msr_stats)
#define V3_IOC_PAGING		_IOWR(V3_IOC_MAGIC, 0x0f, struct v3_paging)	/* ABI 1.3 */
#define V3_IOC_VCPUS		_IOWR(V3_IOC_MAGIC, 0x10, struct v3_vcpus)	/* ABI 1.4 */
#define V3_IOC_VCPU_MOVE	_IOW(V3_IOC_MAGIC, 0x11, struct v3_vcpu_move)	/* ABI 1.4 */
#define V3_IOC_MEM_NODES	_IOWR(V3_IOC_MAGIC, 0x12, struct v3_mem_nodes)	/* ABI 1.4 */
#define V3_IOC_MEM_MOVE		_IOWR(V3_IOC_MAGIC, 0x13, struct v3_mem_move)	/* ABI 1.4 */
#define V3_IOC_CONTENT_STATS	_IOWR(V3_IOC_MAGIC, 0x14, struct v3_content_stats)	/* ABI 1.5 */
#define V3_IOC_CONTENT_TABLE	_IOWR(V3_IOC_MAGIC, 0x15, struct v3_content_table)	/* ABI 1.5 */
#define V3_IOC_GEARS_SYM	_IOWR(V3_IOC_MAGIC, 0x16, struct v3_gears_sym)	/* ABI 1.6 */
#define V3_IOC_GEARS_PS		_IOWR(V3_IOC_MAGIC, 0x17, struct v3_gears_ps)	/* ABI 1.6 */
#define V3_IOC_GEARS_TRACE	_IOWR(V3_IOC_MAGIC, 0x18, struct v3_gears_trace)	/* ABI 1.7 */
#define V3_IOC_GEARS_INJECT	_IOWR(V3_IOC_MAGIC, 0x19, struct v3_gears_inject)	/* ABI 1.7 */

/*
 * Guest-visible interface.
 *
 * CPUID leaf 0x40000000 returns EAX = highest hypervisor leaf and the
 * signature "V3VMMV3VMM  " in EBX, ECX, EDX.
 *
 * Hypercalls: VMMCALL (SVM) or VMCALL (VMX) with the number in RAX and
 * arguments in RBX, RCX, RDX; the result is returned in RAX (negative
 * errno on failure).
 */
#define V3_CPUID_SIGNATURE	0x40000000
#define V3_CPUID_SIG_EBX	0x4d563356	/* "V3VM" */
#define V3_CPUID_SIG_ECX	0x4d33564d	/* "MV3V" */
#define V3_CPUID_SIG_EDX	0x20204d4d	/* "MM  " */

#define V3_HC_VERSION		0	/* -> (ABI major << 16) | minor */
#define V3_HC_PUTS		1	/* rbx = gpa, rcx = len: to the console */
#define V3_HC_EXIT		2	/* rbx = code: stop like the exit port */

/* Debug-exit port with QEMU isa-debug-exit semantics */
#define V3_DEBUG_EXIT_PORT	0xf4

#endif /* _UAPI_V3VMM_H */
