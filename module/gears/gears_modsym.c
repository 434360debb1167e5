// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols of the guest's loaded modules.  The kernel's kallsyms tables
 * (ksyms.c) cover vmlinux only; each module keeps its own symbol table
 * and strings (struct mod_kallsyms: an Elf64_Sym array, kernel/module/
 * kallsyms.c, add_kallsyms()), reached from the list "modules" through
 * struct module.  The walk runs at the safe point, so the list cannot
 * change under it; its bounds stop a list that loops.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include "gears_ps.h"

/* Elf64_Sym (ELF gABI): st_name, st_info, st_other, st_shndx, st_value, st_size */
struct v3_gears_elfsym {
	u32 st_name;
	u8 st_info, st_other;
	u16 st_shndx;
	u64 st_value, st_size;
};

/* the module's symbol of that name: 1 found, 0 not there, -EIO */
static int v3_gears_modsym_one(const struct gears_vread *r,
			       const struct v3_gears_layout *l, u64 mod,
			       const char *name, u64 *addr, u32 *budget)
{
	u64 ks, symtab, strtab;
	size_t len = strlen(name);
	char buf[128];
	u32 n, i;

	if (gears_vread(r, mod + l->mod_kallsyms, &ks, 8))
		return -EIO;
	if (!ks)
		return 0;	/* still loading: no symbols yet */
	if (gears_vread(r, ks + l->mks_symtab, &symtab, 8) ||
	    gears_vread(r, ks + l->mks_num, &n, 4) ||
	    gears_vread(r, ks + l->mks_strtab, &strtab, 8))
		return -EIO;
	if (len >= sizeof(buf))
		return 0;
	for (i = 0; i < n; i++) {
		struct v3_gears_elfsym s;

		if (!(*budget)--)
			return -EIO;
		if (gears_vread(r, symtab + (u64)i * sizeof(s), &s, sizeof(s)))
			return -EIO;
		if (!s.st_value || !s.st_name ||
		    gears_vread(r, strtab + s.st_name, buf, len + 1))
			continue;
		if (!memcmp(buf, name, len + 1)) {
			*addr = s.st_value;
			return 1;
		}
	}
	return 0;
}

int v3_gears_modsym(const struct gears_vread *r,
		    const struct v3_gears_layout *l, const char *name,
		    u64 *addr)
{
	u32 budget = V3_GEARS_MODSYMS_MAX, mods = 0;
	u64 next;
	int ret;

	if (!l->modules || !l->mod_kallsyms)
		return -EOPNOTSUPP;
	if (gears_vread(r, l->modules, &next, 8))
		return -EIO;
	while (next != l->modules) {
		if (next < V3_GEARS_KERNEL_HALF || ++mods > V3_GEARS_MODS_MAX)
			return -EIO;
		ret = v3_gears_modsym_one(r, l, next - l->mod_list, name,
					  addr, &budget);
		if (ret)
			return ret < 0 ? ret : 0;
		if (gears_vread(r, next, &next, 8))
			return -EIO;
	}
	return -ENOENT;
}
