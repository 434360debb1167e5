// SPDX-License-Identifier: GPL-2.0
/* GEARS' return stub: its code (gears_retstub.h).  Pure code. */
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include "gears_retstub.h"
#include "ksyms.h"

/* an instruction's RIP-relative disp32 to field of slot i (SDM vol. 2A 2.2.1.6) */
static void gears_ret_disp(u8 *p, u32 i, u32 next, u32 field)
{
	s32 d = GEARS_RET_PAGE + i * GEARS_RET_SLOT_SIZE + field -
		(i * GEARS_RET_STUB_SIZE + next);

	memcpy(p, &d, 4);
}

void gears_ret_code(u8 *page)
{
	u32 i;

	memset(page, 0xcc, GEARS_RET_PAGE);
	for (i = 0; i < GEARS_RET_SLOTS; i++) {
		u8 *p = page + i * GEARS_RET_STUB_SIZE;

		/* ff /6: push r/m64, ModRM 0x35 = [rip + disp32] */
		p[0] = 0xff;
		p[1] = 0x35;
		gears_ret_disp(p + 2, i, 6, GEARS_RET_SLOT_ADDR);
		/* REX.W 89 /r: mov r/m64, r64; ModRM 0x05 = rax, [rip + disp32] */
		p[6] = 0x48;
		p[7] = 0x89;
		p[8] = 0x05;
		gears_ret_disp(p + 9, i, 13, GEARS_RET_SLOT_RESULT);
		/* c6 /0 ib: mov r/m8, imm8 */
		p[13] = 0xc6;
		p[14] = 0x05;
		gears_ret_disp(p + 15, i, 20, GEARS_RET_SLOT_DONE);
		p[19] = 1;
		p[20] = 0xc3;	/* ret; INT3s after it stop straight-line speculation */
	}
	/* endbr64 (SDM vol. 2A ENDBR64), ud2, ret; the injections' trap */
	memcpy(page + GEARS_FT_CB_OFF, "\xf3\x0f\x1e\xfa\x0f\x0b\xc3", 7);
	memcpy(page + GEARS_FT_TRAP, "\x0f\x0b", 2);
	memcpy(page + GEARS_FT_BND, "\x0f\x0b", 2);
}

int gears_ret_syms(const struct gears_ksyms *k, struct gears_ret_syms *s)
{
	s->alloc = gears_ksyms_lookup(k, "module_alloc");
	s->execmem = !s->alloc;
	if (!s->alloc)
		s->alloc = gears_ksyms_lookup(k, "execmem_alloc");
	s->ro = gears_ksyms_lookup(k, "set_memory_ro");
	s->x = gears_ksyms_lookup(k, "set_memory_x");
	return s->alloc && s->ro && s->x ? 0 : -ENOENT;
}
