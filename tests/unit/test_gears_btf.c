// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' structure layouts (module/gears/btf.c) from Debian kernels' own
 * BTF: the blob between __start_BTF and __stop_BTF (found by
 * module/gears/ksyms.c) read through gears_vread from the image loaded at
 * two slides (shim/fakeguest.c), then the layouts checked against the
 * image's own data: init_task.  And malformed blobs, refused.
 */
#include <time.h>
#include "gears/ksyms.h"
#include "gears/btf.h"
#include "fakeguest.h"
#include "gears/gears_fops.h"
#include "unit.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct mem { const char *s, *m; u32 size; u32 off; };

static void check_layouts(const char *kv, struct gears_btf *b,
			  struct fakeguest *g, struct gears_ksyms *k)
{
	static struct mem mems[] = {
		{ "task_struct", "pid", 4 }, { "task_struct", "tgid", 4 },
		{ "task_struct", "comm", 16 }, { "task_struct", "tasks", 16 },
		{ "task_struct", "real_parent", 8 }, { "task_struct", "mm", 8 },
		{ "task_struct", "thread.sp", 8 },
		{ "list_head", "next", 8 }, { "list_head", "prev", 8 },
		{ "mm_struct", "pgd", 8 },
		/* loaded modules' symbols (gears_layout.c, gears_modsym.c) */
		{ "module", "list", 16 }, { "module", "kallsyms", 8 },
		{ "mod_kallsyms", "symtab", 8 }, { "mod_kallsyms", "num_symtab", 4 },
		{ "mod_kallsyms", "strtab", 8 },
	};
	struct gears_vread r = fakeguest_vread(g);
	u32 i, size, off, sz, tsz = 0;
	u64 init, next = 0, parent = 0;
	char comm[17] = "";
	s32 pid = -1;
	double t0 = now_ms();

	CHECK(!gears_btf_struct_size(b, "task_struct", &tsz) && tsz > 1000,
	      "%s: sizeof(struct task_struct) = %u", kv, tsz);
	for (i = 0; i < ARRAY_SIZE(mems); i++) {
		int ret = gears_btf_member(b, mems[i].s, mems[i].m, &off, &sz);

		CHECK(!ret && sz == mems[i].size && off + sz <= (mems[i].s[0] == 't' ? tsz : 4096),
		      "%s: %s.%s: offset %u size %u", kv, mems[i].s, mems[i].m, off, sz);
		mems[i].off = off;
	}
	printf("# %s: %zu member lookups in %.2f ms\n", kv, ARRAY_SIZE(mems),
	       now_ms() - t0);
	CHECK(mems[7].off == 0 && mems[8].off == 8, "%s: list_head is { next, prev }", kv);
	CHECK(!gears_btf_struct_size(b, "list_head", &size) && size == 16,
	      "%s: sizeof(struct list_head) = 16", kv);
	CHECK_EQ(gears_btf_member(b, "task_struct", "no_such_member", &off, &sz), -ENOENT,
		 "%s: no such member: -ENOENT", kv);
	CHECK_EQ(gears_btf_member(b, "task_struct", "pid.x", &off, &sz), -ENOENT,
		 "%s: a path through an int: -ENOENT", kv);
	CHECK_EQ(gears_btf_struct_size(b, "no_such_struct_anywhere", &size), -ENOENT,
		 "%s: no such struct: -ENOENT", kv);
	CHECK_EQ(gears_btf_member(b, "task_struct", "sched_reset_on_fork", &off, &sz), -EINVAL,
		 "%s: a bitfield member: -EINVAL", kv);

	/* the image's own init_task, at the run-time address kallsyms gives */
	init = gears_ksyms_lookup(k, "init_task");
	CHECK(init, "%s: init_task's address", kv);
	CHECK(!gears_vread(&r, init + mems[2].off, comm, 16) &&
	      (!strcmp(comm, "swapper") || !strcmp(comm, "swapper/0")),
	      "%s: init_task.comm is \"%s\"", kv, comm);
	CHECK(!gears_vread(&r, init + mems[0].off, &pid, 4) && pid == 0,
	      "%s: init_task.pid = %d", kv, pid);
	CHECK(!gears_vread(&r, init + mems[3].off, &next, 8) &&
	      next == init + mems[3].off,
	      "%s: init_task.tasks.next = &init_task.tasks (%#llx)", kv, next);
	CHECK(!gears_vread(&r, init + mems[4].off, &parent, 8) && parent == init,
	      "%s: init_task.real_parent = &init_task (%#llx)", kv, parent);
	/* mm/init-mm.c: .pgd = swapper_pg_dir, x86-64's init_top_pgt */
	init = gears_ksyms_lookup(k, "init_mm");
	CHECK(init && !gears_vread(&r, init + mems[9].off, &next, 8) &&
	      next == gears_ksyms_lookup(k, "init_top_pgt"),
	      "%s: init_mm.pgd = init_top_pgt (%#llx)", kv, next);
}

/* malformed copies of a real blob: all refused with -EINVAL */
static void check_malformed(const char *kv, const u8 *blob, u32 len)
{
	u8 *c = malloc(len);
	struct gears_btf *b = NULL;
	u32 hdr, toff, tlen, soff, slen, *w;

	memcpy(&hdr, blob + 4, 4);
	memcpy(&toff, blob + 8, 4);
	memcpy(&tlen, blob + 12, 4);
	memcpy(&soff, blob + 16, 4);
	memcpy(&slen, blob + 20, 4);
	CHECK_EQ(gears_btf_parse(blob, len / 2, &b), -EINVAL, "%s: truncated blob: -EINVAL", kv);
	CHECK_EQ(gears_btf_parse(blob, 16, &b), -EINVAL,
		 "%s: a blob shorter than its header: -EINVAL", kv);
	memcpy(c, blob, len);
	c[0] ^= 0xff;
	CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL, "%s: bad magic: -EINVAL", kv);
	memcpy(c, blob, len);
	c[2] = 2;
	CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL, "%s: unknown version: -EINVAL", kv);
	memcpy(c, blob, len);
	w = (u32 *)(c + 20);
	*w = len;	/* str_len past the end */
	CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL,
		 "%s: string section past the end: -EINVAL", kv);
	/* the last type's vlen raised: its members run past the section */
	memcpy(c, blob, len);
	{
		u32 pos = 0, last = 0, info, vlen;

		while (pos < tlen) {
			u32 kind;

			last = pos;
			memcpy(&info, c + hdr + toff + pos + 4, 4);
			kind = (info >> 24) & 0x1f;
			vlen = info & 0xffff;
			pos += 12 + (kind == 1 || kind == 14 || kind == 17 ? 4 :
				     kind == 3 ? 12 :
				     kind == 4 || kind == 5 || kind == 15 ||
				     kind == 19 ? 12 * vlen :
				     kind == 6 || kind == 13 ? 8 * vlen : 0);
		}
		memcpy(&info, c + hdr + toff + last + 4, 4);
		/* a STRUCT of 65535 members */
		info = (info & ~0x1f00ffffu) | (4u << 24) | 0xffff;
		memcpy(c + hdr + toff + last + 4, &info, 4);
		CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL,
			 "%s: a type's members past the end of the types: -EINVAL", kv);
		memcpy(c, blob, len);
		info = 25u << 24;	/* no such kind */
		memcpy(c + hdr + toff + 4, &info, 4);
		CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL, "%s: unknown kind: -EINVAL", kv);
		memcpy(c, blob, len);
		info = 0xfffffff;	/* type 1's name past the strings */
		memcpy(c + hdr + toff, &info, 4);
		CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL,
			 "%s: a name past the strings: -EINVAL", kv);
	}
	CHECK(!b, "%s: no result from a malformed blob", kv);
	free(c);
}

/*
 * A small blob written by hand: the kinds a vmlinux BTF rarely shows in
 * a struct (kind_flag bitfields, an INT bitfield, an anonymous union,
 * typedef + const, an array, ENUM64, DECL_TAG, TYPE_TAG, FUNC_PROTO, VAR,
 * DATASEC, FLOAT).
 */
static u32 hb_w[256], hb_n;
static char hb_s[256] = "";	/* offset 0: the empty name */
static u32 hb_sn = 1;

static u32 hb_str(const char *s)
{
	u32 at = hb_sn;

	strcpy(hb_s + hb_sn, s);
	hb_sn += strlen(s) + 1;
	return at;
}

static void hb_type(const char *name, u32 kind, u32 vlen, u32 kflag, u32 st)
{
	hb_w[hb_n++] = *name ? hb_str(name) : 0;
	hb_w[hb_n++] = kind << 24 | vlen | kflag << 31;
	hb_w[hb_n++] = st;
}

static void hb_words(u32 a, u32 b, u32 c, int n)
{
	hb_w[hb_n++] = a;
	if (n > 1)
		hb_w[hb_n++] = b;
	if (n > 2)
		hb_w[hb_n++] = c;
}

static u32 hb_build(u8 *out, u32 extra_types)
{
	u32 hdr[6] = { 0x0001eB9F, 24, 0, 4 * hb_n + extra_types, 4 * hb_n + extra_types, hb_sn };

	memcpy(out, hdr, 24);
	memcpy(out + 24, hb_w, 4 * hb_n);
	memset(out + 24 + 4 * hb_n, 0, extra_types);
	memcpy(out + 24 + 4 * hb_n + extra_types, hb_s, hb_sn);
	return 24 + 4 * hb_n + extra_types + hb_sn;
}

static void check_handmade(void)
{
	struct gears_btf *b = NULL;
	u8 blob[2048];
	u32 len, off = 0, sz = 0, *member_type;

	hb_type("int", 1, 0, 0, 4); hb_words(32, 0, 0, 1);		/* 1 */
	hb_type("s", 4, 4, 1, 16);					/* 2 */
	hb_words(hb_str("a"), 1, 0, 3);
	hb_words(hb_str("b"), 1, 3u << 24 | 32, 3);			/* b:3 */
	hb_words(0, 3, 64, 3);						/* union { } */
	hb_words(hb_str("c"), 5, 96, 3);
	hb_type("", 5, 2, 0, 4);					/* 3 */
	hb_words(hb_str("u1"), 1, 0, 3);
	hb_words(hb_str("u2"), 1, 0, 3);
	hb_type("e", 19, 1, 0, 8); hb_words(hb_str("E"), 1, 2, 3);	/* 4 */
	hb_type("t", 8, 0, 0, 6);					/* 5 */
	hb_type("", 10, 0, 0, 1);					/* 6 const */
	hb_type("", 3, 0, 0, 0); hb_words(1, 1, 3, 3);			/* 7 int[3] */
	hb_type("arr", 4, 2, 0, 20);					/* 8 */
	hb_words(hb_str("x"), 7, 0, 3);
	member_type = &hb_w[hb_n + 1];
	hb_words(hb_str("p"), 13, 96, 3);
	hb_type("tag", 17, 0, 0, 2); hb_words(~0u, 0, 0, 1);		/* 9 */
	hb_type("tt", 18, 0, 0, 1);					/* 10 */
	hb_type("old", 4, 2, 0, 8);					/* 11 */
	hb_words(hb_str("f"), 12, 0, 3);
	hb_words(hb_str("g"), 1, 32, 3);
	hb_type("int3", 1, 0, 0, 4); hb_words(3, 0, 0, 1);		/* 12 */
	hb_type("", 2, 0, 0, 10);					/* 13 ptr */
	hb_type("fp", 13, 2, 0, 1);					/* 14 */
	hb_words(hb_str("x"), 1, 0, 2);
	hb_words(0, 1, 0, 2);
	hb_type("v", 14, 0, 0, 1); hb_words(1, 0, 0, 1);		/* 15 */
	hb_type(".data", 15, 1, 0, 4); hb_words(15, 0, 4, 3);		/* 16 */
	hb_type("double", 16, 0, 0, 8);					/* 17 */
	hb_type("E8", 6, 1, 0, 4); hb_words(hb_str("X"), 5, 0, 2);	/* 18 enum */
	hb_type("fw", 7, 0, 0, 0);					/* 19 fwd */
	hb_type("", 9, 0, 0, 1);					/* 20 volatile */
	hb_type("", 11, 0, 0, 13);					/* 21 restrict */
	hb_type("fn", 12, 0, 0, 14);					/* 22 func */

	len = hb_build(blob, 0);
	CHECK_EQ(gears_btf_parse(blob, len, &b), 0, "hand-made BTF of all 19 kinds parses");
	if (!b)
		return;
	CHECK(!gears_btf_struct_size(b, "s", &sz) && sz == 16, "hand-made: sizeof(struct s)");
	CHECK(!gears_btf_member(b, "s", "a", &off, &sz) && off == 0 && sz == 4, "hand-made: s.a");
	CHECK_EQ(gears_btf_member(b, "s", "b", &off, &sz), -EINVAL,
		 "hand-made: s.b, a kind_flag bitfield: -EINVAL");
	CHECK(!gears_btf_member(b, "s", "u2", &off, &sz) && off == 8 && sz == 4,
	      "hand-made: s.u2 through the anonymous union (offset %u)", off);
	CHECK(!gears_btf_member(b, "s", "c", &off, &sz) && off == 12 && sz == 4,
	      "hand-made: s.c through typedef and const");
	CHECK(!gears_btf_member(b, "arr", "x", &off, &sz) && off == 0 && sz == 12,
	      "hand-made: an int[3] member");
	CHECK(!gears_btf_member(b, "arr", "p", &off, &sz) && off == 12 && sz == 8,
	      "hand-made: a pointer member");
	CHECK_EQ(gears_btf_member(b, "old", "f", &off, &sz), -EINVAL,
		 "hand-made: an INT bitfield: -EINVAL");
	CHECK(!gears_btf_member(b, "old", "g", &off, &sz) && off == 4,
	      "hand-made: the member after it");
	CHECK_EQ(gears_btf_member(b, "s", "u2.x", &off, &sz), -ENOENT,
		 "hand-made: a path through an int: -ENOENT");
	CHECK_EQ(gears_btf_member(b, "s", "", &off, &sz), -ENOENT,
		 "hand-made: an empty member name: -ENOENT");
	CHECK_EQ(gears_btf_member(b, "s", "a.", &off, &sz), -ENOENT,
		 "hand-made: a path ending in a dot: -ENOENT");
	gears_btf_free(b);
	b = NULL;

	len = hb_build(blob, 4);
	CHECK_EQ(gears_btf_parse(blob, len, &b), -EINVAL,
		 "hand-made: 4 stray bytes after the last type: -EINVAL");
	*member_type = 99;
	len = hb_build(blob, 0);
	CHECK_EQ(gears_btf_parse(blob, len, &b), -EINVAL,
		 "hand-made: a member of type 99 of 22: -EINVAL");
	*member_type = 13;
	hb_type("", 2, 0, 0, 23);	/* a pointer to type 23 of 23 */
	len = hb_build(blob, 0);
	CHECK_EQ(gears_btf_parse(blob, len, &b), 0, "hand-made: a pointer to the last type");
	gears_btf_free(b);
	b = NULL;
	hb_w[hb_n - 1] = 24;
	len = hb_build(blob, 0);
	CHECK_EQ(gears_btf_parse(blob, len, &b), -EINVAL,
		 "hand-made: a pointer past the last type: -EINVAL");
	CHECK(!b, "hand-made: no result from a malformed blob");

	/* a struct whose two anonymous members are itself: 2^32 paths */
	hb_n = 0;
	hb_sn = 1;
	hb_type("int", 1, 0, 0, 4); hb_words(32, 0, 0, 1);		/* 1 */
	hb_type("loop", 4, 3, 0, 8);					/* 2 */
	hb_words(0, 2, 0, 3);
	hb_words(0, 2, 0, 3);
	hb_words(hb_str("i"), 1, 0, 3);
	len = hb_build(blob, 0);
	CHECK_EQ(gears_btf_parse(blob, len, &b), 0, "hand-made: a struct containing itself parses");
	if (b) {
		double t0 = now_ms();

		CHECK_EQ(gears_btf_member(b, "loop", "nothing", &off, &sz), -EINVAL,
			 "hand-made: a member search through it gives up: -EINVAL (%.0f ms)",
			 now_ms() - t0);
	}
	gears_btf_free(b);
}

/* what GEARS' hooks through the guest's ftrace need (gears_fops.h) */
static void check_fops(const char *kver, const struct gears_btf *b,
		       const struct gears_ksyms *k)
{
	struct gears_ft_syms fs;
	struct gears_fops f;
	s64 v = 0;
	int ret;

	ret = gears_fops_layout(b, &f);
	CHECK(ret == 0 && f.func == 0 && f.flags == 16 && f.save_regs == 4 &&
	      f.size > 24 && f.size <= GEARS_FOPS_MAX,
	      "%s: struct ftrace_ops (%u bytes): func at %u, flags at %u, FTRACE_OPS_FL_SAVE_REGS %#llx",
	      kver, f.size, f.func, f.flags, (unsigned long long)f.save_regs);
	CHECK(!gears_btf_enum(b, "FTRACE_OPS_FL_DYNAMIC", &v) && v == 2 &&
	      gears_btf_enum(b, "FTRACE_OPS_FL_NO_SUCH_FLAG", &v) == -ENOENT,
	      "%s: an enumerator by name (FTRACE_OPS_FL_DYNAMIC 2), a missing one ENOENT", kver);
	ret = gears_ft_syms(k, &fs);
	CHECK(ret == 0 && fs.set_filter_ip && fs.reg && fs.unreg && fs.set_filter && fs.msleep,
	      "%s: ftrace_set_filter_ip, (un)register_ftrace_function, ftrace_set_filter, msleep", kver);
}

static void check_kernel(const char *prefix)
{
	static const u64 slides[] = { 0, 0x1e600000 };
	struct gears_kernel kern;
	unsigned int si;

	if (gears_kernel_find(prefix, &kern)) {
		CHECK(1, "# SKIP no %s* kernel image (tests/harness/fetch-kernels.sh)",
		      prefix);
		return;
	}
	for (si = 0; si < ARRAY_SIZE(slides); si++) {
		u64 slide = slides[si], start, stop;
		struct fakeguest g;
		struct gears_vread r;
		struct gears_ksyms *k = NULL;
		struct gears_btf *b = NULL;
		u8 *blob;
		double t0;
		int ret;

		if (fakeguest_load(&g, kern.vmlinux, slide)) {
			CHECK(0, "%s: %s loads at slide %#llx", kern.kver, kern.vmlinux, slide);
			continue;
		}
		r = fakeguest_vread(&g);
		/* LSTAR: entry_SYSCALL_64, found by its code (shim/fakeguest.c) */
		ret = gears_ksyms_find(&r, fakeguest_lstar(&g), &k);
		CHECK_EQ(ret, 0, "%s slide %#llx: kernel symbols", kern.kver, slide);
		if (ret) {
			fakeguest_unload(&g);
			continue;
		}
		start = gears_ksyms_lookup(k, "__start_BTF");
		stop = gears_ksyms_lookup(k, "__stop_BTF");
		CHECK(start && stop > start && stop - start <= GEARS_BTF_MAX,
		      "%s slide %#llx: __start_BTF %#llx, __stop_BTF %#llx",
		      kern.kver, slide, start, stop);
		blob = malloc(stop - start);
		CHECK(!gears_vread(&r, start, blob, stop - start),
		      "%s: the BTF blob is mapped", kern.kver);
		t0 = now_ms();
		ret = gears_btf_parse(blob, stop - start, &b);
		CHECK_EQ(ret, 0, "%s slide %#llx: BTF parses", kern.kver, slide);
		if (!ret) {
			printf("# %s: %llu bytes of BTF parsed in %.1f ms\n", kern.kver,
			       stop - start, now_ms() - t0);
			check_layouts(kern.kver, b, &g, k);
			if (si == 0) {
				check_fops(kern.kver, b, k);
				check_malformed(kern.kver, blob, stop - start);
			}
		}
		gears_btf_free(b);
		free(blob);
		gears_ksyms_free(k);
		fakeguest_unload(&g);
	}
}

int main(void)
{
	check_handmade();
	check_kernel("6.1.");
	check_kernel("6.12.");
	check_kernel("5.10.");
	return unit_done();
}
