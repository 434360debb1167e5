// SPDX-License-Identifier: GPL-2.0
/*
 * v3fuzz: random ioctls against /dev/v3vmm, as root and as an unprivileged
 * user (uid 1000), while a lifecycle worker creates, launches and destroys
 * VMs.  Built on the kernel's kselftest harness (one TEST_F, TAP output).
 *
 * Workers (processes, sharing counters through a MAP_SHARED page):
 *   root fuzzers  random request numbers (mostly magic 0xF7, some other),
 *                 argument pointers (NULL, 1, unmapped, kernel, misaligned,
 *                 straddling a PROT_NONE page, valid) and field values
 *                 (names from a small pool so VMs are hit, sizes, flags,
 *                 reserved fields);
 *   user fuzzers  the same after setresuid(1000): anything but VERSION
 *                 and unknown requests must fail with EPERM -- a success
 *                 or another errno on a known request fails the test;
 *   lifecycle     create (1-2 vCPUs, 4-16 MiB), write a tiny guest that
 *                 prints to COM1 in a loop or exits at once, set-boot,
 *                 launch, sometimes pause/resume/stop, destroy; every
 *                 16th cycle the same with `v3ctl create --kernel
 *                 /guests/forever.elf` when both exist.
 *
 * Random request numbers skip the types of generic ioctls the VFS handles
 * itself before the driver sees them ('T' FIONBIO..., 'X' FIFREEZE...,
 * 0x94 FICLONE, 'f' FS_IOC_*): they act on the file or its filesystem,
 * not on v3vmm.
 *
 * Leak check: after the run every pool VM is destroyed; then the VM count,
 * v3vmm's guest_mem_used, unreclaimable slab and the memory in use
 * (MemTotal - MemFree - Cached - Buffers - SReclaimable) are compared with
 * the values before the run (after dropping caches both times):
 *   VMs and guest_mem_used: exactly as before;
 *   SUnreclaim: at most V3FUZZ_SLAB_KB (default 2048) KiB more -- a leak of
 *     one 512-byte object per created VM shows above that after 4,000 VMs,
 *     while the kernel's own per-CPU caches and pid/task caches move by a
 *     few hundred KiB between two quiet moments;
 *   memory in use: at most V3FUZZ_MEM_KB (default 32768) KiB more -- freed
 *     2 MiB blocks can wait in per-CPU free lists (24 MiB seen), a leaked
 *     guest RAM is 4-16 MiB per VM and thousands of VMs are made.
 *
 * Environment: V3FUZZ_CALLS (total fuzz calls, default 200000),
 * V3FUZZ_SECONDS (time bound, default 25), V3FUZZ_ROOT / V3FUZZ_USER
 * (fuzz processes of each kind, default 2 / 1), V3FUZZ_SEED,
 * V3VMM_DEVICE.  It stops at whichever of calls and seconds comes first
 * and prints "# v3fuzz: ..." lines with the figures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TH_LOG_STREAM stdout
#include "kselftest_harness.h"

#include "v3vmm.h"

#define UNPRIV_UID	1000
#define POOL		8		/* VM names the fuzzers aim at */
#define MAX_WORKERS	16

extern char **environ;

static const char *dev = "/dev/v3vmm";

struct shared {
	volatile int stop;
	uint64_t root_calls, user_calls;	/* per worker kind, summed */
	uint64_t root_ok, user_ok;
	uint64_t user_eperm, user_bad;		/* bad: known request not EPERM */
	uint64_t user_bad_req, user_bad_err;	/* the first bad one */
	uint64_t vms_created, vms_launched, vms_destroyed, v3ctl_runs;
	uint64_t fuzz_creates;			/* VMs the root fuzzers made */
	uint64_t lc_errors;
	uint64_t calls_done;			/* all fuzz calls, for the bound */
};

static struct shared *sh;

/* -------------------------------------------------------------- random */

static uint64_t rs;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

/* ---------------------------------------------------------- arguments */

static const unsigned long known[] = {
	V3_IOC_VERSION, V3_IOC_CREATE, V3_IOC_DESTROY, V3_IOC_MEM_WRITE,
	V3_IOC_MEM_READ, V3_IOC_SET_BOOT, V3_IOC_LAUNCH, V3_IOC_STOP,
	V3_IOC_PAUSE, V3_IOC_RESUME, V3_IOC_INFO, V3_IOC_LIST,
	V3_IOC_CONSOLE_READ, V3_IOC_CONSOLE_WRITE, V3_IOC_MSR_STATS,
	V3_IOC_PAGING, V3_IOC_VCPUS, V3_IOC_VCPU_MOVE, V3_IOC_MEM_NODES,
	V3_IOC_MEM_MOVE, V3_IOC_CONTENT_STATS, V3_IOC_CONTENT_TABLE,
	V3_IOC_GEARS_SYM, V3_IOC_GEARS_PS, V3_IOC_GEARS_TRACE,
	V3_IOC_GEARS_INJECT,
};

static bool is_known(unsigned long req)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (known[i] == req)
			return true;
	return false;
}

#define XFER_MAX	(1 << 16)	/* longest transfer the fuzzers ask for */
#define EDGE_RW		(XFER_MAX + 4096)
static char *edge;	/* EDGE_RW bytes rw, then a PROT_NONE page */
static char *unmapped;	/* an address with nothing mapped */
/*
 * data for mem/console transfers: a read of up to V3_MEM_XFER_MAX (the
 * module's own bound) from any offset the fuzzers use fits, and a guard
 * page follows, so what the module writes never lands on the fuzzer's
 * own variables
 */
#define BUF_SIZE	(V3_MEM_XFER_MAX + XFER_MAX)
static char *buf;
static union {
	struct v3_version v;
	struct v3_create c;
	struct v3_vm_ref r;
	struct v3_mem_xfer x;
	struct v3_boot b;
	struct v3_info i;
	struct v3_list l;
	struct v3_console_io io;
	struct v3_msr_stats ms;
	struct v3_paging pg;
	struct v3_vcpus vs;
	struct v3_vcpu_move mv;
	struct v3_mem_nodes mn;
	struct v3_mem_move mm;
	struct v3_content_stats cs;
	struct v3_content_table ct;
	struct v3_gears_sym gs;
	struct v3_gears_ps gp;
	struct v3_gears_trace gt;
	struct v3_gears_inject gi;
	uint8_t raw[2048];
} arg;

static void pool_name(char *dst, unsigned int i)
{
	memset(dst, 0, V3_NAME_MAX);
	snprintf(dst, V3_NAME_MAX, "fz%u", i % POOL);
}

static void rand_name(char *dst)
{
	unsigned int i, k = below(10);

	memset(dst, 0, V3_NAME_MAX);
	if (k < 7) {
		pool_name(dst, below(POOL));
	} else if (k == 7) {
		for (i = 0; i < V3_NAME_MAX; i++)
			dst[i] = (char)rnd();	/* maybe unterminated */
	} else if (k == 8) {
		snprintf(dst, V3_NAME_MAX, "lc%u", (unsigned int)below(4));
	}
	/* k == 9: empty */
}

/* an address for a user pointer field */
static uint64_t rand_uptr(uint64_t want_len)
{
	switch (below(10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (uintptr_t)unmapped;
	case 3: return 0xffffffff81000000ULL + below(1 << 20);
	case 4: return 0xffff888000000000ULL;
	case 5:	/* ends at or runs into the guard page */
		return (uintptr_t)edge + EDGE_RW -
		       below((want_len < EDGE_RW ? want_len : EDGE_RW) + 1);
	case 6: return rnd();
	default: return (uintptr_t)buf + below(64);
	}
}

static uint64_t rand_u64(void)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return ~0ULL;
	case 2: return 1ULL << below(64);
	case 3: return below(1 << 20);
	default: return rnd();
	}
}

/* Fill arg for request @req with mostly plausible, sometimes wild values. */
static void fill_arg(unsigned long req)
{
	bool wild = chance(10);
	unsigned int i;

	if (wild) {
		for (i = 0; i < sizeof(arg.raw); i++)
			arg.raw[i] = (uint8_t)rnd();
		if (chance(50))
			rand_name(arg.r.name);
		return;
	}
	memset(&arg, 0, sizeof(arg));
	rand_name(arg.r.name);
	switch (req) {
	case V3_IOC_CREATE:
		arg.c.vcpus = chance(95) ? 1 + below(2) : (uint32_t)rand_u64();
		arg.c.mem_bytes = chance(90) ? (1 + below(16)) << 20 :
				  rand_u64();
		arg.c.flags = chance(80) ? 0 : (uint32_t)rnd();
		arg.c.first_cpu = below(4);
		if (chance(5))
			arg.c.reserved[below(ARRAY_SIZE(arg.c.reserved))] = rnd();
		if (chance(10)) {	/* ABI 1.4 node policy */
			arg.c.mem_policy = chance(90) ? below(V3_NR_MEM_POLICIES + 1) :
					   (uint32_t)rnd();
			arg.c.mem_nodes = chance(80) ? below(4) : rand_u64();
		}
		break;
	case V3_IOC_MEM_WRITE:
	case V3_IOC_MEM_READ:
		arg.x.gpa = chance(70) ? below(20 << 20) : rand_u64();
		arg.x.len = chance(80) ? below(XFER_MAX) : rand_u64();
		arg.x.uaddr = rand_uptr(arg.x.len);
		if (chance(5))
			arg.x.reserved[0] = 1;
		break;
	case V3_IOC_SET_BOOT:
		arg.b.mode = below(6);
		arg.b.entry = chance(70) ? 0x1000 : rand_u64();
		arg.b.cr3 = chance(50) ? below(16 << 20) & ~0xfffULL :
			    rand_u64();
		arg.b.gdt_limit = chance(80) ? 0x17 : rand_u64();
		break;
	case V3_IOC_LIST:
		arg.l.max = chance(70) ? below(V3_MAX_VMS + 2) : rnd();
		arg.l.names = rand_uptr(arg.l.max * V3_NAME_MAX);
		if (chance(5))
			arg.l.reserved[1] = 1;
		break;
	case V3_IOC_CONSOLE_READ:
	case V3_IOC_CONSOLE_WRITE:
		arg.io.len = chance(80) ? below(4096) : rnd();
		arg.io.uaddr = rand_uptr(arg.io.len);
		arg.io.pos = chance(70) ? below(64) : rand_u64();
		arg.io.flags = chance(80) ? (chance(10) ? V3_CONSOLE_WAIT : 0) :
			       (uint32_t)rnd();
		arg.io.timeout_ms = below(20);	/* waits stay short */
		break;
	case V3_IOC_VCPUS:
		arg.vs.max = chance(80) ? below(4) : (uint32_t)rnd();
		arg.vs.info = rand_uptr((uint64_t)arg.vs.max *
					sizeof(struct v3_vcpu_info));
		if (chance(5))
			arg.vs.reserved[0] = 1;
		break;
	case V3_IOC_VCPU_MOVE:	/* moves live vCPUs too */
		arg.mv.vcpu = chance(90) ? below(3) : (uint32_t)rnd();
		arg.mv.cpu = chance(90) ? (int32_t)below(5) - 1 : (int32_t)rnd();
		if (chance(5))
			arg.mv.reserved[1] = 1;
		break;
	case V3_IOC_CONTENT_TABLE:	/* "" (k == 9 above) is the node's */
		arg.ct.max = chance(80) ? below(64) : rand_u64();
		arg.ct.entries = rand_uptr(arg.ct.max *
					   sizeof(struct v3_content_entry));
		if (chance(5))
			arg.ct.reserved[2] = 1;
		break;
	case V3_IOC_GEARS_SYM:	/* holds live vCPUs at the safe point */
		if (chance(90))
			snprintf(arg.gs.sym, sizeof(arg.gs.sym), "%s",
				 chance(50) ? "init_task" : "no_such_symbol");
		else		/* maybe empty, maybe unterminated */
			for (i = below(sizeof(arg.gs.sym) + 1); i-- > 0;)
				arg.gs.sym[i] = (char)rnd();
		if (chance(5))
			arg.gs.pad = 1;
		if (chance(5))
			arg.gs.reserved[below(ARRAY_SIZE(arg.gs.reserved))] = 1;
		break;
	case V3_IOC_GEARS_PS:
		arg.gp.max = chance(80) ? below(64) : (uint32_t)rnd();
		arg.gp.tasks = rand_uptr((uint64_t)arg.gp.max *
					 sizeof(struct v3_gears_task));
		if (chance(5))
			arg.gp.reserved[3] = 1;
		break;
	case V3_IOC_GEARS_TRACE:	/* START hooks live guests' text */
		arg.gt.op = chance(90) ? below(5) : (uint32_t)rnd();
		arg.gt.pid = chance(80) ? 0 : below(200);
		if (chance(80))
			snprintf(arg.gt.syscalls, sizeof(arg.gt.syscalls), "%s",
				 chance(50) ? "getpid,write" : "");
		else		/* maybe unterminated */
			for (i = below(sizeof(arg.gt.syscalls) + 1); i-- > 0;)
				arg.gt.syscalls[i] = (char)rnd();
		arg.gt.max = chance(80) ? below(64) : (uint32_t)rnd();
		arg.gt.events = rand_uptr((uint64_t)arg.gt.max *
					  sizeof(struct v3_gears_event));
		arg.gt.timeout_ms = below(20);
		if (chance(5))
			arg.gt.reserved[1] = 1;
		break;
	case V3_IOC_GEARS_INJECT:	/* waits for a live guest's system call */
		arg.gi.kind = chance(90) ? below(6) : (uint32_t)rnd();
		arg.gi.pid = chance(50) ? 0 : below(200);
		snprintf(arg.gi.sym, sizeof(arg.gi.sym), "%s",
			 chance(50) ? "getpid" : chance(50) ? "int_sqrt" : "exit");
		for (i = 0; i < 6; i++)
			arg.gi.args[i] = chance(50) ? below(64) : rand_u64();
		arg.gi.buf_mask = chance(80) ? 0 : (uint32_t)rnd();
		arg.gi.data_len = chance(80) ? below(4096) : rand_u64();
		arg.gi.data = rand_uptr(arg.gi.data_len);
		arg.gi.timeout_ms = 1 + below(50);
		if (chance(5))
			arg.gi.pad = 1;
		if (chance(5))
			arg.gi.reserved[0] = 1;
		break;
	case V3_IOC_MEM_MOVE:	/* moves live guest RAM too */
		arg.mm.node = chance(90) ? (int32_t)below(3) - 1 : (int32_t)rnd();
		if (chance(30)) {
			arg.mm.gpa_start = chance(70) ? below(20 << 20) : rand_u64();
			arg.mm.gpa_end = chance(70) ? arg.mm.gpa_start + below(8 << 20) :
					 rand_u64();
		}
		if (chance(5))
			arg.mm.flags = 1;
		break;
	case V3_IOC_PAGING:	/* switches a live VM's paging mode too */
		arg.pg.op = chance(90) ? below(2) : (uint32_t)rnd();
		arg.pg.mode = chance(90) ? below(V3_NR_PAGING_MODES + 1) :
			      (uint32_t)rnd();
		if (chance(5))
			arg.pg.reserved[below(ARRAY_SIZE(arg.pg.reserved))] = 1;
		break;
	default:
		break;
	}
}

/* A request number: mostly known ones, sometimes bent or random. */
static unsigned long rand_req(void)
{
	unsigned long req = known[below(ARRAY_SIZE(known))];
	static const unsigned char vfs_types[] = { 'T', 'X', 0x94, 'f' };
	unsigned int k = below(100), i;

	if (k < 80)
		return req;
	if (k < 88)	/* same number, other size or direction */
		return _IOC(below(4), V3_IOC_MAGIC, _IOC_NR(req), below(4096));
	if (k < 95)	/* another number with our magic */
		return _IOC(below(4), V3_IOC_MAGIC, below(256), below(1024));
	for (;;) {	/* anything but what the VFS acts on itself */
		req = (uint32_t)rnd();
		for (i = 0; i < sizeof(vfs_types); i++)
			if (_IOC_TYPE(req) == vfs_types[i])
				break;
		if (i == sizeof(vfs_types) && _IOC_TYPE(req) != 0)
			return req;
	}
}

/* ------------------------------------------------------------- workers */

static void fuzz_worker(int fd, bool user, uint64_t budget)
{
	uint64_t n = 0, ok = 0, eperm = 0;

	while (!sh->stop && n < budget) {
		unsigned long req = rand_req();
		void *p;
		int r;

		fill_arg(req);
		switch (below(12)) {
		case 0: p = NULL; break;
		case 1: p = unmapped; break;
		case 2: p = (void *)0xffffffff81000000ULL; break;
		case 3: p = edge + EDGE_RW - below(sizeof(arg)); break;
		case 4: p = (char *)&arg + 1 + below(7); break;
		default: p = &arg; break;
		}
		if ((char *)p >= edge && (char *)p < edge + EDGE_RW) {
			size_t room = edge + EDGE_RW - (char *)p;

			memcpy(p, &arg, room < sizeof(arg) ? room : sizeof(arg));
		}
		r = ioctl(fd, req, p) < 0 ? errno : 0;
		n++;
		if (!r) {
			ok++;
			if (req == V3_IOC_CREATE)
				__atomic_fetch_add(&sh->fuzz_creates, 1,
						   __ATOMIC_RELAXED);
		}
		if (user && is_known(req) && req != V3_IOC_VERSION) {
			if (r == EPERM) {
				eperm++;
			} else if (!__atomic_fetch_add(&sh->user_bad, 1,
						       __ATOMIC_RELAXED)) {
				sh->user_bad_req = req;
				sh->user_bad_err = r;
			}
		}
		if (!(n & 255))
			__atomic_fetch_add(&sh->calls_done, 256,
					   __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(user ? &sh->user_calls : &sh->root_calls, n,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(user ? &sh->user_ok : &sh->root_ok, ok,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->user_eperm, eperm, __ATOMIC_RELAXED);
}

/* prints "AK" forever (or exits through port 0xf4 at once) */
static const uint8_t spin_guest[] = {
	0x66, 0xba, 0xf8, 0x03,		/* mov dx, 0x3f8 */
	0xb0, 'A', 0xee,		/* mov al, 'A'; out dx, al */
	0xb0, 'K', 0xee,		/* mov al, 'K'; out dx, al */
	0xeb, 0xf4,			/* jmp back to the first mov al */
};
static const uint8_t exit_guest[] = {
	0xb0, 0x00, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd,
};

static int lc_ioctl(int fd, unsigned long req, void *a)
{
	if (ioctl(fd, req, a) < 0)
		return errno;
	return 0;
}

static int lc_ref(int fd, unsigned long req, const char *name)
{
	struct v3_vm_ref r;

	memset(&r, 0, sizeof(r));
	memcpy(r.name, name, strnlen(name, V3_NAME_MAX - 1));
	return lc_ioctl(fd, req, &r);
}

/* v3ctl ARGS... with a bound; 0 if it exited 0 */
static int v3ctl(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int st, i;
	pid_t pid;

	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawn(&pid, "/bin/v3ctl", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return -1;
	for (i = 0; i < 300; i++) {	/* 30 s */
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static void lifecycle_worker(int fd)
{
	uint64_t cycle = 0;
	bool have_v3ctl = !access("/bin/v3ctl", X_OK) &&
			  !access("/guests/forever.elf", R_OK);

	while (!sh->stop) {
		char name[V3_NAME_MAX] = { 0 };
		struct v3_create c;
		struct v3_mem_xfer x;
		struct v3_boot b;
		bool spin = chance(70);
		int r;

		snprintf(name, sizeof(name), "lc%u", (unsigned int)(cycle % 4));
		cycle++;
		lc_ref(fd, V3_IOC_DESTROY, name);	/* a fuzzer's leftover */
		if (have_v3ctl && !(cycle % 16)) {
			char *cr[] = { "v3ctl", "create", name, "--mem", "8M",
				       "--kernel", "/guests/forever.elf", NULL };
			char *la[] = { "v3ctl", "launch", name, NULL };
			char *de[] = { "v3ctl", "destroy", name, NULL };

			if (!v3ctl(cr)) {
				__atomic_fetch_add(&sh->vms_created, 1, __ATOMIC_RELAXED);
				if (!v3ctl(la))
					__atomic_fetch_add(&sh->vms_launched, 1, __ATOMIC_RELAXED);
				usleep(below(50000));
				if (!v3ctl(de))
					__atomic_fetch_add(&sh->vms_destroyed, 1, __ATOMIC_RELAXED);
			}
			__atomic_fetch_add(&sh->v3ctl_runs, 1, __ATOMIC_RELAXED);
			continue;
		}
		memset(&c, 0, sizeof(c));
		strcpy(c.name, name);
		c.vcpus = 1 + below(2);
		c.mem_bytes = (4 + below(13)) << 20;
		r = lc_ioctl(fd, V3_IOC_CREATE, &c);
		if (r) {
			/* EEXIST: a root fuzzer took the name; ENOMEM: busy */
			__atomic_fetch_add(&sh->lc_errors, 1, __ATOMIC_RELAXED);
			usleep(1000);
			continue;
		}
		__atomic_fetch_add(&sh->vms_created, 1, __ATOMIC_RELAXED);
		memset(&x, 0, sizeof(x));
		strcpy(x.name, name);
		x.gpa = 0x1000;
		x.uaddr = (uintptr_t)(spin ? spin_guest : exit_guest);
		x.len = spin ? sizeof(spin_guest) : sizeof(exit_guest);
		memset(&b, 0, sizeof(b));
		strcpy(b.name, name);
		b.mode = V3_BOOT_PROT32;
		b.entry = 0x1000;
		/* a fuzzer may have destroyed or launched it meanwhile */
		if (!lc_ioctl(fd, V3_IOC_MEM_WRITE, &x) &&
		    !lc_ioctl(fd, V3_IOC_SET_BOOT, &b) &&
		    !lc_ref(fd, V3_IOC_LAUNCH, name))
			__atomic_fetch_add(&sh->vms_launched, 1, __ATOMIC_RELAXED);
		usleep(below(20000));
		if (chance(30)) {
			lc_ref(fd, V3_IOC_PAUSE, name);
			lc_ref(fd, V3_IOC_RESUME, name);
		}
		if (chance(30))
			lc_ref(fd, V3_IOC_STOP, name);
		if (!lc_ref(fd, V3_IOC_DESTROY, name))
			__atomic_fetch_add(&sh->vms_destroyed, 1, __ATOMIC_RELAXED);
	}
}

/* ---------------------------------------------------------- leak check */

struct snap {
	unsigned int vms;
	char names[V3_MAX_VMS][V3_NAME_MAX];
	uint64_t guest_mem_used;
	long sunreclaim_kb, inuse_kb;
};

static long meminfo(const char *key)
{
	char line[128];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void take_snap(int fd, struct snap *s)
{
	struct v3_list l;
	unsigned long long u = 0;
	FILE *f;
	int dc;

	sync();
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (dc >= 0) {
		if (write(dc, "3\n", 2) < 0)
			perror("drop_caches");
		close(dc);
	}
	usleep(300000);
	memset(&l, 0, sizeof(l));
	memset(s->names, 0, sizeof(s->names));
	l.max = V3_MAX_VMS;
	l.names = (uintptr_t)s->names;
	s->vms = ioctl(fd, V3_IOC_LIST, &l) ? ~0U : l.count;
	f = fopen("/sys/kernel/v3vmm/guest_mem_used", "r");
	if (f) {
		if (fscanf(f, "%llu", &u) != 1)
			u = ~0ULL;
		fclose(f);
	}
	s->guest_mem_used = u;
	s->sunreclaim_kb = meminfo("SUnreclaim");
	s->inuse_kb = meminfo("MemTotal") - meminfo("MemFree") -
		      meminfo("Cached") - meminfo("Buffers") -
		      meminfo("SReclaimable");
}

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);

	return s && *s ? strtol(s, NULL, 0) : def;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- test */

FIXTURE(fuzz) {
	int fd;
};

FIXTURE_SETUP(fuzz)
{
	self->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (self->fd < 0)
		return;		/* the test skips */
	ASSERT_EQ(0, geteuid()) TH_LOG("v3fuzz runs as root (it forks the user)");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	buf = mmap(NULL, BUF_SIZE + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + BUF_SIZE, 4096, PROT_NONE));
	edge = mmap(NULL, EDGE_RW + 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, edge);
	ASSERT_EQ(0, mprotect(edge + EDGE_RW, 4096, PROT_NONE));
	unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, 4096));
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Destroy every VM that was not there before (@before NULL: the pool and
 * lifecycle names); root fuzzers also create VMs with random valid names.
 */
static void destroy_new(int fd, const struct snap *before)
{
	static char names[V3_MAX_VMS][V3_NAME_MAX];
	char name[V3_NAME_MAX];
	struct v3_list l;
	unsigned int i, j;

	for (i = 0; i < POOL; i++) {
		pool_name(name, i);
		lc_ref(fd, V3_IOC_DESTROY, name);
	}
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "lc%u", i);
		lc_ref(fd, V3_IOC_DESTROY, name);
	}
	if (!before)
		return;
	memset(&l, 0, sizeof(l));
	l.max = V3_MAX_VMS;
	l.names = (uintptr_t)names;
	if (ioctl(fd, V3_IOC_LIST, &l))
		return;
	for (i = 0; i < l.count && i < V3_MAX_VMS; i++) {
		for (j = 0; j < before->vms && j < V3_MAX_VMS; j++)
			if (!strncmp(names[i], before->names[j], V3_NAME_MAX))
				break;
		if (j == before->vms || j == V3_MAX_VMS) {
			lc_ref(fd, V3_IOC_STOP, names[i]);
			lc_ref(fd, V3_IOC_DESTROY, names[i]);
		}
	}
}

TEST_F_TIMEOUT(fuzz, root_user_lifecycle, 7200)
{
	long calls = env_long("V3FUZZ_CALLS", 200000);
	long secs = env_long("V3FUZZ_SECONDS", 25);
	long nroot = env_long("V3FUZZ_ROOT", 2), nuser = env_long("V3FUZZ_USER", 1);
	long slab_tol = env_long("V3FUZZ_SLAB_KB", 2048);
	long mem_tol = env_long("V3FUZZ_MEM_KB", 32768);
	uint64_t seed = env_long("V3FUZZ_SEED", 0) ?: (uint64_t)time(NULL);
	pid_t pids[MAX_WORKERS];
	int status[MAX_WORKERS] = { 0 };
	bool reaped[MAX_WORKERS] = { false };
	struct snap before, after;
	unsigned int nw = 0, i;
	double t0, t, next_progress = 30;
	int st, bad_exit = 0;

	if (self->fd < 0)
		SKIP(return, "%s: %s", dev, strerror(errno));
	if (nroot < 1 || nuser < 1 || nroot + nuser + 1 > MAX_WORKERS)
		nroot = 2, nuser = 1;
	destroy_new(self->fd, NULL);
	take_snap(self->fd, &before);
	printf("# v3fuzz: seed %llu, %ld calls or %ld s, %ld root + %ld user fuzzers + 1 lifecycle worker\n",
	       (unsigned long long)seed, calls, secs, nroot, nuser);
	t0 = now_s();
	for (i = 0; i < nroot + nuser + 1; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			rs = seed * 0x9E3779B97F4A7C15ULL + i + 1;
			if (i == nroot + nuser) {
				lifecycle_worker(self->fd);
			} else if (i >= nroot) {
				if (setgroups(0, NULL) ||
				    setresgid(UNPRIV_UID, UNPRIV_UID, UNPRIV_UID) ||
				    setresuid(UNPRIV_UID, UNPRIV_UID, UNPRIV_UID))
					_exit(3);
				fuzz_worker(self->fd, true,
					    calls / (nroot + nuser) + 1);
			} else {
				fuzz_worker(self->fd, false,
					    calls / (nroot + nuser) + 1);
			}
			_exit(0);
		}
		pids[nw++] = pid;
	}
	/* bounded: the time limit, or the calls done */
	for (;;) {
		usleep(200000);
		t = now_s() - t0;
		if (t >= next_progress) {	/* the harness wants a sign of life */
			printf("# v3fuzz: %.0f s, %llu calls, %llu VMs created\n",
			       t, (unsigned long long)sh->calls_done,
			       (unsigned long long)sh->vms_created);
			next_progress += 30;
		}
		if (t >= secs ||
		    __atomic_load_n(&sh->calls_done, __ATOMIC_RELAXED) >=
		    (uint64_t)calls)
			break;
		/* all fuzzers done early (their budgets spent): stop */
		for (i = 0; i < nroot + nuser; i++)
			if (!reaped[i] && waitpid(pids[i], &status[i], WNOHANG) == pids[i])
				reaped[i] = true;
		for (i = 0; i < nroot + nuser && reaped[i]; i++)
			;
		if (i == nroot + nuser)
			break;
	}
	sh->stop = 1;
	for (i = 0; i < nw; i++) {
		int j;

		for (j = 0; j < 600 && !reaped[i]; j++) {	/* 60 s each at most */
			if (waitpid(pids[i], &status[i], WNOHANG) == pids[i])
				reaped[i] = true;
			else
				usleep(100000);
		}
		if (!reaped[i]) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &st, 0);
			bad_exit++;
			printf("# v3fuzz: worker %u hung: killed\n", i);
		} else if (!WIFEXITED(status[i]) || WEXITSTATUS(status[i])) {
			bad_exit++;
			printf("# v3fuzz: worker %u ended with status 0x%x\n", i, status[i]);
		}
	}
	t = now_s() - t0;
	destroy_new(self->fd, &before);
	take_snap(self->fd, &after);

	printf("# v3fuzz: %.1f s: %llu calls as root (%llu succeeded), %llu as uid %d (%llu succeeded, %llu EPERM)\n",
	       t, (unsigned long long)sh->root_calls,
	       (unsigned long long)sh->root_ok,
	       (unsigned long long)sh->user_calls, UNPRIV_UID,
	       (unsigned long long)sh->user_ok,
	       (unsigned long long)sh->user_eperm);
	printf("# v3fuzz: VMs: %llu created by the root fuzzers; lifecycle worker: %llu created, %llu launched, %llu destroyed, %llu v3ctl cycles, %llu creates refused\n",
	       (unsigned long long)sh->fuzz_creates,
	       (unsigned long long)sh->vms_created,
	       (unsigned long long)sh->vms_launched,
	       (unsigned long long)sh->vms_destroyed,
	       (unsigned long long)sh->v3ctl_runs,
	       (unsigned long long)sh->lc_errors);
	printf("# v3fuzz: leak check: VMs %u -> %u, guest_mem_used %llu -> %llu, SUnreclaim %ld -> %ld KiB (%+ld, tolerance %ld), memory in use %ld -> %ld KiB (%+ld, tolerance %ld)\n",
	       before.vms, after.vms,
	       (unsigned long long)before.guest_mem_used,
	       (unsigned long long)after.guest_mem_used,
	       before.sunreclaim_kb, after.sunreclaim_kb,
	       after.sunreclaim_kb - before.sunreclaim_kb, slab_tol,
	       before.inuse_kb, after.inuse_kb,
	       after.inuse_kb - before.inuse_kb, mem_tol);

	ASSERT_EQ(0, bad_exit) TH_LOG("a worker died or hung");
	ASSERT_EQ(0, sh->user_bad)
		TH_LOG("uid %d: request 0x%llx gave %s instead of EPERM",
		       UNPRIV_UID, (unsigned long long)sh->user_bad_req,
		       sh->user_bad_err ? strerror(sh->user_bad_err) :
		       "success");
	ASSERT_LT(0, sh->root_calls);
	ASSERT_LT(0, sh->user_calls);
	ASSERT_LT(0, sh->vms_created);
	ASSERT_EQ(before.vms, after.vms);
	ASSERT_EQ(before.guest_mem_used, after.guest_mem_used);
	ASSERT_GE(slab_tol, after.sunreclaim_kb - before.sunreclaim_kb);
	ASSERT_GE(mem_tol, after.inuse_kb - before.inuse_kb);
}

/* as TEST_HARNESS_MAIN */
static void __attribute__((constructor)) order_forward(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("V3VMM_DEVICE"))
		dev = getenv("V3VMM_DEVICE");
	return test_harness_run(argc, argv);
}
