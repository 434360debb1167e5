// SPDX-License-Identifier: GPL-2.0
/*
 * The image "v3ctl gears exec" hands GEARS (V3_GEARS_INJ_EXEC, ABI 1.7):
 * a static PIE laid out as Linux's ELF loader would map it, at base 0,
 * with its initial stack (argc, argv, envp, auxv, the strings) built
 * after it as the x86-64 psABI describes, and the list of the words that
 * hold addresses, which GEARS relocates by the scratch mapping's address
 * in the guest.  Pure: the unit tests call it directly.
 *
 *   [0, image_len)                    the PT_LOAD segments at p_vaddr, BSS
 *                                     zero, rounded up to 4096
 *   [stack_off, stack_off + stack_len) GEARS_EXEC_STACK free bytes, then
 *                                     the initial stack: RSP (args[1],
 *                                     16-aligned) at argc
 *   [reloc_off, len)                  u64 offsets of the words to relocate
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v3ctl.h"

#define PAGE		4096ULL
#define ROUND_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

static int why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

#define NOT_PIE	"not a static PIE"
#define LINK	"link with gcc -static-pie"

/* What the ELF file says, checked. */
struct exec_elf {
	Elf64_Ehdr eh;
	const uint8_t *file;
	size_t file_len;
	uint64_t image_end;	/* highest p_vaddr + p_memsz */
	uint64_t phdr;		/* AT_PHDR, from base 0 */
};

static void phdr_at(const struct exec_elf *e, unsigned int i, Elf64_Phdr *ph)
{
	memcpy(ph, e->file + e->eh.e_phoff + (uint64_t)i * sizeof(*ph),
	       sizeof(*ph));
}

static int check_ehdr(struct exec_elf *e, char *why, size_t len)
{
	const Elf64_Ehdr *eh = &e->eh;

	if (e->file_len < EI_NIDENT || memcmp(e->file, ELFMAG, SELFMAG))
		return why_set(why, len, "not an ELF file (" LINK ")");
	if (e->file[EI_CLASS] != ELFCLASS64)
		return why_set(why, len, "not a 64-bit ELF file (ELFCLASS%u)",
			       e->file[EI_CLASS] == ELFCLASS32 ? 32 : 0);
	if (e->file[EI_DATA] != ELFDATA2LSB)
		return why_set(why, len, "not a little-endian ELF file");
	if (e->file_len < sizeof(*eh))
		return why_set(why, len, "truncated: %zu bytes, less than an ELF header",
			       e->file_len);
	memcpy(&e->eh, e->file, sizeof(e->eh));
	if (e->file[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return why_set(why, len, "unknown ELF version %u",
			       (unsigned int)eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return why_set(why, len, "not an x86-64 program (e_machine %u)",
			       eh->e_machine);
	if (eh->e_type == ET_EXEC)
		return why_set(why, len, NOT_PIE " (ET_EXEC: linked at a fixed address; " LINK ")");
	if (eh->e_type == ET_REL)
		return why_set(why, len, NOT_PIE " (ET_REL: an object file; " LINK ")");
	if (eh->e_type != ET_DYN)
		return why_set(why, len, NOT_PIE " (e_type %u; " LINK ")",
			       eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return why_set(why, len, "program header entries of %u bytes, not %zu",
			       eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!eh->e_phnum || eh->e_phnum == PN_XNUM)
		return why_set(why, len, "%s program headers",
			       eh->e_phnum ? "too many" : "no");
	if (eh->e_phoff > e->file_len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > e->file_len - eh->e_phoff)
		return why_set(why, len, "truncated: the program headers end past the file's %zu bytes",
			       e->file_len);
	return 0;
}

/* p_align: 0 or a power of 2, and p_vaddr congruent to p_offset */
static bool align_ok(const Elf64_Phdr *ph)
{
	if (ph->p_align <= 1)
		return true;
	if (ph->p_align & (ph->p_align - 1))
		return false;
	return (ph->p_vaddr - ph->p_offset) % ph->p_align == 0;
}

static int check_phdrs(struct exec_elf *e, char *why, size_t len)
{
	uint64_t prev_end = 0, phdr_load = UINT64_MAX, phdr_pt = UINT64_MAX;
	uint64_t phsize = (uint64_t)e->eh.e_phnum * sizeof(Elf64_Phdr);
	bool entry_ok = false;
	unsigned int i, nload = 0;
	Elf64_Phdr ph;

	for (i = 0; i < e->eh.e_phnum; i++) {
		phdr_at(e, i, &ph);
		if (ph.p_type == PT_INTERP) {
			const char *s = "";
			size_t n = 0;

			if (ph.p_offset < e->file_len) {
				s = (const char *)e->file + ph.p_offset;
				n = strnlen(s, e->file_len - ph.p_offset);
				if (n > 64)
					n = 64;
			}
			return why_set(why, len, NOT_PIE " (it needs the dynamic loader %.*s: " LINK ")",
				       (int)n, s);
		}
		if (ph.p_type == PT_PHDR) {
			phdr_pt = ph.p_vaddr;
			continue;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return why_set(why, len, "segment %u: p_filesz 0x%llx larger than p_memsz 0x%llx",
				       i, (unsigned long long)ph.p_filesz,
				       (unsigned long long)ph.p_memsz);
		if (ph.p_offset > e->file_len ||
		    ph.p_filesz > e->file_len - ph.p_offset)
			return why_set(why, len, "truncated: segment %u (0x%llx bytes at 0x%llx) ends past the file's %zu bytes",
				       i, (unsigned long long)ph.p_filesz,
				       (unsigned long long)ph.p_offset,
				       e->file_len);
		if (!align_ok(&ph))
			return why_set(why, len, "segment %u: bad alignment (p_align 0x%llx, p_vaddr 0x%llx, p_offset 0x%llx)",
				       i, (unsigned long long)ph.p_align,
				       (unsigned long long)ph.p_vaddr,
				       (unsigned long long)ph.p_offset);
		if (!nload && ph.p_vaddr)
			return why_set(why, len, "the first loaded segment is at 0x%llx, not 0 as a static PIE's (" LINK ")",
				       (unsigned long long)ph.p_vaddr);
		if (ph.p_vaddr < prev_end)
			return why_set(why, len, "segment %u at 0x%llx overlaps the one before or is out of order",
				       i, (unsigned long long)ph.p_vaddr);
		if (ph.p_vaddr > V3_GEARS_DATA_MAX ||
		    ph.p_memsz > V3_GEARS_DATA_MAX - ph.p_vaddr)
			return why_set(why, len, "segment %u ends at 0x%llx: the program takes more than the %u MiB GEARS injects",
				       i, (unsigned long long)(ph.p_vaddr + ph.p_memsz),
				       V3_GEARS_DATA_MAX >> 20);
		prev_end = ph.p_vaddr + ph.p_memsz;
		nload++;
		if (e->eh.e_entry >= ph.p_vaddr && e->eh.e_entry < prev_end &&
		    (ph.p_flags & PF_X))
			entry_ok = true;
		if (phdr_load == UINT64_MAX && e->eh.e_phoff >= ph.p_offset &&
		    e->eh.e_phoff + phsize <= ph.p_offset + ph.p_filesz)
			phdr_load = ph.p_vaddr + (e->eh.e_phoff - ph.p_offset);
	}
	if (!nload)
		return why_set(why, len, "no loadable segment (PT_LOAD)");
	e->image_end = prev_end;
	if (!entry_ok)
		return why_set(why, len, "the entry point 0x%llx is in no executable segment",
			       (unsigned long long)e->eh.e_entry);
	e->phdr = phdr_pt != UINT64_MAX ? phdr_pt : phdr_load;
	if (e->phdr == UINT64_MAX || e->phdr > e->image_end ||
	    phsize > e->image_end - e->phdr)
		return why_set(why, len, "the program headers are not in a loaded segment (AT_PHDR)");
	return 0;
}

/* the initial stack's words, and the list of those to relocate */
struct stack_build {
	uint8_t *d;
	uint64_t *rel;		/* the relocation table */
	uint64_t nrel;
};

static void put_word(struct stack_build *s, uint64_t off, uint64_t v,
		     bool reloc)
{
	memcpy(s->d + off, &v, 8);
	if (reloc)
		s->rel[s->nrel++] = off;
}

int gears_exec_image(const void *file, size_t file_len, int argc,
		     char *const argv[], const uint8_t random[16],
		     struct gears_exec *x, char *why, size_t len)
{
	static const char env[] = GEARS_EXEC_ENV;
	struct exec_elf e = { .file = file, .file_len = file_len };
	uint64_t strs = sizeof(env), words, info, str_off, rnd_off, rsp, off;
	uint64_t total, p;
	struct stack_build s;
	Elf64_Phdr ph;
	unsigned int i;
	int a;

	memset(x, 0, sizeof(*x));
	if (argc < 1)
		return why_set(why, len, "no argv[0]");
	if (check_ehdr(&e, why, len) || check_phdrs(&e, why, len))
		return -1;
	x->image_len = ROUND_UP(e.image_end, PAGE);
	for (a = 0; a < argc; a++) {
		strs += strlen(argv[a]) + 1;
		if (strs > V3_GEARS_DATA_MAX)
			return why_set(why, len, "the arguments take more than the %u MiB GEARS injects",
				       V3_GEARS_DATA_MAX >> 20);
	}
	/* argc, argv + NULL, envp + NULL, auxv pairs */
	words = 1 + (uint64_t)argc + 1 + 2 + 2 * GEARS_EXEC_AUXV;
	info = ROUND_UP(strs, 16) + 16 + words * 8 + 16;
	x->stack_off = x->image_len;
	x->stack_len = GEARS_EXEC_STACK + ROUND_UP(info, PAGE);
	x->reloc_off = x->stack_off + x->stack_len;
	x->args[3] = (uint64_t)argc + 5;	/* argv, envp[0], 4 auxv */
	total = x->reloc_off + x->args[3] * 8;
	if (total > V3_GEARS_DATA_MAX)
		return why_set(why, len, "the program, its stack and arguments take %llu bytes, more than the %u MiB GEARS injects",
			       (unsigned long long)total,
			       V3_GEARS_DATA_MAX >> 20);
	x->data = calloc(1, total);
	if (!x->data)
		return why_set(why, len, "out of memory for %llu bytes",
			       (unsigned long long)total);
	x->len = total;

	/* the segments at their addresses; calloc zeroed the rest (BSS) */
	for (i = 0; i < e.eh.e_phnum; i++) {
		phdr_at(&e, i, &ph);
		if (ph.p_type == PT_LOAD)
			memcpy(x->data + ph.p_vaddr, e.file + ph.p_offset,
			       ph.p_filesz);
	}

	/* the strings at the top: argv[0..argc-1], then the environment */
	s.d = x->data;
	s.rel = (uint64_t *)(x->data + x->reloc_off);
	s.nrel = 0;
	str_off = x->reloc_off - strs;
	off = str_off;
	for (a = 0; a < argc; a++) {
		size_t n = strlen(argv[a]) + 1;

		memcpy(x->data + off, argv[a], n);
		off += n;
	}
	memcpy(x->data + off, env, sizeof(env));
	rnd_off = ROUND_DOWN(str_off - 16, 16);
	memcpy(x->data + rnd_off, random, 16);
	rsp = ROUND_DOWN(rnd_off - words * 8, 16);

	/* at RSP: argc, argv, NULL, envp, NULL, auxv */
	off = rsp;
	put_word(&s, off, argc, false);
	off += 8;
	p = str_off;
	for (a = 0; a < argc; a++, off += 8) {
		put_word(&s, off, p, true);
		p += strlen(argv[a]) + 1;
	}
	put_word(&s, off, 0, false);
	put_word(&s, off + 8, p, true);	/* envp[0]: the environment string */
	put_word(&s, off + 16, 0, false);
	off += 24;
#define AUX(type, val, reloc) do {			\
		put_word(&s, off, (type), false);	\
		put_word(&s, off + 8, (val), (reloc));	\
		off += 16;				\
	} while (0)
	AUX(AT_PHDR, e.phdr, true);
	AUX(AT_PHENT, sizeof(Elf64_Phdr), false);
	AUX(AT_PHNUM, e.eh.e_phnum, false);
	AUX(AT_PAGESZ, PAGE, false);
	AUX(AT_BASE, 0, false);
	AUX(AT_FLAGS, 0, false);
	AUX(AT_ENTRY, e.eh.e_entry, true);
	AUX(AT_UID, 0, false);
	AUX(AT_EUID, 0, false);
	AUX(AT_GID, 0, false);
	AUX(AT_EGID, 0, false);
	AUX(AT_SECURE, 0, false);
	AUX(AT_RANDOM, rnd_off, true);
	AUX(AT_HWCAP, 0, false);
	AUX(AT_CLKTCK, 100, false);
	AUX(AT_EXECFN, str_off, true);	/* argv[0]'s string */
	AUX(AT_NULL, 0, false);
#undef AUX
	x->args[0] = e.eh.e_entry;
	x->args[1] = rsp;
	x->args[2] = x->reloc_off;
	x->rsp = rsp;
	x->random_off = rnd_off;
	x->phdr = e.phdr;
	x->entry = e.eh.e_entry;
	if (s.nrel != x->args[3] || off > rnd_off) {
		gears_exec_free(x);
		return why_set(why, len, "internal error laying out the stack");
	}
	return 0;
}

void gears_exec_free(struct gears_exec *x)
{
	free(x->data);
	x->data = NULL;
	x->len = 0;
}
