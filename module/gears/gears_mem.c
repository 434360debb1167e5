// SPDX-License-Identifier: GPL-2.0
/*
 * Guest kernel memory by virtual address, for GEARS' pure layers (the
 * read callback of struct gears_vread, gmem.h): the module's page-table
 * walker (mmu/walk.c) over the guest's own tables, translation only
 * (V3_WALK_NO_CHECK: no rights checks, no A/D updates), then the RAM.
 *
 * The root.  Callers take the paging registers of a vCPU at the MMU's
 * safe point (gears.c), so the tables they name are live while the vCPUs
 * are held.  The kernel half of every process's top-level table is the
 * same (arch/x86/mm/pgtable.c, pgd_ctor() copies it from swapper_pg_dir),
 * so whatever process the vCPU was running maps the kernel, with one
 * exception: page-table isolation.  With PTI a vCPU in user mode runs on
 * the user copy of the top-level table, which maps only the entry code;
 * the kernel's copy is the 4 KiB page below it (the PGD is an 8 KiB pair,
 * bit 12 of CR3 selects the user half: PTI_USER_PGTABLE_BIT in
 * arch/x86/entry/calling.h).  So when CR3 has bit 12 set, the page below
 * is taken instead if it maps the syscall entry to the same place.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include "../v3.h"
#include "gears.h"

/* CR3 bits 51:12: the top-level table (SDM vol. 3 4.5, table 4-12) */
#define V3_GEARS_CR3_ADDR	0x000ffffffffff000ULL
/* the user half of a PTI pair (arch/x86/entry/calling.h) */
#define V3_GEARS_PTI_USER	BIT_ULL(12)

/* 0 with *gpa, or -EFAULT; one page cached */
static int v3_gears_translate(struct v3_gears_mem *m, u64 va, u64 *gpa)
{
	struct v3_walk w;

	if ((va & PAGE_MASK) == m->cache_va) {
		*gpa = m->cache_gpa | (va & ~PAGE_MASK);
		return 0;
	}
	if (v3_walk(&m->env, &m->regs, va, 0, V3_WALK_NO_CHECK, &w))
		return -EFAULT;
	if (!(++m->pages & 255))
		cond_resched();
	m->cache_va = va & PAGE_MASK;
	m->cache_gpa = w.gpa & PAGE_MASK;
	*gpa = w.gpa;
	return 0;
}

int v3_gears_mem_gpa(struct v3_gears_mem *m, u64 va, u64 *gpa)
{
	return v3_gears_translate(m, va, gpa);
}

int v3_gears_mem_read(void *ctx, u64 va, void *buf, u32 len)
{
	struct v3_gears_mem *m = ctx;

	while (len) {
		u32 n = min_t(u64, len, PAGE_SIZE - (va & ~PAGE_MASK));
		u64 gpa;

		if (v3_gears_translate(m, va, &gpa) ||
		    v3_read_gpa(m->vm, gpa, buf, n))
			return -EFAULT;
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* where root maps va, or ~0 */
static u64 v3_gears_probe(struct v3_gears_mem *m, u64 root, u64 va)
{
	struct v3_walk_regs regs = m->regs;
	struct v3_walk w;

	regs.cr3 = root;
	if (v3_walk(&m->env, &regs, va, 0, V3_WALK_NO_CHECK, &w))
		return ~0ULL;
	return w.gpa;
}

bool v3_gears_mem_set_root(struct v3_gears_mem *m, u64 root_gpa, u64 va)
{
	u64 now = v3_gears_probe(m, m->regs.cr3, va);

	if (now == ~0ULL || v3_gears_probe(m, root_gpa, va) != now)
		return false;
	m->regs.cr3 = root_gpa;
	m->cache_va = ~0ULL;
	return true;
}

/*
 * A 64-bit kernel with paging on, and a syscall entry in the kernel half
 * that the tables map: else -ENOEXEC (not Linux, or not booted yet).
 */
int v3_gears_mem_init(struct v3_gears_mem *m, struct v3_vm *vm,
		      const struct v3_walk_regs *regs, u64 lstar)
{
	u64 root;

	memset(m, 0, sizeof(*m));
	m->vm = vm;
	m->cache_va = ~0ULL;
	v3_walk_env_init(&m->env, vm);
	m->regs = *regs;
	m->regs.cpl = 0;
	m->regs.rflags = 0;
	m->regs.maxphyaddr = boot_cpu_data.x86_phys_bits;
	if (!(regs->cr0 & X86_CR0_PG) || !(regs->efer & EFER_LMA) ||
	    lstar < V3_GEARS_KERNEL_HALF)
		return -ENOEXEC;
	root = regs->cr3 & V3_GEARS_CR3_ADDR;
	m->regs.cr3 = root;
	if (v3_gears_probe(m, root, lstar) == ~0ULL)
		return -ENOEXEC;
	if (root & V3_GEARS_PTI_USER)
		v3_gears_mem_set_root(m, root & ~V3_GEARS_PTI_USER, lstar);
	return 0;
}
