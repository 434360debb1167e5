/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where GEARS can hook a guest kernel function (gears_site.c): pure code,
 * unit-tested in tests/unit/test_gears_site.c on the Debian kernels' own
 * images.  gears_hook.c uses it for every system call handler.
 */
#ifndef V3_GEARS_SITE_H
#define V3_GEARS_SITE_H

#include <linux/types.h>

/* bytes of a function's start the site check reads */
#define GEARS_SITE_PEEK		9
/*
 * GEARS' trap: the NOP's second byte (1f) made 0b turns 0f 1f 44 00 00
 * into UD2 (0f 0b, SDM vol. 2B UD) and three bytes never executed: the
 * exit resumes after the NOP.  UD2 rather than INT3: #UD is an exception
 * every CPU and emulator intercepts alike (QEMU's TCG raises INT3 as a
 * software interrupt, past SVM's #BP intercept).
 */
#define GEARS_TRAP_OFF		1
#define GEARS_TRAP_BYTE		0x0b
extern const u8 gears_nop5[5];

/*
 * The offset in a function starting with code[GEARS_SITE_PEEK] of the
 * 5-byte NOP GEARS may make a UD2 of: 0, or 4 after an ENDBR64; -ENOENT
 * when there is none (ftrace or a kprobe is using the site, or the
 * kernel was built without ftrace's call sites).
 */
int gears_site_offset(const u8 *code);

/*
 * The offset of the call that stands where that NOP was when the guest's
 * ftrace owns the function now (a tracer or an ftrace-based kprobe on it):
 * 0, or 4 after an ENDBR64; -ENOENT when there is none.  GEARS writes no
 * UD2 there; it can only hook such a function through ftrace itself.
 */
int gears_site_ftrace_offset(const u8 *code);

struct gears_ksyms;
/*
 * Where a CPU's current task pointer is, as an offset in its per-cpu
 * area (what GS.base points at in the kernel): 5.10-6.1 have the per-cpu
 * variable current_task, 6.2+ the struct pcpu_hot whose first member it
 * is (arch/x86/include/asm/current.h).  0 when neither is found.
 */
u64 gears_current_task_offset(const struct gears_ksyms *k);

#endif
