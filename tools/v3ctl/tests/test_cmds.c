// SPDX-License-Identifier: GPL-2.0
/*
 * Subcommand tests against a fake /dev/v3vmm: this file defines ioctl(),
 * which takes precedence over the C library's, and emulates the module's
 * VM registry with a scripted "guest".  V3VMM_DEVICE points v3ctl at
 * /dev/null so open() succeeds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "v3ctl.h"
#include "loader.h"
#include "acpi.h"
#include "test.h"

/* ------------------------------------------------------------ fake module */

#define FAKE_RAM	(4 << 20)	/* low RAM kept per VM */
#define FAKE_CON	4096

struct script {
	const char *output;	/* console output after launch */
	int reads_to_stop;	/* waits before the VM stops; <0: never */
	uint32_t stop_reason;
	int32_t exit_code;
	const char *reason;
	uint64_t lost;		/* reported by the first read */
	int raise_sig;		/* raised during the 2nd wait */
	int fail_mem_write;	/* errno for MEM_WRITE */
	int fail_set_boot;	/* errno for SET_BOOT */
};

struct fvm {
	bool used;
	char name[V3_NAME_MAX];
	struct v3_create cr;
	uint32_t state, stop_reason;
	int32_t exit_code;
	char reason[V3_REASON_LEN];
	bool boot_set;
	struct v3_boot boot;
	uint8_t *ram;
	char con[FAKE_CON];
	size_t con_len;
	int reads;
	bool lost_done;
	char input[256];
	size_t input_len;
	uint32_t pg_mode, pg_active;	/* V3_IOC_PAGING */
	uint64_t pg_switches;
	int32_t pin[V3_MAX_VCPUS];	/* V3_IOC_VCPU_MOVE */
	uint64_t moves[V3_MAX_VCPUS];
};

static bool fake_no_shadow;		/* backend without shadow paging */
static uint32_t fake_abi_minor = V3_ABI_MINOR;	/* an older module: < 4 */
static int fake_create_err;		/* errno for CREATE */

/* The fake module's CPUs: 0-3, CPU 2 offline (sysfs also has a CPU 4) */
#define FAKE_CPUS	4
#define FAKE_CPU_OFF	2

static struct fvm vms[4];
static struct script sc;
static struct fvm *last_vm;	/* survives destroy for inspection */
static struct fvm last_copy;

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static struct fvm *find(const char *name)
{
	unsigned int i;

	if (!memchr(name, 0, V3_NAME_MAX))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(vms); i++)
		if (vms[i].used && !strcmp(vms[i].name, name))
			return &vms[i];
	return NULL;
}

static int vm_count(void)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(vms); i++)
		n += vms[i].used;
	return n;
}

static void vm_stop(struct fvm *vm)
{
	vm->state = V3_STATE_STOPPED;
	vm->stop_reason = sc.stop_reason;
	vm->exit_code = sc.exit_code;
	snprintf(vm->reason, sizeof(vm->reason), "%s", sc.reason ? sc.reason : "");
}

static uint64_t fake_mitigations = V3_MIT_RSB_FILL | V3_MIT_SPEC_CTRL |
				   V3_MIT_UNTRAIN_RET | (1ULL << 50);

/* vCPU 0 has run on CPU 1; the others never started. */
static void fake_vcpu(const struct fvm *vm, uint32_t i,
		      struct v3_vcpu_info *v)
{
	memset(v, 0, sizeof(*v));
	v->id = i;
	v->cpu = i ? -1 : 1;
	v->pin_cpu = vm->pin[i];
	v->node = i ? -1 : 0;
	v->moves = vm->moves[i];
	if (i)
		return;
	v->state = vm->state == V3_STATE_RUNNING ? V3_VCPU_HALTED :
		   vm->state == V3_STATE_STOPPED ? V3_VCPU_STOPPED :
		   V3_VCPU_CREATED;
	v->guest_ns = 12345678901ULL;
	v->halt_ns = 1500000;
	v->exit_ns = 250000000;
	v->exits = 4242;
}

/*
 * Guest RAM in 2 MiB regions on the policy's nodes, round robin (the
 * fake host's nodes with memory: 0 and 1); the first region is in
 * 4 KiB pages, the others in 2 MiB pages.
 */
static void fake_mem_nodes(const struct fvm *vm, struct v3_mem_nodes *m)
{
	uint64_t pages = vm->cr.mem_bytes >> 12, nodes = vm->cr.mem_nodes, r;
	unsigned int list[V3_MAX_NODES], k = 0, n;

	if (vm->cr.mem_policy == V3_MEM_LOCAL)
		nodes = 1;
	else if (!nodes)
		nodes = 3;
	for (n = 0; n < V3_MAX_NODES; n++)
		if (nodes & (1ULL << n))
			list[k++] = n;
	for (r = 0; r * 512 < pages; r++) {
		uint64_t p = pages - r * 512 < 512 ? pages - r * 512 : 512;

		n = list[r % k];
		m->pages[n] += p;
		if (r && p == 512)
			m->large[n] += p;
	}
	m->nr_nodes = list[k - 1] + 1;
	m->policy = vm->cr.mem_policy;
	m->policy_nodes = vm->cr.mem_nodes;
}

static int fake_placement(struct fvm *vm, unsigned long req, void *arg)
{
	uint32_t i;

	switch (req) {
	case V3_IOC_VCPUS: {
		struct v3_vcpus *vs = arg;
		struct v3_vcpu_info *info = (void *)(uintptr_t)vs->info;

		if (!zero(vs->reserved, sizeof(vs->reserved)) ||
		    (vs->max && !info))
			return -EINVAL;
		for (i = 0; i < vm->cr.vcpus && i < vs->max; i++)
			fake_vcpu(vm, i, &info[i]);
		vs->count = vm->cr.vcpus;
		return 0;
	}
	case V3_IOC_VCPU_MOVE: {
		struct v3_vcpu_move *mv = arg;

		if (!zero(mv->reserved, sizeof(mv->reserved)) ||
		    mv->vcpu >= vm->cr.vcpus || mv->cpu < -1 ||
		    mv->cpu >= FAKE_CPUS)
			return -EINVAL;
		if (mv->cpu == FAKE_CPU_OFF)
			return -ENODEV;
		vm->pin[mv->vcpu] = mv->cpu;
		vm->moves[mv->vcpu]++;
		return 0;
	}
	case V3_IOC_MEM_NODES: {
		struct v3_mem_nodes *m = arg;

		if (!zero(m->reserved, sizeof(m->reserved)))
			return -EINVAL;
		fake_mem_nodes(vm, m);
		return 0;
	}
	}
	return -ENOTTY;
}

/*
 * Content tracking: a VM's table has FAKE_CONTENT entries (more than
 * v3ctl's first buffer holds, so it must ask again), hashes given in
 * descending order to be sorted; the node's has one more.
 */
#define FAKE_CONTENT	5000

static int fake_content(struct fvm *vm, unsigned long req, void *arg)
{
	if (req == V3_IOC_CONTENT_STATS) {
		struct v3_content_stats *st = arg;

		if (!zero(st->reserved, sizeof(st->reserved)))
			return -EINVAL;
		st->enabled = 1;
		st->pages = vm ? vm->cr.mem_bytes >> 12 : 9999;
		st->pages_distinct = vm ? FAKE_CONTENT : FAKE_CONTENT + 1;
		st->pages_shared_other = 42;
		return 0;
	} else {
		struct v3_content_table *tb = arg;
		struct v3_content_entry *e = (void *)(uintptr_t)tb->entries;
		uint64_t n = vm ? FAKE_CONTENT : FAKE_CONTENT + 1, i;

		if (!zero(tb->reserved, sizeof(tb->reserved)))
			return -EINVAL;
		tb->count = n;
		tb->time_ns = 1234567890ULL;
		if (tb->max < n)
			return -ENOSPC;
		for (i = 0; i < n; i++)
			e[i] = (struct v3_content_entry){ .hash = i + 1,
				.copies = 1 + (i % 3), .vms = 1,
				.flags = i ? 0 : V3_CONTENT_ZERO };
		return 0;
	}
}

/*
 * GEARS: a running VM's guest kernel has the symbol init_task, and
 * FAKE_TASKS processes (more than v3ctl's first buffer holds) listed in
 * descending PID order, to be sorted; fake_gears_err fails every request.
 */
#define FAKE_TASKS	700
#define FAKE_TEXT	0xffffffff9e000000ULL
static int fake_gears_err;
static uint64_t fake_caps_off;		/* V3_CAP_* the module lacks */

static int fake_gears(struct fvm *vm, unsigned long req, void *arg)
{
	if (req == V3_IOC_GEARS_SYM) {
		struct v3_gears_sym *s = arg;

		if (s->pad || !zero(s->reserved, sizeof(s->reserved)) ||
		    !memchr(s->sym, 0, sizeof(s->sym)) || !s->sym[0])
			return -EINVAL;
		if (vm->state == V3_STATE_CREATED)
			return -EBUSY;
		if (fake_gears_err)
			return -fake_gears_err;
		s->text = FAKE_TEXT;
		s->slide = (int64_t)(FAKE_TEXT - 0xffffffff81000000ULL);
		s->nr_syms = 123456;
		if (strcmp(s->sym, "init_task"))
			return -ENXIO;
		s->addr = FAKE_TEXT + 0x1e12940;
		return 0;
	} else {
		struct v3_gears_ps *ps = arg;
		struct v3_gears_task *t = (void *)(uintptr_t)ps->tasks;
		uint32_t i;

		if (!zero(ps->reserved, sizeof(ps->reserved)))
			return -EINVAL;
		if (vm->state == V3_STATE_CREATED)
			return -EBUSY;
		if (fake_gears_err)
			return -fake_gears_err;
		ps->count = FAKE_TASKS;
		ps->time_ns = 1234567890ULL;
		if (ps->max < FAKE_TASKS)
			return -ENOSPC;
		for (i = 0; i < FAKE_TASKS; i++) {
			struct v3_gears_task *x = &t[FAKE_TASKS - 1 - i];

			memset(x, 0, sizeof(*x));
			x->pid = x->tgid = i + 1;
			x->ppid = i < 2 ? 0 : i == 2 ? 2 : 1;
			x->task = 0xffff888000000000ULL + i * 0x1000;
			snprintf(x->comm, sizeof(x->comm), "%s",
				 i == 0 ? "init" : i == 1 ? "kthreadd" :
				 i == 2 ? "rcu_gp" : "sleep");
			if (i == 1 || i == 2)
				x->flags = V3_GEARS_TASK_KTHREAD;
		}
		/* a comm that needs escaping in JSON */
		snprintf(t[0].comm, sizeof(t[0].comm), "a\"b");
		return 0;
	}
}

/*
 * GEARS tracing (ABI 1.7): START hooks one handler per name of the list
 * (300 for all), or fails ENOENT for a list naming "nosuch".  The trace
 * has ft.before events to give while running and ft.after more that
 * complete once it is stopped; READ hands them out (up to max) and, as
 * the module, waits timeout_ms when it has none while the trace runs.  Event i is one of five kinds, in
 * turn: write of "MARK\n", getpid, openat of a cut path, exit_group
 * (no result), an injected getpid.
 */
static struct {
	bool running, started;
	uint32_t pid, hooked, reads, starts, stops;
	char comm[V3_GEARS_COMM_LEN], syscalls[64];	/* ends in a NUL */
	uint32_t before, after, given;	/* events */
	uint64_t lost;
	int raise_sig;			/* raised during the 2nd READ */
	int ret_err;			/* START's ret_err: no return stub */
	int hook_err;			/* START's hook_err with names: UD2s */
	uint32_t read_err_at;		/* READ number failing EALREADY */
	uint32_t stop_at;		/* READ number: stopped from elsewhere */
} ft;

static void fake_event(uint32_t i, struct v3_gears_event *e)
{
	memset(e, 0, sizeof(*e));
	e->seq = i + 1;
	e->time_ns = 1000000000ULL + i;
	e->pid = e->tgid = 57;
	e->vcpu = i % 2;
	strcpy(e->comm, "sh");
	e->flags = V3_GEARS_EV_RET;
	switch (i % 5) {
	case 0:
		strcpy(e->syscall, "write");
		e->nr = 1;
		e->args[0] = 1;
		e->args[1] = 0x55550000ULL;
		e->args[2] = 5;
		e->ret = 5;
		e->flags |= V3_GEARS_EV_STR;
		e->str_arg = 1;
		e->str_len = 5;
		memcpy(e->str, "MARK\n", 5);
		break;
	case 1:
		strcpy(e->syscall, "getpid");
		e->nr = 39;
		e->ret = 57;
		break;
	case 2:
		strcpy(e->syscall, "openat");
		e->nr = 257;
		e->args[0] = (uint64_t)-100;
		e->args[2] = 0;
		e->ret = -2;
		e->flags |= V3_GEARS_EV_STR | V3_GEARS_EV_STR_CUT;
		e->str_arg = 1;
		e->str_len = V3_GEARS_STR_LEN;
		memset(e->str, 'p', V3_GEARS_STR_LEN);
		break;
	case 3:
		strcpy(e->syscall, "exit_group");
		e->nr = 231;
		e->flags = 0;
		break;
	default:
		strcpy(e->syscall, "getpid");
		e->nr = 39;
		e->ret = 57;
		e->flags |= V3_GEARS_EV_INJECTED;
		break;
	}
}

static int fake_trace(struct fvm *vm, struct v3_gears_trace *t)
{
	struct v3_gears_event *ev = (void *)(uintptr_t)t->events;
	uint32_t avail, n, i;

	if (!zero(t->reserved, sizeof(t->reserved)) ||
	    !memchr(t->comm, 0, sizeof(t->comm)) ||
	    !memchr(t->syscalls, 0, sizeof(t->syscalls)))
		return -EINVAL;
	if (vm->state == V3_STATE_CREATED)
		return -EBUSY;
	switch (t->op) {
	case V3_GEARS_TRACE_START:
		if (t->events || t->max || t->timeout_ms)
			return -EINVAL;
		if (ft.running)
			return -EALREADY;
		if (strstr(t->syscalls, "nosuch"))
			return -ENOENT;
		ft.running = ft.started = true;
		ft.starts++;
		ft.given = 0;
		ft.pid = t->pid;
		memcpy(ft.comm, t->comm, sizeof(ft.comm));
		memcpy(ft.syscalls, t->syscalls, sizeof(ft.syscalls) - 1);
		ft.hooked = 300;
		if (t->syscalls[0])
			for (ft.hooked = 1, i = 0; t->syscalls[i]; i++)
				ft.hooked += t->syscalls[i] == ',';
		t->hooked = ft.hooked;
		t->ret_err = ft.ret_err;
		/* all handlers: never through ftrace (E2BIG, as the module) */
		t->hook_err = t->syscalls[0] ? ft.hook_err : -E2BIG;
		return 0;
	case V3_GEARS_TRACE_STOP:
		if (t->pid || t->comm[0] || t->syscalls[0] || t->events ||
		    t->max || t->timeout_ms)
			return -EINVAL;
		if (!ft.running)
			return -EALREADY;
		ft.running = false;
		ft.stops++;
		t->lost = ft.lost;
		return 0;
	case V3_GEARS_TRACE_READ:
		if (t->pid || t->comm[0] || t->syscalls[0] || !ev || !t->max)
			return -EINVAL;
		if (!ft.started)
			return -EALREADY;
		ft.reads++;
		if (ft.read_err_at && ft.reads == ft.read_err_at) {
			ft.running = false;
			return -EALREADY;
		}
		if (ft.stop_at && ft.reads == ft.stop_at)
			ft.running = false;
		if (ft.raise_sig && ft.reads == 2)
			raise(ft.raise_sig);
		avail = (ft.running ? ft.before : ft.before + ft.after) -
			ft.given;
		n = avail < t->max ? avail : t->max;
		for (i = 0; i < n; i++)
			fake_event(ft.given + i, &ev[i]);
		ft.given += n;
		/* as the module: waits for an event while the trace runs */
		if (!n && t->timeout_ms && ft.running) {
			struct timespec ts = { t->timeout_ms / 1000,
					       (t->timeout_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
		t->count = n;
		t->hooked = ft.running ? ft.hooked : 0;
		t->lost = ft.lost;
		return 0;
	}
	return -EINVAL;
}

/*
 * GEARS injection: a system call in process 57 ("sh") or 58, a kernel
 * function, a module; process 999 never makes a system call.  The last
 * request and its data are kept for the tests.
 */
static struct v3_gears_inject fi;
static uint8_t fi_data[256];
static int fake_inject_err;
/* EXEC: all of the image, relocated by FX_BASE as the module would */
#define FX_BASE	0x7f0000000000ULL
static uint8_t *fx_data;
static uint64_t fx_len;

static int fake_inject(struct fvm *vm, struct v3_gears_inject *in)
{
	uint8_t *d = (void *)(uintptr_t)in->data;
	unsigned int i;

	if (!zero(in->reserved, sizeof(in->reserved)) || in->pad ||
	    !memchr(in->sym, 0, sizeof(in->sym)) || in->data_len > V3_GEARS_DATA_MAX ||
	    (in->data_len && !d) || in->kind < V3_GEARS_INJ_SYSCALL ||
	    in->kind > V3_GEARS_INJ_EXEC)
		return -EINVAL;
	for (i = 0; i < GEARS_ARGS; i++)
		if (in->buf_mask & (1U << i) && in->args[i] >= in->data_len)
			return -EINVAL;
	if (in->kind == V3_GEARS_INJ_EXEC) {
		if (!in->pid || in->buf_mask || !in->data_len || in->sym[0])
			return -EINVAL;
		free(fx_data);
		fx_data = malloc(in->data_len);
		fx_len = in->data_len;
		memcpy(fx_data, d, fx_len);
		if (test_exec_relocate(fx_data, fx_len,
				       (const uint64_t[4]){ in->args[0], in->args[1],
							    in->args[2], in->args[3] },
				       FX_BASE))
			return -EINVAL;
	}
	fi = *in;
	memset(fi_data, 0, sizeof(fi_data));
	if (d)
		memcpy(fi_data, d, in->data_len < sizeof(fi_data) ?
		       in->data_len : sizeof(fi_data));
	if (vm->state == V3_STATE_CREATED)
		return -EBUSY;
	if (fake_inject_err)
		return -fake_inject_err;
	if (in->pid == 999)
		return -ETIMEDOUT;
	in->hit_pid = in->hit_tgid = in->pid ? in->pid : 1;
	snprintf(in->hit_comm, sizeof(in->hit_comm), "%s",
		 in->pid == 57 ? "sh" : in->pid ? "a\"b" : "init");
	in->wait_ns = 1500;
	in->run_ns = 2500;
	in->calls = in->buf_mask ? 3 : 1;
	switch (in->kind) {
	case V3_GEARS_INJ_SYSCALL:
		if (!in->pid || in->buf_mask >> GEARS_ARGS)
			return -EINVAL;
		if (!strcmp(in->sym, "exit") || !strcmp(in->sym, "clone"))
			return -EPERM;
		if (!strcmp(in->sym, "nosuch"))
			return -ENOENT;
		if (!strcmp(in->sym, "getpid")) {
			in->ret = in->hit_tgid;
		} else if (!strcmp(in->sym, "getcwd")) {
			memcpy(d + in->args[0], "/root", 6);
			in->ret = 6;
		} else if (!strcmp(in->sym, "read")) {
			if (in->args[0] != 3) {
				in->ret = -EBADF;
			} else {
				memcpy(d + in->args[1], "a\0b\n", 4);
				in->ret = 4;
			}
		} else if (!strcmp(in->sym, "write")) {
			in->ret = in->args[2];
		} else {
			in->ret = -ENOSYS;
		}
		return 0;
	case V3_GEARS_INJ_CALL:
		if (in->buf_mask || in->data_len)
			return -EINVAL;
		if (!strcmp(in->sym, "int_sqrt")) {
			in->ret = 0;
			while ((uint64_t)(in->ret + 1) * (in->ret + 1) <= in->args[0])
				in->ret++;
			return 0;
		}
		if (!strcmp(in->sym, "neg")) {
			in->ret = -12;
			return 0;
		}
		return -ENOENT;
	case V3_GEARS_INJ_EXEC:
		in->calls = 3;		/* mmap, clone, munmap */
		in->ret = in->pid == 58 ? -EAGAIN : 4321;
		return 0;
	default:
		if (in->buf_mask || !in->data_len)
			return -EINVAL;
		in->ret = in->data_len >= 4 && !memcmp(d, "\177ELF", 4) ? 0 : -ENOEXEC;
		return 0;
	}
}

static int fake_ioctl(unsigned long req, void *arg)
{
	struct fvm *vm = NULL;
	unsigned int i;

	switch (req) {
	case V3_IOC_VERSION: {
		struct v3_version *v = arg;

		memset(v, 0, sizeof(*v));
		v->abi_major = V3_ABI_MAJOR;
		v->abi_minor = fake_abi_minor;
		v->arch = V3_ARCH_SVM;
		v->max_vcpus = V3_MAX_VCPUS;
		v->caps = V3_CAP_SVM | V3_CAP_NESTED_PAGING |
			  V3_CAP_EMULATOR_QUIRKS | V3_CAP_PAGING_SWITCH |
			  V3_CAP_PLACEMENT | V3_CAP_CONTENT | V3_CAP_GEARS |
			  V3_CAP_GEARS_INJECT | V3_CAP_GEARS_RET_STUB |
			  V3_CAP_GEARS_FTRACE | (1ULL << 11) | (1ULL << 40);
		v->caps &= ~fake_caps_off;
		v->mitigations = fake_mitigations;
		return 0;
	}
	case V3_IOC_CREATE: {
		struct v3_create *c = arg;

		if (!zero(c->reserved, sizeof(c->reserved)) ||
		    !v3_name_valid(c->name))
			return -EINVAL;
		/* before ABI 1.4 these were pad and reserved: must be 0 */
		if (fake_abi_minor < 4 && (c->mem_policy || c->mem_nodes))
			return -EINVAL;
		if (c->mem_policy >= V3_NR_MEM_POLICIES ||
		    (c->mem_policy == V3_MEM_LOCAL && c->mem_nodes) ||
		    (c->mem_policy == V3_MEM_BIND &&
		     __builtin_popcountll(c->mem_nodes) != 1))
			return -EINVAL;
		if (fake_create_err)
			return -fake_create_err;
		if (find(c->name))
			return -EEXIST;
		for (i = 0; i < ARRAY_SIZE(vms) && vms[i].used; i++)
			;
		if (i == ARRAY_SIZE(vms))
			return -ENOSPC;
		vm = &vms[i];
		memset(vm, 0, sizeof(*vm));
		vm->used = true;
		strcpy(vm->name, c->name);
		vm->cr = *c;
		vm->state = V3_STATE_CREATED;
		vm->ram = calloc(1, FAKE_RAM);
		for (i = 0; i < V3_MAX_VCPUS; i++)
			vm->pin[i] = c->flags & V3_CREATE_PIN_VCPUS ?
				     (int32_t)(c->first_cpu + i) : -1;
		last_vm = vm;
		return 0;
	}
	case V3_IOC_LIST: {
		struct v3_list *l = arg;
		uint32_t n = 0;

		if (!zero(l->reserved, sizeof(l->reserved)))
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(vms); i++) {
			if (!vms[i].used)
				continue;
			if (n < l->max)
				memcpy((char *)(uintptr_t)l->names +
				       n * V3_NAME_MAX, vms[i].name, V3_NAME_MAX);
			n++;
		}
		l->count = n;
		return 0;
	}
	}

	/* content tracking: the node's counts and table are named "" */
	if ((req == V3_IOC_CONTENT_STATS || req == V3_IOC_CONTENT_TABLE) &&
	    !*(const char *)arg)
		return fake_abi_minor < 5 ? -ENOTTY : fake_content(NULL, req, arg);

	/* everything else names a VM first */
	vm = find(arg);
	if (!vm)
		return -ENOENT;

	switch (req) {
	case V3_IOC_DESTROY:
		if (!zero(((struct v3_vm_ref *)arg)->reserved, 16))
			return -EINVAL;
		last_copy = *vm;
		free(vm->ram);
		vm->used = false;
		return 0;
	case V3_IOC_MEM_WRITE: {
		struct v3_mem_xfer *x = arg;

		if (sc.fail_mem_write)
			return -sc.fail_mem_write;
		if (!zero(x->reserved, sizeof(x->reserved)) ||
		    x->len > V3_MEM_XFER_MAX ||
		    !gmem_range_ok(&(struct guest_mem){ .ram_bytes = vm->cr.mem_bytes },
				   x->gpa, x->len))
			return -EINVAL;
		if (x->gpa < FAKE_RAM)
			memcpy(vm->ram + x->gpa, (void *)(uintptr_t)x->uaddr,
			       x->len < FAKE_RAM - x->gpa ? x->len : FAKE_RAM - x->gpa);
		return 0;
	}
	case V3_IOC_SET_BOOT: {
		struct v3_boot *b = arg;

		if (sc.fail_set_boot)
			return -sc.fail_set_boot;
		if (!zero(b->reserved, sizeof(b->reserved)) || b->pad ||
		    b->mode < V3_BOOT_PROT32 || b->mode > V3_BOOT_REAL16)
			return -EINVAL;
		vm->boot = *b;
		vm->boot_set = true;
		return 0;
	}
	case V3_IOC_LAUNCH:
		if (vm->state != V3_STATE_CREATED)
			return -EBUSY;
		if (!vm->boot_set)
			return -EINVAL;
		vm->state = V3_STATE_RUNNING;
		if (sc.output) {
			vm->con_len = strlen(sc.output);
			memcpy(vm->con, sc.output, vm->con_len);
		}
		if (!sc.reads_to_stop)
			vm_stop(vm);
		return 0;
	case V3_IOC_STOP:
		if (vm->state == V3_STATE_RUNNING ||
		    vm->state == V3_STATE_PAUSED) {
			vm->state = V3_STATE_STOPPED;
			vm->stop_reason = V3_STOP_USER;
		}
		return 0;
	case V3_IOC_PAUSE:
	case V3_IOC_RESUME:
		return -EINVAL;
	case V3_IOC_INFO: {
		struct v3_info *info = arg;

		if (!zero(info->reserved, sizeof(info->reserved)))
			return -EINVAL;
		info->state = vm->state;
		info->stop_reason = vm->stop_reason;
		info->exit_code = vm->exit_code;
		info->vcpus = vm->cr.vcpus;
		info->mem_bytes = vm->cr.mem_bytes;
		info->mem_large_bytes = vm->cr.mem_bytes - (2 << 20);
		info->run_ns = 1234567890;
		memcpy(info->reason, vm->reason, sizeof(info->reason));
		info->exits[V3_EXIT_IO] = 10;
		info->exit_cycles[V3_EXIT_IO] = 1000;
		info->exits[30] = 1;	/* a reason this v3ctl has no name for */
		info->exit_cycles[30] = 7;
		info->counters[V3_CNT_CONSOLE_BYTES] = vm->con_len;
		return 0;
	}
	case V3_IOC_MSR_STATS: {
		struct v3_msr_stats *st = arg;

		if (!zero(st->reserved, sizeof(st->reserved)) || st->count ||
		    st->other_reads || st->msrs[0].msr)
			return -EINVAL;
		st->count = 2;
		st->msrs[0] = (struct v3_msr_stat){ .msr = 0xc0010000, .reads = 3, .writes = 1 };
		st->msrs[1] = (struct v3_msr_stat){ .msr = 0xc0011020, .reads = 2, .gp = 2 };
		st->other_writes = 5;
		st->other_gp = 5;
		return 0;
	}
	case V3_IOC_PAGING: {
		struct v3_paging *p = arg;

		if (!zero(p->reserved, sizeof(p->reserved)) || p->last.pad ||
		    p->op > V3_PAGING_SET ||
		    (p->op == V3_PAGING_SET && p->mode > V3_PAGING_ADAPTIVE))
			return -EINVAL;
		if (p->op == V3_PAGING_SET) {
			if (p->mode != V3_PAGING_NESTED && fake_no_shadow)
				return -EOPNOTSUPP;
			vm->pg_mode = p->mode;
			if (p->mode != V3_PAGING_ADAPTIVE &&
			    p->mode != vm->pg_active) {
				vm->pg_active = p->mode;
				vm->pg_switches++;
			}
		}
		p->mode = vm->pg_mode;
		p->active = vm->pg_active;
		p->switches = vm->pg_switches;
		p->measure = vm->pg_mode == V3_PAGING_ADAPTIVE ?
			     V3_MEASURE_TRIAL : V3_MEASURE_NONE;
		p->shadow_faults = 11;
		p->cr3_switches = 7;
		p->switch_ns_max = 123456;
		if (vm->pg_mode == V3_PAGING_ADAPTIVE)
			p->last = (struct v3_paging_decision){
				.time_ns = 5000000000ULL,
				.from = V3_PAGING_NESTED, .to = V3_PAGING_SHADOW,
				.reason = V3_ADAPT_TRIAL_KEEP,
				.cost_ppm = { 50000, 12000 },
			};
		return 0;
	}
	case V3_IOC_VCPUS:
	case V3_IOC_VCPU_MOVE:
	case V3_IOC_MEM_NODES:
		if (fake_abi_minor < 4)
			return -ENOTTY;
		return fake_placement(vm, req, arg);
	case V3_IOC_CONTENT_STATS:
	case V3_IOC_CONTENT_TABLE:
		if (fake_abi_minor < 5)
			return -ENOTTY;
		return fake_content(vm, req, arg);
	case V3_IOC_GEARS_SYM:
	case V3_IOC_GEARS_PS:
		if (fake_abi_minor < 6 || (fake_caps_off & V3_CAP_GEARS))
			return -ENOTTY;
		return fake_gears(vm, req, arg);
	case V3_IOC_GEARS_TRACE:
	case V3_IOC_GEARS_INJECT:
		if (fake_abi_minor < 7 || (fake_caps_off & V3_CAP_GEARS_INJECT))
			return -ENOTTY;
		if (req == V3_IOC_GEARS_TRACE)
			return fake_trace(vm, arg);
		return fake_inject(vm, arg);
	case V3_IOC_CONSOLE_READ: {
		struct v3_console_io *io = arg;
		size_t n = 0;

		if (!zero(io->reserved, sizeof(io->reserved)) ||
		    io->flags & ~V3_CONSOLE_WAIT || io->timeout_ms > 10000)
			return -EINVAL;
		if (io->pos < vm->con_len) {
			n = vm->con_len - io->pos;
			if (n > io->len)
				n = io->len;
			memcpy((void *)(uintptr_t)io->uaddr, vm->con + io->pos, n);
		} else if (io->flags & V3_CONSOLE_WAIT &&
			   vm->state == V3_STATE_RUNNING) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };

			vm->reads++;
			if (sc.raise_sig && vm->reads == 2) {
				raise(sc.raise_sig);
				return -EINTR;
			}
			if (sc.reads_to_stop > 0 && vm->reads >= sc.reads_to_stop)
				vm_stop(vm);
			else
				nanosleep(&ts, NULL);
		}
		io->lost = 0;
		if (sc.lost && !vm->lost_done) {
			io->lost = sc.lost;
			vm->lost_done = true;
		}
		io->pos += n;
		io->len = n;
		io->state = vm->state;
		return 0;
	}
	case V3_IOC_CONSOLE_WRITE: {
		struct v3_console_io *io = arg;
		size_t n = io->len < 4 ? io->len : 4;	/* partial writes */

		if (io->flags || io->timeout_ms)
			return -EINVAL;
		if (n > sizeof(vm->input) - vm->input_len)
			n = sizeof(vm->input) - vm->input_len;
		memcpy(vm->input + vm->input_len, (void *)(uintptr_t)io->uaddr, n);
		vm->input_len += n;
		io->len = n;
		io->state = vm->state;
		return 0;
	}
	}
	return -ENOTTY;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(req) != V3_IOC_MAGIC)
		return syscall(SYS_ioctl, fd, req, arg);
	ret = fake_ioctl(req, arg);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------- harness */

static char out[1 << 16], err[1 << 16];
static char dir[] = "/tmp/v3ctl-test-XXXXXX";
static char mb_path[64], bad_path[64], in_path[64], bz_path[64];

static void slurp(int fd, char *buf, size_t size)
{
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* Run a subcommand with stdout/stderr captured and stdin from @in. */
static int run(const char *in, const char *args)
{
	static const struct command table[] = {
		{ "version", cmd_version, NULL }, { "create", cmd_create, NULL },
		{ "launch", cmd_launch, NULL }, { "stop", cmd_stop, NULL },
		{ "pause", cmd_pause, NULL }, { "resume", cmd_resume, NULL },
		{ "destroy", cmd_destroy, NULL }, { "list", cmd_list, NULL },
		{ "info", cmd_info, NULL }, { "console", cmd_console, NULL },
		{ "msrs", cmd_msrs, NULL }, { "paging", cmd_paging, NULL },
		{ "run", cmd_run, NULL }, { "vcpu", cmd_vcpu, NULL },
		{ "mem", cmd_mem, NULL }, { "topology", cmd_topology, NULL },
		{ "content", cmd_content, NULL }, { "gears", cmd_gears, NULL },
	};
	char *argv[32], *copy = strdup(args), *tok;
	int argc = 0, o, e, i, s0, s1, s2, ret = -1;
	unsigned int k;

	for (tok = strtok(copy, " "); tok && argc < 31; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	o = open(dir, O_TMPFILE | O_RDWR, 0600);
	e = open(dir, O_TMPFILE | O_RDWR, 0600);
	i = open(in ? in : "/dev/null", O_RDONLY);
	s0 = dup(0);
	s1 = dup(1);
	s2 = dup(2);
	dup2(i, 0);
	dup2(o, 1);
	dup2(e, 2);
	v3_signal = 0;
	for (k = 0; k < ARRAY_SIZE(table); k++)
		if (!strcmp(table[k].name, argv[0]))
			ret = table[k].fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(s0, 0);
	dup2(s1, 1);
	dup2(s2, 2);
	close(s0);
	close(s1);
	close(s2);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	close(o);
	close(e);
	close(i);
	free(copy);
	return ret;
}

static bool has(const char *buf, const char *s)
{
	return strstr(buf, s) != NULL;
}

static void show(void)
{
	char *l;

	for (l = strtok(out, "\n"); l; l = strtok(NULL, "\n"))
		tap_diag("stdout: %s", l);
	for (l = strtok(err, "\n"); l; l = strtok(NULL, "\n"))
		tap_diag("stderr: %s", l);
}

#define CHECK(cond, ...) do { if (!tap_ok(cond, __VA_ARGS__)) show(); } while (0)

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	fwrite(buf, 1, len, f);
	fclose(f);
}

/* A tiny Multiboot ELF32 kernel: one segment at 1 MiB. */
static void make_kernels(void)
{
	static uint8_t k[0x2000];
	Elf32_Ehdr e = {
		.e_ident = { 0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB,
			     EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386,
		.e_version = EV_CURRENT, .e_entry = 0x100000,
		.e_phoff = sizeof(Elf32_Ehdr), .e_ehsize = sizeof(e),
		.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1,
	};
	Elf32_Phdr p = {
		.p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = 0x100000,
		.p_paddr = 0x100000, .p_filesz = 0x1000, .p_memsz = 0x2000,
		.p_align = 0x1000,
	};
	uint32_t h[3] = { MB_HEADER_MAGIC, 3, -(MB_HEADER_MAGIC + 3) };

	memcpy(k, &e, sizeof(e));
	memcpy(k + sizeof(e), &p, sizeof(p));
	memcpy(k + 0x1000, h, sizeof(h));
	memset(k + 0x1010, 0xf4, 0x10);
	snprintf(mb_path, sizeof(mb_path), "%s/mb.elf", dir);
	write_file(mb_path, k, sizeof(k));
	k[0x1f] = 0x7f;			/* e_phoff: far past the end */
	snprintf(bad_path, sizeof(bad_path), "%s/bad.elf", dir);
	write_file(bad_path, k, sizeof(k));
	/* a minimal x86-64 bzImage: 4 setup sectors, 64 KiB kernel */
	{
		static uint8_t bz[5 * 512 + 0x10000];
		const uint16_t flag = 0xaa55, version = 0x020f, xlf = 0x7f;
		const uint32_t align = 0x200000, init = 0x400000,
			       rdmax = 0x7fffffff, cmdsz = 2047;
		const uint64_t pref = 0x1000000;

		bz[0x1f1] = 4;
		memcpy(bz + 0x1fe, &flag, 2);
		bz[0x201] = 0x6a;
		memcpy(bz + 0x202, "HdrS", 4);
		memcpy(bz + 0x206, &version, 2);
		bz[0x211] = 1;
		memcpy(bz + 0x22c, &rdmax, 4);
		memcpy(bz + 0x230, &align, 4);
		bz[0x234] = 1;
		memcpy(bz + 0x236, &xlf, 2);
		memcpy(bz + 0x238, &cmdsz, 4);
		memcpy(bz + 0x258, &pref, 8);
		memcpy(bz + 0x260, &init, 4);
		snprintf(bz_path, sizeof(bz_path), "%s/bzImage", dir);
		write_file(bz_path, bz, sizeof(bz));
	}
	snprintf(in_path, sizeof(in_path), "%s/input", dir);
	write_file(in_path, "hello guest", 11);
}

static char cmdbuf[512];

static const char *fmt(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(cmdbuf, sizeof(cmdbuf), f, ap);
	va_end(ap);
	return cmdbuf;
}

/* errors.c: each refusal in words */
static void test_explain(void)
{
	char b[256];

	explain_create_nomem(b, sizeof(b), 8ULL << 30, 4ULL << 30, 1ULL << 30,
			     16ULL << 30);
	CHECK(!strcmp(b, "not enough memory: VM needs 8 GiB, 3 GiB left under v3vmm.max_guest_mem (4 GiB)"),
	      "explain: create ENOMEM names max_guest_mem");
	explain_create_nomem(b, sizeof(b), 512ULL << 20, 1ULL << 30, 0,
			     2ULL << 30);
	CHECK(has(b, "memory cgroup") && has(b, "512 MiB"),
	      "explain: create ENOMEM under the limit blames the cgroup");
	explain_create_nomem(b, sizeof(b), 30ULL << 30, UINT64_MAX, UINT64_MAX,
			     32ULL << 30);
	CHECK(has(b, "more than 3/4 of the host's 32 GiB"),
	      "explain: create ENOMEM above 3/4 of RAM");
	CHECK(has(v3_explain(V3_IOC_DESTROY, EPERM, 0, b, sizeof(b)),
		  "CAP_SYS_ADMIN"), "explain: EPERM names CAP_SYS_ADMIN");
	CHECK(has(v3_explain(V3_IOC_LAUNCH, EBUSY, 0, b, sizeof(b)),
		  "already launched"), "explain: launch EBUSY");
	CHECK(has(v3_explain(V3_IOC_RESUME, EINVAL, 0, b, sizeof(b)),
		  "not paused"), "explain: resume EINVAL");
	CHECK(has(v3_explain(V3_IOC_PAGING, EINVAL, 0, b, sizeof(b)),
		  "invalid paging mode"), "explain: paging EINVAL");
	CHECK(has(v3_explain(V3_IOC_PAGING, EOPNOTSUPP, 0, b, sizeof(b)),
		  "cannot run shadow paging"), "explain: paging EOPNOTSUPP");
	CHECK(has(v3_explain(V3_IOC_PAGING, ENOTTY, 0, b, sizeof(b)),
		  "predates ABI 1.3"), "explain: paging ENOTTY");
	CHECK(has(v3_explain(V3_IOC_VCPUS, ENOTTY, 0, b, sizeof(b)),
		  "no placement ioctls (it predates ABI 1.4)") &&
	      has(v3_explain(V3_IOC_MEM_NODES, ENOTTY, 0, b, sizeof(b)),
		  "predates ABI 1.4"), "explain: placement ENOTTY");
	CHECK(has(v3_explain(V3_IOC_VCPU_MOVE, ENODEV, 0, b, sizeof(b)),
		  "offline or has no virtualization") &&
	      has(v3_explain(V3_IOC_VCPU_MOVE, EINVAL, 0, b, sizeof(b)),
		  "no such vCPU or host CPU"), "explain: vcpu move");
	CHECK(has(v3_explain(V3_IOC_MEM_NODES, EOPNOTSUPP, 0, b, sizeof(b)),
		  "capability placement missing"), "explain: placement EOPNOTSUPP");
	CHECK(has(v3_explain(V3_IOC_GEARS_SYM, ENXIO, 0, b, sizeof(b)),
		  "no symbol of that name") &&
	      has(v3_explain(V3_IOC_GEARS_PS, ENOEXEC, 0, b, sizeof(b)),
		  "no 64-bit Linux kernel") &&
	      has(v3_explain(V3_IOC_GEARS_PS, ELOOP, 0, b, sizeof(b)),
		  "task list does not end") &&
	      has(v3_explain(V3_IOC_GEARS_SYM, ENOTTY, 0, b, sizeof(b)),
		  "predates ABI 1.6"), "explain: gears");
	CHECK(has(v3_explain(V3_IOC_GEARS_TRACE, ENOTTY, 0, b, sizeof(b)),
		  "no GEARS tracing and injection (it predates ABI 1.7") &&
	      has(v3_explain(V3_IOC_GEARS_TRACE, EALREADY, 0, b, sizeof(b)),
		  "a trace is already running") &&
	      has(v3_explain(V3_IOC_GEARS_TRACE, EBUSY, 0, b, sizeof(b)),
		  "never launched") &&
	      has(v3_explain(V3_IOC_GEARS_INJECT, ETIMEDOUT, 0, b, sizeof(b)),
		  "no system call within the timeout") &&
	      has(v3_explain(V3_IOC_GEARS_INJECT, E2BIG, 0, b, sizeof(b)),
		  "at most 64 MiB") &&
	      has(v3_explain(V3_IOC_GEARS_INJECT, ENXIO, 0, b, sizeof(b)),
		  "no symbol of that name") &&
	      has(v3_explain(V3_IOC_GEARS_INJECT, ENOEXEC, 0, b, sizeof(b)),
		  "no 64-bit Linux kernel"), "explain: gears trace and injection");
	CHECK(has(v3_explain(V3_IOC_CREATE, ENOSPC, 0, b, sizeof(b)),
		  "too many VMs"), "explain: create ENOSPC");
	CHECK(!strcmp(v3_explain(0, EIO, 0, b, sizeof(b)), strerror(EIO)),
	      "explain: unknown errno falls back to strerror");
}

/* ------------------------------------------------------------ placement */

/*
 * A fake sysfs under the test directory (V3CTL_SYSFS_ROOT): CPUs 0-4,
 * NUMA nodes 0, 1 and 3, memory on 0 and 1.
 */
static void make_sysfs(void)
{
	static const char *const dirs[] = {
		"/sys", "/sys/devices", "/sys/devices/system",
		"/sys/devices/system/cpu", "/sys/devices/system/node",
		"/sys/devices/system/cpu/cpu0", "/sys/devices/system/cpu/cpu1",
		"/sys/devices/system/cpu/cpu2", "/sys/devices/system/cpu/cpu3",
		"/sys/devices/system/cpu/cpu4",
		"/sys/devices/system/node/node0",
		"/sys/devices/system/node/node1",
		"/sys/devices/system/node/node3",
	};
	char p[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s%s", dir, dirs[i]);
		mkdir(p, 0700);
	}
	snprintf(p, sizeof(p), "%s/sys/devices/system/cpu/present", dir);
	write_file(p, "0-4\n", 4);
	snprintf(p, sizeof(p), "%s/sys/devices/system/node/has_memory", dir);
	write_file(p, "0-1\n", 4);
	setenv(V3CTL_SYSFS_ROOT_ENV, dir, 1);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static bool one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && !nl[1];
}

/* host.c against the fake tree, and a host without NUMA in sysfs */
static void test_host(void)
{
	char b[64];

	CHECK(host_nodes() == 0xb, "host: nodes 0, 1, 3 from nodeN");
	CHECK(host_has_cpu(4) && !host_has_cpu(5), "host: cpu4 yes, cpu5 no");
	CHECK(host_cpus(b, sizeof(b)) && !strcmp(b, "0-4"),
	      "host: CPUs from cpu/present");
	setenv(V3CTL_SYSFS_ROOT_ENV, "/nonexistent-v3ctl-root", 1);
	CHECK(host_nodes() == 1 && !host_has_cpu(0) &&
	      !host_cpus(b, sizeof(b)),
	      "host: no node directory means one node, 0");
	setenv(V3CTL_SYSFS_ROOT_ENV, dir, 1);
}

/* create --numa: what reaches struct v3_create, and what is refused */
static void test_numa_opt(void)
{
	static const struct {
		const char *arg;	/* NULL: no --numa */
		uint32_t policy;
		uint64_t nodes;
	} good[] = {
		{ NULL, V3_MEM_LOCAL, 0 },
		{ "local", V3_MEM_LOCAL, 0 },
		{ "bind:1", V3_MEM_BIND, 2 },
		{ "bind:0", V3_MEM_BIND, 1 },
		{ "interleave", V3_MEM_INTERLEAVE, 0 },
		{ "interleave:0,1", V3_MEM_INTERLEAVE, 3 },
		{ "interleave:0-1", V3_MEM_INTERLEAVE, 3 },
		{ "interleave:1,0-1", V3_MEM_INTERLEAVE, 3 },
		{ "interleave:1", V3_MEM_INTERLEAVE, 2 },
	};
	static const struct {
		const char *arg, *msg;
	} bad[] = {
		{ "bind", "--numa bind needs its node: bind:N (see 'v3ctl create --help')" },
		{ "bind:0,1", "--numa 'bind:0,1': bind takes exactly one node" },
		{ "bind:0-1", "--numa 'bind:0-1': bind takes exactly one node" },
		{ "bind:2", "v3ctl: create: --numa 'bind:2': no NUMA node 2 on this host (nodes: 0-1,3)\n" },
		{ "interleave:0-2", "--numa 'interleave:0-2': no NUMA node 2 on this host (nodes: 0-1,3)\n" },
		{ "bind:3", "--numa 'bind:3': NUMA node 3 has no memory (nodes with memory: 0-1)\n" },
		{ "bind:64", "--numa 'bind:64': node 64 is out of range (nodes are 0-63)" },
		{ "interleave:0,99999999999", "node 99999999999 is out of range (nodes are 0-63)" },
		{ "interleave:", "--numa 'interleave:': empty node list" },
		{ "interleave:1-0", "range 1-0 is backwards" },
		{ "interleave:0,,1", "expected a node number at ',1'" },
		{ "interleave:0-", "expected a node number at the end" },
		{ "interleave:-1", "expected a node number at '-1'" },
		{ "interleave:0;1", "unexpected ';' in the node list" },
		{ "interleave:0,", "expected a node number at the end" },
		{ "local:0", "--numa local takes no node list, not 'local:0'" },
		{ "remote", "--numa must be local, bind:N, interleave or interleave:LIST, not 'remote'" },
		{ "Bind:1", "not 'Bind:1'" },
	};
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		struct fvm *vm;

		r = run(NULL, fmt("create vn --mem 16M %s%s --kernel %s",
				  good[i].arg ? "--numa " : "",
				  good[i].arg ? good[i].arg : "", mb_path));
		vm = find("vn");
		CHECK(r == 0 && vm && vm->cr.mem_policy == good[i].policy &&
		      vm->cr.mem_nodes == good[i].nodes && !*err,
		      "numa: --numa %s", good[i].arg ? good[i].arg : "(none)");
		run(NULL, "destroy vn");
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = run(NULL, fmt("create vn --mem 16M --numa %s --kernel %s",
				  bad[i].arg, mb_path));
		CHECK(r == 2 && !find("vn") && has(err, bad[i].msg) &&
		      one_line(err),
		      "numa: --numa '%s' -> 2, one line", bad[i].arg);
	}
	r = run(NULL, fmt("create vn --mem 16M --numa=bind:2 --kernel %s", mb_path));
	CHECK(r == 2 && !find("vn"), "numa: --numa=bind:2 -> 2");

	/* run takes it too */
	memset(&sc, 0, sizeof(sc));
	sc.stop_reason = V3_STOP_POWEROFF;
	r = run(NULL, fmt("run --mem 16M --numa interleave:0-1 --kernel %s", mb_path));
	CHECK(r == 0 && last_copy.cr.mem_policy == V3_MEM_INTERLEAVE &&
	      last_copy.cr.mem_nodes == 3, "numa: run --numa interleave:0-1");
	r = run(NULL, fmt("run --mem 16M --numa bind:7 --kernel %s", mb_path));
	CHECK(r == 2 && !vm_count() && has(err, "no NUMA node 7 on this host"),
	      "numa: run --numa bind:7 -> 2");

	/* the module could not place it there */
	fake_create_err = ENOMEM;
	r = run(NULL, fmt("create vn --mem 16M --numa bind:1 --kernel %s", mb_path));
	CHECK(r == 1 && !find("vn") &&
	      has(err, "with --numa 'bind:1' all of it must come from node 1 (ENOMEM)\n"),
	      "numa: ENOMEM with bind names the node");
	r = run(NULL, fmt("create vn --mem 16M --numa interleave --kernel %s", mb_path));
	CHECK(r == 1 && has(err, "all of it must come from nodes with memory (ENOMEM)\n"),
	      "numa: ENOMEM with interleave");
	r = run(NULL, fmt("create vn --mem 16M --kernel %s", mb_path));
	CHECK(r == 1 && has(err, "not enough memory") && !has(err, "--numa"),
	      "numa: ENOMEM without --numa as before");
	fake_create_err = 0;
}

/* The table @sig listed in the XSDT of @vm's ACPI tables, or NULL. */
static const uint8_t *vm_table(const struct fvm *vm, const char *sig)
{
	struct acpi_rsdp rsdp;
	uint32_t len, i;
	uint64_t t;

	memcpy(&rsdp, vm->ram + ACPI_BASE, sizeof(rsdp));
	if (rsdp.xsdt_address > FAKE_RAM - 36)
		return NULL;
	memcpy(&len, vm->ram + rsdp.xsdt_address + 4, 4);
	for (i = 36; i + 8 <= len; i += 8) {
		memcpy(&t, vm->ram + rsdp.xsdt_address + i, 8);
		if (t <= FAKE_RAM - 36 && !memcmp(vm->ram + t, sig, 4))
			return vm->ram + t;
	}
	return NULL;
}

/* create/run --guest-numa: SRAT and SLIT in guest memory, refusals */
static void test_guest_numa_opt(void)
{
	static const struct {
		const char *args, *msg;
	} bad[] = {
		{ "--vcpus 2 --guest-numa 3",
		  "v3ctl: create: --guest-numa 3 needs at least 3 vCPUs, one per node (--vcpus is 2) (see 'v3ctl create --help')\n" },
		{ "--guest-numa 2", "needs at least 2 vCPUs, one per node (--vcpus is 1)" },
		{ "--vcpus 2 --guest-numa 0", "--guest-numa must be 1 to 8, not '0'" },
		{ "--vcpus 9 --guest-numa 9", "--guest-numa must be 1 to 8, not '9'" },
		{ "--vcpus 2 --guest-numa two", "--guest-numa must be 1 to 8, not 'two'" },
		{ "--vcpus 2 --guest-numa=", "--guest-numa must be 1 to 8, not ''" },
		{ "--vcpus 8 --guest-numa 8 --mem 24M",
		  "--guest-numa 8 needs at least 32 MiB of guest RAM, 4 MiB per node (--mem is 24M)" },
	};
	const uint8_t *srat, *slit;
	uint32_t len = 0;
	struct fvm *vm;
	unsigned int i;
	int r;

	r = run(NULL, fmt("create vgn --mem 64M --guest-numa 2 --vcpus 4 --kernel %s", bz_path));
	vm = find("vgn");
	srat = vm ? vm_table(vm, "SRAT") : NULL;
	slit = vm ? vm_table(vm, "SLIT") : NULL;
	if (srat)
		memcpy(&len, srat + 4, 4);
	/* 4 LAPIC entries; memory [0, 0x9fc00) [1M, 32M) on 0, [32M, 64M) on 1 */
	CHECK(r == 0 && srat && slit && len == 48 + 4 * 16 + 3 * 40 &&
	      srat[48 + 3 * 16 + 2] == 1 && srat[48 + 3 * 16 + 3] == 3 &&
	      srat[48 + 4 * 16 + 2 * 40 + 2] == 1 &&
	      !memcmp(slit + 36, "\x02\0\0\0\0\0\0\0\x0a\x14\x14\x0a", 12) &&
	      !*err, "guest numa: create --guest-numa 2 --vcpus 4 puts SRAT and SLIT in guest memory");
	run(NULL, "destroy vgn");
	r = run(NULL, fmt("create vgn --mem 64M --vcpus 4 --kernel %s", bz_path));
	vm = find("vgn");
	CHECK(r == 0 && vm && vm_table(vm, "APIC") && !vm_table(vm, "SRAT") &&
	      !vm_table(vm, "SLIT"), "guest numa: without it no SRAT or SLIT");
	run(NULL, "destroy vgn");

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = run(NULL, fmt("create vgn --mem 64M %s --kernel %s",
				  bad[i].args, bz_path));
		CHECK(r == 2 && !find("vgn") && has(err, bad[i].msg) &&
		      one_line(err), "guest numa: create %s -> 2, one line",
		      bad[i].args);
	}
	r = run(NULL, fmt("create vgn --mem 64M --guest-numa 1 --kernel %s", mb_path));
	CHECK(r == 2 && !find("vgn") && one_line(err) &&
	      has(err, "needs ACPI tables, which v3ctl builds only for a Linux bzImage (this kernel's format is multiboot)"),
	      "guest numa: create with a Multiboot kernel -> 2, no VM");

	memset(&sc, 0, sizeof(sc));
	sc.stop_reason = V3_STOP_POWEROFF;
	r = run(NULL, fmt("run --mem 64M --vcpus 2 --guest-numa 2 --kernel %s", bz_path));
	CHECK(r == 0 && !vm_count() && last_copy.cr.vcpus == 2,
	      "guest numa: run --guest-numa 2");
	r = run(NULL, fmt("run --mem 64M --guest-numa 2 --kernel %s", bz_path));
	CHECK(r == 2 && !vm_count() && has(err, "v3ctl: run: --guest-numa 2 needs at least 2 vCPUs"),
	      "guest numa: run refuses it for 1 vCPU -> 2");
	r = run(NULL, fmt("run --mem 64M --guest-numa 1 --kernel %s", mb_path));
	CHECK(r == 2 && !vm_count() && has(err, "format is multiboot"),
	      "guest numa: run with a Multiboot kernel -> 2");
}

static void test_vcpu(void)
{
	int r;

	r = run(NULL, fmt("create vp --mem 16M --vcpus 3 --pin 1 --numa interleave:0-1 --kernel %s",
			  mb_path));
	CHECK(r == 0 && find("vp"), "vcpu: create vp");
	r = run(NULL, "vcpu vp");
	CHECK(r == 0 && !*err && !strcmp(out,
	      "VCPU STATE     CPU  PIN NODE    GUEST-S     HALT-S     EXIT-S      EXITS  MOVES\n"
	      "   0 created     1    1    0     12.345      0.001      0.250       4242      0\n"
	      "   1 created     -    2    -      0.000      0.000      0.000          0      0\n"
	      "   2 created     -    3    -      0.000      0.000      0.000          0      0\n"),
	      "vcpu: table");
	r = run(NULL, "vcpu move vp 1 0");
	CHECK(r == 0 && !*out && !*err && find("vp")->pin[1] == 0,
	      "vcpu move: quiet, pins vCPU 1 to CPU 0");
	r = run(NULL, "vcpu move vp 2 any");
	CHECK(r == 0 && !*out && !*err && find("vp")->pin[2] == -1,
	      "vcpu move: any unpins");
	r = run(NULL, "vcpu vp --json");
	CHECK(r == 0 && !*err && !strcmp(out,
	      "{\"name\": \"vp\", \"vcpus\": ["
	      "{\"id\": 0, \"state\": \"created\", \"cpu\": 1, \"pin_cpu\": 1, \"node\": 0, "
	      "\"guest_ns\": 12345678901, \"halt_ns\": 1500000, \"exit_ns\": 250000000, "
	      "\"exits\": 4242, \"moves\": 0}, "
	      "{\"id\": 1, \"state\": \"created\", \"cpu\": null, \"pin_cpu\": 0, \"node\": null, "
	      "\"guest_ns\": 0, \"halt_ns\": 0, \"exit_ns\": 0, \"exits\": 0, \"moves\": 1}, "
	      "{\"id\": 2, \"state\": \"created\", \"cpu\": null, \"pin_cpu\": null, \"node\": null, "
	      "\"guest_ns\": 0, \"halt_ns\": 0, \"exit_ns\": 0, \"exits\": 0, \"moves\": 1}]}\n"),
	      "vcpu: --json after the moves");
	find("vp")->state = V3_STATE_RUNNING;
	r = run(NULL, "vcpu --json vp");
	CHECK(r == 0 && has(out, "{\"id\": 0, \"state\": \"halted\", "),
	      "vcpu: --json before the name, halted state");
	r = run(NULL, "vcpu vp");
	CHECK(r == 0 && has(out, "\n   1 created     -    0    -      0.000") &&
	      has(out, "\n   2 created     -  any    -") &&
	      has(out, "\n   0 halted      1    1    0     12.345"),
	      "vcpu: table shows the pins, 'any' and halted");
	find("vp")->state = V3_STATE_CREATED;

	/* refusals in words */
	r = run(NULL, "vcpu move vp 5 0");
	CHECK(r == 1 && !strcmp(err, "v3ctl: vcpu move: vp: no vCPU 5: the VM has 3 (0-2) (EINVAL)\n"),
	      "vcpu move: no such vCPU -> 1, names the VM's vCPUs");
	r = run(NULL, "vcpu move vp 0 2");
	CHECK(r == 1 && !strcmp(err, "v3ctl: vcpu move: vp: CPU 2 is offline or has no virtualization (ENODEV)\n"),
	      "vcpu move: ENODEV -> offline or no virtualization");
	r = run(NULL, "vcpu move vp 0 4");
	CHECK(r == 1 && !strcmp(err, "v3ctl: vcpu move: vp: the module has no CPU 4 (EINVAL)\n"),
	      "vcpu move: CPU in sysfs the module refuses -> 1");
	r = run(NULL, "vcpu move vp 0 5");
	CHECK(r == 2 && !strcmp(err, "v3ctl: vcpu move: no CPU 5 on this host (CPUs 0-4)\n") &&
	      find("vp")->moves[0] == 0,
	      "vcpu move: CPU not on the host -> 2 before the ioctl");
	r = run(NULL, "vcpu move nosuch 0 1");
	CHECK(r == 1 && !strcmp(err, "v3ctl: vcpu move: nosuch: no such VM (ENOENT)\n"),
	      "vcpu move: missing VM -> 1");

	/* usage errors */
	r = run(NULL, "vcpu move vp 0 1x");
	CHECK(r == 2 && has(err, "v3ctl: vcpu move: CPU must be a CPU number or 'any', not '1x' (see 'v3ctl vcpu move --help')\n"),
	      "vcpu move: bad CPU -> 2");
	r = run(NULL, "vcpu move vp 0 -1");
	CHECK(r == 2 && has(err, "unknown option '-1'"), "vcpu move: -1 -> 2");
	r = run(NULL, "vcpu move vp 0 99999999999");
	CHECK(r == 2 && has(err, "CPU must be a CPU number or 'any', not '99999999999'"),
	      "vcpu move: CPU overflow -> 2");
	r = run(NULL, "vcpu move vp x 1");
	CHECK(r == 2 && has(err, "VCPU must be a vCPU number 0-63, not 'x'"),
	      "vcpu move: bad vCPU -> 2");
	r = run(NULL, "vcpu move vp 64 1");
	CHECK(r == 2 && has(err, "VCPU must be a vCPU number 0-63, not '64'"),
	      "vcpu move: vCPU 64 -> 2");
	r = run(NULL, "vcpu move vp 0");
	CHECK(r == 2 && has(err, "missing CPU (a CPU number or 'any')"),
	      "vcpu move: no CPU -> 2");
	r = run(NULL, "vcpu move vp");
	CHECK(r == 2 && has(err, "missing vCPU number"), "vcpu move: no vCPU -> 2");
	r = run(NULL, "vcpu move");
	CHECK(r == 2 && has(err, "v3ctl: vcpu move: missing VM name"),
	      "vcpu move: no VM -> 2");
	r = run(NULL, "vcpu move vp 0 1 extra");
	CHECK(r == 2 && has(err, "unexpected argument 'extra'"),
	      "vcpu move: extra argument -> 2");
	r = run(NULL, "vcpu move bad/name 0 1");
	CHECK(r == 2 && has(err, "invalid VM name 'bad/name'"),
	      "vcpu move: invalid name -> 2");
	r = run(NULL, "vcpu move --bogus vp 0 1");
	CHECK(r == 2 && has(err, "unknown option '--bogus'"),
	      "vcpu move: unknown option -> 2");
	r = run(NULL, "vcpu move --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl vcpu NAME [--json]\n") &&
	      has(out, "v3ctl vcpu move NAME VCPU CPU|any\n"),
	      "vcpu move --help");
	r = run(NULL, "vcpu --help");
	CHECK(r == 0 && has(out, "v3ctl vcpu move NAME VCPU CPU|any\n") &&
	      has(out, "--json"), "vcpu --help documents both");
	r = run(NULL, "vcpu");
	CHECK(r == 2 && has(err, "v3ctl: vcpu: missing VM name"), "vcpu: no VM -> 2");
	r = run(NULL, "vcpu vp extra");
	CHECK(r == 2 && has(err, "unexpected argument 'extra'"), "vcpu: extra -> 2");
	r = run(NULL, "vcpu vp --bogus");
	CHECK(r == 2 && has(err, "unknown option"), "vcpu: --bogus -> 2");
	r = run(NULL, "vcpu nosuch");
	CHECK(r == 1 && !strcmp(err, "v3ctl: vcpu: nosuch: no such VM (ENOENT)\n"),
	      "vcpu: missing VM -> 1");
	r = run(NULL, "vcpu -- move");
	CHECK(r == 1 && !strcmp(err, "v3ctl: vcpu: move: no such VM (ENOENT)\n"),
	      "vcpu -- move: a VM named move");
}

static void test_mem(void)
{
	int r;

	r = run(NULL, "mem vp");
	CHECK(r == 0 && !*err && !strcmp(out,
	      "policy: interleave:0-1\n"
	      "node 0: 8 MiB, 2048 pages, 1536 in 2 MiB pages\n"
	      "node 1: 8 MiB, 2048 pages, 2048 in 2 MiB pages\n"
	      "total: 16 MiB, 4096 pages, 3584 in 2 MiB pages\n"),
	      "mem: interleave:0-1 per node and total");
	r = run(NULL, "mem --json vp");
	CHECK(r == 0 && !*err && !strcmp(out,
	      "{\"name\": \"vp\", \"policy\": \"interleave\", \"policy_nodes\": [0, 1], "
	      "\"nodes\": [{\"node\": 0, \"pages\": 2048, \"pages_in_2m\": 1536}, "
	      "{\"node\": 1, \"pages\": 2048, \"pages_in_2m\": 2048}], "
	      "\"total\": {\"pages\": 4096, \"pages_in_2m\": 3584}}\n"),
	      "mem: --json");
	run(NULL, "destroy vp");

	r = run(NULL, fmt("create vb --mem 9M --numa bind:1 --kernel %s", mb_path));
	r = run(NULL, "mem vb");
	CHECK(r == 0 && !strcmp(out,
	      "policy: bind:1\n"
	      "node 1: 9 MiB, 2304 pages, 1536 in 2 MiB pages\n"
	      "total: 9 MiB, 2304 pages, 1536 in 2 MiB pages\n"),
	      "mem: bind:1, a partial last region");
	run(NULL, "destroy vb");
	r = run(NULL, fmt("create vb --mem 4M --numa interleave --kernel %s", mb_path));
	r = run(NULL, "mem vb");
	CHECK(r == 0 && !strcmp(out,
	      "policy: interleave\n"
	      "node 0: 2 MiB, 512 pages, 0 in 2 MiB pages\n"
	      "node 1: 2 MiB, 512 pages, 512 in 2 MiB pages\n"
	      "total: 4 MiB, 1024 pages, 512 in 2 MiB pages\n"),
	      "mem: interleave over every node");
	r = run(NULL, "mem vb --json");
	CHECK(r == 0 && has(out, "\"policy\": \"interleave\", \"policy_nodes\": [], "),
	      "mem: --json interleave over every node");
	run(NULL, "destroy vb");
	r = run(NULL, fmt("create vb --mem 4M --kernel %s", mb_path));
	r = run(NULL, "mem vb");
	CHECK(r == 0 && !strcmp(out,
	      "policy: local\n"
	      "node 0: 4 MiB, 1024 pages, 512 in 2 MiB pages\n"
	      "total: 4 MiB, 1024 pages, 512 in 2 MiB pages\n"),
	      "mem: local");
	run(NULL, "destroy vb");

	r = run(NULL, "mem nosuch");
	CHECK(r == 1 && !strcmp(err, "v3ctl: mem: nosuch: no such VM (ENOENT)\n"),
	      "mem: missing VM -> 1");
	r = run(NULL, "mem");
	CHECK(r == 2 && has(err, "v3ctl: mem: missing VM name"), "mem: no VM -> 2");
	r = run(NULL, "mem a b");
	CHECK(r == 2 && has(err, "unexpected argument 'b'"), "mem: extra -> 2");
	r = run(NULL, "mem --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl mem NAME [--json]\n"), "mem --help");
}

/* ------------------------------------------------------------ topology */

/* @rel (a path from "/") under @root with @text, its directories made. */
static void put(const char *root, const char *rel, const char *text)
{
	char p[512], *s;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	for (s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	write_file(p, text, strlen(text));
}

#define TCPU	"/sys/devices/system/cpu"
#define TNODE	"/sys/devices/system/node"

/*
 * CPUs 0-5, CPU 2 offline; node 0: CPUs 0-2, 4 GiB; node 1: CPUs 3-4,
 * 2 GiB; node 2: CPU 5, no memory.  cpufreq on CPUs 0, 1 and 3 only.
 */
static void make_topo(const char *root)
{
	static const char *const freq[][5] = {
		{ "0", "2400000", "800000", "3600000", "schedutil" },
		{ "1", "1199999", "800000", "3600000", "performance" },
		{ "3", "3000000", "1000000", "3000000", "pow<er>save" },
	};
	char p[128];
	unsigned int i;

	put(root, TCPU "/present", "0-5\n");
	put(root, TCPU "/online", "0-1,3-5\n");
	put(root, TNODE "/has_memory", "0-1\n");
	put(root, TNODE "/node0/cpulist", "0-2\n");
	put(root, TNODE "/node0/meminfo",
	    "Node 0 MemTotal:        4194304 kB\nNode 0 MemFree:         1048576 kB\nNode 0 MemUsed:         3145728 kB\n");
	put(root, TNODE "/node0/distance", "10 21 31\n");
	put(root, TNODE "/node1/cpulist", "3-4\n");
	put(root, TNODE "/node1/meminfo",
	    "Node 1 MemTotal:        2097152 kB\nNode 1 MemFree:          524288 kB\n");
	put(root, TNODE "/node1/distance", "21 10 31\n");
	put(root, TNODE "/node2/cpulist", "5\n");
	put(root, TNODE "/node2/meminfo",
	    "Node 2 MemTotal:              0 kB\nNode 2 MemFree:               0 kB\n");
	put(root, TNODE "/node2/distance", "31 31 10\n");
	for (i = 0; i < ARRAY_SIZE(freq); i++) {
		snprintf(p, sizeof(p), TCPU "/cpu%s/cpufreq/scaling_cur_freq",
			 freq[i][0]);
		put(root, p, freq[i][1]);
		snprintf(p, sizeof(p), TCPU "/cpu%s/cpufreq/cpuinfo_min_freq",
			 freq[i][0]);
		put(root, p, freq[i][2]);
		snprintf(p, sizeof(p), TCPU "/cpu%s/cpufreq/cpuinfo_max_freq",
			 freq[i][0]);
		put(root, p, freq[i][3]);
		snprintf(p, sizeof(p), TCPU "/cpu%s/cpufreq/scaling_governor",
			 freq[i][0]);
		put(root, p, freq[i][4]);
	}
}

/* Two nodes with memory, a memoryless one, an offline CPU, no cpufreq */
static void test_topo_numa(const char *root)
{
	int r;

	make_topo(root);
	setenv(V3CTL_SYSFS_ROOT_ENV, root, 1);
	r = run(NULL, "topology");
	CHECK(r == 0 && !*err && !strcmp(out,
	      "nodes from sysfs, frequencies from sysfs cpufreq\n"
	      "NODE CPUS              MEM-MIB  FREE-MIB  DISTANCES\n"
	      "   0 0-2                  4096      1024  10 21 31\n"
	      "   1 3-4                  2048       512  21 10 31\n"
	      "   2 5                       0         0  31 31 10\n"
	      " CPU NODE ONLINE CUR-MHZ MIN-MHZ MAX-MHZ GOVERNOR\n"
	      "   0    0 yes       2400     800    3600 schedutil\n"
	      "   1    0 yes       1200     800    3600 performance\n"
	      "   2    0 no           -       -       - -\n"
	      "   3    1 yes       3000    1000    3000 pow?er?save\n"
	      "   4    1 yes          -       -       - -\n"
	      "   5    2 yes          -       -       - -\n"),
	      "topology: 3 nodes, memoryless node 2, CPU 2 offline, no cpufreq on 2, 4, 5");
	r = run(NULL, "topology --json");
	CHECK(r == 0 && !*err && !strcmp(out,
	      "{\"numa\": true, \"node_source\": \"sysfs\", \"freq_source\": \"sysfs\", \"nodes\": ["
	      "{\"node\": 0, \"cpus\": [0, 1, 2], \"mem_bytes\": 4294967296, \"free_bytes\": 1073741824, \"distances\": [10, 21, 31]}, "
	      "{\"node\": 1, \"cpus\": [3, 4], \"mem_bytes\": 2147483648, \"free_bytes\": 536870912, \"distances\": [21, 10, 31]}, "
	      "{\"node\": 2, \"cpus\": [5], \"mem_bytes\": 0, \"free_bytes\": 0, \"distances\": [31, 31, 10]}], \"cpus\": ["
	      "{\"cpu\": 0, \"node\": 0, \"online\": true, \"cur_khz\": 2400000, \"min_khz\": 800000, \"max_khz\": 3600000, \"governor\": \"schedutil\"}, "
	      "{\"cpu\": 1, \"node\": 0, \"online\": true, \"cur_khz\": 1199999, \"min_khz\": 800000, \"max_khz\": 3600000, \"governor\": \"performance\"}, "
	      "{\"cpu\": 2, \"node\": 0, \"online\": false, \"cur_khz\": null, \"min_khz\": null, \"max_khz\": null, \"governor\": null}, "
	      "{\"cpu\": 3, \"node\": 1, \"online\": true, \"cur_khz\": 3000000, \"min_khz\": 1000000, \"max_khz\": 3000000, \"governor\": \"pow?er?save\"}, "
	      "{\"cpu\": 4, \"node\": 1, \"online\": true, \"cur_khz\": null, \"min_khz\": null, \"max_khz\": null, \"governor\": null}, "
	      "{\"cpu\": 5, \"node\": 2, \"online\": true, \"cur_khz\": null, \"min_khz\": null, \"max_khz\": null, \"governor\": null}]}\n"),
	      "topology --json: the same");
	r = run(NULL, fmt("create vt --mem 16M --numa bind:2 --kernel %s", mb_path));
	CHECK(r == 2 && !find("vt") && !strcmp(err,
	      "v3ctl: create: --numa 'bind:2': NUMA node 2 has no memory (nodes with memory: 0-1)\n"),
	      "topology: --numa bind:2, the memoryless node -> 2");
	r = run(NULL, fmt("run --mem 16M --numa interleave:1,3 --kernel %s", mb_path));
	CHECK(r == 2 && !vm_count() && !strcmp(err,
	      "v3ctl: run: --numa 'interleave:1,3': no NUMA node 3 on this host (nodes: 0-2)\n"),
	      "topology: run --numa interleave:1,3 -> 2, names the nodes");
	r = run(NULL, fmt("create vt --mem 16M --numa interleave:0-1 --kernel %s", mb_path));
	CHECK(r == 0 && find("vt") && find("vt")->cr.mem_nodes == 3,
	      "topology: --numa interleave:0-1 passes");
	run(NULL, "destroy vt");
	/* has_memory missing: the module decides */
	snprintf(cmdbuf, sizeof(cmdbuf), "%s" TNODE "/has_memory", root);
	unlink(cmdbuf);
	r = run(NULL, fmt("create vt --mem 16M --numa bind:2 --kernel %s", mb_path));
	CHECK(r == 0 && find("vt"), "topology: no has_memory: bind:2 left to the module");
	run(NULL, "destroy vt");
}

/* A kernel without NUMA, and one without cpu/present */
static void test_topo_flat(const char *root)
{
	int r;

	put(root, TCPU "/present", "0-1\n");
	put(root, "/proc/meminfo",
	    "MemTotal:        1048576 kB\nMemFree:          262144 kB\nMemAvailable:     524288 kB\n");
	setenv(V3CTL_SYSFS_ROOT_ENV, root, 1);
	r = run(NULL, "topology");
	CHECK(r == 0 && !*err && !strcmp(out,
	      "nodes from sysfs, frequencies from sysfs cpufreq\n"
	      "no NUMA on this host: node 0 stands for every CPU and all memory\n"
	      "NODE CPUS              MEM-MIB  FREE-MIB  DISTANCES\n"
	      "   0 0-1                  1024       256  10\n"
	      " CPU NODE ONLINE CUR-MHZ MIN-MHZ MAX-MHZ GOVERNOR\n"
	      "   0    0 yes          -       -       - -\n"
	      "   1    0 yes          -       -       - -\n"),
	      "topology: no NUMA: node 0 has every CPU, no cpu/online: all online");
	r = run(NULL, "topology --json");
	CHECK(r == 0 && has(out, "{\"numa\": false, ") &&
	      has(out, "\"nodes\": [{\"node\": 0, \"cpus\": [0, 1], \"mem_bytes\": 1073741824, \"free_bytes\": 268435456, \"distances\": [10]}]"),
	      "topology --json: no NUMA");
	r = run(NULL, fmt("create vt --mem 16M --numa bind:1 --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "--numa 'bind:1': no NUMA node 1 on this host (nodes: 0)\n"),
	      "topology: no NUMA: --numa bind:1 -> 2");
	setenv(V3CTL_SYSFS_ROOT_ENV, "/nonexistent-v3ctl-root", 1);
	r = run(NULL, "topology");
	CHECK(r == 1 && !*out && has(err, "cannot read the host's CPUs"),
	      "topology: no cpu/present -> 1");
	r = run(NULL, "topology --json extra");
	CHECK(r == 2 && has(err, "unexpected argument 'extra'"),
	      "topology: stray argument -> 2");
	r = run(NULL, "topology --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl topology [--json]") &&
	      has(out, "in MHz") && has(out, "frequencies in kHz"),
	      "topology --help: units");
}

/* Count the entries of @dir named PREFIX<digits>. */
static unsigned int count_numbered(const char *dir, const char *prefix)
{
	struct dirent *d;
	unsigned int n = 0;
	size_t len = strlen(prefix);
	DIR *dp = opendir(dir);

	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		n += !strncmp(d->d_name, prefix, len) &&
		     d->d_name[len] >= '0' && d->d_name[len] <= '9';
	closedir(dp);
	return n;
}

/* The libnuma backend on this machine agrees with its /sys */
static void test_topo_real(void)
{
	struct topology *t = topo_alloc(), *s = topo_alloc();
	unsigned int c, on_node = 0, present = 0, same = 0;
	unsigned int nodes = count_numbered(TNODE, "node");

	unsetenv(V3CTL_SYSFS_ROOT_ENV);
	if (!t || !s || topo_read(t, TOPO_FREQ) || topo_read_cpus(s) ||
	    topo_nodes_sysfs(s)) {
		tap_ok(false, "topology: read this machine's");
		goto out;
	}
	if (strcmp(t->node_src, "libnuma")) {
		tap_ok(true, "topology: libnuma on this machine # SKIP built without libnuma");
		goto out;
	}
	for (c = 0; c < t->nr_cpus; c++) {
		present += t->cpu[c].present;
		on_node += t->cpu[c].present && t->cpu[c].node >= 0;
		same += t->cpu[c].node == s->cpu[c].node;
	}
	tap_diag("libnuma: %d nodes, %u present CPUs, %u on a node; /sys: %u nodes",
		 __builtin_popcountll(t->nodes), present, on_node, nodes);
	CHECK((unsigned int)__builtin_popcountll(t->nodes) == (nodes ? nodes : 1) &&
	      t->numa == (nodes > 0) && t->nodes == s->nodes &&
	      (!s->mem_known || t->mem_nodes == s->mem_nodes),
	      "topology: libnuma's nodes are /sys/devices/system/node's");
	CHECK(present && on_node == present && same == t->nr_cpus &&
	      t->nr_cpus == s->nr_cpus,
	      "topology: libnuma puts every CPU on its /sys node");
out:
	free(t);
	free(s);
}

static void test_topology(void)
{
	char root[128];

	snprintf(root, sizeof(root), "%s/topo-numa", dir);
	mkdir(root, 0700);
	test_topo_numa(root);
	snprintf(root, sizeof(root), "%s/topo-flat", dir);
	mkdir(root, 0700);
	test_topo_flat(root);
	test_topo_real();
	setenv(V3CTL_SYSFS_ROOT_ENV, dir, 1);
}

/* A module before ABI 1.4: no placement ioctls, no --numa */
static void test_old_abi(void)
{
	int r;

	fake_abi_minor = 3;
	r = run(NULL, fmt("create vo --mem 16M --numa bind:1 --kernel %s", mb_path));
	CHECK(r == 1 && !find("vo") &&
	      !strcmp(err, "v3ctl: create: the loaded v3vmm module (ABI 1.3) has no NUMA policy for guest RAM (--numa) (needs 1.4)\n"),
	      "abi 1.3: create --numa bind:1 -> 1, named versions");
	r = run(NULL, fmt("run --mem 16M --numa interleave --kernel %s", mb_path));
	CHECK(r == 2 && !vm_count() && has(err, "(ABI 1.3) has no NUMA policy"),
	      "abi 1.3: run --numa interleave -> 2");
	r = run(NULL, fmt("create vo --mem 16M --numa local --kernel %s", mb_path));
	CHECK(r == 0 && find("vo"), "abi 1.3: create --numa local works");
	r = run(NULL, "vcpu vo");
	CHECK(r == 1 && !*out &&
	      !strcmp(err, "v3ctl: vcpu: the loaded v3vmm module (ABI 1.3) has no placement ioctls (needs 1.4)\n"),
	      "abi 1.3: vcpu -> 1");
	r = run(NULL, "vcpu move vo 0 1");
	CHECK(r == 1 &&
	      !strcmp(err, "v3ctl: vcpu move: the loaded v3vmm module (ABI 1.3) has no placement ioctls (needs 1.4)\n"),
	      "abi 1.3: vcpu move -> 1");
	r = run(NULL, "mem vo --json");
	CHECK(r == 1 && !*out &&
	      !strcmp(err, "v3ctl: mem: the loaded v3vmm module (ABI 1.3) has no placement ioctls (needs 1.4)\n"),
	      "abi 1.3: mem -> 1");
	r = run(NULL, "version");
	CHECK(r == 0 && has(out, "abi: 1.3\n"), "abi 1.3: version still works");
	fake_abi_minor = V3_ABI_MINOR;
	run(NULL, "destroy vo");
}

/* ------------------------------------------------------------- content */

static void test_content(void)
{
	struct v3_content_dump_hdr h;
	struct v3_content_entry e[3];
	char path[256], sysd[160], buf[64];
	FILE *f;
	int r;

	r = run(NULL, fmt("create vc --mem 8M --kernel %s", mb_path));
	CHECK(r == 0, "content: create vc");
	r = run(NULL, "content");
	CHECK(r == 0 && has(out, "node: all VMs\nenabled: 1\npages: 9999\n") &&
	      has(out, "pages_distinct: 5001\n") && has(out, "pages_shared_other: 42\n"),
	      "content: the node's counts, a key a line");
	r = run(NULL, "content vc --json");
	CHECK(r == 0 && has(out, "{\"name\": \"vc\", \"enabled\": 1, \"pages\": 2048, ") &&
	      has(out, "\"pages_distinct\": 5000, ") && has(out, "\"scan_ns\": 0}\n"),
	      "content vc --json: one object");
	snprintf(path, sizeof(path), "%s/vc.dump", dir);
	r = run(NULL, fmt("content dump vc -o %s", path));
	f = fopen(path, "rb");
	CHECK(r == 0 && f && fread(&h, sizeof(h), 1, f) == 1 &&
	      !memcmp(h.magic, "V3CONTNT", 8) && h.version == 1 &&
	      h.hdr_size == 144 && h.entry_size == 16 && h.page_size == 4096 &&
	      h.hash_kind == V3_CONTENT_HASH_XXH64 && h.count == 5000 &&
	      h.scope == V3_CONTENT_SCOPE_VM && !strcmp(h.vm, "vc") &&
	      h.time_ns == 1234567890ULL && fread(e, sizeof(e[0]), 3, f) == 3 &&
	      e[0].hash == 1 && e[0].flags == V3_CONTENT_ZERO && e[2].copies == 3,
	      "content dump vc: header, then the entries (the table grew past the first buffer)");
	if (f) {
		fseek(f, 0, SEEK_END);
		CHECK(ftell(f) == 144 + 16 * 5000, "content dump vc: 144 + 16 x 5000 bytes");
		fclose(f);
	}
	r = run(NULL, "content dump --all -o -");
	CHECK(r == 0 && !memcmp(out, "V3CONTNT", 8), "content dump --all -o -: to stdout");
	r = run(NULL, "content dump vc --all -o x");
	CHECK(r == 2 && has(err, "give a VM or --all"), "content dump: VM and --all -> 2");
	r = run(NULL, "content dump vc");
	CHECK(r == 2 && has(err, "-o FILE is required"), "content dump: no -o -> 2");
	r = run(NULL, "content dump nosuch -o /dev/null");
	CHECK(r == 1 && has(err, "nosuch: no such VM"), "content dump: missing VM -> 1");
	r = run(NULL, "content a b");
	CHECK(r == 2 && has(err, "unexpected argument 'b'"), "content: extra -> 2");

	/* enable: the VM's sysfs switch, under V3CTL_SYSFS_ROOT */
	snprintf(sysd, sizeof(sysd), "%s/sys/kernel/v3vmm/vms/vc/content", dir);
	put(dir, "/sys/kernel/v3vmm/vms/vc/content/enabled", "0\n");
	r = run(NULL, "content enable vc");
	snprintf(path, sizeof(path), "%s/enabled", sysd);
	f = fopen(path, "r");
	CHECK(r == 0 && f && fgets(buf, sizeof(buf), f) && !strcmp(buf, "1\n"),
	      "content enable vc: writes 1 to vms/vc/content/enabled");
	if (f)
		fclose(f);
	r = run(NULL, "content disable nosuch");
	CHECK(r == 1 && has(err, "no VM 'nosuch'"), "content disable nosuch -> 1");
	r = run(NULL, "content enable");
	CHECK(r == 2 && has(err, "missing VM name"), "content enable: no VM -> 2");
	r = run(NULL, "content --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl content [VM] [--json]\n"), "content --help");

	fake_abi_minor = 4;
	r = run(NULL, "content vc");
	CHECK(r == 1 && !*out &&
	      !strcmp(err, "v3ctl: content: the loaded v3vmm module (ABI 1.4) has no content tracking (needs 1.5)\n"),
	      "abi 1.4: content -> 1");
	fake_abi_minor = V3_ABI_MINOR;
	run(NULL, "destroy vc");
}

/* --------------------------------------------------------------- gears */

static void test_gears(void)
{
	char longsym[V3_GEARS_SYM_LEN + 16];
	int r;

	r = run(NULL, "gears --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears sym VM NAME [--json]\n") &&
	      has(out, "       v3ctl gears ps VM [--json]\n"), "gears --help");
	r = run(NULL, "gears sym --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears sym VM NAME [--json]\n") &&
	      has(out, "KASLR slide"), "gears sym --help");
	r = run(NULL, "gears ps --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears ps VM [--json]\n") &&
	      has(out, "PID PPID COMM"), "gears ps --help");
	r = run(NULL, "gears");
	CHECK(r == 2 && has(err, "missing command (sym, ps, trace, syscall, call, insmod or exec)"),
	      "gears: no command -> 2");
	r = run(NULL, "gears strace vg");
	CHECK(r == 2 && has(err, "unknown command 'strace'"), "gears: unknown command -> 2");
	r = run(NULL, "gears sym");
	CHECK(r == 2 && has(err, "missing VM name"), "gears sym: no VM -> 2");
	r = run(NULL, "gears sym vg");
	CHECK(r == 2 && has(err, "missing symbol name"), "gears sym: no symbol -> 2");
	r = run(NULL, "gears sym vg a b");
	CHECK(r == 2 && has(err, "unexpected argument 'b'"), "gears sym: extra -> 2");
	r = run(NULL, "gears sym bad/name init_task");
	CHECK(r == 2 && has(err, "invalid VM name 'bad/name'"), "gears sym: bad VM name -> 2");
	/* run() takes a string: the long symbol is built here, not by fmt() */
	memcpy(longsym, "gears sym vg ", 13);
	memset(longsym + 13, 'x', V3_GEARS_SYM_LEN);
	longsym[13 + V3_GEARS_SYM_LEN] = '\0';
	r = run(NULL, longsym);
	CHECK(r == 2 && has(err, "1 to 511 characters"), "gears sym: 512-character symbol -> 2");
	r = run(NULL, "gears sym vg init_task --bogus");
	CHECK(r == 2 && has(err, "unknown option '--bogus'"), "gears sym: unknown option -> 2");
	r = run(NULL, "gears ps");
	CHECK(r == 2 && has(err, "missing VM name"), "gears ps: no VM -> 2");
	r = run(NULL, "gears ps a b");
	CHECK(r == 2 && has(err, "unexpected argument 'b'"), "gears ps: extra -> 2");
	r = run(NULL, "gears ps nosuch");
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears ps: nosuch: no such VM (ENOENT)\n"),
	      "gears ps: missing VM -> 1");

	r = run(NULL, fmt("create vg --mem 8M --kernel %s", mb_path));
	CHECK(r == 0, "gears: create vg");
	r = run(NULL, "gears sym vg init_task");
	CHECK(r == 1 && has(err, "vg: VM was never launched") && has(err, "(EBUSY)"),
	      "gears sym of a VM never launched -> 1, EBUSY in words");
	sc.reads_to_stop = -1;
	r = run(NULL, "launch vg");
	CHECK(r == 0, "gears: launch vg");
	r = run(NULL, "gears sym vg init_task");
	CHECK(r == 0 && !strcmp(out, "symbol: init_task\naddress: 0xffffffff9fe12940\n"
				   "slide: +0x1d000000\ntext: 0xffffffff9e000000\n"
				   "symbols: 123456\n") && !*err,
	      "gears sym vg init_task: address, slide, text, symbols");
	r = run(NULL, "gears sym --json vg init_task");
	CHECK(r == 0 && !strcmp(out, "{\"name\": \"vg\", \"symbol\": \"init_task\", "
				   "\"address\": \"0xffffffff9fe12940\", \"slide\": 486539264, "
				   "\"text\": \"0xffffffff9e000000\", \"symbols\": 123456}\n"),
	      "gears sym --json");
	r = run(NULL, "gears sym vg no_such_symbol");
	CHECK(r == 1 && !*out &&
	      !strcmp(err, "v3ctl: gears sym: vg: the guest kernel has no symbol 'no_such_symbol' (123456 symbols; ENXIO)\n"),
	      "gears sym of an unknown symbol -> 1, named");
	r = run(NULL, "gears ps vg");
	CHECK(r == 0 && !strncmp(out, "    PID    PPID COMM\n"
				    "      1       0 init\n"
				    "      2       0 kthreadd\n"
				    "      3       2 rcu_gp\n"
				    "      4       1 sleep\n", 105) &&
	      has(out, "\n    700       1 a\"b\n") && !*err,
	      "gears ps vg: header, sorted by PID (the list grew past the first buffer)");
	r = run(NULL, "gears ps vg --json");
	CHECK(r == 0 && has(out, "{\"name\": \"vg\", \"tasks\": [{\"pid\": 1, \"ppid\": 0, "
				 "\"comm\": \"init\", \"kthread\": false}, {\"pid\": 2, ") &&
	      has(out, "\"comm\": \"kthreadd\", \"kthread\": true}") &&
	      has(out, "{\"pid\": 700, \"ppid\": 1, \"comm\": \"a\\\"b\", \"kthread\": false}]}\n"),
	      "gears ps --json: escaped comm, kthread flag");

	fake_gears_err = ENOEXEC;
	r = run(NULL, "gears ps vg");
	CHECK(r == 1 && has(err, "vg: no 64-bit Linux kernel found in the guest") &&
	      has(err, "(ENOEXEC)"), "gears ps of a guest that is not Linux -> 1");
	fake_gears_err = EOPNOTSUPP;
	r = run(NULL, "gears ps vg");
	CHECK(r == 1 && has(err, "no BTF"), "gears ps without guest BTF -> 1");
	fake_gears_err = 0;
	fake_caps_off = V3_CAP_GEARS;
	r = run(NULL, "gears sym vg init_task");
	CHECK(r == 1 && !*out &&
	      !strcmp(err, "v3ctl: gears sym: GEARS is not available in the loaded v3vmm module (capability gears missing; see 'v3ctl version')\n"),
	      "gears without the capability -> 1, not available");
	fake_caps_off = 0;
	fake_abi_minor = 5;
	r = run(NULL, "gears ps vg");
	CHECK(r == 1 &&
	      !strcmp(err, "v3ctl: gears ps: the loaded v3vmm module (ABI 1.5) has no GEARS (needs 1.6)\n"),
	      "abi 1.5: gears -> 1");
	fake_abi_minor = V3_ABI_MINOR;
	sc.reads_to_stop = 0;
	run(NULL, "destroy vg");
	CHECK(!vm_count(), "gears: no VM left");
}

/* ------------------------------------------ gears trace and injection */

static const struct {
	const char *args;
	const char *err;
} gears_usage[] = {
	{ "gears trace", "missing VM name" },
	{ "gears trace vt extra", "unexpected argument 'extra'" },
	{ "gears trace bad/vm", "invalid VM name 'bad/vm'" },
	{ "gears trace vt --pid 0", "--pid needs a process ID (1 or more), not '0'" },
	{ "gears trace vt --comm abcdefghijklmnop", "--comm: a process name has 1 to 15 characters" },
	{ "gears trace vt --pid 5 --comm sh", "give --pid or --comm, not both" },
	{ "gears trace vt --syscalls getpid,,write", "--syscalls: '' is not a system call name" },
	{ "gears trace vt --syscalls getpid,Write", "--syscalls: 'Write' is not a system call name" },
	{ "gears trace vt --count 0", "--count needs a number of events" },
	{ "gears trace vt --duration 0", "--duration needs a positive number of seconds" },
	{ "gears trace vt --follow --duration 2", "give --duration or --follow, not both" },
	{ "gears trace vt --stop --count 3", "--stop takes no other option" },
	{ "gears trace vt --json --stop", "--stop takes no other option" },
	{ "gears trace vt --bogus", "unknown option '--bogus'" },
	{ "gears trace vt --count", "option '--count' needs an argument" },
	{ "gears syscall", "missing VM name" },
	{ "gears syscall vt getpid", "missing --pid N: the process to run the call in" },
	{ "gears syscall vt --pid 57", "missing system call name" },
	{ "gears syscall bad/vm --pid 57 getpid", "invalid VM name 'bad/vm'" },
	{ "gears syscall vt --pid 57 Get-pid", "'Get-pid' is not a system call name" },
	{ "gears syscall vt --pid 57 write 1 2 3 4 5 6 7", "7 arguments: at most 6" },
	{ "gears syscall vt --pid 57 write 1 s:a\\q 1", "argument 2: unknown escape '\\q'" },
	{ "gears syscall vt --pid 57 write 1 s:a\\x4 1", "argument 2: '\\x' needs two hexadecimal digits" },
	{ "gears syscall vt --pid 57 read 3 b:0 1", "argument 2: 'b:0': b:SIZE needs a size of 1 byte or more" },
	{ "gears syscall vt --pid 57 read 3 b:65M 1", "argument 2: strings and buffers take 68157440 bytes, more than the 64 MiB" },
	{ "gears syscall vt --pid 57 write x", "argument 1: 'x' is not an integer (decimal or 0x hexadecimal), s:TEXT, z:TEXT or b:SIZE" },
	{ "gears syscall vt --pid 57 getpid --timeout 0", "--timeout needs a positive number of seconds, not '0'" },
	{ "gears syscall vt --pid 57 getpid --timeout", "option '--timeout' needs an argument" },
	{ "gears syscall vt --pid 57 getpid --timeout 5000000", "--timeout: at most 4294967 seconds" },
	{ "gears syscall vt --pid=x getpid", "--pid needs a process ID (1 or more), not 'x'" },
	{ "gears syscall vt --pid 57 getpid --pidx 3", "unknown option '--pidx'" },
	{ "gears syscall vt --pid 57 getpid -x", "unknown option '-x'" },
	{ "gears call vt", "missing symbol name" },
	{ "gears call vt int_sqrt s:x", "argument 1: 's:x': only integer arguments here" },
	{ "gears call vt int_sqrt b:8", "argument 1: 'b:8': only integer arguments here" },
	{ "gears call vt f 1 2 3 4 5 6 7", "7 arguments: at most 6" },
	{ "gears call vt f --json --timeout x", "--timeout needs a positive number of seconds, not 'x'" },
	{ "gears insmod vt", "missing module file (FILE.ko)" },
	{ "gears insmod vt --pid", "option '--pid' needs an argument" },
	{ "gears exec", "missing VM name" },
	{ "gears exec vt", "missing program file (FILE)" },
	{ "gears exec vt --pid 57", "missing program file (FILE)" },
	{ "gears exec vt prog", "missing --pid N: the process to fork the program from" },
	{ "gears exec bad/vm --pid 57 prog", "invalid VM name 'bad/vm'" },
	{ "gears exec vt --pid 0 prog", "--pid needs a process ID (1 or more), not '0'" },
	{ "gears exec vt --pid 57 prog -v", "unknown option '-v'" },
	{ "gears exec vt --pid 57 prog --timeout -1", "--timeout needs a positive number of seconds, not '-1'" },
};

/* the fake trace, stopped and emptied */
static void ft_reset(void)
{
	memset(&ft, 0, sizeof(ft));
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_gears_trace(void)
{
	char want[1024], path[V3_GEARS_STR_LEN + 1];
	int r;

	r = run(NULL, "gears trace --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears trace VM [--pid N | --comm NAME] [--syscalls LIST]\n") &&
	      has(out, "       v3ctl gears trace VM --stop\n") && has(out, "vcpu V pid P comm C: NAME(ARGS) = RET"),
	      "gears trace --help");
	r = run(NULL, "gears --help");
	CHECK(r == 0 && has(out, "       v3ctl gears trace VM [--pid N | --comm NAME]") &&
	      has(out, "  insmod   load a kernel module"), "gears --help lists trace, syscall, call, insmod");

	/* before launch: no guest kernel */
	ft_reset();
	ft.before = 10;
	r = run(NULL, "gears trace vt --count 1");
	CHECK(r == 1 && has(err, "vt: VM was never launched") && has(err, "(EBUSY)") && !*out,
	      "gears trace of a VM never launched -> 1");
	sc.reads_to_stop = -1;
	r = run(NULL, "launch vt");
	CHECK(r == 0, "gears trace: launch vt");

	r = run(NULL, "gears trace vt --syscalls write,getpid --count 3");
	memset(path, 'p', V3_GEARS_STR_LEN);
	path[V3_GEARS_STR_LEN] = '\0';
	snprintf(want, sizeof(want),
		 "vcpu 0 pid 57 comm sh: write(1, \"MARK\\n\", 5) = 5\n"
		 "vcpu 1 pid 57 comm sh: getpid() = 57\n"
		 "vcpu 0 pid 57 comm sh: openat(0xffffffffffffff9c, \"%s\"..., 0, 0) = -2 ENOENT\n",
		 path);
	CHECK(r == 0 && !strcmp(out, want) && !strcmp(err, "# tracing 2 handlers through the guest's ftrace; results from the return stub (1 exit a call)\n") &&
	      !strcmp(ft.syscalls, "write,getpid") && !ft.pid && !ft.comm[0] &&
	      ft.stops == 1 && !ft.running,
	      "gears trace --count 3: three lines, write's string, a cut path with ..., ENOENT; stopped");

	ft_reset();
	ft.before = 3;
	ft.after = 4;
	r = run(NULL, "gears trace vt --comm sh --json --count 5 --duration 0.2");
	CHECK(r == 0 && lines(out) == 5 && !strcmp(ft.comm, "sh") && ft.stops == 1 &&
	      has(out, "{\"seq\": 1, \"time_ns\": 1000000000, \"vcpu\": 0, \"pid\": 57, \"tgid\": 57, "
		       "\"comm\": \"sh\", \"syscall\": \"write\", \"nr\": 1, \"args\": [1, 1431633920, 5, 0, 0, 0], "
		       "\"ret\": 5, \"str_arg\": 1, \"str\": \"MARK\\u000a\", \"str_cut\": false, \"injected\": false}\n") &&
	      has(out, "\"str_cut\": true") &&
	      has(out, "{\"seq\": 4, \"time_ns\": 1000000003, \"vcpu\": 1, \"pid\": 57, \"tgid\": 57, "
		       "\"comm\": \"sh\", \"syscall\": \"exit_group\", \"nr\": 231, \"args\": [0, 0, 0, 0, 0, 0], "
		       "\"ret\": null, \"str_cut\": false, \"injected\": false}\n") &&
	      has(out, "\"seq\": 5,") && has(out, "\"injected\": true}\n") && !has(out, "\"seq\": 6,"),
	      "gears trace --json --duration: 3 events, then 2 of the 4 drained after stop (--count 5)");

	ft_reset();
	ft.lost = 7;
	ft.ret_err = -ETIMEDOUT;
	r = run(NULL, "gears trace vt --duration 0.05");
	CHECK(r == 0 && !*out && !strcmp(err, "# tracing 300 handlers with UD2s, not through the guest's ftrace (E2BIG); returns trapped (2 exits a call): no return stub (ETIMEDOUT)\n# 7 events lost\n") && ft.stops == 1,
	      "gears trace of all calls: 300 handlers; no return stub, and why; lost events on stderr");

	ft_reset();
	ft.ret_err = -EINPROGRESS;
	ft.hook_err = -E2BIG;
	r = run(NULL, "gears trace vt --duration 0.05");
	CHECK(r == 0 && !strcmp(err, "# tracing 300 handlers with UD2s, not through the guest's ftrace (E2BIG); results from the return stub (1 exit a call), made at the first traced call\n"),
	      "gears trace: the return stub made at the first traced call");

	ft_reset();
	ft.hook_err = -EINPROGRESS;
	ft.ret_err = -EINPROGRESS;
	r = run(NULL, "gears trace vt --syscalls getpid --duration 0.05");
	CHECK(r == 0 && !strcmp(err, "# tracing 1 handler through the guest's ftrace (hooked at the next system call); results from the return stub (1 exit a call)\n"),
	      "gears trace: hooks through the guest's ftrace made at the next system call, the stub with them");

	ft_reset();
	ft.hook_err = -EPERM;
	r = run(NULL, "gears trace vt --syscalls getpid --duration 0.05");
	CHECK(r == 0 && !strcmp(err, "# tracing 1 handler with UD2s, not through the guest's ftrace (EPERM); results from the return stub (1 exit a call)\n"),
	      "gears trace: UD2 hooks, and why not the guest's ftrace");

	ft_reset();
	fake_caps_off = V3_CAP_GEARS_FTRACE;
	r = run(NULL, "gears trace vt --syscalls getpid --duration 0.05");
	CHECK(r == 0 && !strcmp(err, "# tracing 1 handler; results from the return stub (1 exit a call)\n"),
	      "gears trace with a module before ABI 1.9: no word on the hooks' way");
	fake_caps_off = 0;

	ft_reset();
	fake_caps_off = V3_CAP_GEARS_RET_STUB | V3_CAP_GEARS_FTRACE;
	r = run(NULL, "gears trace vt --duration 0.05");
	CHECK(r == 0 && !strcmp(err, "# tracing 300 handlers\n"),
	      "gears trace with a module before ABI 1.8: no word on the results' way");
	fake_caps_off = 0;

	ft_reset();
	ft.before = 600;
	ft.after = 10;
	r = run(NULL, "gears trace vt --count 300");
	CHECK(r == 0 && lines(out) == 300 && has(out, "\nvcpu 1 pid 57 comm sh: getpid() = 57 [injected]\n") &&
	      ft.stops == 1, "gears trace --count 300 over two READs: exactly 300 lines");
	ft_reset();
	ft.before = 260;
	ft.after = 5;
	r = run(NULL, "gears trace vt --duration 0.1");
	CHECK(r == 0 && lines(out) == 265 && ft.stops == 1,
	      "gears trace --duration: 260 events and the 5 drained after stop");

	ft_reset();
	ft.before = 2;
	ft.raise_sig = SIGINT;
	r = run(NULL, "gears trace vt --follow --pid 57");
	CHECK(r == 0 && lines(out) == 2 && ft.pid == 57 && ft.stops == 1 && !ft.running,
	      "gears trace --follow: SIGINT stops the trace, status 0");
	ft_reset();
	ft.before = 1;
	ft.read_err_at = 2;
	r = run(NULL, "gears trace vt --follow");
	CHECK(r == 1 && lines(out) == 1 && has(err, "vt: the trace stopped without v3ctl ('v3ctl gears trace vt --stop' elsewhere") &&
	      has(err, "(EALREADY)") && lines(err) == 2,
	      "gears trace: READ refused mid-trace -> 1, stopped elsewhere");
	ft_reset();
	ft.before = 1;
	ft.after = 2;
	ft.stop_at = 3;
	r = run(NULL, "gears trace vt --follow");
	CHECK(r == 1 && lines(out) == 3 && has(err, "vt: the trace stopped without v3ctl") && lines(err) == 2 &&
	      ft.reads == 5, "gears trace: an empty READ that did not wait means stopped elsewhere -> 1, drained");

	ft_reset();
	r = run(NULL, "gears trace vt --stop");
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears trace: vt: no trace running (EALREADY)\n"),
	      "gears trace --stop without a trace -> 1, no trace running");
	ft.running = ft.started = true;
	r = run(NULL, "gears trace vt --count 1");
	CHECK(r == 1 && has(err, "vt: a trace is already running in the VM") &&
	      has(err, "'v3ctl gears trace vt --stop' ends it) (EALREADY)") && ft.running,
	      "gears trace while one runs -> 1, says how to stop it");
	r = run(NULL, "gears trace vt --stop");
	CHECK(r == 0 && !*out && !*err && !ft.running && ft.stops == 1,
	      "gears trace --stop ends a trace left running");
	ft_reset();
	r = run(NULL, "gears trace vt --syscalls getpid,nosuch");
	CHECK(r == 1 && has(err, "vt: the guest kernel has no handler __x64_sys_NAME for a call of 'getpid,nosuch'") &&
	      has(err, "(ENOENT)") && !ft.running, "gears trace of a call the guest lacks -> 1, handler named");
	r = run(NULL, "gears trace nosuchvm");
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears trace: nosuchvm: no such VM (ENOENT)\n"),
	      "gears trace of a missing VM -> 1, no such VM");

	fake_abi_minor = 6;
	r = run(NULL, "gears trace vt");
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears trace: the loaded v3vmm module (ABI 1.6) has no GEARS tracing and injection (needs 1.7)\n"),
	      "abi 1.6: gears trace -> 1");
	fake_abi_minor = V3_ABI_MINOR;
	fake_caps_off = V3_CAP_GEARS_INJECT;
	r = run(NULL, "gears trace vt");
	CHECK(r == 1 && has(err, "capability gears-inject missing"), "gears trace without the capability -> 1");
	fake_caps_off = 0;
	ft_reset();
}

static void test_gears_inject(void)
{
	char ko[64], empty[64], huge[64], cmdl[800], json[512];
	uint8_t elf[100];
	int r, fd;

	r = run(NULL, "gears syscall --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears syscall VM --pid N NAME [ARG...] [--timeout SECS] [--json]\n") &&
	      has(out, "b:SIZE"), "gears syscall --help");
	r = run(NULL, "gears call --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears call VM SYMBOL [ARG...] [--pid N] [--timeout SECS] [--json]\n"),
	      "gears call --help");
	r = run(NULL, "gears insmod vt x.ko -h");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears insmod VM FILE.ko [PARAMS...] [--pid N] [--timeout SECS]\n"),
	      "gears insmod -h");

	r = run(NULL, "gears syscall vt --pid 57 getpid");
	CHECK(r == 0 && !strcmp(out, "getpid() = 57\npid 57 comm sh\n") && !*err &&
	      fi.kind == V3_GEARS_INJ_SYSCALL && fi.pid == 57 && !strcmp(fi.sym, "getpid") &&
	      fi.timeout_ms == 10000 && !fi.data_len && !fi.buf_mask,
	      "gears syscall getpid: result, process; 10 s by default");
	r = run(NULL, "gears syscall vt --pid 57 write 1 s:MARK\\n 5");
	CHECK(r == 0 && !strcmp(out, "write(1, \"MARK\\n\", 5) = 5\npid 57 comm sh\n") &&
	      fi.buf_mask == 2 && fi.args[0] == 1 && fi.args[1] == 0 && fi.args[2] == 5 &&
	      fi.data_len == 5 && !memcmp(fi_data, "MARK\n", 5),
	      "gears syscall write s:: the text in the blob, offset 0, buf_mask 2");
	r = run(NULL, "gears syscall vt lseek 3 -1 -0x2 --timeout 2.5 --pid=57");
	CHECK(r == 0 && !strcmp(out, "lseek(3, 0xffffffffffffffff, 0xfffffffffffffffe) = -38 ENOSYS\npid 57 comm sh\n") &&
	      fi.args[1] == UINT64_MAX && fi.args[2] == (uint64_t)-2 && fi.timeout_ms == 2500,
	      "gears syscall: negative numbers are arguments, options after them; --timeout 2.5");
	r = run(NULL, "gears syscall vt --pid 57 -- write 1 z:a\\x20b\\0 -3");
	CHECK(r == 0 && !strcmp(out, "write(1, \"a b\\x00\", 0xfffffffffffffffd) = -3 ESRCH\npid 57 comm sh\n") &&
	      fi.buf_mask == 2 && fi.data_len == 5 && !memcmp(fi_data, "a b\0\0", 5),
	      "gears syscall z:: escapes decoded, a NUL added; '--'");
	r = run(NULL, "gears syscall vt --pid 57 -- write 1 --json");
	CHECK(r == 2 && has(err, "argument 2: '--json' is not an integer"),
	      "gears syscall: after '--', --json is an argument");
	r = run(NULL, "gears syscall vt --pid 57 getcwd b:64 64");
	CHECK(r == 0 && !strcmp(out, "getcwd(b:64, 64) = 6\npid 57 comm sh\narg 0: \"/root\\x00\"\n") &&
	      fi.buf_mask == 1 && fi.data_len == 64,
	      "gears syscall getcwd b:64: what the call wrote, RET bytes");
	r = run(NULL, "gears syscall vt --pid 57 read 3 b:16 16 --json");
	CHECK(r == 0 && !strcmp(out, "{\"name\": \"vt\", \"syscall\": \"read\", \"ret\": 4, \"pid\": 57, \"tgid\": 57, "
				   "\"comm\": \"sh\", \"wait_ns\": 1500, \"run_ns\": 2500, \"calls\": 3, "
				   "\"buffers\": [{\"arg\": 1, \"size\": 16, \"data\": \"a\\u0000b\\u000a\"}]}\n"),
	      "gears syscall --json: ret, process, times, the buffer escaped");
	r = run(NULL, "gears syscall vt --pid 57 read 4 b:8 8");
	CHECK(r == 0 && !strcmp(out, "read(4, b:8, 8) = -9 EBADF\npid 57 comm sh\narg 1: \"\"\n"),
	      "gears syscall failing in the guest: errno name, status 0");

	r = run(NULL, "gears syscall vt --pid 57 exit 0");
	CHECK(r == 1 && !*out &&
	      !strcmp(err, "v3ctl: gears syscall: vt: GEARS does not inject exit: it does not return to its caller or needs the process's own registers (EPERM)\n"),
	      "gears syscall exit -> 1, EPERM in words");
	r = run(NULL, "gears syscall vt --pid 57 nosuch");
	CHECK(r == 1 && has(err, "vt: the guest kernel has no handler __x64_sys_nosuch, or ftrace or a kprobe holds") &&
	      has(err, "(ENOENT)"), "gears syscall of a call the guest lacks -> 1");
	r = run(NULL, "gears syscall nosuchvm --pid 57 getpid");
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears syscall: nosuchvm: no such VM (ENOENT)\n"),
	      "gears syscall in a missing VM -> 1");
	r = run(NULL, "gears syscall vt --pid 999 getpid --timeout 0.5");
	CHECK(r == 1 && has(err, "vt: process 999 made no system call within 0.5 s (--timeout;") &&
	      has(err, "(ETIMEDOUT)") && fi.timeout_ms == 500, "gears syscall timed out -> 1, the limit named");
	fake_inject_err = E2BIG;
	r = run(NULL, "gears syscall vt --pid 57 read 3 b:1K 1024");
	CHECK(r == 1 && has(err, "vt: 1024 bytes of data, more than the module takes (E2BIG)"),
	      "gears syscall E2BIG -> 1, the size named");
	fake_inject_err = EPERM;
	r = run(NULL, "gears call vt int_sqrt 4");
	CHECK(r == 1 && has(err, "not permitted: v3vmm needs root"), "gears call EPERM: root");
	fake_inject_err = EOPNOTSUPP;
	r = run(NULL, "gears syscall vt --pid 57 write 1 s:x 1");
	CHECK(r == 1 && has(err, "lacks __x64_sys_mmap or __x64_sys_munmap") && has(err, "(EOPNOTSUPP)"),
	      "gears syscall with strings in a guest without mmap -> 1");
	r = run(NULL, "gears call vt int_sqrt 4");
	CHECK(r == 1 && has(err, "vt: Operation not supported (EOPNOTSUPP)"), "gears call EOPNOTSUPP: strerror");
	fake_inject_err = ENOENT;
	r = run(NULL, "gears insmod vt /dev/null");
	CHECK(r == 1 && has(err, "not a regular file"), "gears insmod of a device -> 1");
	r = run(NULL, fmt("gears insmod vt %s", in_path));
	CHECK(r == 1 && has(err, "vt: the guest kernel has no __x64_sys_init_module") && has(err, "(ENOENT)"),
	      "gears insmod ENOENT in a VM that exists: no init_module, not no VM");
	fake_inject_err = ETIMEDOUT;
	r = run(NULL, "gears call vt int_sqrt 4 --timeout 0.25");
	CHECK(r == 1 && has(err, "vt: no process made a system call within 0.25 s (--timeout) (ETIMEDOUT)"),
	      "gears call timed out -> 1");
	fake_inject_err = 0;

	r = run(NULL, "gears call vt int_sqrt 1000000");
	CHECK(r == 0 && !strcmp(out, "int_sqrt(0xf4240) = 1000 (0x3e8)\npid 1 comm init\n") &&
	      fi.kind == V3_GEARS_INJ_CALL && !fi.pid && fi.args[0] == 1000000 && !fi.data_len,
	      "gears call int_sqrt: RET and hex, any process");
	r = run(NULL, "gears call vt neg --pid 58 --json");
	CHECK(r == 0 && !strcmp(out, "{\"name\": \"vt\", \"symbol\": \"neg\", \"ret\": -12, \"ret_hex\": \"0xfffffffffffffff4\", "
				   "\"pid\": 58, \"tgid\": 58, \"comm\": \"a\\\"b\", \"wait_ns\": 1500, \"run_ns\": 2500, \"calls\": 1}\n"),
	      "gears call --json, comm escaped");
	r = run(NULL, "gears call vt nosuch 1");
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears call: vt: the guest kernel has no symbol 'nosuch' (ENOENT)\n"),
	      "gears call of an unknown symbol -> 1");

	/* insmod: the file as data, the parameters as sym */
	memset(elf, 0xab, sizeof(elf));
	memcpy(elf, "\177ELF", 4);
	snprintf(ko, sizeof(ko), "%s/t.ko", dir);
	write_file(ko, elf, sizeof(elf));
	r = run(NULL, fmt("gears insmod vt %s answer=7 msg=hi", ko));
	CHECK(r == 0 && !strcmp(out, fmt("init_module(%s, \"answer=7 msg=hi\") = 0\npid 1 comm init\n", ko)) &&
	      fi.kind == V3_GEARS_INJ_INSMOD && !strcmp(fi.sym, "answer=7 msg=hi") && !fi.pid &&
	      fi.data_len == sizeof(elf) && !memcmp(fi_data, elf, sizeof(elf)),
	      "gears insmod: the file's bytes, parameters joined");
	r = run(NULL, fmt("gears insmod vt %s --pid 57 --json", in_path));
	snprintf(json, sizeof(json), "{\"name\": \"vt\", \"file\": \"%s\", \"size\": 11, \"params\": \"\", \"ret\": -8, "
		 "\"pid\": 57, \"tgid\": 57, \"comm\": \"sh\", \"wait_ns\": 1500, \"run_ns\": 2500, \"calls\": 1}\n", in_path);
	CHECK(r == 0 && !strcmp(out, json) && fi.pid == 57, "gears insmod --json of a file that is no module: -8");
	r = run(NULL, fmt("gears insmod vt %s", in_path));
	CHECK(r == 0 && has(out, "input, \"\") = -8 ENOEXEC\npid 1 comm init\n"), "gears insmod: errno name");
	memset(&fi, 0, sizeof(fi));
	r = run(NULL, fmt("gears insmod vt %s/nosuch.ko", dir));
	CHECK(r == 1 && has(err, "nosuch.ko: No such file or directory (ENOENT)") && !fi.kind,
	      "gears insmod of a missing file -> 1");
	snprintf(empty, sizeof(empty), "%s/empty.ko", dir);
	write_file(empty, "", 0);
	r = run(NULL, fmt("gears insmod vt %s", empty));
	CHECK(r == 1 && has(err, "empty.ko: empty file, not a kernel module") && !fi.kind,
	      "gears insmod of an empty file -> 1");
	snprintf(huge, sizeof(huge), "%s/huge.ko", dir);
	fd = open(huge, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	CHECK(fd >= 0 && !ftruncate(fd, (64 << 20) + 1), "gears insmod: a sparse 64 MiB + 1 file");
	close(fd);
	r = run(NULL, fmt("gears insmod vt %s", huge));
	CHECK(r == 1 && has(err, "huge.ko: 67108865 bytes, more than the 64 MiB GEARS injects") && !fi.kind,
	      "gears insmod of a file over 64 MiB -> 1 before the ioctl");
	memset(cmdl, 'p', sizeof(cmdl));
	memcpy(cmdl, "gears insmod vt x.ko ", 21);
	cmdl[21 + 300] = ' ';
	cmdl[sizeof(cmdl) - 1] = '\0';
	r = run(NULL, cmdl);
	CHECK(r == 2 && has(err, "the parameters take more than 511 characters"), "gears insmod: parameters too long -> 2");
	remove(ko);
	remove(empty);
	remove(huge);

	fake_abi_minor = 6;
	r = run(NULL, "gears call vt int_sqrt 4");
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears call: the loaded v3vmm module (ABI 1.6) has no GEARS tracing and injection (needs 1.7)\n"),
	      "abi 1.6: gears call -> 1");
	fake_abi_minor = V3_ABI_MINOR;
	fake_caps_off = V3_CAP_GEARS_INJECT;
	r = run(NULL, "gears syscall vt --pid 57 getpid");
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears syscall: GEARS tracing and injection is not available in the loaded v3vmm module (capability gears-inject missing; see 'v3ctl version')\n"),
	      "gears syscall without the capability -> 1");
	fake_caps_off = 0;
}

/* the initial stack of the image the fake kept (relocated by FX_BASE) */
static const uint64_t *fx_stack(void)
{
	return fi.args[1] + 8 <= fx_len ? (const uint64_t *)(fx_data + fi.args[1]) : NULL;
}

/* the string at guest address @a of the fake's image, or "" */
static const char *fx_str(uint64_t a)
{
	if (a < FX_BASE || a - FX_BASE >= fx_len ||
	    !memchr(fx_data + (a - FX_BASE), 0, fx_len - (a - FX_BASE)))
		return "";
	return (const char *)fx_data + (a - FX_BASE);
}

static void test_gears_exec_cmd(void)
{
	char pie[64], bad[64], huge[64], big[64], want[512];
	uint8_t f[TEST_MINI_PIE_LEN];
	const uint64_t *sp;
	Elf64_Ehdr eh;
	int r, fd;

	r = run(NULL, "gears exec --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears exec VM --pid N FILE [ARG...] [--timeout SECS] [--json]\n") &&
	      has(out, "static PIE") && has(out, "V3_GEARS_EXEC=1"), "gears exec --help");
	r = run(NULL, "gears exec vt x -h");
	CHECK(r == 0 && has(out, "Usage: v3ctl gears exec VM"), "gears exec -h");
	r = run(NULL, "gears --help");
	CHECK(r == 0 && has(out, "       v3ctl gears exec VM --pid N FILE [ARG...] [--timeout SECS] [--json]\n") &&
	      has(out, "  exec     run a program"), "gears --help lists exec");

	test_mini_pie(f);
	snprintf(pie, sizeof(pie), "%s/mini", dir);
	write_file(pie, f, sizeof(f));
	memset(&fi, 0, sizeof(fi));
	r = run(NULL, fmt("gears exec vt --pid 57 %s hello -1", pie));
	sp = fx_stack();
	snprintf(want, sizeof(want), "exec(%s, \"hello\", \"-1\") = 4321\npid 57 comm sh\n", pie);
	CHECK(r == 0 && !strcmp(out, want) && !*err && fi.kind == V3_GEARS_INJ_EXEC &&
	      fi.pid == 57 && !fi.sym[0] && !fi.buf_mask && fi.timeout_ms == 10000 &&
	      fi.args[0] == 0x100 && fi.args[3] == 3 + 5 && fi.data_len == fx_len &&
	      !memcmp(fx_data, f, 0x180),
	      "gears exec: the child's PID, the forking process; the image and its args");
	CHECK(sp && sp[0] == 3 && !strcmp(fx_str(sp[1]), "mini") &&
	      !strcmp(fx_str(sp[2]), "hello") && !strcmp(fx_str(sp[3]), "-1") && !sp[4] &&
	      !strcmp(fx_str(sp[5]), "V3_GEARS_EXEC=1") && !sp[6] &&
	      sp[7] == AT_PHDR && sp[8] == FX_BASE + 64,
	      "gears exec: argv FILE's base name and the ARGs, envp, AT_PHDR, relocated");

	r = run(NULL, fmt("gears exec vt %s --json --pid=58 --timeout 3", pie));
	snprintf(want, sizeof(want),
		 "{\"name\": \"vt\", \"file\": \"%s\", \"args\": [], \"size\": %llu, \"ret\": -11, "
		 "\"pid\": 58, \"tgid\": 58, \"comm\": \"a\\\"b\", \"wait_ns\": 1500, \"run_ns\": 2500, \"calls\": 3}\n",
		 pie, (unsigned long long)fx_len);
	CHECK(r == 0 && !strcmp(out, want) && fi.timeout_ms == 3000 && fi.args[3] == 1 + 5,
	      "gears exec --json: a failed fork is data (ret -11), status 0");
	r = run(NULL, fmt("gears exec vt --pid 58 %s", pie));
	CHECK(r == 0 && has(out, ") = -11 EAGAIN\npid 58 comm a\"b\n"),
	      "gears exec: a failed fork with its errno name");
	r = run(NULL, fmt("gears exec vt --pid 57 -- %s -v --json", pie));
	sp = fx_stack();
	CHECK(r == 0 && has(out, "\"-v\", \"--json\") = 4321\n") && sp && sp[0] == 3 &&
	      !strcmp(fx_str(sp[2]), "-v") && !strcmp(fx_str(sp[3]), "--json"),
	      "gears exec: after '--', options are ARGs");

	/* refused before the ioctl: exit 1 */
	memcpy(&eh, f, sizeof(eh));
	eh.e_type = ET_EXEC;
	memcpy(f, &eh, sizeof(eh));
	snprintf(bad, sizeof(bad), "%s/fixed", dir);
	write_file(bad, f, sizeof(f));
	memset(&fi, 0, sizeof(fi));
	r = run(NULL, fmt("gears exec vt --pid 57 %s", bad));
	snprintf(want, sizeof(want),
		 "v3ctl: gears exec: %s: not a static PIE (ET_EXEC: linked at a fixed address; link with gcc -static-pie)\n",
		 bad);
	CHECK(r == 1 && !strcmp(err, want) && !*out && !fi.kind,
	      "gears exec of an ET_EXEC -> 1 before the ioctl, how to link it");
	r = run(NULL, fmt("gears exec vt --pid 57 %s", in_path));
	CHECK(r == 1 && has(err, "input: not an ELF file") && !fi.kind, "gears exec of a text file -> 1");
	r = run(NULL, fmt("gears exec vt --pid 57 %s/nosuch", dir));
	CHECK(r == 1 && has(err, "nosuch: No such file or directory (ENOENT)") && !fi.kind,
	      "gears exec of a missing file -> 1");
	r = run(NULL, "gears exec vt --pid 57 /dev/null");
	CHECK(r == 1 && has(err, "/dev/null: not a regular file") && !fi.kind, "gears exec of a device -> 1");
	write_file(bad, "", 0);
	r = run(NULL, fmt("gears exec vt --pid 57 %s", bad));
	CHECK(r == 1 && has(err, "fixed: empty file, not a program") && !fi.kind, "gears exec of an empty file -> 1");
	test_mini_pie(f);
	memcpy(&eh, f, sizeof(eh));
	{
		Elf64_Phdr ph;

		memcpy(&ph, f + sizeof(eh) + sizeof(ph), sizeof(ph));
		ph.p_memsz = 64ULL << 20;
		memcpy(f + sizeof(eh) + sizeof(ph), &ph, sizeof(ph));
	}
	snprintf(big, sizeof(big), "%s/big", dir);
	write_file(big, f, sizeof(f));
	r = run(NULL, fmt("gears exec vt --pid 57 %s", big));
	CHECK(r == 1 && has(err, "big: segment 1 ends at 0x4002200: the program takes more than the 64 MiB GEARS injects") &&
	      !fi.kind, "gears exec of a program over 64 MiB -> 1, the limit named");
	snprintf(huge, sizeof(huge), "%s/huge", dir);
	fd = open(huge, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	CHECK(fd >= 0 && !ftruncate(fd, (256LL << 20) + 1), "gears exec: a sparse 256 MiB + 1 file");
	close(fd);
	r = run(NULL, fmt("gears exec vt --pid 57 %s", huge));
	CHECK(r == 1 && has(err, "huge: 268435457 bytes, more than the 256 MiB v3ctl reads for a program") &&
	      !fi.kind, "gears exec of a file over 256 MiB -> 1, not read");

	/* refused by the module */
	r = run(NULL, fmt("gears exec vt --pid 999 %s --timeout 0.5", pie));
	CHECK(r == 1 && has(err, "vt: process 999 made no system call within 0.5 s") && has(err, "(ETIMEDOUT)"),
	      "gears exec timed out -> 1");
	fake_inject_err = ENOENT;
	r = run(NULL, fmt("gears exec vt --pid 57 %s", pie));
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears exec: vt: the guest kernel has no __x64_sys_clone, or ftrace or a kprobe holds its first instruction (ENOENT)\n"),
	      "gears exec ENOENT: no clone handler");
	fake_inject_err = EOPNOTSUPP;
	r = run(NULL, fmt("gears exec vt --pid 57 %s", pie));
	CHECK(r == 1 && has(err, "vt: the guest kernel lacks __x64_sys_mmap or __x64_sys_munmap, which GEARS needs to map the program (EOPNOTSUPP)"),
	      "gears exec EOPNOTSUPP: no mmap");
	fake_inject_err = ESRCH;
	r = run(NULL, fmt("gears exec vt --pid 57 %s", pie));
	CHECK(r == 1 && has(err, "vt: the guest has no process 57 (ESRCH)"), "gears exec ESRCH -> 1");
	fake_inject_err = 0;
	r = run(NULL, fmt("gears exec nosuchvm --pid 57 %s", pie));
	CHECK(r == 1 && !strcmp(err, "v3ctl: gears exec: nosuchvm: no such VM (ENOENT)\n"),
	      "gears exec in a missing VM -> 1");
	fake_caps_off = V3_CAP_GEARS_INJECT;
	r = run(NULL, fmt("gears exec vt --pid 57 %s", pie));
	CHECK(r == 1 && has(err, "capability gears-inject missing"), "gears exec without the capability -> 1");
	fake_caps_off = 0;
	remove(pie);
	remove(bad);
	remove(big);
	remove(huge);
	free(fx_data);
	fx_data = NULL;
	fx_len = 0;
}

static void test_gears_calls(void)
{
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(gears_usage); i++) {
		r = run(NULL, gears_usage[i].args);
		CHECK(r == 2 && has(err, gears_usage[i].err) && !*out,
		      "%s -> 2: %s", gears_usage[i].args, gears_usage[i].err);
	}
	r = run(NULL, fmt("create vt --mem 8M --kernel %s", mb_path));
	CHECK(r == 0, "gears: create vt");
	r = run(NULL, "gears syscall vt --pid 57 getpid");
	CHECK(r == 1 && has(err, "vt: VM was never launched") && has(err, "(EBUSY)"),
	      "gears syscall in a VM never launched -> 1");
	test_gears_trace();
	test_gears_inject();
	test_gears_exec_cmd();
	sc.reads_to_stop = 0;
	run(NULL, "destroy vt");
	CHECK(!vm_count(), "gears trace and injection: no VM left");
}

static void test_placement(void)
{
	make_sysfs();
	test_host();
	test_numa_opt();
	test_guest_numa_opt();
	test_topology();
	test_vcpu();
	test_mem();
	test_old_abi();
	test_content();
	CHECK(!vm_count(), "placement: no VM left");
}

void test_commands(void)
{
	struct fvm *vm;
	int r;

	test_explain();
	if (!mkdtemp(dir)) {
		tap_ok(false, "commands: temporary directory");
		return;
	}
	setenv(V3CTL_DEVICE_ENV, "/dev/null", 1);
	make_kernels();

	r = run(NULL, "version");
	CHECK(r == 0 && has(out, "abi: 1.9\n") && has(out, "backend: svm\n") &&
	      has(out, "caps: svm nested-paging cap-11 emulator-quirks paging-switch placement content gears gears-inject gears-ret-stub gears-ftrace cap-40\n") &&
	      has(out, "\nmitigations: rsb-fill spec-ctrl untrain-ret mit-50\n"),
	      "cmd: version");
	r = run(NULL, "version --json");
	CHECK(r == 0 && has(out, "{\"abi\":\"1.9\",") &&
	      has(out, "\"backend\":\"svm\"") &&
	      has(out, "\"caps\":[\"svm\",\"nested-paging\",\"cap-11\",\"emulator-quirks\",\"paging-switch\",\"placement\",\"content\",\"gears\",\"gears-inject\",\"gears-ret-stub\",\"gears-ftrace\",\"cap-40\"]") &&
	      has(out, "\"mitigations\":[\"rsb-fill\",\"spec-ctrl\",\"untrain-ret\",\"mit-50\"]") &&
	      has(out, "}\n"), "cmd: version --json");
	fake_mitigations = 0;
	r = run(NULL, "version");
	CHECK(r == 0 && has(out, "\nmitigations: none\n"),
	      "cmd: version without mitigations");
	r = run(NULL, "version --json");
	CHECK(r == 0 && has(out, "\"mitigations\":[],\"mitigations_mask\":0}"),
	      "cmd: version --json without mitigations");
	r = run(NULL, "version --bogus");
	CHECK(r == 2, "cmd: version with an unknown option");
	fake_mitigations = V3_MIT_IBPB;

	memset(&sc, 0, sizeof(sc));
	r = run(NULL, fmt("create vm1 --mem 64M --vcpus 2 --pin 3 --kernel %s --cmdline a=b", mb_path));
	vm = find("vm1");
	CHECK(r == 0 && vm && vm->cr.mem_bytes == 64 << 20 &&
	      vm->cr.vcpus == 2 && vm->cr.flags == V3_CREATE_PIN_VCPUS &&
	      vm->cr.first_cpu == 3 && vm->boot_set &&
	      vm->boot.mode == V3_BOOT_PROT32 &&
	      vm->boot.entry == 0x100000 && !strcmp(vm->boot.name, "vm1") &&
	      !memcmp(vm->ram + 0x100000, (uint32_t[]){ MB_HEADER_MAGIC }, 4) &&
	      !strcmp((char *)vm->ram + CMDLINE_ADDR, "a=b") && !*err,
	      "cmd: create loads the kernel and sets the boot state");

	r = run(NULL, fmt("create vmbz --mem 64M --vcpus 3 --kernel %s --cmdline console=ttyS0", bz_path));
	vm = find("vmbz");
	CHECK(r == 0 && vm && vm->boot_set && vm->boot.mode == V3_BOOT_LONG64 &&
	      vm->boot.entry == 0x1000200 && vm->boot.cs == 0x10 &&
	      vm->boot.ds == 0x18 &&
	      vm->boot.gpr[V3_RSI] == BZ_ZERO_PAGE_ADDR &&
	      !memcmp(vm->ram + BZ_ZERO_PAGE_ADDR + 0x202, "HdrS", 4) &&
	      !strcmp((char *)vm->ram + BZ_CMDLINE_ADDR, "console=ttyS0") &&
	      !memcmp(vm->ram + ACPI_BASE, "RSD PTR ", 8) && !*err,
	      "cmd: create boots a bzImage (%s)", err);
	if (vm) {
		struct acpi_rsdp rsdp;
		uint64_t madt;
		uint32_t madt_len = 0;

		memcpy(&rsdp, vm->ram + ACPI_BASE, sizeof(rsdp));
		memcpy(&madt, vm->ram + rsdp.xsdt_address + 36 + 8, 8);
		if (madt < FAKE_RAM - 8)
			memcpy(&madt_len, vm->ram + madt + 4, 4);
		CHECK(madt_len == 44 + 3 * 8 + 12 + 2 * 10 + 6 &&
		      !memcmp(vm->ram + madt, "APIC", 4),
		      "cmd: --vcpus 3 gives a MADT with 3 local APICs");
	}
	r = run(NULL, "destroy vmbz");
	CHECK(r == 0 && !find("vmbz"), "cmd: destroy the bzImage VM");

	r = run(NULL, fmt("create vm1 --mem 64M --kernel %s", mb_path));
	CHECK(r == 1 && !strcmp(err, "v3ctl: create: vm1: a VM with this name already exists (EEXIST)\n"),
	      "cmd: create duplicate -> 1, EEXIST message");

	r = run(NULL, fmt("create vm2 --mem 64M --kernel %s", bad_path));
	CHECK(r == 1 && !find("vm2") && has(err, "v3ctl: create: ") &&
	      has(err, "program headers"),
	      "cmd: create with a corrupt kernel -> 1, no VM created");

	r = run(NULL, "create vm2 --mem 64M --kernel /nonexistent/k");
	CHECK(r == 1 && !find("vm2") &&
	      !strcmp(err, "v3ctl: create: /nonexistent/k: No such file or directory (ENOENT)\n"),
	      "cmd: create with a missing kernel file");

	sc.fail_mem_write = EFAULT;
	r = run(NULL, fmt("create vm2 --mem 64M --kernel %s", mb_path));
	CHECK(r == 1 && !find("vm2") && has(err, "Bad address"),
	      "cmd: create destroys the VM when MEM_WRITE fails");
	sc.fail_mem_write = 0;
	sc.fail_set_boot = EINVAL;
	r = run(NULL, fmt("create vm2 --mem 64M --kernel %s", mb_path));
	CHECK(r == 1 && !find("vm2") && has(err, "setting the boot state"),
	      "cmd: create destroys the VM when SET_BOOT fails");
	sc.fail_set_boot = 0;

	r = run(NULL, fmt("create vm2 --mem 64M --paging adaptive --kernel %s", mb_path));
	CHECK(r == 0 && find("vm2") && find("vm2")->pg_mode == V3_PAGING_ADAPTIVE &&
	      find("vm2")->boot_set, "cmd: create --paging adaptive sets the mode");
	run(NULL, "destroy vm2");
	r = run(NULL, fmt("create vm2 --mem 64M --paging fast --kernel %s", mb_path));
	CHECK(r == 2 && !find("vm2") && has(err, "--paging must be nested, shadow or adaptive, not 'fast'"),
	      "cmd: create --paging fast -> 2, nothing created");
	fake_no_shadow = true;
	r = run(NULL, fmt("create vm2 --mem 64M --paging shadow --kernel %s", mb_path));
	CHECK(r == 1 && !find("vm2") && has(err, "vm2: --paging: this backend cannot run shadow paging") &&
	      has(err, "(EOPNOTSUPP)"),
	      "cmd: create --paging shadow without shadow support -> 1, VM destroyed");
	fake_no_shadow = false;

	r = run(NULL, "create vm2 --mem 64M");
	CHECK(r == 2 && has(err, "missing --kernel"), "cmd: create without --kernel -> 2");
	r = run(NULL, fmt("create --mem 1G --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "missing VM name"), "cmd: create without NAME -> 2");
	r = run(NULL, fmt("create vm2 --mem 65G --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "too large"), "cmd: create --mem 65G -> 2");
	r = run(NULL, fmt("create vm2 --mem 1M --vcpus 65 --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "--vcpus"), "cmd: create --vcpus 65 -> 2");
	r = run(NULL, fmt("create vm2 --mem 4097K --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "multiple of 4K"), "cmd: create --mem 4097K -> 2");
	r = run(NULL, "create --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl create"), "cmd: create --help");

	r = run(NULL, "info vm1");
	CHECK(r == 0 && has(out, "\nstate: created\n") &&
	      has(out, "\nstop-reason: none\n") && !has(out, "exit-code") &&
	      !has(out, "detail:") && has(out, "\nvcpus: 2\n") &&
	      has(out, "\nmemory: 64 MiB (62 MiB in 2 MiB chunks)\n") &&
	      has(out, "\nexit io 10 100\n") && has(out, "\nexit exit-30 1 7\n"),
	      "cmd: info of a created VM");

	r = run(NULL, "msrs vm1");
	CHECK(r == 0 && !strcmp(out, "msr 0xc0010000 rd 3 wr 1 gp 0\n"
				   "msr 0xc0011020 rd 2 wr 0 gp 2\n"
				   "other rd 0 wr 5 gp 5\n") && !*err,
	      "cmd: msrs lists the unmodelled MSRs and the other sum");
	r = run(NULL, "msrs --json vm1");
	CHECK(r == 0 && !strcmp(out, "{\"name\": \"vm1\", \"msrs\": ["
				   "{\"msr\": 3221291008, \"reads\": 3, \"writes\": 1, \"gp\": 0}, "
				   "{\"msr\": 3221295136, \"reads\": 2, \"writes\": 0, \"gp\": 2}], "
				   "\"other\": {\"reads\": 0, \"writes\": 5, \"gp\": 5}}\n"),
	      "cmd: msrs --json");
	r = run(NULL, "msrs nosuch");
	CHECK(r == 1 && !strcmp(err, "v3ctl: msrs: nosuch: no such VM (ENOENT)\n"),
	      "cmd: msrs of a missing VM -> 1, ENOENT message");
	r = run(NULL, "msrs");
	CHECK(r == 2 && has(err, "missing VM name"), "cmd: msrs without NAME -> 2");
	r = run(NULL, "msrs vm1 --bogus");
	CHECK(r == 2 && has(err, "unknown option"), "cmd: msrs --bogus -> 2");
	r = run(NULL, "msrs --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl msrs NAME [--json]"), "cmd: msrs --help");

	/* paging: show, set, JSON, refusals in words */
	r = run(NULL, "paging vm1");
	CHECK(r == 0 && !strcmp(out, "mode: nested\ncurrent: nested\nmeasure: none\n"
				"switches: 0\nshadow_faults: 11\nguest_faults: 0\n"
				"wp_emulations: 0\ncr3_switches: 7\ninvlpgs: 0\n"
				"shadow_pages: 0\nswitch_ns_last: 0\n"
				"switch_ns_max: 123456\nfault_cycles: 0\n"
				"shadow_prefetches: 0\nwp_noprogress: 0\n"
				"last_decision: none\n"),
	      "cmd: paging shows mode, current, stats");
	r = run(NULL, "paging vm1 shadow");
	CHECK(r == 0 && !*out && !*err, "cmd: paging vm1 shadow is quiet");
	r = run(NULL, "paging vm1");
	CHECK(r == 0 && has(out, "mode: shadow\ncurrent: shadow\n") &&
	      has(out, "\nswitches: 1\n"), "cmd: paging after the switch");
	r = run(NULL, "paging vm1 adaptive --json");
	CHECK(r == 0 && !strcmp(out, "{\"name\": \"vm1\", \"mode\": \"adaptive\", "
				"\"current\": \"shadow\", \"measure\": \"trial\", "
				"\"switches\": 1, \"shadow_faults\": 11, "
				"\"guest_faults\": 0, \"wp_emulations\": 0, "
				"\"cr3_switches\": 7, \"invlpgs\": 0, "
				"\"shadow_pages\": 0, \"switch_ns_last\": 0, "
				"\"switch_ns_max\": 123456, \"fault_cycles\": 0, "
				"\"shadow_prefetches\": 0, \"wp_noprogress\": 0, "
				"\"last_decision\": {\"from\": \"nested\", "
				"\"to\": \"shadow\", \"reason\": \"trial-keep\", "
				"\"time_ns\": 5000000000, \"nested_ppm\": 50000, "
				"\"shadow_ppm\": 12000}}\n"),
	      "cmd: paging adaptive --json prints the new state");
	r = run(NULL, "paging vm1");
	CHECK(r == 0 && has(out, "last_decision: nested -> shadow, trial-keep, nested 50000 ppm, shadow 12000 ppm\n"),
	      "cmd: paging shows the last decision");
	r = run(NULL, "paging --json vm1 nested");
	CHECK(r == 0 && has(out, "\"mode\": \"nested\", \"current\": \"nested\", \"measure\": \"none\"") &&
	      has(out, "\"switches\": 2,") && has(out, "\"last_decision\": null}\n"),
	      "cmd: paging --json before the name");
	r = run(NULL, "paging vm1 fast");
	CHECK(r == 2 && has(err, "unknown paging mode 'fast'"), "cmd: paging bad mode -> 2");
	r = run(NULL, "paging vm1 shadow extra");
	CHECK(r == 2 && has(err, "unexpected argument 'extra'"), "cmd: paging extra argument -> 2");
	r = run(NULL, "paging");
	CHECK(r == 2 && has(err, "missing VM name"), "cmd: paging without NAME -> 2");
	r = run(NULL, "paging bad/name");
	CHECK(r == 2 && has(err, "invalid VM name"), "cmd: paging invalid name -> 2");
	r = run(NULL, "paging nosuch shadow");
	CHECK(r == 1 && !strcmp(err, "v3ctl: paging: nosuch: no such VM (ENOENT)\n"),
	      "cmd: paging of a missing VM -> 1");
	fake_no_shadow = true;
	r = run(NULL, "paging vm1 shadow");
	CHECK(r == 1 && has(err, "v3ctl: paging: vm1: this backend cannot run shadow paging or switch modes") &&
	      has(err, "(EOPNOTSUPP)\n"),
	      "cmd: paging without shadow support -> EOPNOTSUPP explained");
	r = run(NULL, "paging vm1 nested");
	CHECK(r == 0, "cmd: paging nested allowed without shadow support");
	fake_no_shadow = false;
	r = run(NULL, "paging --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl paging NAME [nested|shadow|adaptive] [--json]"),
	      "cmd: paging --help");

	r = run(NULL, "list");
	CHECK(r == 0 && has(out, "vm1 ") && has(out, " created ") &&
	      has(out, "   2      64 MiB\n"), "cmd: list");

	r = run(NULL, "launch nosuch");
	CHECK(r == 1 && !strcmp(err, "v3ctl: launch: nosuch: no such VM (ENOENT)\n"),
	      "cmd: launch of a missing VM -> 1, ENOENT message");
	r = run(NULL, "pause vm1");
	CHECK(r == 1 && has(err, "v3ctl: pause: vm1: VM is not running (EINVAL)"),
	      "cmd: pause of a created VM -> 1, EINVAL message");

	sc.output = "boot ok\n";
	sc.reads_to_stop = 0;
	sc.stop_reason = V3_STOP_EXIT_PORT;
	sc.exit_code = 7;
	r = run(NULL, "launch vm1");
	CHECK(r == 0, "cmd: launch");
	r = run(NULL, "console vm1");
	CHECK(r == 0 && !strcmp(out, "boot ok\n"), "cmd: console prints the buffer");
	r = run(NULL, "console vm1 --follow --timeout 5");
	CHECK(r == 0 && !strcmp(out, "boot ok\n"),
	      "cmd: console --follow of a stopped VM drains and exits 0");
	r = run(NULL, "info vm1");
	CHECK(r == 0 && has(out, "\nstate: stopped\n") &&
	      has(out, "\nstop-reason: exit-port\n") &&
	      has(out, "\nexit-code: 7\n") &&
	      has(out, "\ncounter console-bytes 8\n"),
	      "cmd: info of a VM stopped by the exit port");
	r = run(NULL, "destroy vm1");
	CHECK(r == 0 && !find("vm1"), "cmd: destroy");
	r = run(NULL, "destroy vm1");
	CHECK(r == 1 && has(err, "no such VM (ENOENT)"), "cmd: destroy again -> 1");

	/* run */
	memset(&sc, 0, sizeof(sc));
	sc.output = "hello from the guest\n";
	sc.reads_to_stop = 3;
	sc.stop_reason = V3_STOP_EXIT_PORT;
	sc.exit_code = (16 << 1) | 1;
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 33 && !strcmp(out, sc.output) && !vm_count() &&
	      !strncmp(last_copy.name, "run-", 4) && !*err,
	      "run: exit-port value 16 -> exit status 33, VM destroyed");
	sc.exit_code = (0x80 << 1) | 1;
	r = run(NULL, fmt("run --mem 16M --kernel %s --name r1", mb_path));
	CHECK(r == 1 && !vm_count() && !strcmp(last_copy.name, "r1"),
	      "run: exit code masked to 8 bits");

	sc.stop_reason = V3_STOP_POWEROFF;
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 0 && !vm_count(), "run: poweroff -> 0");

	sc.stop_reason = V3_STOP_SHUTDOWN;
	sc.reason = "triple fault at rip 0x1234";
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 4 && !vm_count() &&
	      !strcmp(err, "v3ctl: run: VM stopped: shutdown: triple fault at rip 0x1234\n"),
	      "run: shutdown -> 4 with the stop reason on stderr");

	memset(&sc, 0, sizeof(sc));
	sc.output = "spinning\n";
	sc.reads_to_stop = -1;
	r = run(NULL, fmt("run --mem 16M --kernel %s --timeout 0.2", mb_path));
	CHECK(r == 6 && !vm_count() && !strcmp(out, "spinning\n") &&
	      last_copy.stop_reason == V3_STOP_USER && has(err, "timed out"),
	      "run: --timeout -> stop + destroy, 6");

	r = run(NULL, fmt("console vm9 --follow --timeout 0.1"));
	CHECK(r == 1 && has(err, "vm9: no such VM"), "console --follow of a missing VM -> 1");

	sc.raise_sig = SIGTERM;
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 143 && !vm_count() && last_copy.stop_reason == V3_STOP_USER,
	      "run: SIGTERM -> stop + destroy, 143");
	sc.raise_sig = SIGINT;
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 130 && !vm_count(), "run: SIGINT -> 130");
	sc.raise_sig = 0;

	memset(&sc, 0, sizeof(sc));
	sc.reads_to_stop = 40;
	sc.stop_reason = V3_STOP_POWEROFF;
	sc.lost = 1234;
	r = run(in_path, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 0 && last_copy.input_len == 11 &&
	      !memcmp(last_copy.input, "hello guest", 11) &&
	      has(err, "1234 bytes of console output were lost"),
	      "run: piped stdin forwarded (in partial writes), lost bytes noted");
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 0 && last_copy.input_len == 0,
	      "run: stdin /dev/null is not forwarded");

	r = run(NULL, fmt("run --mem 16M --kernel %s", bad_path));
	CHECK(r == 2 && !vm_count(), "run: corrupt kernel -> 2");
	r = run(NULL, fmt("run --mem 16M --kernel %s --name a/b", mb_path));
	CHECK(r == 2 && has(err, "invalid VM name"), "run: bad --name -> 2");
	r = run(NULL, fmt("run --mem 16M --kernel %s extra", mb_path));
	CHECK(r == 2, "run: stray argument -> 2");
	r = run(NULL, "run --help");
	CHECK(r == 0 && has(out, "130, 143"), "run --help documents exit codes");
	r = run(NULL, "console vm1 --timeout 3");
	CHECK(r == 2, "console: --timeout without --follow -> 2");
	r = run(NULL, "info");
	CHECK(r == 2 && has(err, "v3ctl: info: missing VM name"), "info: no NAME -> 2");
	r = run(NULL, "list extra");
	CHECK(r == 2, "list: stray argument -> 2");

	test_placement();
	test_gears();
	test_gears_calls();

	/* the kernels, the fake sysfs (O_TMPFILE files vanish by themselves) */
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv(V3CTL_SYSFS_ROOT_ENV);
}
