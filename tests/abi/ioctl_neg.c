// SPDX-License-Identifier: GPL-2.0
/*
 * Negative tests of the /dev/v3vmm ioctl interface (include/v3vmm.h):
 * malformed input must give the documented errno and nothing may crash.
 * Runs inside an (emulated) host with v3vmm.ko loaded; prints kselftest
 * TAP and skips everything when /dev/v3vmm is missing.
 *
 * It creates VMs named abineg-<pid>[-...] and destroys them at the end.
 * Near the end it boots a 17-byte 32-bit guest that writes "AK" to COM1
 * and exits through port 0xf4, so that console reads have data to fault
 * on.
 *
 * Exit status (kselftest): 0 all passed, 1 a test failed, 4 skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "v3vmm.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#define VM_MEM		(4ULL << 20)
#define BAD_PTR		((void *)1)
#define KERNEL_PTR	0xffffffff81000000ULL

enum { PASS, FAIL, SKIP };

static int fd = -1;
static char vm[V3_NAME_MAX];		/* the VM most tests use */
static char vm2[V3_NAME_MAX];		/* 31-character name */
static char missing[V3_NAME_MAX];	/* never created */
static bool vm_created, vm_launched, vm_stopped;
static char diag[256];

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

/* PASS if @got is one of the errnos in the 0-terminated list (0: success) */
static int expect_list(int got, const int *ok)
{
	size_t n = 0;
	int i;

	for (i = 0; ok[i] >= 0; i++)
		if (got == ok[i])
			return PASS;
	n += snprintf(diag, sizeof(diag), "got %s, expected", ename(got));
	for (i = 0; ok[i] >= 0 && n < sizeof(diag); i++)
		n += snprintf(diag + n, sizeof(diag) - n, "%s %s",
			      i ? " or" : "", ename(ok[i]));
	return FAIL;
}

#define EXPECT(got, ...)	expect_list((got), (const int[]){ __VA_ARGS__, -1 })

/* Copy a name of at most V3_NAME_MAX - 1 bytes, zero-padded. */
static void set_name(char *dst, const char *name)
{
	memset(dst, 0, V3_NAME_MAX);
	memcpy(dst, name, strnlen(name, V3_NAME_MAX - 1));
}

static int need_vm(void)
{
	if (!vm_created) {
		snprintf(diag, sizeof(diag), "test VM not created");
		return SKIP;
	}
	return PASS;
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
		      void *buf, uint64_t len)
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

/* Create with one field changed: must fail, and never leave a VM behind. */
static int create_expect(struct v3_create *c, const int *ok)
{
	int got = xioctl(V3_IOC_CREATE, c);
	struct v3_vm_ref r;

	if (!got) {
		memcpy(r.name, c->name, V3_NAME_MAX);
		memset(r.reserved, 0, sizeof(r.reserved));
		r.name[V3_NAME_MAX - 1] = '\0';
		xioctl(V3_IOC_DESTROY, &r);
	}
	return expect_list(got, ok);
}

#define CREATE_EXPECT(c, ...) create_expect((c), (const int[]){ __VA_ARGS__, -1 })

/* --------------------------------------------------------------- tests */

static int t_version(void)
{
	struct v3_version v;
	int r;

	memset(&v, 0xff, sizeof(v));
	r = EXPECT(xioctl(V3_IOC_VERSION, &v), 0);
	if (r == PASS && v.abi_major != V3_ABI_MAJOR) {
		snprintf(diag, sizeof(diag), "ABI %u.%u", v.abi_major,
			 v.abi_minor);
		return FAIL;
	}
	return r;
}

static int t_version_badptr(void)
{
	return EXPECT(xioctl(V3_IOC_VERSION, BAD_PTR), EFAULT);
}

static int t_unknown_nr(void)
{
	int r = EXPECT(xioctl(_IO(V3_IOC_MAGIC, 0x7f), NULL), ENOTTY);

	return r ?: EXPECT(xioctl(_IOWR(V3_IOC_MAGIC, 0x40, struct v3_info),
				  NULL), ENOTTY);
}

static int t_wrong_magic(void)
{
	struct v3_create c;

	init_create(&c, vm);
	return EXPECT(xioctl(_IOC(_IOC_WRITE, 'X', _IOC_NR(V3_IOC_CREATE),
				  sizeof(c)), &c), ENOTTY);
}

static int t_wrong_size(void)
{
	uint64_t v = 0;

	return EXPECT(xioctl(_IOW(V3_IOC_MAGIC, _IOC_NR(V3_IOC_CREATE),
				  uint64_t), &v), ENOTTY);
}

static int t_create_empty_name(void)
{
	struct v3_create c;

	init_create(&c, "");
	return CREATE_EXPECT(&c, EINVAL);
}

static int t_create_unterminated(void)
{
	struct v3_create c;

	init_create(&c, "");
	memset(c.name, 'a', V3_NAME_MAX);
	return CREATE_EXPECT(&c, EINVAL);
}

static int t_create_bad_chars(void)
{
	static const char *const bad[] = {
		"a b", "a/b", "../x", "x\n", "tab\t", "caf\xc3\xa9", "a:b",
		"*", "\x7f",
	};
	struct v3_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		init_create(&c, bad[i]);
		if (CREATE_EXPECT(&c, EINVAL) != PASS) {
			size_t n = strlen(diag);

			snprintf(diag + n, sizeof(diag) - n, " (name #%u)", i);
			return FAIL;
		}
	}
	return PASS;
}

static int t_create_mem(uint64_t mem, const int *ok)
{
	struct v3_create c;

	init_create(&c, vm);
	c.mem_bytes = mem;
	return create_expect(&c, ok);
}

static int t_create_mem_zero(void)
{
	return t_create_mem(0, (const int[]){ EINVAL, -1 });
}

static int t_create_mem_unaligned(void)
{
	return t_create_mem((1ULL << 20) + 1024, (const int[]){ EINVAL, -1 });
}

static int t_create_mem_small(void)
{
	return t_create_mem(64 << 10, (const int[]){ EINVAL, -1 });
}

static int t_create_mem_huge(void)
{
	return t_create_mem(1ULL << 62, (const int[]){ EINVAL, ENOMEM, -1 });
}

static int t_create_mem_max_plus(void)
{
	return t_create_mem((64ULL << 30) + 4096,
			    (const int[]){ EINVAL, ENOMEM, -1 });
}

static int t_create_vcpus(void)
{
	static const uint32_t bad[] = { 0, V3_MAX_VCPUS + 1, 0xffffffff };
	struct v3_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		init_create(&c, vm);
		c.vcpus = bad[i];
		if (CREATE_EXPECT(&c, EINVAL) != PASS) {
			size_t n = strlen(diag);

			snprintf(diag + n, sizeof(diag) - n, " (vcpus %u)",
				 bad[i]);
			return FAIL;
		}
	}
	return PASS;
}

static int t_create_bad_flags(void)
{
	struct v3_create c;

	init_create(&c, vm);
	c.flags = 1U << 31;
	return CREATE_EXPECT(&c, EINVAL);
}

static int t_create_pin_bad_cpu(void)
{
	struct v3_create c;

	init_create(&c, vm);
	c.flags = V3_CREATE_PIN_VCPUS;
	c.first_cpu = 0xfffffff0;
	return CREATE_EXPECT(&c, EINVAL);
}

static int t_create_reserved(void)
{
	struct v3_create c;
	int r;

	init_create(&c, vm);
	c.reserved[0] = 1;
	r = CREATE_EXPECT(&c, EINVAL);
	if (r)
		return r;
	init_create(&c, vm);
	c.reserved[5] = 1ULL << 63;
	r = CREATE_EXPECT(&c, EINVAL);
	if (r)
		return r;
	init_create(&c, vm);
	c.pad = 1;
	return CREATE_EXPECT(&c, EINVAL);
}

static int t_create_badptr(void)
{
	int r = EXPECT(xioctl(V3_IOC_CREATE, BAD_PTR), EFAULT);

	return r ?: EXPECT(xioctl(V3_IOC_CREATE, NULL), EFAULT);
}

static int t_create(void)
{
	struct v3_create c;
	int r;

	init_create(&c, vm);
	r = EXPECT(xioctl(V3_IOC_CREATE, &c), 0);
	vm_created = r == PASS;
	return r;
}

static int t_create_31_chars(void)
{
	struct v3_create c;
	struct v3_vm_ref ref;
	int r;

	init_create(&c, vm2);
	r = EXPECT(xioctl(V3_IOC_CREATE, &c), 0);
	if (r)
		return r;
	init_ref(&ref, vm2);
	return EXPECT(xioctl(V3_IOC_DESTROY, &ref), 0);
}

static int t_create_duplicate(void)
{
	struct v3_create c;

	if (need_vm())
		return SKIP;
	init_create(&c, vm);
	return CREATE_EXPECT(&c, EEXIST);
}

/* Operations on a VM that does not exist: ENOENT. */
static int t_missing(unsigned long req)
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
	return EXPECT(xioctl(req, &u), ENOENT);
}

static int t_missing_destroy(void) { return t_missing(V3_IOC_DESTROY); }
static int t_missing_launch(void) { return t_missing(V3_IOC_LAUNCH); }
static int t_missing_stop(void) { return t_missing(V3_IOC_STOP); }
static int t_missing_pause(void) { return t_missing(V3_IOC_PAUSE); }
static int t_missing_resume(void) { return t_missing(V3_IOC_RESUME); }
static int t_missing_info(void) { return t_missing(V3_IOC_INFO); }
static int t_missing_mem_write(void) { return t_missing(V3_IOC_MEM_WRITE); }
static int t_missing_mem_read(void) { return t_missing(V3_IOC_MEM_READ); }
static int t_missing_set_boot(void) { return t_missing(V3_IOC_SET_BOOT); }
static int t_missing_con_read(void) { return t_missing(V3_IOC_CONSOLE_READ); }
static int t_missing_con_write(void) { return t_missing(V3_IOC_CONSOLE_WRITE); }

static int t_ref_bad_names(void)
{
	struct v3_vm_ref ref;
	int r;

	init_ref(&ref, "");
	r = EXPECT(xioctl(V3_IOC_LAUNCH, &ref), EINVAL);
	if (r)
		return r;
	memset(ref.name, 'a', V3_NAME_MAX);
	r = EXPECT(xioctl(V3_IOC_STOP, &ref), EINVAL);
	if (r)
		return r;
	init_ref(&ref, "no/such");
	return EXPECT(xioctl(V3_IOC_DESTROY, &ref), EINVAL);
}

static int t_ref_reserved(void)
{
	struct v3_vm_ref ref;

	if (need_vm())
		return SKIP;
	init_ref(&ref, vm);
	ref.reserved[1] = 1;
	return EXPECT(xioctl(V3_IOC_DESTROY, &ref), EINVAL);
}

static int t_ref_badptr(void)
{
	int r = EXPECT(xioctl(V3_IOC_LAUNCH, BAD_PTR), EFAULT);

	return r ?: EXPECT(xioctl(V3_IOC_DESTROY, (void *)KERNEL_PTR), EFAULT);
}

static int t_mem(uint64_t gpa, void *buf, uint64_t len, bool write,
		 const int *ok)
{
	struct v3_mem_xfer x;

	if (need_vm())
		return SKIP;
	init_xfer(&x, vm, gpa, buf, len);
	return expect_list(xioctl(write ? V3_IOC_MEM_WRITE : V3_IOC_MEM_READ,
				  &x), ok);
}

static char page[8192];

static int t_mem_past_end(void)
{
	return t_mem(VM_MEM, page, 1, true, (const int[]){ EINVAL, EFAULT, -1 });
}

static int t_mem_straddle_end(void)
{
	return t_mem(VM_MEM - 1, page, 2, true,
		     (const int[]){ EINVAL, EFAULT, -1 });
}

static int t_mem_overflow(void)
{
	return t_mem(~0ULL - 7, page, 16, true,
		     (const int[]){ EINVAL, EFAULT, -1 });
}

static int t_mem_hole(void)
{
	return t_mem(3ULL << 30, page, 16, false,
		     (const int[]){ EINVAL, EFAULT, -1 });
}

static int t_mem_too_long(void)
{
	return t_mem(0, page, V3_MEM_XFER_MAX + 1, true,
		     (const int[]){ EINVAL, -1 });
}

static int t_mem_write_badptr(void)
{
	int r = t_mem(0x2000, BAD_PTR, 16, true, (const int[]){ EFAULT, -1 });

	return r ?: t_mem(0x2000, (void *)KERNEL_PTR, 16, true,
			  (const int[]){ EFAULT, -1 });
}

static int t_mem_read_badptr(void)
{
	int r = t_mem(0x2000, BAD_PTR, 16, false, (const int[]){ EFAULT, -1 });

	return r ?: t_mem(0x2000, (void *)KERNEL_PTR, 4096, false,
			  (const int[]){ EFAULT, -1 });
}

static int t_mem_reserved(void)
{
	struct v3_mem_xfer x;

	if (need_vm())
		return SKIP;
	init_xfer(&x, vm, 0x2000, page, 16);
	x.reserved[0] = 1;
	return EXPECT(xioctl(V3_IOC_MEM_WRITE, &x), EINVAL);
}

static int t_mem_arg_badptr(void)
{
	int r = EXPECT(xioctl(V3_IOC_MEM_WRITE, BAD_PTR), EFAULT);

	return r ?: EXPECT(xioctl(V3_IOC_MEM_READ, NULL), EFAULT);
}

static int t_mem_roundtrip(void)
{
	static char back[64];
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(back); i++)
		page[i] = (char)(i * 7 + 1);
	r = t_mem(0x2fe0, page, sizeof(back), true, (const int[]){ 0, -1 });
	if (r)
		return r;
	r = t_mem(0x2fe0, back, sizeof(back), false, (const int[]){ 0, -1 });
	if (r)
		return r;
	if (memcmp(page, back, sizeof(back))) {
		snprintf(diag, sizeof(diag), "read back differs");
		return FAIL;
	}
	return PASS;
}

static int t_list_count(void)
{
	struct v3_list l;
	int r;

	memset(&l, 0, sizeof(l));
	r = EXPECT(xioctl(V3_IOC_LIST, &l), 0);
	if (r)
		return r;
	if (vm_created && l.count < 1) {
		snprintf(diag, sizeof(diag), "count %u with a VM created",
			 l.count);
		return FAIL;
	}
	return PASS;
}

static int t_list_badptr(void)
{
	struct v3_list l;
	int r;

	if (need_vm())
		return SKIP;
	memset(&l, 0, sizeof(l));
	l.max = 4;
	l.names = 1;
	r = EXPECT(xioctl(V3_IOC_LIST, &l), EFAULT);
	return r ?: EXPECT(xioctl(V3_IOC_LIST, BAD_PTR), EFAULT);
}

static int t_list_reserved(void)
{
	struct v3_list l;

	memset(&l, 0, sizeof(l));
	l.reserved[1] = 1;
	return EXPECT(xioctl(V3_IOC_LIST, &l), EINVAL);
}

static int t_list_huge_max(void)
{
	static char names[V3_MAX_VMS * V3_NAME_MAX];
	struct v3_list l;

	memset(&l, 0, sizeof(l));
	l.max = 0xffffffff;	/* buffer smaller: kernel must clamp or fault */
	l.names = (uintptr_t)names;
	return EXPECT(xioctl(V3_IOC_LIST, &l), 0, EINVAL, EFAULT);
}

static int t_info(void)
{
	struct v3_info info;
	int r;

	if (need_vm())
		return SKIP;
	memset(&info, 0, sizeof(info));
	strcpy(info.name, vm);
	r = EXPECT(xioctl(V3_IOC_INFO, &info), 0);
	if (r)
		return r;
	if (info.state != V3_STATE_CREATED || info.vcpus != 1 ||
	    info.mem_bytes != VM_MEM) {
		snprintf(diag, sizeof(diag), "state %u vcpus %u mem %llu",
			 info.state, info.vcpus,
			 (unsigned long long)info.mem_bytes);
		return FAIL;
	}
	return PASS;
}

static int t_info_badptr(void)
{
	return EXPECT(xioctl(V3_IOC_INFO, BAD_PTR), EFAULT);
}

/* V3_IOC_MSR_STATS (ABI 1.2): name and reserved checked, table bounded */
static int t_msr_stats(void)
{
	static struct v3_msr_stats st;
	int r;

	if (need_vm())
		return SKIP;
	memset(&st, 0, sizeof(st));
	set_name(st.name, missing);
	r = EXPECT(xioctl(V3_IOC_MSR_STATS, &st), ENOENT);
	if (r)
		return r;
	set_name(st.name, "bad name");
	r = EXPECT(xioctl(V3_IOC_MSR_STATS, &st), EINVAL);
	if (r)
		return r;
	set_name(st.name, vm);
	st.reserved[3] = 1;
	r = EXPECT(xioctl(V3_IOC_MSR_STATS, &st), EINVAL);
	if (r)
		return r;
	st.reserved[3] = 0;
	st.count = 0xffffffff;	/* output only: ignored on input */
	r = EXPECT(xioctl(V3_IOC_MSR_STATS, &st), 0);
	if (r)
		return r;
	if (st.count > V3_MSR_STATS_MAX) {
		snprintf(diag, sizeof(diag), "count %u", st.count);
		return FAIL;
	}
	return PASS;
}

static int t_msr_stats_badptr(void)
{
	return EXPECT(xioctl(V3_IOC_MSR_STATS, BAD_PTR), EFAULT);
}

static int t_console_bad_args(void)
{
	struct v3_console_io io;
	char buf[16];
	int r;

	if (need_vm())
		return SKIP;
	init_con(&io, vm, buf, sizeof(buf));
	io.flags = 1U << 7;
	r = EXPECT(xioctl(V3_IOC_CONSOLE_READ, &io), EINVAL);
	if (r)
		return r;
	init_con(&io, vm, buf, sizeof(buf));
	io.flags = V3_CONSOLE_WAIT;
	io.timeout_ms = 10001;
	r = EXPECT(xioctl(V3_IOC_CONSOLE_READ, &io), EINVAL);
	if (r)
		return r;
	init_con(&io, vm, buf, sizeof(buf));
	io.reserved[1] = 1;
	r = EXPECT(xioctl(V3_IOC_CONSOLE_READ, &io), EINVAL);
	if (r)
		return r;
	init_con(&io, vm, buf, sizeof(buf));
	io.flags = V3_CONSOLE_WAIT;
	return EXPECT(xioctl(V3_IOC_CONSOLE_WRITE, &io), EINVAL);
}

static int t_console_arg_badptr(void)
{
	int r = EXPECT(xioctl(V3_IOC_CONSOLE_READ, BAD_PTR), EFAULT);

	return r ?: EXPECT(xioctl(V3_IOC_CONSOLE_WRITE, NULL), EFAULT);
}

static int t_pause_not_running(void)
{
	struct v3_vm_ref ref;

	if (need_vm())
		return SKIP;
	init_ref(&ref, vm);
	return EXPECT(xioctl(V3_IOC_PAUSE, &ref), EINVAL);
}

static int t_launch_without_boot(void)
{
	struct v3_vm_ref ref;

	if (need_vm())
		return SKIP;
	init_ref(&ref, vm);
	return EXPECT(xioctl(V3_IOC_LAUNCH, &ref), EINVAL);
}

static int t_boot_bad_mode(void)
{
	static const uint32_t modes[] = { 0, 4, 99, 0xffffffff };
	struct v3_boot b;
	unsigned int i;

	if (need_vm())
		return SKIP;
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		init_boot(&b, vm);
		b.mode = modes[i];
		if (EXPECT(xioctl(V3_IOC_SET_BOOT, &b), EINVAL)) {
			size_t n = strlen(diag);

			snprintf(diag + n, sizeof(diag) - n, " (mode %u)",
				 modes[i]);
			return FAIL;
		}
	}
	return PASS;
}

static int t_boot_bad_state(void)
{
	struct v3_boot b;
	int r;

	if (need_vm())
		return SKIP;
	init_boot(&b, vm);
	b.reserved[3] = 1;
	r = EXPECT(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
	if (r)
		return r;
	init_boot(&b, vm);
	b.pad = 1;
	r = EXPECT(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
	if (r)
		return r;
	init_boot(&b, vm);
	b.entry = 1ULL << 33;		/* beyond 32 bits in PROT32 */
	r = EXPECT(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
	if (r)
		return r;
	init_boot(&b, vm);
	b.mode = V3_BOOT_LONG64;
	b.cr3 = 0x1234;			/* not page-aligned */
	r = EXPECT(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
	if (r)
		return r;
	b.cr3 = VM_MEM;			/* not RAM */
	return EXPECT(xioctl(V3_IOC_SET_BOOT, &b), EINVAL);
}

static int t_boot_badptr(void)
{
	return EXPECT(xioctl(V3_IOC_SET_BOOT, BAD_PTR), EFAULT);
}

/*
 * 32-bit guest at 0x1000:
 *	mov dx, 0x3f8; mov al, 'A'; out dx, al; mov al, 'K'; out dx, al
 *	mov al, 0; out 0xf4, al; hlt; jmp $-1
 */
static const uint8_t guest[] = {
	0x66, 0xba, 0xf8, 0x03, 0xb0, 'A', 0xee, 0xb0, 'K', 0xee,
	0xb0, 0x00, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd,
};

static int t_boot_and_launch(void)
{
	struct v3_mem_xfer x;
	struct v3_vm_ref ref;
	struct v3_boot b;
	int r;

	if (need_vm())
		return SKIP;
	init_xfer(&x, vm, 0x1000, (void *)guest, sizeof(guest));
	r = EXPECT(xioctl(V3_IOC_MEM_WRITE, &x), 0);
	if (r)
		return r;
	init_boot(&b, vm);
	r = EXPECT(xioctl(V3_IOC_SET_BOOT, &b), 0);
	if (r)
		return r;
	init_ref(&ref, vm);
	r = EXPECT(xioctl(V3_IOC_LAUNCH, &ref), 0);
	vm_launched = r == PASS;
	return r;
}

static int need_launched(void)
{
	if (!vm_launched) {
		snprintf(diag, sizeof(diag), "test VM not launched");
		return SKIP;
	}
	return PASS;
}

static int t_launch_twice(void)
{
	struct v3_vm_ref ref;

	if (need_launched())
		return SKIP;
	init_ref(&ref, vm);
	return EXPECT(xioctl(V3_IOC_LAUNCH, &ref), EBUSY);
}

static int t_set_boot_after_launch(void)
{
	struct v3_boot b;

	if (need_launched())
		return SKIP;
	init_boot(&b, vm);
	return EXPECT(xioctl(V3_IOC_SET_BOOT, &b), EBUSY);
}

static int t_guest_exits(void)
{
	struct v3_console_io io;
	struct v3_info info;
	char buf[64];
	int i, r;

	if (need_launched())
		return SKIP;
	for (i = 0; i < 10; i++) {
		init_con(&io, vm, buf, sizeof(buf));
		io.pos = 2;	/* wait for more than "AK": until the stop */
		io.flags = V3_CONSOLE_WAIT;
		io.timeout_ms = 1000;
		r = EXPECT(xioctl(V3_IOC_CONSOLE_READ, &io), 0);
		if (r)
			return r;
		if (io.state == V3_STATE_STOPPED)
			break;
	}
	memset(&info, 0, sizeof(info));
	strcpy(info.name, vm);
	r = EXPECT(xioctl(V3_IOC_INFO, &info), 0);
	if (r)
		return r;
	if (info.state != V3_STATE_STOPPED ||
	    info.stop_reason != V3_STOP_EXIT_PORT || info.exit_code != 1) {
		snprintf(diag, sizeof(diag), "state %u stop %u exit %d: %.100s",
			 info.state, info.stop_reason, info.exit_code,
			 info.reason);
		return FAIL;
	}
	vm_stopped = true;
	return PASS;
}

static int t_console_read(void)
{
	struct v3_console_io io;
	char buf[64] = { 0 };
	int r;

	if (need_launched())
		return SKIP;
	init_con(&io, vm, buf, sizeof(buf));
	r = EXPECT(xioctl(V3_IOC_CONSOLE_READ, &io), 0);
	if (r)
		return r;
	if (io.len != 2 || memcmp(buf, "AK", 2) || io.pos != 2) {
		snprintf(diag, sizeof(diag), "len %u pos %llu \"%.16s\"",
			 io.len, (unsigned long long)io.pos, buf);
		return FAIL;
	}
	return PASS;
}

static int t_console_read_badptr(void)
{
	struct v3_console_io io;

	if (need_launched())
		return SKIP;
	init_con(&io, vm, BAD_PTR, 16);
	return EXPECT(xioctl(V3_IOC_CONSOLE_READ, &io), EFAULT);
}

static int t_console_write_badptr(void)
{
	struct v3_console_io io;

	if (need_vm())
		return SKIP;
	init_con(&io, vm, BAD_PTR, 16);
	return EXPECT(xioctl(V3_IOC_CONSOLE_WRITE, &io), EFAULT);
}

static int t_stop_stopped(void)
{
	struct v3_vm_ref ref;

	if (!vm_stopped) {
		snprintf(diag, sizeof(diag), "test VM did not stop");
		return SKIP;
	}
	init_ref(&ref, vm);
	return EXPECT(xioctl(V3_IOC_STOP, &ref), EINVAL, 0);
}

static int t_destroy(void)
{
	struct v3_vm_ref ref;
	int r;

	if (need_vm())
		return SKIP;
	init_ref(&ref, vm);
	r = EXPECT(xioctl(V3_IOC_DESTROY, &ref), 0);
	if (r)
		return r;
	vm_created = false;
	r = EXPECT(xioctl(V3_IOC_DESTROY, &ref), ENOENT);
	return r ?: EXPECT(xioctl(V3_IOC_LAUNCH, &ref), ENOENT);
}

static int t_still_alive(void)
{
	struct v3_version v;

	return EXPECT(xioctl(V3_IOC_VERSION, &v), 0);
}

#define T(fn)	{ #fn + 2, fn }

static const struct test {
	const char *name;
	int (*fn)(void);
} tests[] = {
	T(t_version),
	T(t_version_badptr),
	T(t_unknown_nr),
	T(t_wrong_magic),
	T(t_wrong_size),
	T(t_create_empty_name),
	T(t_create_unterminated),
	T(t_create_bad_chars),
	T(t_create_mem_zero),
	T(t_create_mem_unaligned),
	T(t_create_mem_small),
	T(t_create_mem_huge),
	T(t_create_mem_max_plus),
	T(t_create_vcpus),
	T(t_create_bad_flags),
	T(t_create_pin_bad_cpu),
	T(t_create_reserved),
	T(t_create_badptr),
	T(t_create),
	T(t_create_31_chars),
	T(t_create_duplicate),
	T(t_missing_destroy),
	T(t_missing_launch),
	T(t_missing_stop),
	T(t_missing_pause),
	T(t_missing_resume),
	T(t_missing_info),
	T(t_missing_mem_write),
	T(t_missing_mem_read),
	T(t_missing_set_boot),
	T(t_missing_con_read),
	T(t_missing_con_write),
	T(t_ref_bad_names),
	T(t_ref_reserved),
	T(t_ref_badptr),
	T(t_mem_past_end),
	T(t_mem_straddle_end),
	T(t_mem_overflow),
	T(t_mem_hole),
	T(t_mem_too_long),
	T(t_mem_write_badptr),
	T(t_mem_read_badptr),
	T(t_mem_reserved),
	T(t_mem_arg_badptr),
	T(t_mem_roundtrip),
	T(t_list_count),
	T(t_list_badptr),
	T(t_list_reserved),
	T(t_list_huge_max),
	T(t_info),
	T(t_info_badptr),
	T(t_msr_stats),
	T(t_msr_stats_badptr),
	T(t_console_bad_args),
	T(t_console_arg_badptr),
	T(t_pause_not_running),
	T(t_launch_without_boot),
	T(t_boot_bad_mode),
	T(t_boot_bad_state),
	T(t_boot_badptr),
	T(t_boot_and_launch),
	T(t_launch_twice),
	T(t_set_boot_after_launch),
	T(t_guest_exits),
	T(t_console_read),
	T(t_console_read_badptr),
	T(t_console_write_badptr),
	T(t_stop_stopped),
	T(t_destroy),
	T(t_still_alive),
};

static void cleanup(void)
{
	struct v3_vm_ref ref;

	if (fd < 0)
		return;
	init_ref(&ref, vm);
	ioctl(fd, V3_IOC_DESTROY, &ref);
	init_ref(&ref, vm2);
	ioctl(fd, V3_IOC_DESTROY, &ref);
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/v3vmm";
	unsigned int i, failed = 0;
	int pid = getpid();

	printf("TAP version 13\n");
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("1..0 # SKIP %s: %s\n", dev, strerror(errno));
		return KSFT_SKIP;
	}
	snprintf(vm, sizeof(vm), "abineg-%d", pid);
	snprintf(missing, sizeof(missing), "abineg-%d-missing", pid);
	/* the longest valid name: 31 characters */
	snprintf(vm2, sizeof(vm2), "abineg-%d-", pid);
	memset(vm2 + strlen(vm2), 'y', V3_NAME_MAX - 1 - strlen(vm2));
	vm2[V3_NAME_MAX - 1] = '\0';
	cleanup();		/* leftovers of an earlier run with our pid */
	atexit(cleanup);

	printf("1..%zu\n", ARRAY_SIZE(tests));
	fflush(stdout);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		int r;

		diag[0] = '\0';
		r = tests[i].fn();
		if (r == SKIP) {
			printf("ok %u - %s # SKIP %s\n", i + 1, tests[i].name,
			       diag);
		} else if (r == PASS) {
			printf("ok %u - %s\n", i + 1, tests[i].name);
		} else {
			printf("not ok %u - %s\n# %s\n", i + 1, tests[i].name,
			       diag);
			failed++;
		}
		fflush(stdout);
	}
	printf("# %u of %zu tests failed\n", failed, ARRAY_SIZE(tests));
	return failed ? KSFT_FAIL : KSFT_PASS;
}
