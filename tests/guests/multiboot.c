// SPDX-License-Identifier: GPL-2.0
/*
 * multiboot: what v3ctl's Multiboot v1 loader hands over (Multiboot
 * Specification 0.6.96).  The host test boots this guest with
 *	--cmdline "v3vmm-test arg=42"
 * and an initrd (module 0) holding exactly "v3vmm-initrd-payload\n".
 */
#include "guest.h"

DEFINE_GUEST("multiboot");

#define WANT_CMDLINE	"v3vmm-test arg=42"
#define WANT_MODULE	"v3vmm-initrd-payload\n"

static int overlaps(uint32_t s, uint32_t e, uint32_t s2, uint32_t e2)
{
	return s < e2 && s2 < e;
}

/* The info the loader wrote must not sit on top of the loaded image. */
static int outside_image(uint32_t s, uint32_t len)
{
	return !overlaps(s, s + len, (uint32_t)__image_start, (uint32_t)_end);
}

/*
 * GRUB and QEMU pass the kernel's path as the first word of the command
 * line; v3ctl passes the --cmdline string alone.  Accept both.
 */
static int cmdline_matches(const char *c)
{
	const char *sp;

	if (!strcmp(c, WANT_CMDLINE))
		return 1;
	for (sp = c; *sp && *sp != ' '; sp++)
		;
	return *sp == ' ' && !strcmp(sp + 1, WANT_CMDLINE);
}

static void check_cmdline(struct multiboot_info *mbi)
{
	const char *c = (const char *)mbi->cmdline;

	if (!tap_ok(mbi->flags & MB_INFO_CMDLINE, "cmdline flag (bit 2) set"))
		return;
	tap_diag("cmdline \"%s\" at %#x", c, mbi->cmdline);
	tap_ok(cmdline_matches(c), "cmdline is \"%s\"", WANT_CMDLINE);
	tap_ok(outside_image(mbi->cmdline, strlen(c) + 1),
	       "cmdline does not overlap the image");
}

static void check_modules(struct multiboot_info *mbi, uint64_t ram_end)
{
	struct multiboot_module *m = (void *)mbi->mods_addr;
	uint32_t len;

	if (!tap_ok(mbi->flags & MB_INFO_MODS, "mods flag (bit 3) set"))
		return;
	if (!tap_ok(mbi->mods_count >= 1, "at least one module (%u)",
		    mbi->mods_count))
		return;
	tap_ok(outside_image(mbi->mods_addr, mbi->mods_count * sizeof(*m)),
	       "module list does not overlap the image");
	len = m[0].mod_end - m[0].mod_start;
	tap_diag("module 0 at %#x-%#x (%u bytes) string \"%s\"",
		 m[0].mod_start, m[0].mod_end, len,
		 m[0].string ? (char *)m[0].string : "(none)");
	/* header flag bit 0 asks for page-aligned modules (§3.1.2) */
	tap_ok(!(m[0].mod_start & 0xfff), "module 0 is page aligned");
	tap_ok(m[0].mod_end >= m[0].mod_start && m[0].mod_end <= ram_end,
	       "module 0 lies in RAM");
	tap_ok(outside_image(m[0].mod_start, len),
	       "module 0 does not overlap the image");
	tap_ok(len == sizeof(WANT_MODULE) - 1,
	       "module 0 is %u bytes (mod_end exclusive)",
	       (unsigned int)sizeof(WANT_MODULE) - 1);
	tap_ok(len == sizeof(WANT_MODULE) - 1 &&
	       !memcmp((void *)m[0].mod_start, WANT_MODULE, len),
	       "module 0 holds the initrd payload");
}

static void check_mmap(struct multiboot_info *mbi, uint64_t ram_end)
{
	uint32_t a = mbi->mmap_addr, end = a + mbi->mmap_length;
	int n = 0, sane = 1, upper = 0;

	if (!tap_ok(mbi->flags & MB_INFO_MMAP, "mmap flag (bit 6) set"))
		return;
	while (a + 4 <= end) {
		struct multiboot_mmap *e = (void *)a;

		if (e->size < 20 || !e->length)
			sane = 0;
		if (e->type == MB_MMAP_RAM && e->base_addr <= 0x100000 &&
		    e->base_addr + e->length == ram_end)
			upper = 1;
		a += e->size + 4;
		n++;
	}
	tap_ok(n > 0 && sane && a == end, "memory map well formed (%d entries)",
	       n);
	tap_ok(upper, "memory map agrees with mem_upper");
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t ram_end;
	const char *name;

	/* §3.2 Machine state */
	tap_ok(magic == MB_BOOT_MAGIC, "EAX = %#x", MB_BOOT_MAGIC);
	tap_ok(boot_state.cr0 & CR0_PE, "entered with CR0.PE set");
	tap_ok(!(boot_state.cr0 & CR0_PG), "entered with CR0.PG clear");
	tap_ok(!(boot_state.eflags & EFLAGS_IF), "entered with EFLAGS.IF clear");
	tap_ok(!(boot_state.eflags & EFLAGS_VM), "entered with EFLAGS.VM clear");
	tap_diag("entry CS %#x CR0 %#x EFLAGS %#x", boot_state.cs,
		 boot_state.cr0, boot_state.eflags);
	if (boot_state.bss_dirty)
		tap_diag(".bss %#x-%#x: byte at %#x was not zero",
			 (uint32_t)__bss_start, (uint32_t)_end,
			 boot_state.bss_dirty);
	tap_ok(!boot_state.bss_dirty, "loader zeroed .bss (p_memsz > p_filesz)");
	if (magic != MB_BOOT_MAGIC)
		tap_bail("not booted by a Multiboot loader");

	/* §3.3 Boot information format */
	tap_diag("info at %p flags %#x", mbi, mbi->flags);
	tap_ok(outside_image((uint32_t)mbi, sizeof(*mbi)),
	       "info block does not overlap the image");
	tap_ok(mbi->flags & MB_INFO_MEMORY, "mem flag (bit 0) set");
	tap_ok(mbi->mem_lower == 640, "mem_lower = 640 KiB (%u)",
	       mbi->mem_lower);
	tap_ok(mbi->mem_upper >= 1024, "mem_upper >= 1 MiB (%u KiB)",
	       mbi->mem_upper);
	ram_end = 0x100000 + mbi->mem_upper * 1024ULL;
	tap_ok(ram_end >= (uint32_t)_end, "mem_upper covers the image");

	check_cmdline(mbi);
	check_modules(mbi, ram_end);
	check_mmap(mbi, ram_end);

	if (tap_ok(mbi->flags & MB_INFO_LOADER_NAME,
		   "boot_loader_name flag (bit 9) set")) {
		name = (const char *)mbi->boot_loader_name;
		tap_diag("boot loader \"%s\"", name);
		tap_ok(name[0] != 0, "boot loader name not empty");
	}
	return tap_done();
}
