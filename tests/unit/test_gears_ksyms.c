// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' kernel symbols (module/gears/ksyms.c) against Debian's own kernel
 * images: each vmlinux loaded at two KASLR slides by shim/fakeguest.c and
 * found from its entry_SYSCALL_64 alone (itself found by its code).  The
 * truth compared with comes from the image: its export tables (__ksymtab,
 * __ksymtab_gpl: every exported symbol's name and address) and section
 * headers; and, when fetch-kernels.sh was run with V3_GEARS_MAPS=1, from
 * the kernel's real System.map (from its -dbg package), symbol by symbol.
 * V3_GEARS_NO_MAPS=1 runs without the System.map even where it is.
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

/* every recovered symbol, by gears_ksyms_get(); *n is their count */
static struct sysmap_sym *get_all(const char *kv, struct gears_ksyms *k,
				  u64 slide, u32 *n)
{
	u32 count = gears_ksyms_count(k), i;
	struct sysmap_sym *ks = calloc(count, sizeof(*ks));
	char buf[600];
	u64 a;

	for (i = 0; i < count; i++) {
		if (gears_ksyms_get(k, i, buf, sizeof(buf), &ks[i].type, &ks[i].addr))
			break;
		ks[i].name = strdup(buf);
	}
	CHECK(i == count && gears_ksyms_get(k, count, buf, sizeof(buf), &buf[0], &a) == -ENOENT,
	      "%s slide %#llx: get() of each of the %u symbols", kv, slide, count);
	*n = i;
	return ks;
}

static void free_all(struct sysmap_sym *ks, u32 n)
{
	while (n--)
		free(ks[n].name);
	free(ks);
}

/*
 * All symbols against System.map, both ways: every recovered (name, type,
 * address) is a line of System.map (moved by the slide), but for the
 * compiler's ".L" labels that scripts/mksysmap drops and 5.10's kallsyms
 * keeps; every line of System.map is recovered, but for the ones kallsyms
 * drops.
 */
static void check_sysmap(const char *kv, struct gears_ksyms *k,
			 const struct sysmap *m, u64 slide)
{
	u32 n, i, j, matched = 0, dotl = 0, extra = 0, missing = 0;
	struct sysmap_sym *ks = get_all(kv, k, slide, &n);
	struct sysmap_sym *ms = malloc(m->n * sizeof(*ms));
	const char *first_extra = NULL, *first_missing = NULL;

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
	free_all(ks, n);
	free(ms);
}

/*
 * The lookups against the symbols themselves: lookup(name) of every name
 * and name(addr) of every address; the edges of the interface.
 */
static void check_lookups(const char *kv, struct gears_ksyms *k, u64 slide)
{
	u32 n, i, bad_lookup = 0, bad_name = 0, named = 0;
	struct sysmap_sym *ks = get_all(kv, k, slide, &n);
	const char *first_bad = NULL;
	char buf[600];
	double t0, t;
	u64 off;

	/* lookup(name) of every name: its lowest address */
	qsort(ks, n, sizeof(*ks), cmp_name);
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
	free_all(ks, n);
}

/*
 * The exported symbols, the image's own second symbol table.  __ksymtab
 * and __ksymtab_gpl are arrays of struct kernel_symbol; with
 * CONFIG_HAVE_ARCH_PREL32_RELOCATIONS (x86-64) in 5.10, 6.1 and 6.12:
 *	struct kernel_symbol {
 *		int value_offset;
 *		int name_offset;
 *		int namespace_offset;
 *	};
 * (include/linux/export.h in 5.10 and 6.1, kernel/module/internal.h in
 * 6.12), each field relative to its own address: ".long sym - ." in
 * __KSYMTAB_ENTRY (include/linux/export.h, 5.10 and 6.1) and __KSYMTAB
 * (include/linux/export-internal.h, 6.12); kernel/module's
 * kernel_symbol_value() is offset_to_ptr(&sym->value_offset).  The names
 * are NUL-terminated strings in __ksymtab_strings; so is the namespace,
 * or namespace_offset is 0 (none: the assembler exports of 5.10's
 * include/asm-generic/export.h).  The entries are read from the loaded
 * image, relocated: a per-cpu symbol's value_offset is in the inverse
 * 32-bit relocations (arch/x86/tools/relocs.c), so that at any slide it
 * gives the symbol's absolute per-cpu offset, as kallsyms does.
 */
struct export {
	u64 addr;
	const char *name;
};

/* the exports, sorted by name; 0 (and a failed check) if unreadable */
static u32 exports_read(const char *kv, struct fakeguest *g, struct export **out)
{
	static const char * const secs[] = { "__ksymtab", "__ksymtab_gpl" };
	const struct fakeguest_sec *str = fakeguest_section(g, "__ksymtab_strings");
	const char *strs = str ? fakeguest_ptr(g, str->addr, str->size) : NULL;
	struct export *e = NULL;
	u32 n = 0, i, j;

	*out = NULL;
	if (!strs || strs[str->size - 1]) {
		CHECK(0, "%s: __ksymtab_strings is there, NUL-terminated", kv);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		const struct fakeguest_sec *s = fakeguest_section(g, secs[i]);
		const s32 *ent = s ? fakeguest_ptr(g, s->addr, s->size) : NULL;

		if (!ent || s->size % 12) {
			CHECK(0, "%s: %s is there, of 12-byte entries", kv, secs[i]);
			free(e);
			return 0;
		}
		e = realloc(e, (n + s->size / 12) * sizeof(*e));
		for (j = 0; j < s->size / 12; j++, ent += 3) {
			u64 va = s->addr + 12 * j;
			u64 name = va + 4 + (s64)ent[1], ns = va + 8 + (s64)ent[2];

			if (name - str->addr >= str->size ||
			    (ent[2] && ns - str->addr >= str->size)) {
				CHECK(0, "%s: %s entry %u names a string in __ksymtab_strings",
				      kv, secs[i], j);
				free(e);
				return 0;
			}
			e[n].addr = va + (s64)ent[0];
			e[n].name = strs + (name - str->addr);
			n++;
		}
	}
	*out = e;
	return n;
}

/* is there a symbol of that name at addr (of several of the name)? */
static bool has_sym_at(struct gears_ksyms *k, const char *name, u64 addr)
{
	u32 i, n = gears_ksyms_count(k);
	char buf[600], type;
	u64 a;

	for (i = 0; i < n; i++)
		if (!gears_ksyms_get(k, i, buf, sizeof(buf), &type, &a) &&
		    a == addr && !strcmp(buf, name))
			return true;
	return false;
}

/*
 * Every exported symbol: lookup(name) is its address (where kallsyms has
 * the name more than once, as acpi_gpe_count, a global and a static: one
 * of them there, and lookup() gives the lowest), and name(address) a
 * symbol exactly there (that one, or an alias at the same address).
 */
static void check_exports(const char *kv, struct fakeguest *g,
			  struct gears_ksyms *k, u64 slide)
{
	u32 n, i, twice = 0, bad_lookup = 0, bad_name = 0, alias = 0, percpu = 0;
	const char *first_bad = NULL, *first_bad_name = NULL;
	struct export *e;
	char buf[600];
	u64 off, a;

	n = exports_read(kv, g, &e);
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		a = gears_ksyms_lookup(k, e[i].name);
		if (e[i].addr < KMAP_START)
			percpu++;
		if (a != e[i].addr) {
			if (a && a < e[i].addr && has_sym_at(k, e[i].name, e[i].addr)) {
				twice++;
			} else {
				bad_lookup++;
				first_bad = first_bad ?: e[i].name;
			}
		}
		if (gears_ksyms_name(k, e[i].addr, buf, sizeof(buf), &off) || off) {
			bad_name++;
			first_bad_name = first_bad_name ?: e[i].name;
		} else if (strcmp(buf, e[i].name)) {
			alias++;
		}
	}
	CHECK(!bad_lookup,
	      "%s slide %#llx: lookup(name) of the %u exported symbols (%u per-cpu) is their address (%u names kallsyms has more than once; %u wrong%s%s)",
	      kv, slide, n, percpu, twice, bad_lookup, first_bad ? ", first " : "",
	      first_bad ?: "");
	CHECK(!bad_name,
	      "%s slide %#llx: name(address) of each is a symbol there (%u an alias; %u wrong%s%s)",
	      kv, slide, alias, bad_name, first_bad_name ? ", first " : "",
	      first_bad_name ?: "");
	CHECK(gears_ksyms_count(k) > 5 * n,
	      "%s slide %#llx: kallsyms' %u symbols are well above the %u exported (x5)",
	      kv, slide, gears_ksyms_count(k), n);
	free(e);
}

/*
 * The kallsyms tables, located by the test itself, for the corruption
 * tests below (the System.map, when there, must agree).  scripts/kallsyms.c
 * (write_src) puts every table at an 8-aligned label, in this order:
 *   5.10, 6.1: offsets, relative_base, num_syms, names, markers,
 *              [6.1: seqs_of_names, 3 bytes a symbol,] token_table,
 *              token_index
 *   6.12:      num_syms, names, markers, token_table, token_index, offsets,
 *              relative_base, seqs_of_names
 * The search starts from kallsyms_num_syms, a u32 equal to the count found
 * followed by padding, in .rodata, and walks the names forwards entry by
 * entry (a length byte, two from 6.1 when it is above 0x7f, then that many
 * token codes: kernel/kallsyms.c, kallsyms_expand_symbol), which must give
 * every marker, then a token table whose index agrees with it, and a
 * relative_base that is _text.  Unlike module/gears/ksyms.c, which starts
 * from the token table and walks back.
 */
enum {
	T_OFFSETS, T_BASE, T_NUM, T_NAMES, T_MARKERS, T_SEQS, T_TTAB, T_TIDX, T_NR
};

static const char * const table_names[T_NR] = {
	"kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms",
	"kallsyms_names", "kallsyms_markers", "kallsyms_seqs_of_names",
	"kallsyms_token_table", "kallsyms_token_index",
};

struct ktables {
	u64 at[T_NR];		/* run-time addresses */
	u32 size[T_NR];		/* 0: not there, or not sought (6.12's seqs) */
};

#define ALIGN8(x)	(((x) + 7) & ~7ULL)

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

/* a token table at ro[at]: 256 strings, then an index that agrees; its end */
static u64 tokens_at(const u8 *ro, u64 size, u64 at, u64 *tidx)
{
	u64 pos = at, start[256];
	u16 idx;
	u32 i;

	for (i = 0; i < 256; i++) {
		start[i] = pos - at;
		while (pos < size && ro[pos] >= 0x20 && ro[pos] < 0x7f)
			pos++;
		if (pos >= size || ro[pos] || pos == at + start[i])
			return 0;
		pos++;
	}
	*tidx = ALIGN8(pos);
	if (*tidx + 512 > size)
		return 0;
	for (i = 0; i < 256; i++) {
		memcpy(&idx, ro + *tidx + 2 * i, 2);
		if (idx != start[i])
			return 0;
	}
	return pos;
}

static bool tables_at(const u8 *ro, u64 size, u64 o, u32 n, u64 text, u64 base,
		      struct ktables *t)
{
	u32 i, nmark = (n + 255) / 256, len;
	u64 off = o + 8, mk, next, tend, tidx, osz = ALIGN8(4ULL * n), rb;

	memset(t, 0, sizeof(*t));
	/* the names' end first (where the markers start) */
	for (i = 0; i < n; i++) {
		if (off + 2 > size)
			return false;
		len = ro[off++];
		if (len & 0x80)
			len = (len & 0x7f) | (ro[off++] << 7);
		if (!len || off + len > size)
			return false;
		off += len;
	}
	mk = ALIGN8(off);
	if (mk + 4ULL * nmark > size)
		return false;
	/* walk again, now with the markers to compare to */
	for (i = 0, off = o + 8; i < n; i++) {
		if (!(i & 255) && get32(ro + mk + 4 * (i >> 8)) != off - (o + 8))
			return false;
		len = ro[off++];
		if (len & 0x80)
			len = (len & 0x7f) | (ro[off++] << 7);
		off += len;
	}
	/* the token table next, or after 6.1's seqs_of_names */
	next = ALIGN8(mk + 4ULL * nmark);
	tend = tokens_at(ro, size, next, &tidx);
	if (tend) {
		t->at[T_TTAB] = next;
	} else {
		t->at[T_SEQS] = next;
		t->size[T_SEQS] = 3 * n;
		t->at[T_TTAB] = ALIGN8(next + 3ULL * n);
		tend = tokens_at(ro, size, t->at[T_TTAB], &tidx);
		if (!tend)
			return false;
	}
	/* the offsets and relative_base: before num_syms, or after the index */
	rb = 0;
	if (o >= 8 + osz)
		memcpy(&rb, ro + o - 8, 8);
	if (rb == text) {
		t->at[T_BASE] = o - 8;
		t->at[T_OFFSETS] = o - 8 - osz;
	} else {
		t->at[T_OFFSETS] = ALIGN8(tidx + 512);
		t->at[T_BASE] = t->at[T_OFFSETS] + osz;
		if (t->at[T_BASE] + 8 > size)
			return false;
		memcpy(&rb, ro + t->at[T_BASE], 8);
		if (rb != text)
			return false;
	}
	t->at[T_NUM] = o;
	t->at[T_NAMES] = o + 8;
	t->at[T_MARKERS] = mk;
	t->at[T_TIDX] = tidx;
	t->size[T_OFFSETS] = 4 * n;
	t->size[T_BASE] = 8;
	t->size[T_NUM] = 4;
	t->size[T_NAMES] = mk - (o + 8);
	t->size[T_MARKERS] = 4 * nmark;
	t->size[T_TTAB] = tend - t->at[T_TTAB];
	t->size[T_TIDX] = 512;
	for (i = 0; i < T_NR; i++)
		if (t->size[i])
			t->at[i] += base;
	return true;
}

/*
 * kernel/kallsyms.c, kallsyms_sym_address() with KALLSYMS_ABSOLUTE_PERCPU
 * (Debian's x86-64 kernels): an offset >= 0 is an absolute per-cpu value,
 * a negative one relative_base - 1 - offset.
 */
static u64 sym_address(const s32 *offsets, u32 i, u64 rb)
{
	return offsets[i] >= 0 ? (u64)offsets[i] : rb - 1 - offsets[i];
}

static int locate_tables(const char *kv, struct fakeguest *g,
			 struct gears_ksyms *k, const struct sysmap *m,
			 struct ktables *t)
{
	const struct fakeguest_sec *ro = fakeguest_section(g, ".rodata");
	const struct fakeguest_sec *tx = fakeguest_section(g, ".text");
	u32 n = gears_ksyms_count(k), i, found = 0, bad = 0;
	const u8 *p = ro ? fakeguest_ptr(g, ro->addr, ro->size) : NULL;
	struct ktables c;
	const s32 *off;
	u64 o, a, rb;
	char type;

	for (o = 0; p && tx && o + 8 <= ro->size; o += 8) {
		if (get32(p + o) != n || get32(p + o + 4) ||
		    !tables_at(p, ro->size, o, n, tx->addr, ro->addr, &c))
			continue;
		*t = c;
		found++;
	}
	CHECK_EQ(found, 1, "%s: the kallsyms tables located in .rodata, once (%s layout)",
		 kv, !found ? "no" : t->size[T_SEQS] ? "6.1" :
		 t->at[T_OFFSETS] < t->at[T_NUM] ? "5.10" : "6.7+");
	if (found != 1)
		return -ENOENT;
	/* their addresses, decoded here, are the ones found */
	off = fakeguest_ptr(g, t->at[T_OFFSETS], 4 * n);
	memcpy(&rb, p + (t->at[T_BASE] - ro->addr), 8);
	for (i = 0; i < n; i++)
		if (gears_ksyms_get(k, i, NULL, 0, &type, &a) || a != sym_address(off, i, rb))
			bad++;
	CHECK(!bad,
	      "%s: the %u addresses decoded from kallsyms_offsets are the ones found (%u not)",
	      kv, n, bad);
	for (i = 0; m && i < T_NR; i++) {
		const struct sysmap_sym *s = sysmap_find(m, table_names[i]);

		if (!t->size[i])
			continue;
		CHECK(s && run_addr(s->addr, g->slide) == t->at[i],
		      "%s: %s located where System.map has it", kv, table_names[i]);
	}
	return 0;
}

/* corrupt n bytes at va: find must fail, not lie */
static void check_corrupt(const char *kv, struct fakeguest *g, u64 lstar,
			  u64 va, u32 n, u8 xor, const char *what)
{
	struct gears_vread r = fakeguest_vread(g);
	struct gears_ksyms *k = NULL;
	u8 *p, save[64];
	u32 i;
	int ret;

	p = fakeguest_ptr(g, va, n);
	if (!p || n > sizeof(save)) {
		CHECK(0, "%s: %s: %#llx is mapped", kv, what, va);
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

static void check_corrupt_tables(const char *kv, struct fakeguest *g,
				 const struct ktables *t, u64 lstar)
{
	/*
	 * A name's length byte (at marker 100); a token byte changed inside
	 * a name would still make a name, a wrong one: no structure tells it.
	 */
	u32 *mk = fakeguest_ptr(g, t->at[T_MARKERS] + 400, 4);

	check_corrupt(kv, g, lstar, t->at[T_TIDX] + 2 * 0x41, 2, 0x10,
		      "token index corrupted");
	check_corrupt(kv, g, lstar, t->at[T_TTAB], 1, 0xff, "token table corrupted");
	check_corrupt(kv, g, lstar, t->at[T_MARKERS] + 4 * 7, 1, 0x01,
		      "a marker corrupted");
	check_corrupt(kv, g, lstar, t->at[T_NUM], 1, 0x01, "num_syms corrupted");
	check_corrupt(kv, g, lstar, t->at[T_NAMES] + (mk ? *mk : 0), 1, 0x04,
		      "a name's length corrupted");
	check_corrupt(kv, g, lstar, t->at[T_OFFSETS] + 4 * 20000, 4, 0x40,
		      "an offset corrupted");
	check_corrupt(kv, g, lstar, t->at[T_BASE], 1, 0x10, "relative_base corrupted");
}

/*
 * Random damage to the tables, 24 times: ASan watches the reads; the
 * result is -ENOENT, or (a token byte inside a name changed: undetectable)
 * the same kernel with the same count.
 */
static void check_random_damage(const char *kv, struct fakeguest *g,
				const struct ktables *t, u64 lstar, u64 text,
				u32 count)
{
	static const int tables[] = {
		T_NAMES, T_MARKERS, T_TTAB, T_TIDX, T_OFFSETS, T_NUM, T_SEQS,
	};
	struct gears_vread r = fakeguest_vread(g);
	u64 x = 0x9e3779b97f4a7c15ULL;
	u32 i, bad = 0, refused = 0, done = 0;

	for (i = 0; done < 24 && i < 48; i++) {
		int tb = tables[i % ARRAY_SIZE(tables)];
		struct gears_ksyms *k = NULL;
		u64 va;
		u8 *p, save;
		int ret;

		if (!t->size[tb])
			continue;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		va = t->at[tb] + x % t->size[tb];
		p = fakeguest_ptr(g, va, 1);
		if (!p)
			continue;
		done++;
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
	CHECK(done == 24 && !bad,
	      "%s: %u random bytes of the tables damaged: -ENOENT (%u) or the same kernel (%u wrong)",
	      kv, done, refused, bad);
}

/*
 * The image's layout from its section headers (arch/x86/kernel/vmlinux.lds.S):
 * _text starts .text and _etext ends it; __start_rodata starts .rodata;
 * __init_begin is where the per-cpu section (x86-64 SMP: PERCPU_VADDR, at
 * virtual address 0) is loaded, __init_end where .smp_locks begins.  Each
 * checked against System.map when there.
 */
struct layout {
	u64 text, etext, rodata, init_begin, init_end;
};

static int get_layout(const char *kv, struct fakeguest *g,
		      const struct sysmap *m, struct layout *l)
{
	const struct fakeguest_sec *t = fakeguest_section(g, ".text");
	const struct fakeguest_sec *ro = fakeguest_section(g, ".rodata");
	const struct fakeguest_sec *sl = fakeguest_section(g, ".smp_locks");
	static const char * const names[] = {
		"_text", "_etext", "__start_rodata", "__init_begin", "__init_end",
	};
	u64 *v = &l->text;
	u32 i;

	if (!t || !ro || !sl || !g->percpu_load) {
		CHECK(0, "%s: .text, .rodata, .smp_locks and a per-cpu segment", kv);
		return -ENOENT;
	}
	l->text = t->addr;
	l->etext = t->addr + t->size;
	l->rodata = ro->addr;
	l->init_begin = g->percpu_load;
	l->init_end = sl->addr;
	for (i = 0; m && i < ARRAY_SIZE(names); i++) {
		const struct sysmap_sym *s = sysmap_find(m, names[i]);

		CHECK(s && s->addr + g->slide == v[i],
		      "%s: %s from the section headers is System.map's", kv, names[i]);
	}
	return 0;
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
			 const struct layout *l, u64 lstar, u32 count)
{
	struct booted b = { .g = g };
	struct gears_vread r = { .read = booted_read, .ctx = &b };
	struct gears_ksyms *k = NULL;

	b.text = l->text;
	b.below = b.text - (6 << 20);
	b.hole[0][0] = ALIGN(l->etext, 4096);
	b.hole[0][1] = l->rodata;
	b.hole[1][0] = l->init_begin;
	b.hole[1][1] = l->init_end;
	CHECK_EQ(gears_ksyms_find(&r, lstar, &k), 0,
		 "%s slide %#llx: found in a booted kernel's view (holes after the text and init; mapped below _text)",
		 kv, g->slide);
	CHECK(k && gears_ksyms_text(k) == b.text && gears_ksyms_count(k) == count,
	      "%s slide %#llx: the same _text and count there", kv, g->slide);
	gears_ksyms_free(k);
}

static void check_kernel(const char *prefix)
{
	static const u64 slides[] = { 0, 0x1e600000 };
	struct gears_kernel kern;
	struct sysmap map, *m = NULL;
	unsigned int si;

	if (gears_kernel_find(prefix, &kern)) {
		CHECK(1, "# SKIP no %s* kernel image (tests/harness/fetch-kernels.sh)",
		      prefix);
		return;
	}
	if (kern.sysmap[0]) {
		m = &map;
		if (sysmap_load(m, kern.sysmap)) {
			CHECK(0, "%s: System.map %s loads", kern.kver, kern.sysmap);
			return;
		}
		printf("# %s: against its export tables and its System.map\n", kern.kver);
	} else {
		printf("# %s: against its export tables (no System.map: %s)\n",
		       kern.kver, "V3_GEARS_MAPS=1 tests/harness/fetch-kernels.sh");
	}
	for (si = 0; si < ARRAY_SIZE(slides); si++) {
		u64 slide = slides[si], lstar;
		struct fakeguest g;
		struct gears_vread r;
		struct gears_ksyms *k = NULL;
		struct layout l;
		struct ktables t;
		u32 count;
		double t0;
		int ret;

		if (fakeguest_load(&g, kern.vmlinux, slide)) {
			CHECK(0, "%s: %s loads at slide %#llx", kern.kver, kern.vmlinux, slide);
			continue;
		}
		r = fakeguest_vread(&g);
		lstar = fakeguest_lstar(&g);
		CHECK(lstar, "%s slide %#llx: entry_SYSCALL_64 found by its code", kern.kver,
		      slide);
		if (m)
			CHECK_EQ(lstar, sysmap_find(m, "entry_SYSCALL_64")->addr + slide,
				 "%s slide %#llx: there, as in System.map", kern.kver, slide);
		if (get_layout(kern.kver, &g, m, &l)) {
			fakeguest_unload(&g);
			continue;
		}
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
		CHECK_EQ(gears_ksyms_text(k), l.text, "%s slide %#llx: _text (.text)",
			 kern.kver, slide);
		CHECK_EQ(gears_ksyms_slide(k), slide, "%s: slide", kern.kver);
		CHECK_EQ(gears_ksyms_lookup(k, "entry_SYSCALL_64"), lstar,
			 "%s slide %#llx: lookup(entry_SYSCALL_64) is LSTAR", kern.kver, slide);
		check_exports(kern.kver, &g, k, slide);
		check_lookups(kern.kver, k, slide);
		if (m)
			check_sysmap(kern.kver, k, m, slide);
		count = gears_ksyms_count(k);
		check_booted(kern.kver, &g, &l, lstar, count);
		ret = si ? 0 : locate_tables(kern.kver, &g, k, m, &t);
		gears_ksyms_free(k);

		/* not entry_SYSCALL_64; not mapped; not a kernel address */
		CHECK_EQ(gears_ksyms_find(&r, lstar + 0x40, &k), -ENOENT,
			 "%s slide %#llx: LSTAR elsewhere in the kernel's text: -ENOENT",
			 kern.kver, slide);
		CHECK_EQ(gears_ksyms_find(&r, 0xffffffffa0000000ULL + slide, &k), -ENOENT,
			 "%s slide %#llx: unmapped LSTAR: -ENOENT", kern.kver, slide);
		CHECK_EQ(gears_ksyms_find(&r, 0x401000, &k), -ENOENT,
			 "%s slide %#llx: user-space LSTAR: -ENOENT", kern.kver, slide);
		if (si == 0 && !ret) {
			check_corrupt_tables(kern.kver, &g, &t, lstar);
			if (strncmp(kern.kver, "5.10.", 5))
				check_random_damage(kern.kver, &g, &t, lstar, l.text, count);
		}
		fakeguest_unload(&g);
	}
	if (m)
		sysmap_free(m);
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
