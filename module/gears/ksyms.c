// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS: a guest Linux kernel's symbols from its memory, without a profile.
 *
 * The kernel keeps its own symbol table, kallsyms, in .rodata.  The tables
 * are written by scripts/kallsyms.c (as an assembler file linked into the
 * final vmlinux) and read by kernel/kallsyms.c.  Every table starts at an
 * 8-byte aligned label ("ALGN" = .balign 8 on 64-bit):
 *
 *   kallsyms_num_syms       u32 N
 *   kallsyms_names          N entries: a length (one byte; from 6.1 a
 *                           length > 0x7f takes two, ULEB128) and that many
 *                           token codes.  Expanded through the token table
 *                           the first character is the symbol's type
 *                           ('T', 'd', ...) and the rest its name.
 *   kallsyms_markers        u32 per 256 symbols: the offset in
 *                           kallsyms_names of symbol 256 * i
 *   kallsyms_token_table    256 NUL-terminated strings; a byte value that
 *                           occurs in some name stands for itself ("0" is
 *                           token 0x30), the unused ones for frequent
 *                           substrings
 *   kallsyms_token_index    256 u16: where each token starts in the table
 *   kallsyms_offsets        s32 per symbol, sorted by address
 *   kallsyms_relative_base  u64, a run-time (relocated) kernel address
 *   kallsyms_seqs_of_names  the symbols' indices sorted by name (6.2 and
 *                           backports: 3 bytes each; later: u32)
 *
 * Their order changed over time, which is what find_names() and
 * find_offsets() deal with:
 *   5.10:       offsets, relative_base, num_syms, names, markers,
 *               token_table, token_index
 *   6.1 (deb):  the same, with seqs_of_names (3 bytes) before token_table
 *   6.2-6.6:    seqs_of_names (u32) before token_table
 *   6.7+, 6.12: num_syms, names, markers, token_table, token_index,
 *               offsets, relative_base, seqs_of_names
 * An x86-64 SMP kernel (up to 6.14) has KALLSYMS_ABSOLUTE_PERCPU: an offset
 * >= 0 is a per-cpu symbol's absolute value, a negative one stands for
 * relative_base - 1 - offset; otherwise an offset is relative_base + (u32).
 * Kernels with absolute kallsyms_addresses (no KALLSYMS_BASE_RELATIVE; not
 * x86-64 distributions) are not recognized.
 *
 * The search (gears_ksyms_find):
 *  1. LSTAR must be mapped; the mapped run of 2 MiB blocks around it is
 *     probed downwards ([lo, ...]): _text must lie in it.
 *  2. From LSTAR upwards (.rodata follows .text), at most
 *     GEARS_KSYMS_SCAN_MAX bytes, look for the token table by the tokens
 *     "0".."9" ("0\0" "1\0" ... "9\0"), then check the whole table and the
 *     token index that follows it (find_tokens()).
 *  3. The markers end where the token table (or seqs_of_names) begins;
 *     kallsyms_num_syms sits 8 bytes before the names; every name is
 *     decoded and checked against the markers (find_names()).
 *  4. The offsets (before num_syms, or after token_index) must give sorted
 *     addresses; the symbol "_text" must be 2 MiB aligned, in [lo, LSTAR],
 *     and "entry_SYSCALL_64" must be LSTAR itself (find_offsets()).
 * A candidate failing any check is dropped and the scan goes on; nothing
 * found is -ENOENT.  The guest controls all of it: after
 * GEARS_KSYMS_MAX_TABLES token tables that lead nowhere the search gives
 * up (-ENOENT), so a guest full of decoys costs a bounded amount of work
 * (each at most some 40 MiB of reads).  It sleeps (GFP_KERNEL,
 * cond_resched): process context only.
 *
 * What is kept (no guest reads afterwards): the names as stored
 * (compressed, about 14 bytes a symbol), the token table, and per symbol
 * its offset in the names, its address and a hash chain link, plus the
 * hash heads: about 36 bytes a symbol, 5.9 MB for 6.12's 163000.
 * Name -> address is a hash lookup (one expansion per candidate),
 * address -> name a binary search.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "ksyms.h"

#define KMAP_START	0xffffffff80000000ULL	/* __START_KERNEL_map */
#define KMAP_END	0xffffffffc0000000ULL	/* + KERNEL_IMAGE_SIZE (1 GiB) */
#define SZ_2M_ULL	0x200000ULL
#define KS_ALIGN(x)	(((x) + 7) & ~7ULL)	/* scripts/kallsyms.c: ALGN */
#define KS_NAME_LEN	512	/* KSYM_NAME_LEN since 6.1 (128 before) */
#define KS_ENTRY_MAX	(KS_NAME_LEN + 2)	/* one entry of kallsyms_names */
#define KS_MAX_MARKERS	(GEARS_KSYMS_MAX_SYMS / 256 + 1)
#define KS_TOKEN_MAX	(0x10000 + KS_NAME_LEN)	/* u16 index + the last token */
#define KS_CHUNK	0x10000

struct gears_ksyms {
	u64 text;
	u32 count;
	u32 names_len;
	u8 *names;		/* kallsyms_names, as the guest stores it */
	u32 *name_off;		/* symbol i's entry in names */
	u64 *addr;		/* symbol i's run-time address, ascending */
	u32 *hnext;		/* hash chains: symbol index + 1, 0 ends */
	u32 *hhead;
	u32 hbits;
	u16 tindex[256];	/* kallsyms_token_index */
	u32 tlen;
	u8 *tokens;		/* kallsyms_token_table */
};

/* The search's state: what is found so far of one candidate. */
struct ks_find {
	const struct gears_vread *r;
	u64 lstar, lo;
	u32 tables;		/* token tables found (and tried) so far */
	u64 ttab, tidx;		/* token table and index addresses */
	u16 tindex[256];
	u8 *tokens;
	u32 tlen;
	u64 markers;		/* kallsyms_markers */
	u32 nmark;
	u32 *mark;
	u32 nsyms;
	u64 names;		/* kallsyms_names */
	u8 *nbuf;		/* the names, copied */
	u32 nlen;
	u32 *name_off;
};

/* tokens 0x30..0x39 of every kallsyms_token_table: "0" to "9" */
static const u8 ks_digits[20] = {
	'0', 0, '1', 0, '2', 0, '3', 0, '4', 0,
	'5', 0, '6', 0, '7', 0, '8', 0, '9', 0,
};

static bool ks_mapped(const struct gears_vread *r, u64 va)
{
	u8 b;

	return gears_vread(r, va, &b, 1) == 0;
}

static inline u32 ks_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

/* FNV-1a over a symbol's name (without its type character) */
static u32 ks_hash(const char *s, u32 bits)
{
	u32 h = 2166136261u;

	while (*s)
		h = (h ^ (u8)*s++) * 16777619u;
	return (h ^ (h >> bits)) & ((1u << bits) - 1);
}

/*
 * Expand the entry at names[off] (kernel/kallsyms.c:
 * kallsyms_expand_symbol) into buf (KS_NAME_LEN + 1 bytes), type character
 * included.  Returns the offset of the next entry, or 0 when the entry runs
 * past end, expands to nothing or to more than KS_NAME_LEN characters.
 */
static u32 ks_expand(const u8 *names, u32 off, u32 end, const u8 *tokens,
		     const u16 *tindex, u32 tlen, char *buf)
{
	u32 len, n = 0;

	if (off >= end)
		return 0;
	len = names[off++];
	if (len & 0x80) {
		if (off >= end)
			return 0;
		len = (len & 0x7f) | (names[off++] << 7);
	}
	if (!len || len > end - off)
		return 0;
	for (; len; len--) {
		const u8 *t = tokens + tindex[names[off++]];

		/* find_tokens() checked each token ends inside the table */
		for (; *t; t++) {
			if (n >= KS_NAME_LEN)
				return 0;
			buf[n++] = *t;
		}
	}
	buf[n] = '\0';
	return n >= 2 ? off : 0;
}

static u32 ks_expand_sym(const struct gears_ksyms *k, u32 i, char *buf)
{
	return ks_expand(k->names, k->name_off[i], k->names_len, k->tokens,
			 k->tindex, k->tlen, buf);
}

/*
 * Step 2: is there a token table whose token 0x30 ("0") starts at h?
 * Tokens 0x30..0xff are read forwards from h, the index follows the table
 * (8-aligned), and the index must put every token where it was found.
 */
static int find_tokens(struct ks_find *f, u64 h)
{
	u8 *buf;
	u32 pos, i, start[256], len = KS_TOKEN_MAX;
	u64 table;
	int ret = -ENOENT;

	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* the table may end less than KS_TOKEN_MAX before unmapped memory */
	while (gears_vread(f->r, h, buf, len)) {
		len /= 2;
		if (len < 0x800)
			goto out;
	}
	for (pos = 0, i = 0x30; i < 256; i++) {
		start[i] = pos;
		while (pos < len && buf[pos] >= 0x20 && buf[pos] < 0x7f)
			pos++;
		if (pos >= len || buf[pos] || pos == start[i])
			goto out;
		pos++;
	}
	f->tidx = KS_ALIGN(h + pos);
	if (gears_vread(f->r, f->tidx, f->tindex, sizeof(f->tindex)))
		goto out;
	if (f->tindex[0] || f->tindex[0x30] > h)
		goto out;
	for (i = 1; i < 256; i++)
		if (f->tindex[i] <= f->tindex[i - 1])
			goto out;
	table = h - f->tindex[0x30];
	if (table & 7)
		goto out;
	for (i = 0x30; i < 256; i++)
		if (table + f->tindex[i] != h + start[i])
			goto out;
	/* the whole table, tokens 0..0x2f included */
	f->tlen = h + pos - table;
	f->ttab = table;
	f->tokens = kvmalloc(f->tlen, GFP_KERNEL);
	if (!f->tokens) {
		ret = -ENOMEM;
		goto out;
	}
	if (gears_vread(f->r, table, f->tokens, f->tlen))
		goto bad;
	for (i = 0; i < 0x30; i++) {
		u32 a = f->tindex[i], b = f->tindex[i + 1] - 1;

		if (f->tokens[b] || strnlen((char *)f->tokens + a, b - a) != b - a)
			goto bad;
		for (; a < b; a++)
			if (f->tokens[a] < 0x20 || f->tokens[a] >= 0x7f)
				goto bad;
	}
	ret = 0;
	goto out;
bad:
	kvfree(f->tokens);
	f->tokens = NULL;
out:
	kvfree(buf);
	return ret;
}

/* are win[at..] m plausible markers: 0, then 2..KS_ENTRY_MAX bytes a symbol? */
static bool markers_ok(const u8 *win, u32 at, u32 m)
{
	u32 i, prev = 0;

	if (ks_u32(win + at))
		return false;
	for (i = 1; i < m; i++) {
		u32 v = ks_u32(win + at + 4 * i);

		if (v < prev + 2 * 256 || v - prev > 256 * KS_ENTRY_MAX)
			return false;
		prev = v;
	}
	return true;
}

/* seqs_of_names: n values below n, entry bytes each (3: big-endian) */
static bool seqs_ok(const u8 *p, u32 n, u32 entry)
{
	u32 i, v;

	for (i = 0; i < n; i++, p += entry) {
		v = entry == 3 ? (p[0] << 16) | (p[1] << 8) | p[2] : ks_u32(p);
		if (v >= n)
			return false;
	}
	return true;
}

/*
 * Step 3a: the markers.  They end at the token table, or (6.1-6.6) where
 * seqs_of_names, ALIGN(3 or 4 * N) bytes, ends at it.  Sets f->markers,
 * f->nmark, f->mark and the range of symbol counts they allow.
 */
static int find_markers(struct ks_find *f, u32 *nmin, u32 *nmax)
{
	u32 wlen, m, e, at = 0;
	u8 *win;
	int ret = -ENOENT;

	wlen = 4 * KS_MAX_MARKERS + 4 * GEARS_KSYMS_MAX_SYMS + 16;
	wlen = min_t(u64, wlen, f->ttab - f->lstar) & ~7u;	/* 8-aligned */
	win = kvmalloc(wlen, GFP_KERNEL);
	if (!win)
		return -ENOMEM;
	/* the window may reach unmapped memory below .rodata */
	while (wlen >= 0x1000 && gears_vread(f->r, f->ttab - wlen, win, wlen))
		wlen = (wlen / 2) & ~7u;
	if (wlen < 0x1000)
		goto out;

	/* no seqs_of_names: walk back from the table (or its pad) to 0 */
	for (e = wlen; e >= wlen - 4; e -= 4) {
		u32 prev = ~0u;

		at = e - 4;
		while (at >= 4 && ks_u32(win + at) && ks_u32(win + at) < prev) {
			prev = ks_u32(win + at);
			at -= 4;
		}
		m = (e - at) / 4;
		if ((at & 7) || KS_ALIGN(at + 4 * m) != wlen || m < 2 ||
		    !markers_ok(win, at, m))
			continue;
		if (m > KS_MAX_MARKERS) {
			ret = -E2BIG;
			goto out;
		}
		*nmin = (m - 1) * 256 + 1;
		*nmax = m * 256;
		goto found;
	}
	/* seqs_of_names of 3 or 4 bytes a symbol between markers and table */
	for (m = 2; m <= KS_MAX_MARKERS; m++) {
		u32 s, n;

		if (!(m & 255))
			cond_resched();
		for (s = 3; s <= 4; s++) {
			for (n = (m - 1) * 256 + 1; n <= m * 256; n++) {
				u32 seqs = KS_ALIGN(s * n);

				if (seqs + KS_ALIGN(4 * m) > wlen)
					break;
				at = wlen - seqs - KS_ALIGN(4 * m);
				if (!markers_ok(win, at, m) ||
				    !seqs_ok(win + wlen - seqs, n, s))
					continue;
				*nmin = *nmax = n;
				goto found;
			}
		}
	}
	goto out;
found:
	f->nmark = m;
	f->markers = f->ttab - wlen + at;
	f->mark = kvmalloc_array(m, 4, GFP_KERNEL);
	if (!f->mark) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(f->mark, win + at, 4 * m);
	ret = 0;
out:
	kvfree(win);
	return ret;
}

/*
 * Validate every entry of the names at nbuf (n symbols, nlen bytes): each
 * expands to a type letter and printable characters, entry 256 * i starts
 * at marker i, and the entries end where the markers begin (8-aligned).
 * Fills name_off and the indices of "_text" and "entry_SYSCALL_64".
 */
static bool names_ok(struct ks_find *f, const u8 *nbuf, u32 nlen, u32 n,
		     u32 *name_off, u32 *itext, u32 *ientry)
{
	char sym[KS_NAME_LEN + 1];
	u32 i, off = 0, c;

	*itext = *ientry = ~0u;
	for (i = 0; i < n; i++) {
		if (!(i & 0xff) && f->mark[i >> 8] != off)
			return false;
		if (!(i & 0xffff))
			cond_resched();
		name_off[i] = off;
		off = ks_expand(nbuf, off, nlen, f->tokens, f->tindex, f->tlen,
				sym);
		if (!off)
			return false;
		if (!((sym[0] | 0x20) >= 'a' && (sym[0] | 0x20) <= 'z'))
			return false;
		for (c = 1; sym[c]; c++)
			if (sym[c] <= 0x20 || sym[c] >= 0x7f)
				return false;
		if (!strcmp(sym + 1, "_text"))
			*itext = i;
		else if (!strcmp(sym + 1, "entry_SYSCALL_64"))
			*ientry = i;
	}
	return KS_ALIGN(f->names + off) == f->markers;
}

/*
 * Step 3b: the names end (8-aligned) where the markers begin and the last
 * marker's block of 1..256 entries ends there; the u32 before them
 * (kallsyms_num_syms, 8 bytes before) gives their count.  The candidate
 * starts are the 8-aligned addresses the last block's possible sizes allow.
 */
static int find_names(struct ks_find *f, u32 nmin, u32 nmax, u32 *itext,
		      u32 *ientry)
{
	u32 last = f->mark[f->nmark - 1], base = 256 * (f->nmark - 1);
	u32 rmin = nmin - base, rmax = nmax - base, n, r, off, len;
	u64 qlo, qhi, q, start;
	u8 *buf;
	int ret = -ENOENT;

	if (last > GEARS_KSYMS_MAX_NAMES)
		return -E2BIG;
	qhi = f->markers - last - 2 * rmin;
	qlo = f->markers - last - (u64)rmax * KS_ENTRY_MAX - 8;
	qlo = max(qlo & ~7ULL, f->lstar + 8);
	if (qhi < qlo)
		return -ENOENT;
	start = qlo - 8;
	len = f->markers - start;
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (gears_vread(f->r, start, buf, len))
		goto out;
	for (q = qhi & ~7ULL; q >= qlo; q -= 8) {
		const u8 *p = buf + (q - start);

		n = ks_u32(p - 8);
		if (ks_u32(p - 4) || n < nmin || n > nmax)
			continue;
		/* the last block's entries, by their lengths only */
		off = last;
		for (r = n - base; r && q + off < f->markers; r--) {
			u32 l = p[off++];

			if (l & 0x80)
				l = (l & 0x7f) | (p[off++] << 7);
			off += l;
		}
		if (r || KS_ALIGN(q + off) != f->markers)
			continue;
		f->names = q;
		f->nlen = off;
		f->name_off = kvmalloc_array(n, 4, GFP_KERNEL);
		if (!f->name_off) {
			ret = -ENOMEM;
			goto out;
		}
		if (!names_ok(f, p, off, n, f->name_off, itext, ientry)) {
			kvfree(f->name_off);
			f->name_off = NULL;
			continue;
		}
		f->nsyms = n;
		f->nbuf = kvmalloc(off, GFP_KERNEL);
		if (!f->nbuf) {
			ret = -ENOMEM;
			goto out;
		}
		memcpy(f->nbuf, p, off);
		ret = 0;
		break;
	}
out:
	kvfree(buf);
	return ret;
}

/*
 * kernel/kallsyms.c: kallsyms_sym_address, with (percpu true) or without
 * KALLSYMS_ABSOLUTE_PERCPU.  The addresses must come out sorted and the
 * relative ones inside the kernel's 1 GiB.
 */
static bool ks_addresses(const s32 *off, u32 n, u64 base, bool percpu,
			 u64 *addr)
{
	u64 prev = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		u64 a;

		if (!percpu)
			a = base + (u32)off[i];
		else if (off[i] >= 0)
			a = off[i];
		else
			a = base - 1 - off[i];
		if (a < prev || (a > 0xffffffffULL && (a < base || a >= KMAP_END)))
			return false;
		addr[i] = a;
		prev = a;
	}
	return true;
}

/*
 * Step 4: kallsyms_offsets and kallsyms_relative_base, before num_syms
 * (up to 6.6) or after the token index (6.7+).
 */
static int find_offsets(struct ks_find *f, u32 itext, u32 ientry, u64 *addr)
{
	u64 at[2], rb = 0, text;
	u32 n = f->nsyms, i, size = 4 * n;
	s32 *off;
	int ret = -ENOENT;

	if (itext >= n || ientry >= n)
		return -ENOENT;
	off = kvmalloc(size, GFP_KERNEL);
	if (!off)
		return -ENOMEM;
	at[0] = f->names - 16 - KS_ALIGN(size);
	at[1] = KS_ALIGN(f->tidx + sizeof(f->tindex));
	/* two places, each with and without absolute per-cpu symbols */
	for (i = 0; i < 4 && ret; i++) {
		if (!(i & 1) &&
		    (gears_vread(f->r, at[i / 2] + KS_ALIGN(size), &rb, 8) ||
		     gears_vread(f->r, at[i / 2], off, size))) {
			i++;	/* not there: the next place */
			continue;
		}
		if (rb < KMAP_START || rb >= KMAP_END ||
		    !ks_addresses(off, n, rb, !(i & 1), addr))
			continue;
		text = addr[itext];
		if (!(text & (SZ_2M_ULL - 1)) && text >= f->lo &&
		    text <= f->lstar && addr[ientry] == f->lstar)
			ret = 0;
	}
	kvfree(off);
	return ret;
}

static void ks_find_reset(struct ks_find *f)
{
	kvfree(f->tokens);
	kvfree(f->mark);
	kvfree(f->nbuf);
	kvfree(f->name_off);
	f->tokens = NULL;
	f->nbuf = NULL;
	f->mark = NULL;
	f->name_off = NULL;
}

/* the hash chains of name -> index (lowest index first in each chain) */
static int ks_build(struct gears_ksyms *k)
{
	char sym[KS_NAME_LEN + 1];
	u32 i, h;

	k->hbits = clamp_t(u32, fls(k->count), 8, 22);	/* load 0.5-1 */
	k->hhead = kvzalloc(sizeof(u32) << k->hbits, GFP_KERNEL);
	k->hnext = kvmalloc_array(k->count, sizeof(u32), GFP_KERNEL);
	if (!k->hhead || !k->hnext)
		return -ENOMEM;
	for (i = k->count; i--; ) {
		ks_expand_sym(k, i, sym);
		h = ks_hash(sym + 1, k->hbits);
		k->hnext[i] = k->hhead[h];
		k->hhead[h] = i + 1;
	}
	return 0;
}

/* Steps 3 and 4 for the token table found at h; 0 with *out set */
static int ks_try(struct ks_find *f, u64 h, struct gears_ksyms **out)
{
	struct gears_ksyms *k;
	u32 nmin, nmax, itext, ientry;
	u64 *addr = NULL;
	int ret;

	ret = find_tokens(f, h);
	if (!ret)
		f->tables++;
	if (!ret)
		ret = find_markers(f, &nmin, &nmax);
	if (!ret)
		ret = find_names(f, nmin, nmax, &itext, &ientry);
	if (!ret) {
		addr = kvmalloc_array(f->nsyms, sizeof(u64), GFP_KERNEL);
		ret = addr ? find_offsets(f, itext, ientry, addr) : -ENOMEM;
	}
	if (ret)
		goto fail;
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k) {
		ret = -ENOMEM;
		goto fail;
	}
	k->text = addr[itext];
	k->count = f->nsyms;
	k->names = f->nbuf;
	k->names_len = f->nlen;
	k->name_off = f->name_off;
	k->addr = addr;
	k->tokens = f->tokens;
	k->tlen = f->tlen;
	memcpy(k->tindex, f->tindex, sizeof(k->tindex));
	f->nbuf = NULL;
	f->name_off = NULL;
	f->tokens = NULL;
	ks_find_reset(f);
	ret = ks_build(k);
	if (ret) {
		gears_ksyms_free(k);
		return ret;
	}
	*out = k;
	return 0;
fail:
	kvfree(addr);
	ks_find_reset(f);
	return ret;
}

/*
 * Step 2's search of buf = [va, va + len): a hit must start below va +
 * scan (the rest overlaps the next chunk).
 */
static int ks_scan(struct ks_find *f, const u8 *buf, u64 va, u32 len,
		   u32 scan, struct gears_ksyms **out, int *seen)
{
	const u8 *p = buf, *end = buf + len;
	int ret;

	while ((p = memchr(p, '0', end - p)) != NULL && p < buf + scan) {
		if (end - p < sizeof(ks_digits) ||
		    memcmp(p, ks_digits, sizeof(ks_digits))) {
			p++;
			continue;
		}
		ret = ks_try(f, va + (p - buf), out);
		if (ret != -ENOENT && ret != -E2BIG)
			return ret;
		if (ret == -E2BIG)
			*seen = -E2BIG;
		if (f->tables >= GEARS_KSYMS_MAX_TABLES)
			return -ENOENT;
		p += sizeof(ks_digits);
	}
	return -ENOENT;
}

/*
 * Step 2: page-aligned chunks, each read with 32 bytes of the next so that
 * a pattern across their border is seen.  A chunk with unmapped pages (the
 * holes the kernel leaves between .text and .rodata) is searched page by
 * page, in runs of mapped pages.
 */
static int ks_search(struct ks_find *f, struct gears_ksyms **out)
{
	u64 va, end;
	u32 o, run;
	u8 *buf;
	int ret = -ENOENT, seen = -ENOENT;

	buf = kvmalloc(KS_CHUNK + 32, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	va = f->lstar & ~(u64)(PAGE_SIZE - 1);
	end = min_t(u64, KMAP_END, va + GEARS_KSYMS_SCAN_MAX);
	for (; va < end && ret == -ENOENT && f->tables < GEARS_KSYMS_MAX_TABLES;
	     va += KS_CHUNK) {
		cond_resched();
		if (!gears_vread(f->r, va, buf, KS_CHUNK + 32)) {
			ret = ks_scan(f, buf, va, KS_CHUNK + 32, KS_CHUNK, out,
				      &seen);
			continue;
		}
		for (o = run = 0; o < KS_CHUNK && ret == -ENOENT; o += PAGE_SIZE) {
			if (!gears_vread(f->r, va + o, buf + o, PAGE_SIZE)) {
				run += PAGE_SIZE;
				if (o + PAGE_SIZE < KS_CHUNK)
					continue;
				o += PAGE_SIZE;	/* the chunk's last run */
			}
			if (run)
				ret = ks_scan(f, buf + o - run, va + o - run,
					      run, run, out, &seen);
			run = 0;
		}
	}
	kvfree(buf);
	return ret == -ENOENT ? seen : ret;
}

int gears_ksyms_find(const struct gears_vread *r, u64 lstar,
		     struct gears_ksyms **out)
{
	struct ks_find f = { .r = r, .lstar = lstar };

	*out = NULL;
	if (lstar < KMAP_START || lstar >= KMAP_END || !ks_mapped(r, lstar))
		return -ENOENT;
	/* Step 1: the mapped run of 2 MiB blocks holding LSTAR */
	f.lo = lstar & ~(SZ_2M_ULL - 1);
	while (f.lo - SZ_2M_ULL >= KMAP_START && ks_mapped(r, f.lo - SZ_2M_ULL))
		f.lo -= SZ_2M_ULL;
	return ks_search(&f, out);
}

void gears_ksyms_free(struct gears_ksyms *k)
{
	if (!k)
		return;
	kvfree(k->names);
	kvfree(k->name_off);
	kvfree(k->addr);
	kvfree(k->hnext);
	kvfree(k->hhead);
	kvfree(k->tokens);
	kfree(k);
}

u64 gears_ksyms_text(const struct gears_ksyms *k)
{
	return k->text;
}

s64 gears_ksyms_slide(const struct gears_ksyms *k)
{
	return (s64)(k->text - GEARS_KERNEL_TEXT_DEFAULT);
}

u32 gears_ksyms_count(const struct gears_ksyms *k)
{
	return k->count;
}

static void ks_copy_name(char *name, u32 len, const char *sym)
{
	u32 l;

	if (!len)
		return;
	l = min_t(u32, strlen(sym), len - 1);
	memcpy(name, sym, l);
	name[l] = '\0';
}

/* one hash chain: about one expansion (~30 token copies) per lookup */
u64 gears_ksyms_lookup(const struct gears_ksyms *k, const char *name)
{
	char sym[KS_NAME_LEN + 1];
	u32 i;

	for (i = k->hhead[ks_hash(name, k->hbits)]; i; i = k->hnext[i - 1]) {
		if (ks_expand_sym(k, i - 1, sym) && !strcmp(sym + 1, name))
			return k->addr[i - 1];
	}
	return 0;
}

int gears_ksyms_get(const struct gears_ksyms *k, u32 i, char *name, u32 len,
		    char *type, u64 *addr)
{
	char sym[KS_NAME_LEN + 1];

	if (i >= k->count || !ks_expand_sym(k, i, sym))
		return -ENOENT;
	ks_copy_name(name, len, sym + 1);
	*type = sym[0];
	*addr = k->addr[i];
	return 0;
}

/* a binary search, then back to the first of the symbols at that address */
int gears_ksyms_name(const struct gears_ksyms *k, u64 addr, char *name,
		     u32 len, u64 *offset)
{
	char sym[KS_NAME_LEN + 1];
	u32 lo = 0, hi = k->count, mid;

	if (!k->count || addr < k->addr[0])
		return -ENOENT;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (k->addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	while (lo && k->addr[lo - 1] == k->addr[lo])
		lo--;
	if (!ks_expand_sym(k, lo, sym))
		return -ENOENT;
	ks_copy_name(name, len, sym + 1);
	*offset = addr - k->addr[lo];
	return 0;
}
