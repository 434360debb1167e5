/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GEARS' return stub (gears_ret.c): two pages of guest kernel memory that
 * give a traced system call its result without a second exit.  Pure code,
 * run as it is by tests/unit/test_gears_retstub.c.
 *
 * The code page holds one stub per slot; the data page after it one slot
 * each; a third page is for hooks through the guest's ftrace (below).  At a traced handler's entry GEARS writes the caller's return
 * address into a free slot and makes the stub of that slot the handler's
 * return address.  The handler's RET lands on the stub, which
 *	push	slot.ret_addr(%rip)	; the caller's return address
 *	mov	%rax, slot.result(%rip)	; the handler's result
 *	movb	$1, slot.done(%rip)
 *	ret				; to the caller, as if never diverted
 * The slot's stores are in program order for any other CPU (SDM vol. 3A
 * 9.2.2: stores are not reordered with other stores), so a VMM that sees
 * done reads the result.  The stub changes no register but RSP back where
 * the handler left it; RAX is the result, flags are kept (MOV and PUSH set
 * none).  Its return is a RET: with IBT (SDM vol. 1 18.3) only indirect
 * JMP and CALL need an ENDBR64 target.
 */
#ifndef V3_GEARS_RETSTUB_H
#define V3_GEARS_RETSTUB_H

#include <linux/types.h>

#define GEARS_RET_PAGE		4096
#define GEARS_RET_SLOTS		127
#define GEARS_RET_STUB_SIZE	32	/* code page: stub i at i * 32 */
#define GEARS_RET_SLOT_SIZE	32	/* data page: slot i at 4096 + i * 32 */
#define GEARS_RET_SLOT_ADDR	0	/* u64: the caller's return address */
#define GEARS_RET_SLOT_RESULT	8	/* u64: RAX at the handler's RET */
#define GEARS_RET_SLOT_DONE	16	/* u8: 1 once the stub ran */

/*
 * The code page's last 32 bytes: the callback GEARS gives the guest's
 * ftrace (gears_ftrace.c), an ftrace_func_t called by ftrace's trampoline
 * with RDI the traced function's call site, RCX its saved pt_regs:
 *	endbr64			; it may be called indirectly (IBT)
 *	ud2			; the exit: the VMM reads RDI and RCX
 *	ret			; back into ftrace's trampoline
 * and at +16 a UD2 that the calls GEARS injects return to (a trap of its
 * own, not a handler's), at +24 the one a boundary's handler returns to.  The third page is the struct ftrace_ops the
 * guest's ftrace keeps (writable: ftrace writes its flags and hashes
 * there).
 */
#define GEARS_FT_CB_OFF		(GEARS_RET_SLOTS * GEARS_RET_STUB_SIZE)
#define GEARS_FT_CB_UD		(GEARS_FT_CB_OFF + 4)
#define GEARS_FT_TRAP		(GEARS_FT_CB_OFF + 16)
/*
 * A UD2 a traced handler returns to when its call is an injection's
 * boundary taken through ftrace's callback (gears_ftrace.c): the
 * callback itself runs with preemption off, the handler's return does
 * not.
 */
#define GEARS_FT_BND		(GEARS_FT_CB_OFF + 24)
#define GEARS_FT_OPS_OFF	(2 * GEARS_RET_PAGE)
#define GEARS_RET_SIZE		(3 * GEARS_RET_PAGE)

/* the code page: GEARS_RET_PAGE bytes, INT3 wherever no stub runs;
 * the ftrace callback at GEARS_FT_CB_OFF */
void gears_ret_code(u8 *page);

/*
 * The guest kernel functions that make the stub's pages: an allocator of
 * module memory (within reach of the kernel's text, not executable yet),
 * module_alloc(size) up to 6.9, execmem_alloc(EXECMEM_DEFAULT, size) from
 * 6.10 (mm/execmem.c); then set_memory_ro() and set_memory_x() on the
 * code page, in that order so it is never writable and executable at once
 * (6.6+ warns of that, arch/x86/mm/pat/set_memory.c verify_rwx()).
 */
struct gears_ksyms;
struct gears_ret_syms {
	u64 alloc, ro, x;
	bool execmem;		/* alloc takes (type, size) */
};
/* 0, or -ENOENT when the kernel lacks one */
int gears_ret_syms(const struct gears_ksyms *k, struct gears_ret_syms *s);

#endif
