// SPDX-License-Identifier: GPL-2.0
/*
 * The hookable site of a guest kernel function.  x86-64 kernels built
 * with CONFIG_DYNAMIC_FTRACE start every traceable function with a call
 * to __fentry__ (gcc -mfentry), after an ENDBR64 when built with
 * CONFIG_X86_KERNEL_IBT (the instruction an indirect branch must land on,
 * SDM vol. 1 18.3).  At boot ftrace turns each of those calls into the
 * 5-byte NOP 0f 1f 44 00 00 (x86_nops[5], arch/x86/kernel/ftrace.c and
 * arch/x86/lib/insn-eval.c's table), and turns it back into a call when a
 * tracer is attached to the function.  GEARS only ever makes a UD2 of
 * such a NOP (gears_site.h): the NOP does nothing, so resuming after it changes nothing
 * of what the function does, and a site ftrace or a kprobe owns (a call,
 * or an INT3 already) is left alone.  A function whose site is ftrace's
 * call can still be hooked through ftrace itself (gears_ftrace.c), which
 * checks the address is one of its call sites before it touches it.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include "gears_site.h"
#include "ksyms.h"

const u8 gears_nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
static const u8 gears_endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

int gears_site_offset(const u8 *code)
{
	if (!memcmp(code, gears_nop5, sizeof(gears_nop5)))
		return 0;
	if (!memcmp(code, gears_endbr64, sizeof(gears_endbr64)) &&
	    !memcmp(code + 4, gears_nop5, sizeof(gears_nop5)))
		return 4;
	return -ENOENT;
}

/* E8 rel32: CALL rel32 (SDM vol. 2A, CALL), the form ftrace writes */
int gears_site_ftrace_offset(const u8 *code)
{
	if (code[0] == 0xe8)
		return 0;
	if (!memcmp(code, gears_endbr64, sizeof(gears_endbr64)) &&
	    code[4] == 0xe8)
		return 4;
	return -ENOENT;
}

u64 gears_current_task_offset(const struct gears_ksyms *k)
{
	u64 off = gears_ksyms_lookup(k, "current_task");

	return off ? off : gears_ksyms_lookup(k, "pcpu_hot");
}
