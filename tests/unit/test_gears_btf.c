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
	CHECK_EQ(gears_btf_parse(blob, 16, &b), -EINVAL, "%s: a blob shorter than its header: -EINVAL", kv);
	memcpy(c, blob, len);
	c[0] ^= 0xff;
	CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL, "%s: bad magic: -EINVAL", kv);
	memcpy(c, blob, len);
	c[2] = 2;
	CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL, "%s: unknown version: -EINVAL", kv);
	memcpy(c, blob, len);
	w = (u32 *)(c + 20);
	*w = len;	/* str_len past the end */
	CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL, "%s: string section past the end: -EINVAL", kv);
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
				     kind == 3 ? 12 : kind == 4 || kind == 5 || kind == 15 || kind == 19 ? 12 * vlen :
				     kind == 6 || kind == 13 ? 8 * vlen : 0);
		}
		memcpy(&info, c + hdr + toff + last + 4, 4);
		info = (info & ~0x1f00ffffu) | (4u << 24) | 0xffff;	/* a STRUCT of 65535 members */
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
		CHECK_EQ(gears_btf_parse(c, len, &b), -EINVAL, "%s: a name past the strings: -EINVAL", kv);
	}
	CHECK(!b, "%s: no result from a malformed blob", kv);
	free(c);
}

static void check_kernel(const char *prefix)
{
	static const u64 slides[] = { 0, 0x1e600000 };
	struct gears_kernel kern;
	struct sysmap m;
	unsigned int si;

	if (gears_kernel_find(prefix, &kern)) {
		CHECK(1, "# SKIP no %s* kernel image and System.map (tests/harness/fetch-kernels.sh)",
		      prefix);
		return;
	}
	if (sysmap_load(&m, kern.sysmap)) {
		CHECK(0, "%s: System.map %s loads", kern.kver, kern.sysmap);
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
		ret = gears_ksyms_find(&r, sysmap_find(&m, "entry_SYSCALL_64")->addr + slide, &k);
		CHECK_EQ(ret, 0, "%s slide %#llx: kernel symbols", kern.kver, slide);
		if (ret) {
			fakeguest_unload(&g);
			continue;
		}
		start = gears_ksyms_lookup(k, "__start_BTF");
		stop = gears_ksyms_lookup(k, "__stop_BTF");
		CHECK(start && stop > start && stop - start <= GEARS_BTF_MAX,
		      "%s slide %#llx: __start_BTF %#llx, __stop_BTF %#llx", kern.kver, slide, start, stop);
		blob = malloc(stop - start);
		CHECK(!gears_vread(&r, start, blob, stop - start), "%s: the BTF blob is mapped", kern.kver);
		t0 = now_ms();
		ret = gears_btf_parse(blob, stop - start, &b);
		CHECK_EQ(ret, 0, "%s slide %#llx: BTF parses", kern.kver, slide);
		if (!ret) {
			printf("# %s: %llu bytes of BTF parsed in %.1f ms\n", kern.kver,
			       stop - start, now_ms() - t0);
			check_layouts(kern.kver, b, &g, k);
			if (si == 0)
				check_malformed(kern.kver, blob, stop - start);
		}
		gears_btf_free(b);
		free(blob);
		gears_ksyms_free(k);
		fakeguest_unload(&g);
	}
	sysmap_free(&m);
}

int main(void)
{
	check_kernel("6.1.");
	check_kernel("6.12.");
	check_kernel("5.10.");
	return unit_done();
}
