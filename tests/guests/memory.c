// SPDX-License-Identifier: GPL-2.0
/*
 * memory: every byte of RAM above the guest image up to 1 MiB + mem_upper
 * (capped at 4 GiB: paging is off, so 32-bit physical addresses) is written
 * and read back twice, first with each word's own address, then with its
 * complement.  All writes of a pass finish before any read, so two
 * guest-physical pages backed by the same host page are caught.  Words
 * straddling every 2 MiB boundary are tested separately: v3vmm backs guest
 * memory with 2 MiB chunks that need not be contiguous on the host.
 *
 * The memory the loader filled in (Multiboot info, command line, modules,
 * memory map, loader name) is left alone, wherever it was placed.
 */
#include "guest.h"

DEFINE_GUEST("memory");

#define PAGE		4096ULL
#define SZ_1M		0x100000ULL
#define SZ_2M		0x200000ULL
#define SZ_4G		0x100000000ULL
#define MAX_RANGES	64

struct range {
	uint64_t start, end;
};

static struct range reserved[MAX_RANGES];
static int nr_reserved;

static void reserve(uint64_t start, uint64_t len)
{
	if (!len)
		return;
	if (nr_reserved == MAX_RANGES)
		tap_bail("too many reserved ranges");
	reserved[nr_reserved].start = start & ~(PAGE - 1);
	reserved[nr_reserved].end = (start + len + PAGE - 1) & ~(PAGE - 1);
	nr_reserved++;
}

static void reserve_loader_data(struct multiboot_info *mbi)
{
	reserve(0, (uintptr_t)_end);
	reserve((uintptr_t)mbi, sizeof(*mbi));
	if (mbi->flags & MB_INFO_CMDLINE)
		reserve(mbi->cmdline, strlen((char *)mbi->cmdline) + 1);
	if (mbi->flags & MB_INFO_LOADER_NAME)
		reserve(mbi->boot_loader_name,
			strlen((char *)mbi->boot_loader_name) + 1);
	if (mbi->flags & MB_INFO_MMAP)
		reserve(mbi->mmap_addr, mbi->mmap_length);
	if (mbi->flags & MB_INFO_MODS) {
		struct multiboot_module *m = (void *)mbi->mods_addr;

		reserve(mbi->mods_addr, mbi->mods_count * sizeof(*m));
		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			reserve(m[i].mod_start, m[i].mod_end - m[i].mod_start);
			if (m[i].string)
				reserve(m[i].string,
					strlen((char *)m[i].string) + 1);
		}
	}
}

/* Sort by start, then merge overlapping ranges. */
static void sort_reserved(void)
{
	int i, j, n = 0;

	for (i = 1; i < nr_reserved; i++) {
		struct range r = reserved[i];

		for (j = i; j > 0 && reserved[j - 1].start > r.start; j--)
			reserved[j] = reserved[j - 1];
		reserved[j] = r;
	}
	for (i = 0; i < nr_reserved; i++) {
		if (n && reserved[i].start <= reserved[n - 1].end) {
			if (reserved[i].end > reserved[n - 1].end)
				reserved[n - 1].end = reserved[i].end;
		} else {
			reserved[n++] = reserved[i];
		}
	}
	nr_reserved = n;
}

static struct range gaps[MAX_RANGES + 1];
static int nr_gaps;

static void find_gaps(uint64_t top)
{
	uint64_t pos = 0;

	for (int i = 0; i <= nr_reserved; i++) {
		uint64_t end = i < nr_reserved ? reserved[i].start : top;

		if (end > top)
			end = top;
		if (end > pos) {
			gaps[nr_gaps].start = pos;
			gaps[nr_gaps].end = end;
			nr_gaps++;
		}
		if (i < nr_reserved && reserved[i].end > pos)
			pos = reserved[i].end;
	}
}

static void fill(const struct range *g, uint32_t xor)
{
	volatile uint32_t *p = (uint32_t *)(uintptr_t)g->start;
	uint32_t n = (g->end - g->start) / 4;

	for (; n; n--, p++)
		*p = (uint32_t)(uintptr_t)p ^ xor;
}

static uint32_t verify(const struct range *g, uint32_t xor)
{
	volatile uint32_t *p = (uint32_t *)(uintptr_t)g->start;
	uint32_t n = (g->end - g->start) / 4, bad = 0;

	for (; n; n--, p++) {
		uint32_t want = (uint32_t)(uintptr_t)p ^ xor, got = *p;

		if (got != want && bad++ < 4)
			tap_diag("at %p: want %#x got %#x", p, want, got);
	}
	return bad;
}

static int pattern_pass(uint32_t xor)
{
	uint32_t bad = 0;
	int i;

	for (i = 0; i < nr_gaps; i++)
		fill(&gaps[i], xor);
	for (i = 0; i < nr_gaps; i++)
		bad += verify(&gaps[i], xor);
	if (bad)
		tap_diag("%u bad words", bad);
	return !bad;
}

static void copy_bytes(void *d, const void *s, uint32_t n)
{
	asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

/* Unaligned and string accesses across the 2 MiB boundary at b. */
static int straddle(uint32_t b)
{
	volatile uint8_t *p8 = (uint8_t *)b;
	volatile uint32_t *p32 = (uint32_t *)(b - 2);
	volatile uint64_t *p64 = (uint64_t *)(b - 4);
	uint32_t v32 = 0xc0de0000 | (b >> 21);
	uint64_t v64 = ((uint64_t)~b << 32) | b;
	static uint8_t src[64], dst[64];
	int ok = 1;

	*p32 = v32;
	ok &= *p32 == v32;
	ok &= p8[-2] == (uint8_t)v32 && p8[-1] == (uint8_t)(v32 >> 8) &&
	      p8[0] == (uint8_t)(v32 >> 16) && p8[1] == (uint8_t)(v32 >> 24);
	*p64 = v64;
	ok &= *p64 == v64;
	ok &= *(volatile uint32_t *)(b - 4) == b &&
	      *(volatile uint32_t *)b == ~b;

	for (int i = 0; i < 64; i++)
		src[i] = i ^ (b >> 21) ^ 0x5a;
	copy_bytes((void *)(b - 29), src, 64);
	copy_bytes(dst, (void *)(b - 29), 64);
	ok &= !memcmp(src, dst, 64);
	if (!ok)
		tap_diag("straddling %#x failed", b);
	return ok;
}

static int check_mmap(struct multiboot_info *mbi, uint64_t upper_end)
{
	uint64_t addr = mbi->mmap_addr, end = addr + mbi->mmap_length;
	int found = 0, lower = 0;

	while (addr + 4 <= end) {
		struct multiboot_mmap *e = (void *)(uintptr_t)addr;
		uint64_t s = e->base_addr, l = e->length;

		tap_diag("mmap %#llx-%#llx type %u",
			 (unsigned long long)s,
			 (unsigned long long)(s + l - 1), e->type);
		if (e->type == MB_MMAP_RAM && s <= SZ_1M && s + l > SZ_1M)
			found = s + l == upper_end ? 1 : -1;
		if (e->type == MB_MMAP_RAM && s == 0 &&
		    l >= mbi->mem_lower * 1024ULL)
			lower = 1;
		if (e->size < 20)
			return tap_ok(0, "memory map entry size %u >= 20",
				      e->size);
		addr += e->size + 4;
	}
	tap_ok(lower, "memory map has RAM at 0 covering mem_lower (%u KiB)",
	       mbi->mem_lower);
	return tap_ok(found == 1,
		      "memory map RAM at 1 MiB ends at 1 MiB + mem_upper (%#llx)",
		      (unsigned long long)upper_end);
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t top, tested = 0;
	uint32_t nb = 0, nb_bad = 0;
	int i;

	if (magic != MB_BOOT_MAGIC || !(mbi->flags & MB_INFO_MEMORY))
		tap_bail("no Multiboot memory information");
	top = SZ_1M + mbi->mem_upper * 1024ULL;
	tap_diag("mem_lower %u KiB, mem_upper %u KiB: RAM to %#llx",
		 mbi->mem_lower, mbi->mem_upper, (unsigned long long)top);
	if (mbi->flags & MB_INFO_MMAP)
		check_mmap(mbi, top);
	else
		tap_ok(0, "memory map provided");
	if (top > SZ_4G) {
		tap_diag("testing only below 4 GiB");
		top = SZ_4G;
	}

	reserve_loader_data(mbi);
	sort_reserved();
	find_gaps(top);
	for (i = 0; i < nr_gaps; i++) {
		tap_diag("testing %#llx-%#llx",
			 (unsigned long long)gaps[i].start,
			 (unsigned long long)gaps[i].end - 1);
		tested += gaps[i].end - gaps[i].start;
	}
	tap_ok(tested > 0, "found RAM to test above the image");

	tap_ok(pattern_pass(0), "address-as-value pattern");
	tap_ok(pattern_pass(~0U), "inverted address pattern");

	for (i = 0; i < nr_gaps; i++) {
		uint64_t b = (gaps[i].start + 64 + SZ_2M - 1) & ~(SZ_2M - 1);

		for (; b + 64 <= gaps[i].end; b += SZ_2M, nb++)
			nb_bad += !straddle(b);
	}
	tap_ok(nb > 0 && !nb_bad, "accesses straddling %u 2 MiB boundaries",
	       nb);

	tap_diag("tested %llu bytes (%llu MiB)", (unsigned long long)tested,
		 (unsigned long long)(tested >> 20));
	return tap_done();
}
