// SPDX-License-Identifier: GPL-2.0
/*
 * A Debian kernel image as a guest's memory (see fakeguest.h).
 *
 * The loading follows what arch/x86/boot/compressed/misc.c does with the
 * same bytes: each PT_LOAD segment goes to its physical address, which the
 * kernel maps at __START_KERNEL_map + physical (the per-cpu segment's
 * virtual address is 0, its physical one is inside the image), moved by
 * the KASLR slide; then the relocation table that follows the ELF in the
 * decompressed payload (arch/x86/tools/relocs.c) is applied backwards from
 * its end: u32 entries, each the sign-extended link-time address of a
 * place to fix, in three zero-terminated lists:
 *	32-bit relocations		*(u32 *)p += slide
 *	inverse 32-bit relocations	*(s32 *)p -= slide
 *	64-bit relocations		*(u64 *)p += slide
 * Memory outside the segments is unmapped (-EFAULT), as in a booted
 * kernel, which unmaps what lies below _text and above _end.
 *
 * objcopy -S left the section headers: the tests take the kernel's layout
 * from them (arch/x86/kernel/vmlinux.lds.S puts _text at the start of
 * .text, __start_rodata at the start of .rodata, ...).
 */
#define _GNU_SOURCE	/* memmem */
#include <dirent.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <kshim.h>
#include "fakeguest.h"

#define KMAP_START	0xffffffff80000000ULL
#define FG_PAGE		4096ULL

#ifndef GEARS_KCACHE
#define GEARS_KCACHE	"../../.cache/kernels"
#endif
#ifndef GEARS_IMGDIR
#define GEARS_IMGDIR	"build/img"
#endif

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	void *p;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || !(p = malloc(st.st_size + 1)) ||
	    fread(p, 1, st.st_size, f) != (size_t)st.st_size) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	((char *)p)[st.st_size] = 0;
	*len = st.st_size;
	return p;
}

void *fakeguest_ptr(struct fakeguest *g, u64 va, u32 len)
{
	u64 o = va - g->base, pg;

	if (va < g->base || o > g->size || len > g->size - o)
		return NULL;
	for (pg = o / FG_PAGE; pg * FG_PAGE < o + len; pg++)
		if (!g->mapped[pg])
			return NULL;
	return g->mem + o;
}

int fakeguest_read(void *ctx, u64 va, void *buf, u32 len)
{
	struct fakeguest *g = ctx;
	void *p = fakeguest_ptr(g, va, len);

	g->reads++;
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int apply_relocs(struct fakeguest *g, const u8 *img, size_t len,
			size_t elf_end)
{
	const u8 *end = img + len;
	int list;

	end -= 4;
	for (list = 0; list < 3; list++, end -= 4) {
		for (;; end -= 4) {
			u32 e;
			u64 link;
			void *p;

			if (end < img + elf_end)
				return -EINVAL;
			memcpy(&e, end, 4);
			if (!e)
				break;
			link = (u64)(s64)(s32)e;
			p = fakeguest_ptr(g, link + g->slide, list == 2 ? 8 : 4);
			if (!p)
				return -EINVAL;
			if (list == 0) {
				u32 v; memcpy(&v, p, 4); v += (u32)g->slide; memcpy(p, &v, 4);
			} else if (list == 1) {
				s32 v; memcpy(&v, p, 4); v -= (s32)g->slide; memcpy(p, &v, 4);
			} else {
				u64 v; memcpy(&v, p, 8); v += g->slide; memcpy(p, &v, 8);
			}
			g->relocs++;
		}
	}
	return 0;
}

/* the allocated sections, with their names and run-time addresses */
static int load_sections(struct fakeguest *g, const u8 *img, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Shdr *sh, *str;
	u32 i;

	if (eh->e_shentsize != sizeof(*sh) || eh->e_shstrndx >= eh->e_shnum ||
	    eh->e_shoff > len || (u64)eh->e_shnum * sizeof(*sh) > len - eh->e_shoff)
		return -EINVAL;
	sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	str = &sh[eh->e_shstrndx];
	if (str->sh_offset > len || str->sh_size > len - str->sh_offset)
		return -EINVAL;
	g->sec = calloc(eh->e_shnum, sizeof(*g->sec));
	if (!g->sec)
		return -ENOMEM;
	for (i = 0; i < eh->e_shnum; i++) {
		struct fakeguest_sec *s = &g->sec[g->nsec];

		if (!(sh[i].sh_flags & SHF_ALLOC) || sh[i].sh_name >= str->sh_size)
			continue;
		snprintf(s->name, sizeof(s->name), "%.*s",
			 (int)strnlen((const char *)img + str->sh_offset + sh[i].sh_name,
				      str->sh_size - sh[i].sh_name),
			 (const char *)img + str->sh_offset + sh[i].sh_name);
		s->addr = sh[i].sh_addr >= KMAP_START ? sh[i].sh_addr + g->slide : sh[i].sh_addr;
		s->size = sh[i].sh_size;
		g->nsec++;
	}
	return 0;
}

const struct fakeguest_sec *fakeguest_section(const struct fakeguest *g,
					      const char *name)
{
	u32 i;

	for (i = 0; i < g->nsec; i++)
		if (!strcmp(g->sec[i].name, name))
			return &g->sec[i];
	return NULL;
}

/*
 * arch/x86/entry/entry_64.S (5.10 to 6.12):
 *	SYM_CODE_START(entry_SYSCALL_64)
 *		UNWIND_HINT_ENTRY
 *		ENDBR
 *		swapgs
 *		movq	%rsp, PER_CPU_VAR(cpu_tss_rw + TSS_sp2)
 * that is [f3 0f 1e fa] (endbr64, with X86_KERNEL_IBT), 0f 01 f8 (swapgs)
 * and 65 48 89 24 25 disp32 (mov %rsp, %gs:disp32) or, where PER_CPU_VAR
 * is RIP-relative (6.12), 65 48 89 25 rel32.  No other swapgs is followed
 * by a store of %rsp (entry_SYSCALL_compat stashes %esp in %r8d).
 */
u64 fakeguest_lstar(struct fakeguest *g)
{
	static const u8 swapgs_mov[] = { 0x0f, 0x01, 0xf8, 0x65, 0x48, 0x89 };
	static const u8 endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	const struct fakeguest_sec *t = fakeguest_section(g, ".text");
	const u8 *p, *text = t ? fakeguest_ptr(g, t->addr, t->size) : NULL, *end;
	u64 found = 0;
	u32 n = 0;

	if (!text)
		return 0;
	end = text + t->size;
	for (p = text; (p = memmem(p, end - p, swapgs_mov, sizeof(swapgs_mov))); p++) {
		const u8 *m = p + sizeof(swapgs_mov);

		if (end - m < 6 || !((m[0] == 0x24 && m[1] == 0x25) || m[0] == 0x25))
			continue;
		n++;
		found = t->addr + (p - text);
		if (p - text >= 4 && !memcmp(p - 4, endbr64, 4))
			found -= 4;
	}
	return n == 1 ? found : 0;
}

int fakeguest_load(struct fakeguest *g, const char *vmlinux, u64 slide)
{
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	size_t len, elf_end;
	u64 lo = ~0ULL, hi = 0;
	u8 *img;
	int i, ret;

	memset(g, 0, sizeof(*g));
	g->slide = slide;
	img = slurp(vmlinux, &len);
	if (!img) {
		fprintf(stderr, "fakeguest: cannot read %s\n", vmlinux);
		return -ENOENT;
	}
	eh = (const Elf64_Ehdr *)img;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phoff + (u64)eh->e_phnum * sizeof(*ph) > len)
		goto bad;
	ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	elf_end = eh->e_shoff + (u64)eh->e_shnum * eh->e_shentsize;
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_offset + ph[i].p_filesz > len)
			goto bad;
		if (!ph[i].p_vaddr)	/* per-cpu: loaded at its physical place */
			g->percpu_load = KMAP_START + ph[i].p_paddr + slide;
		lo = min(lo, KMAP_START + ph[i].p_paddr + slide);
		hi = max(hi, KMAP_START + ph[i].p_paddr + slide + ph[i].p_memsz);
		elf_end = max(elf_end, ph[i].p_offset + ph[i].p_filesz);
	}
	if (hi <= lo || elf_end > len)
		goto bad;
	g->base = lo & ~(FG_PAGE - 1);
	g->size = ALIGN(hi - g->base, FG_PAGE);
	g->mem = calloc(1, g->size);
	g->mapped = calloc(1, g->size / FG_PAGE);
	if (!g->mem || !g->mapped)
		goto bad;
	for (i = 0; i < eh->e_phnum; i++) {
		u64 va = KMAP_START + ph[i].p_paddr + slide, pg;

		if (ph[i].p_type != PT_LOAD)
			continue;
		memcpy(g->mem + (va - g->base), img + ph[i].p_offset,
		       ph[i].p_filesz);
		for (pg = (va - g->base) / FG_PAGE;
		     pg * FG_PAGE < va - g->base + ph[i].p_memsz; pg++)
			g->mapped[pg] = 1;
	}
	if (load_sections(g, img, len)) {
		fakeguest_unload(g);
		goto bad;
	}
	ret = apply_relocs(g, img, len, elf_end);
	free(img);
	if (ret) {
		fprintf(stderr, "fakeguest: %s: bad relocation table\n", vmlinux);
		fakeguest_unload(g);
	}
	return ret;
bad:
	fprintf(stderr, "fakeguest: %s: not a loadable vmlinux\n", vmlinux);
	free(img);
	fakeguest_unload(g);
	return -EINVAL;
}

void fakeguest_unload(struct fakeguest *g)
{
	free(g->mem);
	free(g->mapped);
	free(g->sec);
	g->mem = g->mapped = NULL;
	g->sec = NULL;
	g->nsec = 0;
}

int sysmap_load(struct sysmap *m, const char *path)
{
	size_t len, cap = 0;
	char *txt = slurp(path, &len), *line, *save;

	memset(m, 0, sizeof(*m));
	if (!txt)
		return -ENOENT;
	for (line = strtok_r(txt, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long a;
		char t, name[1024];

		if (sscanf(line, "%llx %c %1023s", &a, &t, name) != 3)
			continue;
		if (m->n == cap) {
			cap = cap ? 2 * cap : 65536;
			m->sym = realloc(m->sym, cap * sizeof(*m->sym));
			if (!m->sym)
				abort();
		}
		m->sym[m->n].addr = a;
		m->sym[m->n].type = t;
		m->sym[m->n].name = strdup(name);
		m->n++;
	}
	free(txt);
	return m->n ? 0 : -EINVAL;
}

void sysmap_free(struct sysmap *m)
{
	u32 i;

	for (i = 0; i < m->n; i++)
		free(m->sym[i].name);
	free(m->sym);
	memset(m, 0, sizeof(*m));
}

const struct sysmap_sym *sysmap_find(const struct sysmap *m, const char *name)
{
	u32 i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->sym[i].name, name))
			return &m->sym[i];
	return NULL;
}

int gears_kernel_find(const char *prefix, struct gears_kernel *k)
{
	const char *nomaps = getenv("V3_GEARS_NO_MAPS");
	DIR *d = opendir(GEARS_IMGDIR);
	struct dirent *e;
	struct stat st;
	int ret = -ENOENT;

	if (!d)
		return -ENOENT;
	while ((e = readdir(d))) {
		const char *v = e->d_name + strlen("vmlinux-");

		if (strncmp(e->d_name, "vmlinux-", 8) || strncmp(v, prefix, strlen(prefix)) ||
		    strlen(v) >= sizeof(k->kver) || strstr(v, ".tmp"))
			continue;
		snprintf(k->kver, sizeof(k->kver), "%s", v);
		snprintf(k->vmlinux, sizeof(k->vmlinux), "%s/%s", GEARS_IMGDIR, e->d_name);
		snprintf(k->sysmap, sizeof(k->sysmap),
			 "%s/%s/usr/lib/debug/boot/System.map-%s", GEARS_KCACHE, v, v);
		if ((nomaps && !strcmp(nomaps, "1")) || stat(k->sysmap, &st))
			k->sysmap[0] = '\0';
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}
