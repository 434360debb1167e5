// SPDX-License-Identifier: GPL-2.0
/*
 * Loader selection and guest-memory helpers shared by the loaders.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

/* Probed in order: the first loader that claims the image loads it. */
static const struct loader *const loaders[] = {
	&loader_bzimage,
	&loader_multiboot,
	&loader_elf64,
};

int load_fail(struct load_req *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->err, sizeof(req->err), fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t gmem_low_end(const struct guest_mem *gm)
{
	return gm->ram_bytes < V3_LOW_RAM_LIMIT ? gm->ram_bytes :
						  V3_LOW_RAM_LIMIT;
}

/* End of the RAM above 4 GiB, or 0 if the VM has none. */
uint64_t gmem_high_end(const struct guest_mem *gm)
{
	if (gm->ram_bytes <= V3_LOW_RAM_LIMIT)
		return 0;
	return V3_HIGH_RAM_BASE + (gm->ram_bytes - V3_LOW_RAM_LIMIT);
}

/* Is [gpa, gpa + len) entirely inside one RAM range? */
bool gmem_range_ok(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	uint64_t high_end = gmem_high_end(gm);

	if (gpa + len < gpa)
		return false;
	if (gpa + len <= gmem_low_end(gm))
		return true;
	return high_end && gpa >= V3_HIGH_RAM_BASE && gpa + len <= high_end;
}

bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (!alen || !blen)
		return false;
	return a < b + blen && b < a + alen;
}

int gmem_write(struct load_req *req, uint64_t gpa, const void *buf,
	       uint64_t len)
{
	const uint8_t *p = buf;
	int ret;

	if (!gmem_range_ok(req->mem, gpa, len))
		return load_fail(req, "internal error: write to [0x%llx, +0x%llx) outside guest RAM",
				 (unsigned long long)gpa,
				 (unsigned long long)len);
	while (len) {
		size_t n = len < V3_MEM_XFER_MAX ? len : V3_MEM_XFER_MAX;

		ret = req->mem->ops->write(req->mem->ctx, gpa, p, n);
		if (ret)
			return load_fail(req, "writing guest memory at 0x%llx: %s",
					 (unsigned long long)gpa,
					 strerror(-ret));
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int gmem_zero(struct load_req *req, uint64_t gpa, uint64_t len)
{
	static uint8_t zeros[1 << 20];	/* .bss: never written */

	while (len) {
		uint64_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		if (gmem_write(req, gpa, zeros, n))
			return -1;
		gpa += n;
		len -= n;
	}
	return 0;
}

/* No loader took the image: say what it looks like. */
static int load_diagnose(struct load_req *req)
{
	const uint8_t *img = req->kernel;
	size_t len = req->kernel_len;

	if (elf_probe_magic(img, len) && len < 64)
		return load_fail(req, "truncated ELF header");
	if (len < 64)
		return load_fail(req, "file too small (%zu bytes) to be a kernel image",
				 len);
	if (elf_probe_magic(img, len)) {
		uint16_t machine;

		memcpy(&machine, img + 18, sizeof(machine));
		if (img[4] == 1)
			return load_fail(req, "32-bit ELF without a Multiboot header in its first 8192 bytes (32-bit kernels must be Multiboot v1)");
		if (img[4] == 2)
			return load_fail(req, "ELF64 for machine %u, not x86-64 (%u)",
					 machine, 62);
		return load_fail(req, "unsupported ELF class %u", img[4]);
	}
	return load_fail(req, "unrecognised kernel image format (expected a Linux bzImage, a Multiboot ELF or an x86-64 ELF64)");
}

/*
 * --guest-numa: refused, as a usage error, when the VM cannot have that
 * topology or loader @l builds no ACPI tables to describe it.
 */
static int check_guest_numa(struct load_req *req, const struct loader *l)
{
	char why[LOAD_ERR_MAX];

	if (!req->guest_numa)
		return 0;
	req->usage = true;
	if (guest_numa_check(req->guest_numa, req->vcpus ? req->vcpus : 1,
			     req->mem->ram_bytes, why, sizeof(why)))
		return load_fail(req, "%s", why);
	if (!l->acpi)
		return load_fail(req, "--guest-numa needs ACPI tables, which v3ctl builds only for a Linux bzImage (this kernel's format is %s)",
				 l->name);
	req->usage = false;
	return 0;
}

int load_kernel(struct load_req *req)
{
	unsigned int i;

	memset(&req->boot, 0, sizeof(req->boot));
	req->err[0] = '\0';
	req->format = NULL;
	req->kernel_lo = req->kernel_hi = req->initrd_addr = 0;
	req->usage = false;
	if (req->cmdline && strlen(req->cmdline) > CMDLINE_MAX)
		return load_fail(req, "command line too long (%zu bytes, at most %llu)",
				 strlen(req->cmdline),
				 (unsigned long long)CMDLINE_MAX);

	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++) {
		if (loaders[i]->probe(req->kernel, req->kernel_len)) {
			req->format = loaders[i]->name;
			if (check_guest_numa(req, loaders[i]))
				return -1;
			return loaders[i]->load(req);
		}
	}
	return load_diagnose(req);
}
