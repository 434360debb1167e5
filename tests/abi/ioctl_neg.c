// SPDX-License-Identifier: GPL-2.0
/*
 * Negative tests of the /dev/v3vmm ioctl interface (include/v3vmm.h):
 * malformed input must give the documented errno and nothing may crash.
 * Runs inside an (emulated) host with v3vmm.ko loaded, on the kernel's own
 * kselftest harness (kselftest_harness.h, fetched from linux-source by
 * tests/harness/fetch-kernels.sh): each TEST/TEST_F runs in a child of its
 * own and prints "ok N fixture.test" / "not ok N fixture.test" (TAP).
 * Skips everything when /dev/v3vmm is missing.
 *
 * VMs are named abineg-<pid>[-...] and destroyed by each test's teardown.
 * The "launched" fixture boots a 17-byte 32-bit guest that writes "AK" to
 * COM1 and exits through port 0xf4, so console reads have data to fault on.
 * The "unpriv" tests drop to uid 1000 (the descriptor stays open, as after
 * a chmod 666 of the device or a descriptor passed on): every ioctl but
 * VERSION must fail with EPERM and leave root's VM alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TH_LOG_STREAM stdout
#include "kselftest_harness.h"

#include "v3vmm.h"

#define VM_MEM		(4ULL << 20)
#define BAD_PTR		((void *)1)
#define KERNEL_PTR	0xffffffff81000000ULL
#define UNPRIV_UID	1000

static const char *dev = "/dev/v3vmm";
static int fd = -1;
static char vm[V3_NAME_MAX];		/* the VM of the fixtures */
static char vm2[V3_NAME_MAX];		/* 31-character name */
static char missing[V3_NAME_MAX];	/* never created */

/* ------------------------------------------------------------- helpers */

/* 0 or errno */
static int xioctl(unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? errno : 0;
}

static const char *ename(int e)
{
	const char *s;

	if (!e)
		return "success";
	s = strerrorname_np(e);
	return s ? s : "E?";
}

/*
 * Is @got one of the errnos in the -1-terminated @ok (0: success)?  If
 * not, says which it was, as a harness log line.
 */
static bool errno_in(int got, const int *ok, const char *what)
{
	char diag[160];
	size_t n;
	int i;

	for (i = 0; ok[i] >= 0; i++)
		if (got == ok[i])
			return true;
	n = snprintf(diag, sizeof(diag), "got %s, expected", ename(got));
	for (i = 0; ok[i] >= 0 && n < sizeof(diag); i++)
		n += snprintf(diag + n, sizeof(diag) - n, "%s %s",
			      i ? " or" : "", ename(ok[i]));
	printf("# %s: %s\n", what, diag);
	return false;
}

/*
 * ASSERT that an ioctl's result (0 or errno) is one of the listed ones;
 * a TH_LOG() may follow, as after any ASSERT.
 */
#define ASSERT_ERRNO(got, ...)						\
	ASSERT_TRUE(errno_in((got), (const int[]){ __VA_ARGS__, -1 }, #got))

/* Copy a name of at most V3_NAME_MAX - 1 bytes, zero-padded. */
static void set_name(char *dst, const char *name)
{
	memset(dst, 0, V3_NAME_MAX);
	memcpy(dst, name, strnlen(name, V3_NAME_MAX - 1));
}

static void init_create(struct v3_create *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	set_name(c->name, name);
	c->mem_bytes = VM_MEM;
	c->vcpus = 1;
}

static void init_ref(struct v3_vm_ref *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	set_name(r->name, name);
}

static void init_xfer(struct v3_mem_xfer *x, const char *name, uint64_t gpa,
		      const void *buf, uint64_t len)
{
	memset(x, 0, sizeof(*x));
	set_name(x->name, name);
	x->gpa = gpa;
	x->uaddr = (uintptr_t)buf;
	x->len = len;
}

static void init_boot(struct v3_boot *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	set_name(b->name, name);
	b->mode = V3_BOOT_PROT32;
	b->entry = 0x1000;
}

static void init_con(struct v3_console_io *io, const char *name, void *buf,
		     uint32_t len)
{
	memset(io, 0, sizeof(*io));
	set_name(io->name, name);
	io->uaddr = (uintptr_t)buf;
	io->len = len;
}

static int destroy(const char *name)
{
	struct v3_vm_ref r;

	init_ref(&r, name);
	return xioctl(V3_IOC_DESTROY, &r);
}

/* Create that must fail; a VM it made anyway is destroyed. */
static int create_refused(struct v3_create *c)
{
	int got = xioctl(V3_IOC_CREATE, c);
	char name[V3_NAME_MAX];

	if (!got) {
		memcpy(name, c->name, V3_NAME_MAX);
		name[V3_NAME_MAX - 1] = '\0';
		destroy(name);
	}
	return got;
}

static int info_of(const char *name, struct v3_info *info)
{
	memset(info, 0, sizeof(*info));
	strcpy(info->name, name);
	return xioctl(V3_IOC_INFO, info);
}

static char page[8192];

/* ------------------------------------------------ tests without a VM */

TEST(version)
{
	struct v3_version v;

	memset(&v, 0xff, sizeof(v));
	ASSERT_ERRNO(xioctl(V3_IOC_VERSION, &v), 0);
	ASSERT_EQ(V3_ABI_MAJOR, v.abi_major);
}

TEST(version_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_VERSION, BAD_PTR), EFAULT);
}

TEST(unknown_nr)
{
	ASSERT_ERRNO(xioctl(_IO(V3_IOC_MAGIC, 0x7f), NULL), ENOTTY);
	ASSERT_ERRNO(xioctl(_IOWR(V3_IOC_MAGIC, 0x40, struct v3_info), NULL),
		     ENOTTY);
}

TEST(wrong_magic)
{
	struct v3_create c;

	init_create(&c, vm);
	ASSERT_ERRNO(xioctl(_IOC(_IOC_WRITE, 'X', _IOC_NR(V3_IOC_CREATE),
				 sizeof(c)), &c), ENOTTY);
}

TEST(wrong_size)
{
	uint64_t v = 0;

	ASSERT_ERRNO(xioctl(_IOW(V3_IOC_MAGIC, _IOC_NR(V3_IOC_CREATE),
				 uint64_t), &v), ENOTTY);
}

TEST(create_empty_name)
{
	struct v3_create c;

	init_create(&c, "");
	ASSERT_ERRNO(create_refused(&c), EINVAL);
}

TEST(create_unterminated)
{
	struct v3_create c;

	init_create(&c, "");
	memset(c.name, 'a', V3_NAME_MAX);
	ASSERT_ERRNO(create_refused(&c), EINVAL);
}

TEST(create_bad_chars)
{
	static const char *const bad[] = {
		"a b", "a/b", "../x", "x\n", "tab\t", "caf\xc3\xa9", "a:b",
		"*", "\x7f",
	};
	struct v3_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		init_create(&c, bad[i]);
		ASSERT_ERRNO(create_refused(&c), EINVAL) TH_LOG("name #%u", i);
	}
}

static int create_mem(uint64_t mem)
{
	struct v3_create c;

	init_create(&c, vm);
	c.mem_bytes = mem;
	return create_refused(&c);
}

TEST(create_mem_zero)
{
	ASSERT_ERRNO(create_mem(0), EINVAL);
}

TEST(create_mem_unaligned)
{
	ASSERT_ERRNO(create_mem((1ULL << 20) + 1024), EINVAL);
}

TEST(create_mem_small)
{
	ASSERT_ERRNO(create_mem(64 << 10), EINVAL);
}

TEST(create_mem_huge)
{
	ASSERT_ERRNO(create_mem(1ULL << 62), EINVAL, ENOMEM);
}

TEST(create_mem_max_plus)
{
	ASSERT_ERRNO(create_mem((64ULL << 30) + 4096), EINVAL, ENOMEM);
}

TEST(create_vcpus)
{
	static const uint32_t bad[] = { 0, V3_MAX_VCPUS + 1, 0xffffffff };
	struct v3_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		init_create(&c, vm);
		c.vcpus = bad[i];
		ASSERT_ERRNO(create_refused(&c), EINVAL)
			TH_LOG("vcpus %u", bad[i]);
	}
}

TEST(create_bad_flags)
{
	struct v3_create c;

	init_create(&c, vm);
	c.flags = 1U << 31;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
}

TEST(create_pin_bad_cpu)
{
	struct v3_create c;

	init_create(&c, vm);
	c.flags = V3_CREATE_PIN_VCPUS;
	c.first_cpu = 0xfffffff0;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
}

TEST(create_reserved)
{
	struct v3_create c;

	init_create(&c, vm);
	c.reserved[0] = 1;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
	init_create(&c, vm);
	c.reserved[4] = 1ULL << 63;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
}

/* ABI 1.4: guest RAM node policy (was pad and reserved[0]) */
TEST(create_mem_policy)
{
	struct v3_create c;

	init_create(&c, vm);
	c.mem_policy = V3_NR_MEM_POLICIES;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
	init_create(&c, vm);
	c.mem_policy = 0xffffffff;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
	init_create(&c, vm);		/* local takes no nodes */
	c.mem_nodes = 1;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
	init_create(&c, vm);		/* bind: exactly one node */
	c.mem_policy = V3_MEM_BIND;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
	c.mem_nodes = 3;
	ASSERT_ERRNO(create_refused(&c), EINVAL);
	c.mem_nodes = 1ULL << 63;	/* no host has node 63 with memory here */
	ASSERT_ERRNO(create_refused(&c), EINVAL);
	init_create(&c, vm);
	c.mem_policy = V3_MEM_INTERLEAVE;
	c.mem_nodes = 1 | (1ULL << 63);
	ASSERT_ERRNO(create_refused(&c), EINVAL);
}

TEST(create_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_CREATE, BAD_PTR), EFAULT);
	ASSERT_ERRNO(xioctl(V3_IOC_CREATE, NULL), EFAULT);
}

TEST(create_31_chars)
{
	struct v3_create c;

	init_create(&c, vm2);
	ASSERT_ERRNO(xioctl(V3_IOC_CREATE, &c), 0);
	ASSERT_ERRNO(destroy(vm2), 0);
}

/* Operations on a VM that does not exist: ENOENT. */
static int on_missing(unsigned long req)
{
	char buf[64] = { 0 };
	union {
		struct v3_vm_ref ref;
		struct v3_mem_xfer x;
		struct v3_boot b;
		struct v3_info info;
		struct v3_console_io io;
	} u;

	switch (req) {
	case V3_IOC_MEM_WRITE:
	case V3_IOC_MEM_READ:
		init_xfer(&u.x, missing, 0x1000, buf, sizeof(buf));
		break;
	case V3_IOC_SET_BOOT:
		init_boot(&u.b, missing);
		break;
	case V3_IOC_INFO:
		memset(&u.info, 0, sizeof(u.info));
		strcpy(u.info.name, missing);
		break;
	case V3_IOC_CONSOLE_READ:
	case V3_IOC_CONSOLE_WRITE:
		init_con(&u.io, missing, buf, sizeof(buf));
		break;
	default:
		init_ref(&u.ref, missing);
		break;
	}
	return xioctl(req, &u);
}

TEST(missing_destroy) { ASSERT_ERRNO(on_missing(V3_IOC_DESTROY), ENOENT); }
TEST(missing_launch) { ASSERT_ERRNO(on_missing(V3_IOC_LAUNCH), ENOENT); }
TEST(missing_stop) { ASSERT_ERRNO(on_missing(V3_IOC_STOP), ENOENT); }
TEST(missing_pause) { ASSERT_ERRNO(on_missing(V3_IOC_PAUSE), ENOENT); }
TEST(missing_resume) { ASSERT_ERRNO(on_missing(V3_IOC_RESUME), ENOENT); }
TEST(missing_info) { ASSERT_ERRNO(on_missing(V3_IOC_INFO), ENOENT); }
TEST(missing_mem_write) { ASSERT_ERRNO(on_missing(V3_IOC_MEM_WRITE), ENOENT); }
TEST(missing_mem_read) { ASSERT_ERRNO(on_missing(V3_IOC_MEM_READ), ENOENT); }
TEST(missing_set_boot) { ASSERT_ERRNO(on_missing(V3_IOC_SET_BOOT), ENOENT); }
TEST(missing_con_read) { ASSERT_ERRNO(on_missing(V3_IOC_CONSOLE_READ), ENOENT); }
TEST(missing_con_write) { ASSERT_ERRNO(on_missing(V3_IOC_CONSOLE_WRITE), ENOENT); }

TEST(ref_bad_names)
{
	struct v3_vm_ref ref;

	init_ref(&ref, "");
	ASSERT_ERRNO(xioctl(V3_IOC_LAUNCH, &ref), EINVAL);
	memset(ref.name, 'a', V3_NAME_MAX);
	ASSERT_ERRNO(xioctl(V3_IOC_STOP, &ref), EINVAL);
	init_ref(&ref, "no/such");
	ASSERT_ERRNO(xioctl(V3_IOC_DESTROY, &ref), EINVAL);
}

TEST(ref_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_LAUNCH, BAD_PTR), EFAULT);
	ASSERT_ERRNO(xioctl(V3_IOC_DESTROY, (void *)KERNEL_PTR), EFAULT);
}

TEST(mem_arg_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_WRITE, BAD_PTR), EFAULT);
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_READ, NULL), EFAULT);
}

TEST(list_count)
{
	struct v3_list l;

	memset(&l, 0, sizeof(l));
	ASSERT_ERRNO(xioctl(V3_IOC_LIST, &l), 0);
	ASSERT_LE(l.count, V3_MAX_VMS);
}

TEST(list_reserved)
{
	struct v3_list l;

	memset(&l, 0, sizeof(l));
	l.reserved[1] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_LIST, &l), EINVAL);
}

TEST(list_huge_max)
{
	static char names[V3_MAX_VMS * V3_NAME_MAX];
	struct v3_list l;

	memset(&l, 0, sizeof(l));
	l.max = 0xffffffff;	/* buffer smaller: kernel must clamp or fault */
	l.names = (uintptr_t)names;
	ASSERT_ERRNO(xioctl(V3_IOC_LIST, &l), 0, EINVAL, EFAULT);
}

TEST(info_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_INFO, BAD_PTR), EFAULT);
}

TEST(console_arg_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_READ, BAD_PTR), EFAULT);
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_WRITE, NULL), EFAULT);
}

TEST(boot_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, BAD_PTR), EFAULT);
}

/* ------------------------------------------------- a created VM (4 MiB) */

FIXTURE(vm) {
	int unused;
};

FIXTURE_SETUP(vm)
{
	struct v3_create c;

	destroy(vm);		/* an earlier test's leftover */
	init_create(&c, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_CREATE, &c), 0);
}

FIXTURE_TEARDOWN(vm)
{
	destroy(vm);
}

TEST_F(vm, create_duplicate)
{
	struct v3_create c;

	init_create(&c, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_CREATE, &c), EEXIST);
}

TEST_F(vm, ref_reserved)
{
	struct v3_vm_ref ref;

	init_ref(&ref, vm);
	ref.reserved[1] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_DESTROY, &ref), EINVAL);
}

static int mem_op(uint64_t gpa, const void *buf, uint64_t len, bool write)
{
	struct v3_mem_xfer x;

	init_xfer(&x, vm, gpa, buf, len);
	return xioctl(write ? V3_IOC_MEM_WRITE : V3_IOC_MEM_READ, &x);
}

TEST_F(vm, mem_past_end)
{
	ASSERT_ERRNO(mem_op(VM_MEM, page, 1, true), EINVAL, EFAULT);
}

TEST_F(vm, mem_straddle_end)
{
	ASSERT_ERRNO(mem_op(VM_MEM - 1, page, 2, true), EINVAL, EFAULT);
}

TEST_F(vm, mem_overflow)
{
	ASSERT_ERRNO(mem_op(~0ULL - 7, page, 16, true), EINVAL, EFAULT);
}

TEST_F(vm, mem_hole)
{
	ASSERT_ERRNO(mem_op(3ULL << 30, page, 16, false), EINVAL, EFAULT);
}

TEST_F(vm, mem_too_long)
{
	ASSERT_ERRNO(mem_op(0, page, V3_MEM_XFER_MAX + 1, true), EINVAL);
}

TEST_F(vm, mem_write_badptr)
{
	ASSERT_ERRNO(mem_op(0x2000, BAD_PTR, 16, true), EFAULT);
	ASSERT_ERRNO(mem_op(0x2000, (void *)KERNEL_PTR, 16, true), EFAULT);
}

TEST_F(vm, mem_read_badptr)
{
	ASSERT_ERRNO(mem_op(0x2000, BAD_PTR, 16, false), EFAULT);
	ASSERT_ERRNO(mem_op(0x2000, (void *)KERNEL_PTR, 4096, false), EFAULT);
}

TEST_F(vm, mem_reserved)
{
	struct v3_mem_xfer x;

	init_xfer(&x, vm, 0x2000, page, 16);
	x.reserved[0] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_WRITE, &x), EINVAL);
}

TEST_F(vm, mem_roundtrip)
{
	static char back[64];
	unsigned int i;

	for (i = 0; i < sizeof(back); i++)
		page[i] = (char)(i * 7 + 1);
	ASSERT_ERRNO(mem_op(0x2fe0, page, sizeof(back), true), 0);
	ASSERT_ERRNO(mem_op(0x2fe0, back, sizeof(back), false), 0);
	ASSERT_EQ(0, memcmp(page, back, sizeof(back)));
}

TEST_F(vm, list_count)
{
	struct v3_list l;

	memset(&l, 0, sizeof(l));
	ASSERT_ERRNO(xioctl(V3_IOC_LIST, &l), 0);
	ASSERT_LE(1, l.count) TH_LOG("count %u with a VM created", l.count);
}

TEST_F(vm, list_badptr)
{
	struct v3_list l;

	memset(&l, 0, sizeof(l));
	l.max = 4;
	l.names = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_LIST, &l), EFAULT);
	ASSERT_ERRNO(xioctl(V3_IOC_LIST, BAD_PTR), EFAULT);
}

TEST_F(vm, info)
{
	struct v3_info info;

	ASSERT_ERRNO(info_of(vm, &info), 0);
	ASSERT_EQ(V3_STATE_CREATED, info.state);
	ASSERT_EQ(1, info.vcpus);
	ASSERT_EQ(VM_MEM, info.mem_bytes);
}

/* V3_IOC_MSR_STATS (ABI 1.2): name and reserved checked, table bounded */
TEST_F(vm, msr_stats)
{
	static struct v3_msr_stats st;

	memset(&st, 0, sizeof(st));
	set_name(st.name, missing);
	ASSERT_ERRNO(xioctl(V3_IOC_MSR_STATS, &st), ENOENT);
	set_name(st.name, "bad name");
	ASSERT_ERRNO(xioctl(V3_IOC_MSR_STATS, &st), EINVAL);
	set_name(st.name, vm);
	st.reserved[3] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_MSR_STATS, &st), EINVAL);
	st.reserved[3] = 0;
	st.count = 0xffffffff;	/* output only: ignored on input */
	ASSERT_ERRNO(xioctl(V3_IOC_MSR_STATS, &st), 0);
	ASSERT_LE(st.count, V3_MSR_STATS_MAX);
}

TEST(msr_stats_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_MSR_STATS, BAD_PTR), EFAULT);
}

/*
 * V3_IOC_PAGING (ABI 1.3): name, op, mode, pad and reserved checked;
 * shadow refused with EOPNOTSUPP exactly when the capability is missing
 */
static void init_paging(struct v3_paging *p, const char *name, uint32_t op,
			uint32_t mode)
{
	memset(p, 0, sizeof(*p));
	set_name(p->name, name);
	p->op = op;
	p->mode = mode;
}

TEST_F(vm, paging)
{
	struct v3_version v;
	struct v3_paging p;
	bool sw;

	ASSERT_ERRNO(xioctl(V3_IOC_VERSION, &v), 0);
	sw = v.caps & V3_CAP_PAGING_SWITCH;
	init_paging(&p, missing, V3_PAGING_GET, 0);
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), ENOENT);
	init_paging(&p, "bad name", V3_PAGING_GET, 0);
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), EINVAL);
	init_paging(&p, vm, V3_PAGING_GET, 0);
	p.reserved[5] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), EINVAL);
	init_paging(&p, vm, V3_PAGING_GET, 0);
	p.last.pad = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), EINVAL);
	init_paging(&p, vm, 2, 0);
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), EINVAL);
	init_paging(&p, vm, V3_PAGING_SET, V3_NR_PAGING_MODES);
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), EINVAL);
	init_paging(&p, vm, V3_PAGING_SET, 0xffffffff);
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), EINVAL);

	init_paging(&p, vm, V3_PAGING_GET, 0);
	p.switches = ~0ULL;	/* output only: ignored on input */
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), 0);
	ASSERT_EQ(V3_PAGING_NESTED, p.mode);
	ASSERT_EQ(V3_PAGING_NESTED, p.active);
	ASSERT_EQ(0, p.switches);
	ASSERT_EQ(0, p.last.time_ns);

	init_paging(&p, vm, V3_PAGING_SET, V3_PAGING_SHADOW);
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), sw ? 0 : EOPNOTSUPP);
	init_paging(&p, vm, V3_PAGING_SET, V3_PAGING_ADAPTIVE);
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), sw ? 0 : EOPNOTSUPP);
	if (sw) {
		ASSERT_EQ(V3_PAGING_ADAPTIVE, p.mode);
		ASSERT_EQ(V3_PAGING_SHADOW, p.active);
		ASSERT_EQ(1, p.switches);
	}
	init_paging(&p, vm, V3_PAGING_SET, V3_PAGING_NESTED);
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, &p), 0);
	ASSERT_EQ(V3_PAGING_NESTED, p.mode);
	ASSERT_EQ(V3_PAGING_NESTED, p.active);
	ASSERT_EQ(sw ? 2 : 0, p.switches);
}

TEST(paging_badptr)
{
	ASSERT_ERRNO(xioctl(V3_IOC_PAGING, BAD_PTR), EFAULT);
}

/*
 * Placement (ABI 1.4): V3_IOC_VCPUS, V3_IOC_VCPU_MOVE, V3_IOC_MEM_NODES:
 * names, reserved space, vCPU and CPU numbers checked; a created VM's
 * vCPU takes a pin without a thread to move
 */
static void init_vcpus(struct v3_vcpus *v, const char *name,
		       struct v3_vcpu_info *info, uint32_t max)
{
	memset(v, 0, sizeof(*v));
	set_name(v->name, name);
	v->info = (uintptr_t)info;
	v->max = max;
}

static void init_move(struct v3_vcpu_move *m, const char *name,
		      uint32_t vcpu, int32_t cpu)
{
	memset(m, 0, sizeof(*m));
	set_name(m->name, name);
	m->vcpu = vcpu;
	m->cpu = cpu;
}

TEST_F(vm, placement)
{
	struct v3_vcpu_info info[2];
	struct v3_mem_nodes mn;
	struct v3_vcpu_move m;
	struct v3_version v;
	struct v3_vcpus vs;
	uint64_t pages = 0;
	unsigned int n;

	ASSERT_ERRNO(xioctl(V3_IOC_VERSION, &v), 0);
	ASSERT_TRUE(v.caps & V3_CAP_PLACEMENT);

	init_vcpus(&vs, missing, info, 2);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPUS, &vs), ENOENT);
	init_vcpus(&vs, vm, info, 2);
	vs.reserved[1] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_VCPUS, &vs), EINVAL);
	init_vcpus(&vs, vm, BAD_PTR, 2);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPUS, &vs), EFAULT);
	init_vcpus(&vs, vm, NULL, 0);	/* count only */
	ASSERT_ERRNO(xioctl(V3_IOC_VCPUS, &vs), 0);
	ASSERT_EQ(1, vs.count);
	memset(info, 0xff, sizeof(info));
	init_vcpus(&vs, vm, info, 2);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPUS, &vs), 0);
	ASSERT_EQ(1, vs.count);
	ASSERT_EQ(0, info[0].id);
	ASSERT_EQ(-1, info[0].cpu);
	ASSERT_EQ(-1, info[0].pin_cpu);
	ASSERT_EQ(V3_VCPU_CREATED, info[0].state);
	ASSERT_EQ(0, info[0].exits);
	ASSERT_EQ(0xffffffffu, info[1].id);	/* past count: untouched */

	init_move(&m, missing, 0, 0);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPU_MOVE, &m), ENOENT);
	init_move(&m, vm, 1, 0);		/* the VM has one vCPU */
	ASSERT_ERRNO(xioctl(V3_IOC_VCPU_MOVE, &m), EINVAL);
	init_move(&m, vm, 0, -2);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPU_MOVE, &m), EINVAL);
	init_move(&m, vm, 0, 1 << 30);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPU_MOVE, &m), EINVAL);
	init_move(&m, vm, 0, 0);
	m.reserved[0] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_VCPU_MOVE, &m), EINVAL);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPU_MOVE, BAD_PTR), EFAULT);
	init_move(&m, vm, 0, 0);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPU_MOVE, &m), 0);
	init_vcpus(&vs, vm, info, 1);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPUS, &vs), 0);
	ASSERT_EQ(0, info[0].pin_cpu);
	ASSERT_EQ(1, info[0].moves);
	init_move(&m, vm, 0, -1);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPU_MOVE, &m), 0);
	ASSERT_ERRNO(xioctl(V3_IOC_VCPUS, &vs), 0);
	ASSERT_EQ(-1, info[0].pin_cpu);

	memset(&mn, 0, sizeof(mn));
	set_name(mn.name, missing);
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_NODES, &mn), ENOENT);
	set_name(mn.name, vm);
	mn.reserved[3] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_NODES, &mn), EINVAL);
	mn.reserved[3] = 0;
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_NODES, BAD_PTR), EFAULT);
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_NODES, &mn), 0);
	ASSERT_EQ(V3_MEM_LOCAL, mn.policy);
	ASSERT_LE(1, mn.nr_nodes);
	for (n = 0; n < mn.nr_nodes; n++) {
		ASSERT_LE(mn.large[n], mn.pages[n]);
		pages += mn.pages[n];
	}
	ASSERT_EQ(VM_MEM >> 12, pages);	/* every page, counted once */
}

static void init_mem_move(struct v3_mem_move *m, const char *name, int node)
{
	memset(m, 0, sizeof(*m));
	set_name(m->name, name);
	m->node = node;
}

TEST_F(vm, mem_move)
{
	struct v3_mem_move m;

	init_mem_move(&m, missing, 0);
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), ENOENT);
	init_mem_move(&m, vm, -1);
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), EINVAL);
	init_mem_move(&m, vm, 63);	/* no node with memory */
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), EINVAL);
	init_mem_move(&m, vm, 1 << 20);
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), EINVAL);
	init_mem_move(&m, vm, 0);
	m.flags = 2;
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), EINVAL);
	init_mem_move(&m, vm, 0);
	m.reserved[3] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), EINVAL);
	init_mem_move(&m, vm, 0);	/* empty range */
	m.gpa_start = 0x200000;
	m.gpa_end = 0x200000;
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), EINVAL);
	init_mem_move(&m, vm, 0);	/* no RAM there */
	m.gpa_start = 1ULL << 40;
	m.gpa_end = (1ULL << 40) + 4096;
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), EINVAL);
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, BAD_PTR), EFAULT);

	init_mem_move(&m, vm, 0);	/* all of it: moved or already there */
	m.moved_bytes = ~0ULL;		/* output only */
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), 0);
	ASSERT_EQ(VM_MEM, m.moved_bytes + m.skipped_bytes);
	ASSERT_LE(m.large_bytes, m.moved_bytes);
	init_mem_move(&m, vm, 0);	/* again: nothing left to move */
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), 0);
	ASSERT_EQ(0, m.moved_bytes);
	ASSERT_EQ(VM_MEM, m.skipped_bytes);
	init_mem_move(&m, vm, 0);	/* unless told to copy it all */
	m.flags = V3_MEM_MOVE_ALL;
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_MOVE, &m), 0);
	ASSERT_EQ(VM_MEM, m.moved_bytes);
	ASSERT_EQ(0, m.skipped_bytes);
}
/*
 * Content tracking (ABI 1.5): V3_IOC_CONTENT_STATS, V3_IOC_CONTENT_TABLE:
 * names (a VM, or "" for the node), reserved space; a VM not tracked has
 * an empty table; a buffer too small is -ENOSPC with the count
 */
TEST_F(vm, content)
{
	struct v3_content_entry e[2];
	struct v3_content_stats st;
	struct v3_content_table tb;
	struct v3_version v;

	ASSERT_ERRNO(xioctl(V3_IOC_VERSION, &v), 0);
	ASSERT_TRUE(v.caps & V3_CAP_CONTENT);
	memset(&st, 0, sizeof(st));
	set_name(st.name, missing);
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_STATS, &st), ENOENT);
	memset(&st, 0, sizeof(st));
	set_name(st.name, "bad name");
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_STATS, &st), EINVAL);
	memset(&st, 0, sizeof(st));
	memset(st.name, 'a', sizeof(st.name));	/* no NUL */
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_STATS, &st), EINVAL);
	memset(&st, 0, sizeof(st));
	set_name(st.name, vm);
	st.reserved[4] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_STATS, &st), EINVAL);
	memset(&st, 0, sizeof(st));
	set_name(st.name, vm);
	st.pages_scanned = ~0ULL;		/* output only */
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_STATS, &st), 0);
	ASSERT_EQ(0, st.enabled);
	ASSERT_EQ(0, st.pages_scanned);
	memset(&st, 0, sizeof(st));		/* the node */
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_STATS, &st), 0);
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_STATS, BAD_PTR), EFAULT);

	memset(&tb, 0, sizeof(tb));
	set_name(tb.name, missing);
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_TABLE, &tb), ENOENT);
	memset(&tb, 0, sizeof(tb));
	set_name(tb.name, vm);
	tb.reserved[0] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_TABLE, &tb), EINVAL);
	memset(&tb, 0, sizeof(tb));		/* not tracked: empty */
	set_name(tb.name, vm);
	tb.entries = (uintptr_t)e;
	tb.max = 2;
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_TABLE, &tb), 0);
	ASSERT_EQ(0, tb.count);
	ASSERT_ERRNO(xioctl(V3_IOC_CONTENT_TABLE, BAD_PTR), EFAULT);
}

/*
 * GEARS (ABI 1.6): V3_IOC_GEARS_SYM, V3_IOC_GEARS_PS: names, the symbol
 * string (empty, unterminated), pad and reserved checked before the VM is
 * looked up; a VM never launched has no guest kernel: -EBUSY.  A module
 * built without GEARS does not know them (and has no V3_CAP_GEARS).
 */
static void init_gsym(struct v3_gears_sym *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	set_name(s->name, name);
	strcpy(s->sym, "init_task");
}

TEST_F(vm, gears)
{
	struct v3_gears_task t[2];
	struct v3_gears_sym s;
	struct v3_gears_ps ps;
	struct v3_version v;

	ASSERT_ERRNO(xioctl(V3_IOC_VERSION, &v), 0);
	init_gsym(&s, vm);
	if (!(v.caps & V3_CAP_GEARS)) {
		ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &s), ENOTTY);
		SKIP(return, "the module was built without GEARS");
	}
	init_gsym(&s, missing);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &s), ENOENT);
	init_gsym(&s, "bad name");
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &s), EINVAL);
	init_gsym(&s, vm);
	s.sym[0] = '\0';
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &s), EINVAL);
	init_gsym(&s, vm);
	memset(s.sym, 'a', sizeof(s.sym));	/* no NUL */
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &s), EINVAL);
	init_gsym(&s, vm);
	s.pad = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &s), EINVAL);
	init_gsym(&s, vm);
	s.reserved[3] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &s), EINVAL);
	init_gsym(&s, vm);			/* never launched */
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &s), EBUSY);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, BAD_PTR), EFAULT);

	memset(&ps, 0, sizeof(ps));
	set_name(ps.name, missing);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_PS, &ps), ENOENT);
	memset(&ps, 0, sizeof(ps));
	set_name(ps.name, vm);
	ps.reserved[0] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_PS, &ps), EINVAL);
	memset(&ps, 0, sizeof(ps));
	set_name(ps.name, vm);
	ps.tasks = (uintptr_t)t;
	ps.max = 2;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_PS, &ps), EBUSY);
	ps.max = ~0U;				/* the module bounds it */
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_PS, &ps), EBUSY);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_PS, BAD_PTR), EFAULT);
}

/*
 * GEARS interception and injection (ABI 1.7): the argument checks before
 * the VM is looked up (name, op, kind, strings, pad, reserved, size), the
 * refusals a VM never launched gets (no trace running: EALREADY; no guest
 * kernel: EBUSY), and the calls never injected (EPERM).
 */
static void init_gtrace(struct v3_gears_trace *t, const char *name, __u32 op)
{
	memset(t, 0, sizeof(*t));
	set_name(t->name, name);
	t->op = op;
}

static void init_ginj(struct v3_gears_inject *r, const char *name, __u32 kind)
{
	memset(r, 0, sizeof(*r));
	set_name(r->name, name);
	r->kind = kind;
	r->pid = 1;
	r->timeout_ms = 10;
	strcpy(r->sym, "getpid");
}

TEST_F(vm, gears_inject)
{
	struct v3_gears_event ev[2];
	struct v3_gears_inject r;
	struct v3_gears_trace t;
	struct v3_version v;

	ASSERT_ERRNO(xioctl(V3_IOC_VERSION, &v), 0);
	init_gtrace(&t, vm, V3_GEARS_TRACE_START);
	if (!(v.caps & V3_CAP_GEARS_INJECT)) {
		ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), ENOTTY);
		SKIP(return, "the module has no GEARS tracing (ABI < 1.7)");
	}
	init_gtrace(&t, missing, V3_GEARS_TRACE_START);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), ENOENT);
	init_gtrace(&t, vm, 0);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), EINVAL);
	init_gtrace(&t, vm, V3_GEARS_TRACE_READ + 1);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), EINVAL);
	init_gtrace(&t, vm, V3_GEARS_TRACE_START);
	memset(t.syscalls, 'a', sizeof(t.syscalls));	/* no NUL */
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), EINVAL);
	init_gtrace(&t, vm, V3_GEARS_TRACE_START);
	memset(t.comm, 'a', sizeof(t.comm));
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), EINVAL);
	init_gtrace(&t, vm, V3_GEARS_TRACE_START);
	t.reserved[2] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), EINVAL);
	init_gtrace(&t, vm, V3_GEARS_TRACE_STOP);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), EALREADY);
	init_gtrace(&t, vm, V3_GEARS_TRACE_READ);
	t.events = (uintptr_t)ev;
	t.max = 2;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), EALREADY);
	init_gtrace(&t, vm, V3_GEARS_TRACE_START);	/* never launched */
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, &t), EBUSY);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_TRACE, BAD_PTR), EFAULT);

	init_ginj(&r, missing, V3_GEARS_INJ_SYSCALL);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), ENOENT);
	init_ginj(&r, vm, 0);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EINVAL);
	init_ginj(&r, vm, V3_GEARS_INJ_EXEC + 1);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EINVAL);
	init_ginj(&r, vm, V3_GEARS_INJ_SYSCALL);
	r.pid = 0;				/* a system call needs its process */
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EINVAL);
	init_ginj(&r, vm, V3_GEARS_INJ_SYSCALL);
	strcpy(r.sym, "exit_group");
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EPERM);
	init_ginj(&r, vm, V3_GEARS_INJ_SYSCALL);
	r.buf_mask = 1U << 6;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EINVAL);
	init_ginj(&r, vm, V3_GEARS_INJ_SYSCALL);
	r.sym[0] = '\0';
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EINVAL);
	init_ginj(&r, vm, V3_GEARS_INJ_SYSCALL);
	r.pad = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EINVAL);
	init_ginj(&r, vm, V3_GEARS_INJ_SYSCALL);
	r.reserved[3] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EINVAL);
	init_ginj(&r, vm, V3_GEARS_INJ_INSMOD);
	r.data_len = V3_GEARS_DATA_MAX + 1ULL;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), E2BIG);
	init_ginj(&r, vm, V3_GEARS_INJ_INSMOD);
	r.data = (uintptr_t)BAD_PTR;
	r.data_len = 4096;
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EFAULT);
	init_ginj(&r, vm, V3_GEARS_INJ_SYSCALL);	/* never launched */
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, &r), EBUSY);
	ASSERT_ERRNO(xioctl(V3_IOC_GEARS_INJECT, BAD_PTR), EFAULT);
}

TEST_F(vm, console_bad_args)
{
	struct v3_console_io io;
	char buf[16];

	init_con(&io, vm, buf, sizeof(buf));
	io.flags = 1U << 7;
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_READ, &io), EINVAL);
	init_con(&io, vm, buf, sizeof(buf));
	io.flags = V3_CONSOLE_WAIT;
	io.timeout_ms = 10001;
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_READ, &io), EINVAL);
	init_con(&io, vm, buf, sizeof(buf));
	io.reserved[1] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_READ, &io), EINVAL);
	init_con(&io, vm, buf, sizeof(buf));
	io.flags = V3_CONSOLE_WAIT;
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_WRITE, &io), EINVAL);
}

TEST_F(vm, console_write_badptr)
{
	struct v3_console_io io;

	init_con(&io, vm, BAD_PTR, 16);
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_WRITE, &io), EFAULT);
}

TEST_F(vm, pause_not_running)
{
	struct v3_vm_ref ref;

	init_ref(&ref, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_PAUSE, &ref), EINVAL);
}

TEST_F(vm, launch_without_boot)
{
	struct v3_vm_ref ref;

	init_ref(&ref, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_LAUNCH, &ref), EINVAL);
}

TEST_F(vm, boot_bad_mode)
{
	static const uint32_t modes[] = { 0, 4, 99, 0xffffffff };
	struct v3_boot b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		init_boot(&b, vm);
		b.mode = modes[i];
		ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, &b), EINVAL)
			TH_LOG("mode %u", modes[i]);
	}
}

TEST_F(vm, boot_bad_fields)
{
	struct v3_boot b;

	init_boot(&b, vm);
	b.reserved[3] = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
	init_boot(&b, vm);
	b.pad = 1;
	ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
	init_boot(&b, vm);
	b.entry = 1ULL << 33;		/* beyond 32 bits in PROT32 */
	ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
	init_boot(&b, vm);
	b.mode = V3_BOOT_LONG64;
	b.cr3 = 0x1234;			/* not page-aligned */
	ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
	b.cr3 = VM_MEM;			/* not RAM */
	ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
}

TEST_F(vm, destroy)
{
	struct v3_vm_ref ref;

	init_ref(&ref, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_DESTROY, &ref), 0);
	ASSERT_ERRNO(xioctl(V3_IOC_DESTROY, &ref), ENOENT);
	ASSERT_ERRNO(xioctl(V3_IOC_LAUNCH, &ref), ENOENT);
}

/* ------------------------------------ a launched VM that exits at once */

/*
 * 32-bit guest at 0x1000:
 *	mov dx, 0x3f8; mov al, 'A'; out dx, al; mov al, 'K'; out dx, al
 *	mov al, 0; out 0xf4, al; hlt; jmp $-1
 */
static const uint8_t guest[] = {
	0x66, 0xba, 0xf8, 0x03, 0xb0, 'A', 0xee, 0xb0, 'K', 0xee,
	0xb0, 0x00, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd,
};

FIXTURE(launched) {
	struct v3_info info;	/* after the guest stopped */
};

FIXTURE_SETUP(launched)
{
	struct v3_console_io io;
	struct v3_mem_xfer x;
	struct v3_create c;
	struct v3_vm_ref ref;
	struct v3_boot b;
	char buf[64];
	int i;

	destroy(vm);
	init_create(&c, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_CREATE, &c), 0);
	init_xfer(&x, vm, 0x1000, guest, sizeof(guest));
	ASSERT_ERRNO(xioctl(V3_IOC_MEM_WRITE, &x), 0);
	init_boot(&b, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, &b), 0);
	init_ref(&ref, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_LAUNCH, &ref), 0);
	/* bounded: 10 waits of at most 1 s each */
	for (i = 0; i < 10; i++) {
		init_con(&io, vm, buf, sizeof(buf));
		io.pos = 2;	/* wait for more than "AK": until the stop */
		io.flags = V3_CONSOLE_WAIT;
		io.timeout_ms = 1000;
		ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_READ, &io), 0);
		if (io.state == V3_STATE_STOPPED)
			break;
	}
	ASSERT_ERRNO(info_of(vm, &self->info), 0);
}

FIXTURE_TEARDOWN(launched)
{
	destroy(vm);
}

TEST_F(launched, guest_exits)
{
	ASSERT_EQ(V3_STATE_STOPPED, self->info.state)
		TH_LOG("reason: %.100s", self->info.reason);
	ASSERT_EQ(V3_STOP_EXIT_PORT, self->info.stop_reason);
	ASSERT_EQ(1, self->info.exit_code);
}

TEST_F(launched, launch_twice)
{
	struct v3_vm_ref ref;

	init_ref(&ref, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_LAUNCH, &ref), EBUSY);
}

TEST_F(launched, set_boot_after_launch)
{
	struct v3_boot b;

	init_boot(&b, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_SET_BOOT, &b), EBUSY);
}

TEST_F(launched, console_read)
{
	struct v3_console_io io;
	char buf[64] = { 0 };

	init_con(&io, vm, buf, sizeof(buf));
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_READ, &io), 0);
	ASSERT_EQ(2, io.len);
	ASSERT_EQ(2, io.pos);
	ASSERT_EQ(0, memcmp(buf, "AK", 2)) TH_LOG("console \"%.16s\"", buf);
}

TEST_F(launched, console_read_badptr)
{
	struct v3_console_io io;

	init_con(&io, vm, BAD_PTR, 16);
	ASSERT_ERRNO(xioctl(V3_IOC_CONSOLE_READ, &io), EFAULT);
}

TEST_F(launched, stop_stopped)
{
	struct v3_vm_ref ref;

	init_ref(&ref, vm);
	ASSERT_ERRNO(xioctl(V3_IOC_STOP, &ref), EINVAL, 0);
}

/* ----------------------------------------- an unprivileged user (uid 1000) */

/*
 * In a forked child of a test.  An ASSERT failing there unwinds into the
 * harness, which runs the fixture's teardown as uid 1000 (refused: EPERM)
 * and exits non-zero; the parent checks the child's exit status.
 */
static void drop_privileges(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setresgid(UNPRIV_UID, UNPRIV_UID, UNPRIV_UID));
	ASSERT_EQ(0, setresuid(UNPRIV_UID, UNPRIV_UID, UNPRIV_UID));
	ASSERT_EQ(UNPRIV_UID, geteuid());
}

/* root's VM (the "vm" fixture) is created before the drop */
TEST_F(vm, unpriv_refused)
{
	static const unsigned long reqs[] = {
		V3_IOC_INFO, V3_IOC_STOP, V3_IOC_PAUSE, V3_IOC_RESUME,
		V3_IOC_LAUNCH, V3_IOC_DESTROY, V3_IOC_MEM_READ,
		V3_IOC_MEM_WRITE, V3_IOC_SET_BOOT, V3_IOC_CONSOLE_READ,
		V3_IOC_CONSOLE_WRITE,
	};
	union {
		struct v3_vm_ref ref;
		struct v3_mem_xfer x;
		struct v3_boot b;
		struct v3_info info;
		struct v3_console_io io;
		struct v3_list l;
		struct v3_create c;
		struct v3_gears_sym gs;
		struct v3_gears_ps gp;
	} u;
	struct v3_version v;
	struct v3_info info;
	unsigned int i;
	pid_t pid;
	int st;

	/* the test child itself must stay root for the checks after */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		drop_privileges(_metadata);
		ASSERT_ERRNO(xioctl(V3_IOC_VERSION, &v), 0);
		for (i = 0; i < ARRAY_SIZE(reqs); i++) {
			memset(&u, 0, sizeof(u));
			set_name(u.ref.name, vm);	/* name comes first in each */
			ASSERT_ERRNO(xioctl(reqs[i], &u), EPERM)
				TH_LOG("request nr 0x%x", (unsigned int)_IOC_NR(reqs[i]));
		}
		memset(&u, 0, sizeof(u));
		set_name(u.ref.name, vm);
		if (v.caps & V3_CAP_GEARS) {	/* ABI 1.6: it reads the guest */
			ASSERT_ERRNO(xioctl(V3_IOC_GEARS_SYM, &u.gs), EPERM);
			ASSERT_ERRNO(xioctl(V3_IOC_GEARS_PS, &u.gp), EPERM);
		}
		memset(&u, 0, sizeof(u));
		ASSERT_ERRNO(xioctl(V3_IOC_LIST, &u.l), EPERM);
		init_create(&u.c, missing);
		ASSERT_ERRNO(xioctl(V3_IOC_CREATE, &u.c), EPERM);
		_exit(_metadata->passed ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("unprivileged child: status 0x%x", st);
	/* root's VM untouched */
	ASSERT_ERRNO(info_of(vm, &info), 0);
	ASSERT_EQ(V3_STATE_CREATED, info.state);
	ASSERT_ERRNO(info_of(missing, &info), ENOENT);
}

/* the device is root's: opening it as uid 1000 fails; chmod 666 gives EPERM */
TEST_F(vm, unpriv_open_and_chmod)
{
	struct v3_vm_ref ref;
	struct stat sb;
	pid_t pid;
	int st, r;

	ASSERT_EQ(0, stat(dev, &sb));
	ASSERT_EQ(0600, (int)(sb.st_mode & 07777)) TH_LOG("mode %o", sb.st_mode & 07777);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		drop_privileges(_metadata);
		ASSERT_EQ(-1, open(dev, O_RDWR));
		ASSERT_EQ(EACCES, errno);
		_exit(_metadata->passed ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	ASSERT_EQ(0, chmod(dev, 0666));
	pid = fork();
	if (pid == 0) {
		int ufd;

		drop_privileges(_metadata);
		ufd = open(dev, O_RDWR);
		ASSERT_LE(0, ufd) TH_LOG("open as uid %d: %s", UNPRIV_UID,
					 strerror(errno));
		init_ref(&ref, vm);
		r = ioctl(ufd, V3_IOC_DESTROY, &ref) < 0 ? errno : 0;
		ASSERT_ERRNO(r, EPERM);
		r = ioctl(ufd, V3_IOC_STOP, &ref) < 0 ? errno : 0;
		ASSERT_ERRNO(r, EPERM);
		_exit(_metadata->passed ? 0 : 1);
	}
	ASSERT_LE(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, chmod(dev, 0600));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ASSERT_ERRNO(destroy(vm), 0);	/* still there for root */
}

TEST(still_alive)
{
	struct v3_version v;

	ASSERT_ERRNO(xioctl(V3_IOC_VERSION, &v), 0);
}

/* ------------------------------------------------------------------ main */

static void cleanup(void)
{
	if (fd < 0)
		return;
	destroy(vm);
	destroy(vm2);
}

/* as TEST_HARNESS_MAIN: tests run in the order they are written */
static void __attribute__((constructor)) order_forward(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	int pid = getpid();

	/* line-buffered: test children end with _exit(), which does not flush */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("V3VMM_DEVICE"))
		dev = getenv("V3VMM_DEVICE");
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("TAP version 13\n1..0 # SKIP %s: %s\n", dev,
		       strerror(errno));
		return KSFT_SKIP;
	}
	snprintf(vm, sizeof(vm), "abineg-%d", pid);
	snprintf(missing, sizeof(missing), "abineg-%d-missing", pid);
	/* the longest valid name: 31 characters */
	snprintf(vm2, sizeof(vm2), "abineg-%d-", pid);
	memset(vm2 + strlen(vm2), 'y', V3_NAME_MAX - 1 - strlen(vm2));
	vm2[V3_NAME_MAX - 1] = '\0';
	cleanup();
	atexit(cleanup);
	return test_harness_run(argc, argv);
}
