// SPDX-License-Identifier: GPL-2.0
/*
 * Where GEARS hooks system calls (module/gears/gears_site.c), on the
 * Debian kernels' own images (shim/fakeguest.c) at a KASLR slide: every
 * __x64_sys_* handler starts with the call to __fentry__ that ftrace
 * turns into a 5-byte NOP at boot, after an ENDBR64 on an IBT kernel
 * (6.12).  The test does what ftrace_init does to those calls, then each
 * handler must have its site where the call was; before that (ftrace
 * using the site) and with a kprobe's INT3 on it, none.  Also: the
 * current task's per-cpu offset is found in each layout (current_task,
 * pcpu_hot).
 */
#include "gears/ksyms.h"
#include "gears/gears_site.h"
#include "gears/gears_retstub.h"
#include "fakeguest.h"
#include "unit.h"

#define PREFIX "__x64_sys_"

/* the offset of a call to fentry in code (0 or 4 after ENDBR64), or -1 */
static int fentry_call(const u8 *code, u64 va, u64 fentry)
{
	static const u8 endbr[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	int off = memcmp(code, endbr, 4) ? 0 : 4;
	s32 rel;

	if (code[off] != 0xe8)
		return -1;
	memcpy(&rel, code + off + 1, 4);
	return va + off + 5 + rel == fentry ? off : -1;
}

static void check_kernel(const char *prefix, int want_off)
{
	static const char *const need[] = {
		"getpid", "getppid", "write", "openat", "mmap", "munmap",
		"init_module", "exit_group", "nanosleep",
	};
	struct gears_kernel kern;
	struct fakeguest g;
	struct gears_vread r;
	struct gears_ksyms *k = NULL;
	u32 i, n, handlers = 0, calls = 0, sites = 0, wrong = 0, owned = 0;
	u64 fentry, cur;
	char name[128], type;
	int ret;

	if (gears_kernel_find(prefix, &kern)) {
		CHECK(1, "# SKIP no %s* kernel image (tests/harness/fetch-kernels.sh)", prefix);
		return;
	}
	if (fakeguest_load(&g, kern.vmlinux, 0x1e600000)) {
		CHECK(0, "%s: image loads", kern.kver);
		return;
	}
	r = fakeguest_vread(&g);
	ret = gears_ksyms_find(&r, fakeguest_lstar(&g), &k);
	CHECK_EQ(ret, 0, "%s: kernel symbols", kern.kver);
	if (ret) {
		fakeguest_unload(&g);
		return;
	}
	fentry = gears_ksyms_lookup(k, "__fentry__");
	CHECK(fentry, "%s: __fentry__ at %#llx", kern.kver, fentry);
	n = gears_ksyms_count(k);
	for (i = 0; i < n; i++) {
		u64 va;
		u8 *code;
		int off;

		if (gears_ksyms_get(k, i, name, sizeof(name), &type, &va) ||
		    strncmp(name, PREFIX, strlen(PREFIX)))
			continue;
		code = fakeguest_ptr(&g, va, GEARS_SITE_PEEK);
		if (!code)
			continue;
		handlers++;
		off = fentry_call(code, va, fentry);
		if (off < 0) {
			/* notrace handlers: not hookable, and not a site */
			printf("# %s: %s has no ftrace call site\n", kern.kver, name);
			if (gears_site_offset(code) != -ENOENT)
				wrong++;
			continue;
		}
		calls++;
		/* ftrace using the site: not GEARS' to write, but ftrace's call */
		if (gears_site_offset(code) != -ENOENT)
			wrong++;
		if (gears_site_ftrace_offset(code) == off && off == want_off)
			owned++;
		/* ftrace_init: the call becomes the NOP */
		memcpy(code + off, gears_nop5, sizeof(gears_nop5));
		if (gears_site_offset(code) == off && off == want_off)
			sites++;
		if (gears_site_ftrace_offset(code) != -ENOENT)
			wrong++;
		/* a kprobe's INT3 on it: not GEARS' either */
		code[off] = 0xcc;
		if (gears_site_offset(code) != -ENOENT ||
		    gears_site_ftrace_offset(code) != -ENOENT)
			wrong++;
		code[off] = gears_nop5[0];
	}
	printf("# %s: %u handlers, %u with ftrace's call, %u sites at +%d\n",
	       kern.kver, handlers, calls, sites, want_off);
	CHECK(handlers > 400 && calls + 8 >= handlers,
	      "%s: the __x64_sys_* handlers start with ftrace's call (%u of %u)",
	      kern.kver, calls, handlers);
	CHECK_EQ(sites, calls, "%s: each one's site found at +%d once it is a NOP",
		 kern.kver, want_off);
	CHECK_EQ(owned, calls, "%s: each one's call found at +%d while ftrace owns it",
		 kern.kver, want_off);
	CHECK_EQ(wrong, 0, "%s: no site while ftrace or a kprobe uses it, no call where the NOP or an INT3 is",
		 kern.kver);
	for (i = 0; i < ARRAY_SIZE(need); i++) {
		u64 va;
		u8 code[GEARS_SITE_PEEK];

		snprintf(name, sizeof(name), PREFIX "%s", need[i]);
		va = gears_ksyms_lookup(k, name);
		CHECK(va && !gears_vread(&r, va, code, sizeof(code)) &&
		      gears_site_offset(code) == want_off,
		      "%s: %s can be hooked (what trace and injection use)",
		      kern.kver, name);
	}
	{
		struct gears_ret_syms rs;
		int rr = gears_ret_syms(k, &rs);
		unsigned int maj = 0, min = 0;

		/* module_alloc() became execmem_alloc() in 6.10 */
		sscanf(kern.kver, "%u.%u", &maj, &min);
		CHECK(!rr && rs.execmem == (maj * 100 + min >= 610),
		      "%s: the return stub's functions: %s %#llx, set_memory_ro %#llx, set_memory_x %#llx",
		      kern.kver, rs.execmem ? "execmem_alloc" : "module_alloc",
		      rs.alloc, rs.ro, rs.x);
	}
	cur = gears_current_task_offset(k);
	/* a per-cpu offset: small, inside the per-cpu segment */
	CHECK(cur && cur < 0x100000, "%s: the current task at per-cpu offset %#llx",
	      kern.kver, cur);
	gears_ksyms_free(k);
	fakeguest_unload(&g);
}

static void check_bytes(void)
{
	u8 a[GEARS_SITE_PEEK] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55 };
	u8 b[GEARS_SITE_PEEK] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	u8 c[GEARS_SITE_PEEK] = { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 };	/* a 6-byte NOP */
	u8 d[GEARS_SITE_PEEK] = { 0xf3, 0x0f, 0x1e, 0xfa, 0xe8, 1, 2, 3, 4 };

	CHECK_EQ(gears_site_offset(a), 0, "NOP5 first: site +0");
	CHECK_EQ(gears_site_offset(b), 4, "ENDBR64 then NOP5: site +4");
	CHECK_EQ(gears_site_offset(c), -ENOENT, "another NOP: no site");
	CHECK_EQ(gears_site_offset(d), -ENOENT, "ENDBR64 then a call (ftrace on): no site");
	CHECK_EQ(gears_site_ftrace_offset(d), 4, "ENDBR64 then a call: ftrace's call at +4");
	CHECK_EQ(gears_site_ftrace_offset(d + 4), 0, "a call first: ftrace's call at +0");
	CHECK_EQ(gears_site_ftrace_offset(a), -ENOENT, "NOP5: no call");
	CHECK_EQ(gears_site_ftrace_offset(c), -ENOENT, "another instruction: no call");
}

int main(void)
{
	check_bytes();
	check_kernel("6.1.", 0);
	check_kernel("6.12.", 4);
	check_kernel("5.10.", 0);
	return unit_done();
}
