// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' return stub (module/gears/gears_retstub.c), run as a guest runs
 * it: the code page the module writes into a guest, mapped read+execute
 * here with its data page after it, and each slot's stub entered as a
 * system call handler's RET enters it (a jump with the handler's result in
 * RAX and the stack as the handler left it).  Checked for every slot: it
 * comes back to the return address its slot holds, with RAX, RSP and
 * RFLAGS unchanged, stores RAX in its own slot's result, sets its own
 * done and no other slot's; and the bytes between the stubs are INT3s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "v3.h"
#include "gears/gears_retstub.h"
#include "unit.h"

struct run {
	u64 rax, sp_before, sp_after, fl_before, fl_after;
};

/*
 * Enter stub with RAX = rax; the slot's return address is made the label
 * after the jump.  256 bytes off the red zone first: the stub pushes.
 */
static void run_stub(const void *stub, u64 *slot_addr, struct run *r)
{
	u64 rax = r->rax, b, a, fb, fa;

	asm volatile("sub $256, %%rsp\n\t"
		     "lea 1f(%%rip), %%r11\n\t"
		     "mov %%r11, (%[slot])\n\t"
		     "mov %%rsp, %[b]\n\t"
		     "stc\n\t"
		     "pushf\n\t"
		     "pop %[fb]\n\t"
		     "jmp *%[stub]\n"
		     "1:\n\t"
		     "pushf\n\t"
		     "pop %[fa]\n\t"
		     "mov %%rsp, %[a]\n\t"
		     "add $256, %%rsp\n\t"
		     : "+a"(rax), [b] "=&r"(b), [a] "=&r"(a), [fb] "=&r"(fb),
		       [fa] "=&r"(fa)
		     : [stub] "r"(stub), [slot] "r"(slot_addr)
		     : "r11", "memory", "cc");
	r->rax = rax;
	r->sp_before = b;
	r->sp_after = a;
	r->fl_before = fb;
	r->fl_after = fa;
}

int main(void)
{
	u8 *p = mmap(NULL, GEARS_RET_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u8 *data = p + GEARS_RET_PAGE;
	u32 i, j, bad_pad = 0, bad_run = 0, bad_other = 0;
	char why[160] = "";

	if (p == MAP_FAILED) {
		printf("Bail out! mmap\n");
		return 1;
	}
	gears_ret_code(p);
	CHECK_EQ(GEARS_RET_SLOTS * GEARS_RET_STUB_SIZE, GEARS_FT_CB_OFF,
		 "the stubs fill the code page up to the ftrace callback");
	CHECK(GEARS_RET_SLOTS * GEARS_RET_SLOT_SIZE <= GEARS_RET_PAGE &&
	      GEARS_FT_CB_OFF + GEARS_RET_STUB_SIZE == GEARS_RET_PAGE,
	      "the slots fit the data page; the callback has the code page's last 32 bytes");
	CHECK(!memcmp(p + GEARS_FT_CB_OFF, "\xf3\x0f\x1e\xfa\x0f\x0b\xc3", 7) &&
	      GEARS_FT_CB_UD == GEARS_FT_CB_OFF + 4 && p[GEARS_FT_CB_OFF + 7] == 0xcc &&
	      p[GEARS_FT_TRAP] == 0x0f && p[GEARS_FT_TRAP + 1] == 0x0b &&
	      p[GEARS_FT_TRAP + 2] == 0xcc && p[GEARS_FT_BND - 1] == 0xcc &&
	      p[GEARS_FT_BND] == 0x0f && p[GEARS_FT_BND + 1] == 0x0b &&
	      GEARS_FT_BND + 2 < GEARS_RET_PAGE && p[GEARS_RET_PAGE - 1] == 0xcc,
	      "the ftrace callback: ENDBR64, UD2 (at GEARS_FT_CB_UD), RET; the injections' UD2 trap, the boundaries' one; INT3s");
	for (i = 0; i < GEARS_RET_SLOTS; i++)
		for (j = 21; j < GEARS_RET_STUB_SIZE; j++)
			bad_pad += p[i * GEARS_RET_STUB_SIZE + j] != 0xcc;
	CHECK_EQ(bad_pad, 0, "INT3 after every stub's RET");
	CHECK_EQ(p[GEARS_RET_STUB_SIZE - 12], 0xc3, "stub 0 ends with RET at byte 20");
	if (mprotect(p, GEARS_RET_PAGE, PROT_READ | PROT_EXEC)) {
		printf("Bail out! mprotect\n");
		return 1;
	}

	for (i = 0; i < GEARS_RET_SLOTS; i++) {
		u8 *slot = data + i * GEARS_RET_SLOT_SIZE;
		struct run r = { .rax = 0x5a5a000000000000ULL | (u64)i << 8 | 0x17 };
		u64 want = r.rax, res, addr0;

		memset(data, 0, GEARS_RET_PAGE);
		run_stub(p + i * GEARS_RET_STUB_SIZE, (u64 *)(slot + GEARS_RET_SLOT_ADDR), &r);
		memcpy(&res, slot + GEARS_RET_SLOT_RESULT, 8);
		memcpy(&addr0, slot + GEARS_RET_SLOT_ADDR, 8);
		if (r.rax != want || res != want || slot[GEARS_RET_SLOT_DONE] != 1 ||
		    r.sp_after != r.sp_before || r.fl_after != r.fl_before ||
		    !addr0) {
			if (!bad_run++)
				snprintf(why, sizeof(why),
					 "slot %u: rax %llx result %llx done %u sp %+lld flags %llx/%llx",
					 i, (unsigned long long)r.rax,
					 (unsigned long long)res,
					 slot[GEARS_RET_SLOT_DONE],
					 (long long)(r.sp_after - r.sp_before),
					 (unsigned long long)r.fl_before,
					 (unsigned long long)r.fl_after);
		}
		/* nothing outside its own slot's result and done written */
		for (j = 0; j < GEARS_RET_PAGE; j++) {
			u32 off = j - i * GEARS_RET_SLOT_SIZE;

			if (data[j] && !(off < 24))
				bad_other++;
		}
	}
	CHECK(!bad_run, "every slot's stub returns to its slot's address with RAX, RSP and RFLAGS kept, its result and done stored%s%s",
	      bad_run ? ": " : "", why);
	CHECK_EQ(bad_other, 0, "no stub writes outside its own slot");
	munmap(p, GEARS_RET_SIZE);
	return unit_done();
}
