// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' kernel symbols (module/gears/ksyms.c) against Debian's own kernel
 * images: each vmlinux loaded at two KASLR slides by shim/fakeguest.c,
 * found from its entry_SYSCALL_64 alone, and compared symbol by symbol
 * with the kernel's System.map (from its -dbg package).
 */
#include <time.h>
#include "gears/ksyms.h"
#include "fakeguest.h"
#include "unit.h"

#define KMAP_START	0xffffffff80000000ULL

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static u64 run_addr(u64 a, u64 slide)
{
	return a >= KMAP_START ? a + slide : a;	/* per-cpu: absolute */
}

static int cmp_addr(const void *a, const void *b)
{
	const struct sysmap_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_name(const void *a, const void *b)
{
	const struct sysmap_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : cmp_addr(a, b);
}

/*
 * System.map symbols kallsyms may leave out (scripts/kallsyms.c:
 * is_ignored_symbol): absolute ones, and its own tables (before 6.12).
 */
static bool kallsyms_may_drop(const struct sysmap_sym *s)
{
	return s->type == 'A' || s->type == 'a' ||
	       !strcmp(s->name, "kallsyms_offsets") ||
	       !strcmp(s->name, "kallsyms_relative_base") ||
	       !strcmp(s->name, "kallsyms_num_syms") ||
	       !strcmp(s->name, "kallsyms_names") ||
	       !strcmp(s->name, "kallsyms_markers") ||
	       !strcmp(s->name, "kallsyms_seqs_of_names") ||
	       !strcmp(s->name, "kallsyms_token_table") ||
	       !strcmp(s->name, "kallsyms_token_index");
}

/*
 * All symbols, both ways: every recovered (name, type, address) is a line
 * of System.map (moved by the slide), but for the compiler's ".L" labels
 * that scripts/mksysmap drops and 5.10's kallsyms keeps; every line of
 * System.map is recovered, but for the ones kallsyms drops.  Then
 * lookup(name) of every name and name(addr) of every address.
 */
static void check_symbols(const char *kv, struct gears_ksyms *k,
			  const struct sysmap *m, u64 slide)
{
	u32 n = gears_ksyms_count(k), i, j, matched = 0, dotl = 0, extra = 0;
	u32 missing = 0, bad_lookup = 0, bad_name = 0, named = 0;
	struct sysmap_sym *ks = calloc(n, sizeof(*ks));
	struct sysmap_sym *ms = malloc(m->n * sizeof(*ms));
	const char *first_extra = NULL, *first_missing = NULL, *first_bad = NULL;
	char buf[600];
	double t0, t;
	u64 off;

	for (i = 0; i < n; i++) {
		if (gears_ksyms_get(k, i, buf, sizeof(buf), &ks[i].type, &ks[i].addr))
			break;
		ks[i].name = strdup(buf);
	}
	CHECK(i == n && gears_ksyms_get(k, n, buf, sizeof(buf), &ks[0].type, &off) == -ENOENT,
	      "%s slide %#llx: get() of each of the %u symbols", kv, slide, n);
	n = i;
	memcpy(ms, m->sym, m->n * sizeof(*ms));
	for (i = 0; i < m->n; i++)
		ms[i].addr = run_addr(ms[i].addr, slide);
	qsort(ks, n, sizeof(*ks), cmp_name);
	qsort(ms, m->n, sizeof(*ms), cmp_name);
	for (i = j = 0; i < n || j < m->n; ) {
		int c = i == n ? 1 : j == m->n ? -1 : cmp_name(&ks[i], &ms[j]);
		/* scripts/kallsyms.c makes the per-cpu symbols absolute ('A') */
		bool same = !c && (ks[i].type == ms[j].type ||
				   (ks[i].type == 'A' && ms[j].addr < KMAP_START));

		if (same) {
			matched++, i++, j++;
		} else if (c < 0 || !c) {
			if (!strncmp(ks[i].name, ".L", 2)) {
				dotl++;
			} else {
				extra++;
				first_extra = first_extra ?: ks[i].name;
			}
			i++;
		} else {
			if (!kallsyms_may_drop(&ms[j])) {
				missing++;
				first_missing = first_missing ?: ms[j].name;
			}
			j++;
		}
	}
	CHECK(!extra,
	      "%s slide %#llx: every symbol found is in System.map (%u are not%s%s; %u .L labels)",
	      kv, slide, extra, first_extra ? ", first " : "", first_extra ?: "", dotl);
	CHECK(!missing,
	      "%s slide %#llx: every kallsyms symbol of System.map is found (%u are not%s%s)",
	      kv, slide, missing, first_missing ? ", first " : "", first_missing ?: "");
	CHECK_EQ(gears_ksyms_count(k), matched + dotl,
		 "%s slide %#llx: count %u = the System.map lines found (%u) + .L labels (%u)",
		 kv, slide, gears_ksyms_count(k), matched, dotl);

	/* lookup(name) of every name: its lowest address */
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		if (i && !strcmp(ks[i - 1].name, ks[i].name))
			continue;
		if (gears_ksyms_lookup(k, ks[i].name) != ks[i].addr) {
			bad_lookup++;
			first_bad = first_bad ?: ks[i].name;
		}
	}
	t = now_ms() - t0;
	CHECK(!bad_lookup,
	      "%s slide %#llx: lookup(name) of every name is its lowest address (%u wrong%s%s)",
	      kv, slide, bad_lookup, first_bad ? ", first " : "", first_bad ?: "");
	printf("# %s: %u name lookups in %.1f ms (%.2f us each)\n", kv, n, t,
	       t * 1e3 / n);

	/* name(addr) and name(addr + 1) of the symbols alone at their address */
	qsort(ks, n, sizeof(*ks), cmp_addr);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		const struct sysmap_sym *s = &ks[i];

		if (s->addr < KMAP_START || (i && ks[i - 1].addr == s->addr) ||
		    (i + 1 < n && ks[i + 1].addr == s->addr))
			continue;
		named++;
		if (gears_ksyms_name(k, s->addr, buf, sizeof(buf), &off) ||
		    strcmp(buf, s->name) || off)
			bad_name++;
		else if (i + 1 < n && ks[i + 1].addr > s->addr + 1 &&
			 (gears_ksyms_name(k, s->addr + 1, buf, sizeof(buf), &off) ||
			  strcmp(buf, s->name) || off != 1))
			bad_name++;
	}
	t = now_ms() - t0;
	CHECK(named > n / 2 && !bad_name,
	      "%s slide %#llx: name(addr) and name(addr + 1) of the %u symbols alone at their address (%u wrong)",
	      kv, slide, named, bad_name);
	printf("# %s: %u address lookups in %.1f ms\n", kv, 2 * named, t);
	CHECK(ks[0].addr ? gears_ksyms_name(k, ks[0].addr - 1, buf, sizeof(buf), &off) == -ENOENT :
	      gears_ksyms_name(k, 0, buf, sizeof(buf), &off) == 0 && !off,
	      "%s: name() below the first symbol: -ENOENT (or the first at 0)", kv);
	CHECK(gears_ksyms_lookup(k, "no_such_symbol_in_any_kernel") == 0,
	      "%s: lookup of an unknown name is 0", kv);
	CHECK(gears_ksyms_name(k, gears_ksyms_lookup(k, "start_kernel") + 5,
			       buf, 6, &off) == 0 && !strcmp(buf, "start") && off == 5,
	      "%s: name() cuts to len and gives the offset", kv);
	for (i = 0; i < n; i++)
		free(ks[i].name);
	free(ks);
	free(ms);
}

/* corrupt n bytes at a System.map symbol (+ at): find must fail, not lie */
static void check_corrupt(const char *kv, struct fakeguest *g,
			  const struct sysmap *m, u64 lstar, const char *sym,
			  u64 at, u32 n, u8 xor, const char *what)
{
	const struct sysmap_sym *s = sysmap_find(m, sym);
	struct gears_vread r = fakeguest_vread(g);
	struct gears_ksyms *k = NULL;
	u8 *p, save[64];
	u32 i;
	int ret;

	if (!s) {
		CHECK(1, "%s: # SKIP no %s in this kernel", kv, sym);
		return;
	}
	p = fakeguest_ptr(g, run_addr(s->addr, g->slide) + at, n);
	if (!p || n > sizeof(save)) {
		CHECK(0, "%s: %s+%#llx is mapped", kv, sym, at);
		return;
	}
	memcpy(save, p, n);
	for (i = 0; i < n; i++)
		p[i] ^= xor;
	ret = gears_ksyms_find(&r, lstar, &k);
	CHECK_EQ(ret, -ENOENT, "%s: %s: -ENOENT", kv, what);
	CHECK(!k, "%s: %s: no result", kv, what);
	gears_ksyms_free(k);
	memcpy(p, save, n);
}

/*
 * Random damage to the tables, 24 times: ASan watches the reads; the
 * result is -ENOENT, or (a token byte inside a name changed: undetectable)
 * the same kernel with the same count.
 */
static void check_random_damage(const char *kv, struct fakeguest *g,
				const struct sysmap *m, u64 lstar, u32 count)
{
	static const char * const tables[] = {
		"kallsyms_names", "kallsyms_markers", "kallsyms_token_table",
		"kallsyms_token_index", "kallsyms_offsets", "kallsyms_num_syms",
		"kallsyms_seqs_of_names",
	};
	struct gears_vread r = fakeguest_vread(g);
	u64 x = 0x9e3779b97f4a7c15ULL, text = sysmap_find(m, "_text")->addr + g->slide;
	u32 i, bad = 0, refused = 0;

	for (i = 0; i < 24; i++) {
		const struct sysmap_sym *s = sysmap_find(m, tables[i % ARRAY_SIZE(tables)]);
		const struct sysmap_sym *e = s ? s + 1 : NULL;	/* the next symbol */
		struct gears_ksyms *k = NULL;
		u64 va, span;
		u8 *p, save;
		int ret;

		if (!s)
			continue;
		span = e->addr > s->addr ? e->addr - s->addr : 4;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		va = s->addr + g->slide + x % span;
		p = fakeguest_ptr(g, va, 1);
		if (!p)
			continue;
		save = *p;
		*p ^= 1 + (x >> 32) % 255;
		ret = gears_ksyms_find(&r, lstar, &k);
		if (ret == -ENOENT)
			refused++;
		else if (ret || gears_ksyms_text(k) != text || gears_ksyms_count(k) != count)
			bad++;
		gears_ksyms_free(k);
		*p = save;
	}
	CHECK(!bad,
	      "%s: 24 random bytes of the tables damaged: -ENOENT (%u) or the same kernel (%u wrong)",
	      kv, refused, bad);
}

/*
 * The image as a booted kernel leaves it (arch/x86/mm/init_64.c,
 * mark_rodata_ro and free_initmem): the pages between the end of the text
 * and .rodata, and the init sections, unmapped; and, as before
 * cleanup_highmap() runs, 6 MiB of other memory mapped below _text.
 */
struct booted {
	struct fakeguest *g;
	u64 hole[2][2];
	u64 below;	/* [below, _text) reads as zeros */
	u64 text;
};

static int booted_read(void *ctx, u64 va, void *buf, u32 len)
{
	struct booted *b = ctx;
	int i;

	for (i = 0; i < 2; i++)
		if (va < b->hole[i][1] && va + len > b->hole[i][0])
			return -EFAULT;
	if (va >= b->below && va + len <= b->text) {
		memset(buf, 0, len);
		return 0;
	}
	if (va < b->text && va + len > b->below)
		return -EFAULT;	/* across _text: not needed */
	return fakeguest_read(b->g, va, buf, len);
}

static void check_booted(const char *kv, struct fakeguest *g,
			 const struct sysmap *m, u64 lstar, u32 count)
{
	struct booted b = { .g = g };
	struct gears_vread r = { .read = booted_read, .ctx = &b };
	struct gears_ksyms *k = NULL;
	u64 slide = g->slide;

	b.text = sysmap_find(m, "_text")->addr + slide;
	b.below = b.text - (6 << 20);
	b.hole[0][0] = ALIGN(sysmap_find(m, "_etext")->addr, 4096) + slide;
	b.hole[0][1] = sysmap_find(m, "__start_rodata")->addr + slide;
	b.hole[1][0] = sysmap_find(m, "__init_begin")->addr + slide;
	b.hole[1][1] = sysmap_find(m, "__init_end")->addr + slide;
	CHECK_EQ(gears_ksyms_find(&r, lstar, &k), 0,
		 "%s slide %#llx: found in a booted kernel's view (holes after the text and init; mapped below _text)",
		 kv, slide);
	CHECK(k && gears_ksyms_text(k) == b.text && gears_ksyms_count(k) == count,
	      "%s slide %#llx: the same _text and count there", kv, slide);
	gears_ksyms_free(k);
}

static void check_kernel(const char *prefix)
{
	static const u64 slides[] = { 0, 0x1e600000 };
	struct gears_kernel kern;
	struct sysmap m;
	unsigned int si;

	if (gears_kernel_find(prefix, &kern)) {
		CHECK(1,
		      "# SKIP no %s* kernel image and System.map (tests/harness/fetch-kernels.sh)",
		      prefix);
		return;
	}
	if (sysmap_load(&m, kern.sysmap)) {
		CHECK(0, "%s: System.map %s loads", kern.kver, kern.sysmap);
		return;
	}
	for (si = 0; si < ARRAY_SIZE(slides); si++) {
		u64 slide = slides[si], lstar;
		struct fakeguest g;
		struct gears_vread r;
		struct gears_ksyms *k = NULL;
		u32 *mk, count;
		double t0;
		int ret;

		if (fakeguest_load(&g, kern.vmlinux, slide)) {
			CHECK(0, "%s: %s loads at slide %#llx", kern.kver, kern.vmlinux, slide);
			continue;
		}
		r = fakeguest_vread(&g);
		lstar = sysmap_find(&m, "entry_SYSCALL_64")->addr + slide;
		t0 = now_ms();
		ret = gears_ksyms_find(&r, lstar, &k);
		CHECK_EQ(ret, 0, "%s slide %#llx: found from LSTAR %#llx", kern.kver, slide, lstar);
		if (ret) {
			fakeguest_unload(&g);
			continue;
		}
		printf("# %s slide %#llx: %u symbols found in %.1f ms, %llu guest reads, %u relocations applied\n",
		       kern.kver, slide, gears_ksyms_count(k), now_ms() - t0,
		       g.reads, g.relocs);
		CHECK_EQ(gears_ksyms_text(k), sysmap_find(&m, "_text")->addr + slide,
			 "%s slide %#llx: _text", kern.kver, slide);
		CHECK_EQ(gears_ksyms_slide(k), slide, "%s: slide", kern.kver);
		check_symbols(kern.kver, k, &m, slide);
		count = gears_ksyms_count(k);
		check_booted(kern.kver, &g, &m, lstar, count);
		gears_ksyms_free(k);

		/* not entry_SYSCALL_64; not mapped; not a kernel address */
		CHECK_EQ(gears_ksyms_find(&r, lstar + 0x40, &k), -ENOENT,
			 "%s slide %#llx: LSTAR elsewhere in the kernel's text: -ENOENT",
			 kern.kver, slide);
		CHECK_EQ(gears_ksyms_find(&r, 0xffffffffa0000000ULL + slide, &k), -ENOENT,
			 "%s slide %#llx: unmapped LSTAR: -ENOENT", kern.kver, slide);
		CHECK_EQ(gears_ksyms_find(&r, 0x401000, &k), -ENOENT,
			 "%s slide %#llx: user-space LSTAR: -ENOENT", kern.kver, slide);
		if (si == 0) {
			check_corrupt(kern.kver, &g, &m, lstar,
				      "kallsyms_token_index", 2 * 0x41, 2, 0x10,
				      "token index corrupted");
			check_corrupt(kern.kver, &g, &m, lstar, "kallsyms_token_table", 0, 1, 0xff,
				      "token table corrupted");
			check_corrupt(kern.kver, &g, &m, lstar, "kallsyms_markers", 4 * 7, 1, 0x01,
				      "a marker corrupted");
			check_corrupt(kern.kver, &g, &m, lstar, "kallsyms_num_syms", 0, 1, 0x01,
				      "num_syms corrupted");
			/*
			 * A name's length byte (at marker 100); a token byte
			 * changed inside a name would still make a name, a
			 * wrong one: no structure tells it.
			 */
			mk = fakeguest_ptr(&g, sysmap_find(&m, "kallsyms_markers")->addr + 400, 4);
			check_corrupt(kern.kver, &g, &m, lstar,
				      "kallsyms_names", mk ? *mk : 0, 1, 0x04,
				      "a name's length corrupted");
			check_corrupt(kern.kver, &g, &m, lstar,
				      "kallsyms_offsets", 4 * 20000, 4, 0x40,
				      "an offset corrupted");
			check_corrupt(kern.kver, &g, &m, lstar,
				      "kallsyms_relative_base", 0, 1, 0x10,
				      "relative_base corrupted");
			if (strncmp(kern.kver, "5.10.", 5))
				check_random_damage(kern.kver, &g, &m, lstar, count);
		}
		fakeguest_unload(&g);
	}
	sysmap_free(&m);
}

/* 32 MiB of pseudo-random bytes where a kernel would be */
static u8 *noise;
#define NOISE_VA	0xffffffff81000000ULL
#define NOISE_LEN	(32u << 20)
static u32 noise_reads;
static int noise_read(void *ctx, u64 va, void *buf, u32 len)
{
	noise_reads++;
	if (va < NOISE_VA || va - NOISE_VA > NOISE_LEN || len > NOISE_LEN - (va - NOISE_VA))
		return -EFAULT;
	memcpy(buf, noise + (va - NOISE_VA), len);
	return 0;
}

static void check_noise(void)
{
	struct gears_vread r = { .read = noise_read };
	struct gears_ksyms *k = NULL;
	u64 x = 88172645463325252ULL;
	u32 i;

	noise = malloc(NOISE_LEN);
	for (i = 0; i < NOISE_LEN; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		noise[i] = x;
	}
	/* and a token table's "0".."9" in it, to follow a false lead */
	memcpy(noise + (20u << 20),
	       "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9\0", 20);
	CHECK_EQ(gears_ksyms_find(&r, NOISE_VA + 0xc00080, &k), -ENOENT,
		 "random bytes instead of a kernel: -ENOENT");
	CHECK(!k, "random bytes: no result");

	/*
	 * 40 decoys: well-formed token tables and indices with noise around
	 * them, 64 KiB apart from 1 MiB above LSTAR.  The search must give up
	 * after GEARS_KSYMS_MAX_TABLES of them, not read on through 32 MiB.
	 */
	for (i = 0; i < 40; i++) {
		u8 *t = noise + 0xd00000 + i * 0x10000;
		u16 idx[256];
		u32 c, pos = 0;

		for (c = 0; c < 256; c++) {
			idx[c] = pos;
			if (c >= '0' && c <= '9') {
				t[pos++] = c;
			} else {
				t[pos++] = 'a' + c % 26;
				t[pos++] = 'b';
			}
			t[pos++] = 0;
		}
		memcpy(t + ALIGN(pos, 8), idx, sizeof(idx));
	}
	noise_reads = 0;
	CHECK_EQ(gears_ksyms_find(&r, NOISE_VA + 0xc00080, &k), -ENOENT,
		 "40 decoy token tables: -ENOENT");
	CHECK(noise_reads < 150, "the search gave up after %u decoys (%u guest reads)",
	      GEARS_KSYMS_MAX_TABLES, noise_reads);
	free(noise);
}

int main(void)
{
	check_noise();
	check_kernel("6.1.");
	check_kernel("6.12.");
	check_kernel("5.10.");
	return unit_done();
}
