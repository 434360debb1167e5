// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables for the v3vmm PC platform; see acpi.h for the layout.
 *
 * Platform facts (port numbers, IRQs, IOAPIC) come from the module's
 * module/devices/pc.h, included as it is.
 *
 * The platform is a legacy PC (not hardware-reduced ACPI) that is always
 * in ACPI mode: SMI_CMD is 0, so the OS never tries to switch modes.
 * Fixed hardware: PM1a event block (PM1_STS, PM1_EN), PM1a control block
 * (SLP_TYP/SLP_EN for S5), a 32-bit PM timer and the reset register
 * (I/O 0xcf9, value 6).  There are no GPE blocks, no fixed power or
 * sleep button, no RTC wake status in PM1 and no VGA.
 *
 * A guest NUMA topology (--guest-numa) adds SRAT and SLIT after the MADT;
 * without one the tables are exactly those of a v3ctl without the option.
 */
#include <stdbool.h>
#include <string.h>

#include "acpi.h"
#include "pc.h"

/* ACPI 6.0 table revisions */
#define FADT_REVISION		6
#define FADT_MINOR_REVISION	0
#define MADT_REVISION		4
#define DSDT_REVISION		2	/* 64-bit AML integers */
#define RSDT_REVISION		1
#define XSDT_REVISION		1
#define FACS_VERSION		2
#define SRAT_REVISION		3	/* ACPI 6.x 5.2.16 */
#define SLIT_REVISION		1	/* ACPI 6.x 5.2.17 */

#define MADT_MAX_VCPUS		255

/* FADT, MADT, then SRAT and SLIT with a guest NUMA topology */
#define SDT_MAX_ENTRIES		4

/*
 * DefinitionBlock body: Name (\_S5, Package () { 5, 5, 0, 0 })
 * i.e. SLP_TYPa = SLP_TYPb = V3_PC_SLP_TYP_S5.
 *
 *   08                NameOp
 *   5c 5f 53 35 5f    NameString "\_S5_"
 *   12                PackageOp
 *   08                PkgLength: 8 bytes from here to the end of the package
 *   04                NumElements
 *   0a 05             BytePrefix 5    (SLP_TYPa)
 *   0a 05             BytePrefix 5    (SLP_TYPb)
 *   00 00             ZeroOp ZeroOp   (reserved)
 */
static const uint8_t dsdt_aml[] = {
	0x08, '\\', '_', 'S', '5', '_',
	0x12, 0x08, 0x04,
	0x0a, V3_PC_SLP_TYP_S5, 0x0a, V3_PC_SLP_TYP_S5, 0x00, 0x00,
};

_Static_assert(V3_PC_SLP_TYP_S5 > 1 && V3_PC_SLP_TYP_S5 < 256,
	       "S5 SLP_TYP must be encoded with BytePrefix");

uint8_t acpi_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

static void header_init(struct acpi_header *h, const char *sig,
			uint32_t length, uint8_t revision)
{
	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = revision;
	h->checksum = 0;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = ACPI_CREATOR_REVISION;
}

/* Set the checksum of the table whose header is at @buf + @off. */
static void header_sum(uint8_t *buf, uint32_t off)
{
	struct acpi_header h;

	memcpy(&h, buf + off, sizeof(h));
	buf[off + offsetof(struct acpi_header, checksum)] = 0;
	buf[off + offsetof(struct acpi_header, checksum)] =
		acpi_checksum(buf + off, h.length);
}

static struct acpi_gas gas_io(uint16_t port, uint8_t len, uint8_t access)
{
	struct acpi_gas g = {
		.space_id = ACPI_GAS_IO,
		.bit_width = len * 8,
		.bit_offset = 0,
		.access_size = access,
		.address = port,
	};

	return g;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void build_fadt(struct acpi_fadt *f, uint64_t base,
		       const struct acpi_layout *lay)
{
	memset(f, 0, sizeof(*f));
	header_init(&f->header, "FACP", sizeof(*f), FADT_REVISION);
	f->firmware_ctrl = base + lay->facs;	/* X_FIRMWARE_CTRL stays 0 */
	f->dsdt = base + lay->dsdt;
	f->x_dsdt = base + lay->dsdt;
	f->preferred_pm_profile = 0;		/* unspecified */
	f->sci_int = V3_PC_IRQ_SCI;
	f->smi_cmd = 0;				/* always in ACPI mode */
	f->pm1a_evt_blk = V3_PC_PM1A_EVT;
	f->pm1a_cnt_blk = V3_PC_PM1A_CNT;
	f->pm_tmr_blk = V3_PC_PM_TMR;
	f->pm1_evt_len = V3_PC_PM1A_EVT_LEN;
	f->pm1_cnt_len = V3_PC_PM1A_CNT_LEN;
	f->pm_tmr_len = V3_PC_PM_TMR_LEN;
	f->p_lvl2_lat = 101;			/* > 100: no C2 */
	f->p_lvl3_lat = 1001;			/* > 1000: no C3 */
	f->century = V3_PC_RTC_CENTURY;
	f->iapc_boot_arch = ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042 |
			    ACPI_BOOT_VGA_NOT_PRESENT;
	f->flags = ACPI_FADT_WBINVD | ACPI_FADT_PWR_BUTTON |
		   ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC |
		   ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_RESET_REG_SUP;
	f->reset_reg = gas_io(V3_PC_RESET_CTL, 1, ACPI_ACCESS_BYTE);
	f->reset_value = V3_PC_RESET_VALUE;
	f->minor_version = FADT_MINOR_REVISION;
	/* PM1 event block: two 16-bit registers, PM1_STS and PM1_EN */
	f->x_pm1a_evt_blk = gas_io(V3_PC_PM1A_EVT, V3_PC_PM1A_EVT_LEN,
				   ACPI_ACCESS_WORD);
	f->x_pm1a_cnt_blk = gas_io(V3_PC_PM1A_CNT, V3_PC_PM1A_CNT_LEN,
				   ACPI_ACCESS_WORD);
	f->x_pm_tmr_blk = gas_io(V3_PC_PM_TMR, V3_PC_PM_TMR_LEN,
				 ACPI_ACCESS_DWORD);
}

static uint32_t build_madt(uint8_t *buf, uint32_t off, unsigned int vcpus)
{
	struct acpi_madt m;
	struct acpi_madt_lapic lapic;
	struct acpi_madt_ioapic ioapic = {
		.type = ACPI_MADT_IOAPIC, .length = sizeof(ioapic),
		.ioapic_id = V3_PC_IOAPIC_ID,
		.address = (uint32_t)V3_PC_IOAPIC_BASE, .gsi_base = 0,
	};
	/* ISA IRQ 0 (PIT) is wired to IOAPIC pin 2; edge, high (ISA default) */
	struct acpi_madt_iso iso_pit = {
		.type = ACPI_MADT_ISO, .length = sizeof(iso_pit),
		.bus = 0, .source = V3_PC_IRQ_PIT, .gsi = 2,
		.flags = ACPI_MPS_CONFORMING,
	};
	/* the SCI is level-triggered, active high */
	struct acpi_madt_iso iso_sci = {
		.type = ACPI_MADT_ISO, .length = sizeof(iso_sci),
		.bus = 0, .source = V3_PC_IRQ_SCI, .gsi = V3_PC_IRQ_SCI,
		.flags = ACPI_MPS_LEVEL | ACPI_MPS_ACTIVE_HIGH,
	};
	struct acpi_madt_lapic_nmi nmi = {
		.type = ACPI_MADT_LAPIC_NMI, .length = sizeof(nmi),
		.processor_uid = 0xff, .flags = 0, .lint = 1,
	};
	uint32_t p = off + sizeof(m);
	unsigned int i;

	for (i = 0; i < vcpus; i++) {
		memset(&lapic, 0, sizeof(lapic));
		lapic.type = ACPI_MADT_LAPIC;
		lapic.length = sizeof(lapic);
		lapic.processor_uid = i;
		lapic.apic_id = i;
		lapic.flags = 1;		/* enabled */
		memcpy(buf + p, &lapic, sizeof(lapic));
		p += sizeof(lapic);
	}
	memcpy(buf + p, &ioapic, sizeof(ioapic));
	p += sizeof(ioapic);
	memcpy(buf + p, &iso_pit, sizeof(iso_pit));
	p += sizeof(iso_pit);
	memcpy(buf + p, &iso_sci, sizeof(iso_sci));
	p += sizeof(iso_sci);
	memcpy(buf + p, &nmi, sizeof(nmi));
	p += sizeof(nmi);

	memset(&m, 0, sizeof(m));
	header_init(&m.header, "APIC", p - off, MADT_REVISION);
	m.lapic_address = ACPI_LAPIC_BASE;
	m.flags = ACPI_MADT_PCAT_COMPAT;
	memcpy(buf + off, &m, sizeof(m));
	header_sum(buf, off);
	return p - off;
}

unsigned int acpi_vcpu_node(unsigned int vcpu, unsigned int vcpus,
			    unsigned int nodes)
{
	return (uint64_t)vcpu * nodes / vcpus;
}

/* Is @numa a topology acpi_build() can describe for @vcpus vCPUs? */
static bool numa_ok(const struct acpi_numa *numa, unsigned int vcpus)
{
	unsigned int i;

	if (!numa->nodes || numa->nodes > ACPI_NUMA_MAX_NODES ||
	    numa->nodes > vcpus || !numa->nranges ||
	    numa->nranges > ACPI_NUMA_MAX_RANGES)
		return false;
	for (i = 0; i < numa->nranges; i++)
		if (numa->range[i].node >= numa->nodes ||
		    !numa->range[i].size)
			return false;
	return true;
}

static uint32_t srat_len(const struct acpi_numa *numa, unsigned int vcpus)
{
	return sizeof(struct acpi_srat) +
	       vcpus * sizeof(struct acpi_srat_lapic) +
	       numa->nranges * sizeof(struct acpi_srat_mem);
}

static uint32_t slit_len(const struct acpi_numa *numa)
{
	return sizeof(struct acpi_slit) + numa->nodes * numa->nodes;
}

/*
 * ACPI 6.x 5.2.16 SRAT: one Processor Local APIC Affinity Structure
 * (5.2.16.1) per vCPU, one Memory Affinity Structure (5.2.16.2) per RAM
 * range.  Proximity domain = guest node; clock domain 0 for all.
 */
static void build_srat(uint8_t *buf, uint32_t off,
		       const struct acpi_numa *numa, unsigned int vcpus)
{
	struct acpi_srat srat;
	struct acpi_srat_lapic lapic;
	struct acpi_srat_mem mem;
	uint32_t p = off + sizeof(srat);
	unsigned int i;

	for (i = 0; i < vcpus; i++) {
		memset(&lapic, 0, sizeof(lapic));
		lapic.type = ACPI_SRAT_LAPIC;
		lapic.length = sizeof(lapic);
		lapic.proximity_lo = acpi_vcpu_node(i, vcpus, numa->nodes);
		lapic.apic_id = i;
		lapic.flags = ACPI_SRAT_ENABLED;
		memcpy(buf + p, &lapic, sizeof(lapic));
		p += sizeof(lapic);
	}
	for (i = 0; i < numa->nranges; i++) {
		memset(&mem, 0, sizeof(mem));
		mem.type = ACPI_SRAT_MEMORY;
		mem.length = sizeof(mem);
		mem.proximity = numa->range[i].node;
		mem.base = numa->range[i].base;
		mem.size = numa->range[i].size;
		mem.flags = ACPI_SRAT_ENABLED;
		memcpy(buf + p, &mem, sizeof(mem));
		p += sizeof(mem);
	}

	memset(&srat, 0, sizeof(srat));
	header_init(&srat.header, "SRAT", p - off, SRAT_REVISION);
	srat.reserved1 = 1;
	memcpy(buf + off, &srat, sizeof(srat));
	header_sum(buf, off);
}

/*
 * ACPI 6.x 5.2.17 SLIT: the nodes x nodes distance matrix, row i the
 * distances from node i; 10 (local) on the diagonal, 20 elsewhere.
 */
static void build_slit(uint8_t *buf, uint32_t off,
		       const struct acpi_numa *numa)
{
	struct acpi_slit slit;
	uint8_t *d = buf + off + sizeof(slit);
	unsigned int i, j;

	for (i = 0; i < numa->nodes; i++)
		for (j = 0; j < numa->nodes; j++)
			*d++ = i == j ? ACPI_SLIT_LOCAL : ACPI_SLIT_REMOTE;

	memset(&slit, 0, sizeof(slit));
	header_init(&slit.header, "SLIT", slit_len(numa), SLIT_REVISION);
	slit.localities = numa->nodes;
	memcpy(buf + off, &slit, sizeof(slit));
	header_sum(buf, off);
}

/* RSDT (4-byte entries) or XSDT (8-byte entries) listing @n tables. */
static void build_sdt(uint8_t *buf, uint32_t off, const char *sig,
		      uint8_t revision, unsigned int entry_size,
		      const uint64_t *tables, unsigned int n)
{
	struct acpi_header h;
	unsigned int i;

	header_init(&h, sig, sizeof(h) + n * entry_size, revision);
	memcpy(buf + off, &h, sizeof(h));
	for (i = 0; i < n; i++)	/* little-endian: the low entry_size bytes */
		memcpy(buf + off + sizeof(h) + i * entry_size, &tables[i],
		       entry_size);
	header_sum(buf, off);
}

int acpi_build(uint8_t *buf, size_t size, uint64_t base, unsigned int vcpus,
	       const struct acpi_numa *numa, struct acpi_layout *lay)
{
	struct acpi_rsdp rsdp;
	struct acpi_facs facs;
	struct acpi_header h;
	struct acpi_fadt fadt;
	uint32_t p, madt_len;
	uint64_t tables[SDT_MAX_ENTRIES];
	unsigned int ntables = numa ? 4 : 2;

	if (!vcpus || vcpus > MADT_MAX_VCPUS || size < ACPI_AREA_SIZE ||
	    base + ACPI_AREA_SIZE > (1ULL << 32) || (base & 15) ||
	    (numa && !numa_ok(numa, vcpus)))
		return -1;
	memset(buf, 0, size);
	memset(lay, 0, sizeof(*lay));

	lay->rsdp = 0;
	lay->facs = align_up(sizeof(rsdp), 64);
	lay->rsdt = align_up(lay->facs + sizeof(facs), 16);
	lay->xsdt = align_up(lay->rsdt + sizeof(h) + ntables * 4, 16);
	lay->fadt = align_up(lay->xsdt + sizeof(h) + ntables * 8, 16);
	lay->dsdt = align_up(lay->fadt + sizeof(fadt), 16);
	lay->madt = align_up(lay->dsdt + sizeof(h) + sizeof(dsdt_aml), 16);
	madt_len = sizeof(struct acpi_madt) +
		   vcpus * sizeof(struct acpi_madt_lapic) +
		   sizeof(struct acpi_madt_ioapic) +
		   2 * sizeof(struct acpi_madt_iso) +
		   sizeof(struct acpi_madt_lapic_nmi);
	lay->size = lay->madt + madt_len;
	if (numa) {
		lay->srat = align_up(lay->size, 16);
		lay->slit = align_up(lay->srat + srat_len(numa, vcpus), 16);
		lay->size = lay->slit + slit_len(numa);
	}
	if (lay->size > ACPI_AREA_SIZE)
		return -1;

	/* FACS: no checksum, 64-byte aligned */
	memset(&facs, 0, sizeof(facs));
	memcpy(facs.signature, "FACS", 4);
	facs.length = sizeof(facs);
	facs.version = FACS_VERSION;
	memcpy(buf + lay->facs, &facs, sizeof(facs));

	/* RSDT and XSDT: FADT, MADT (, SRAT, SLIT) */
	tables[0] = base + lay->fadt;
	tables[1] = base + lay->madt;
	tables[2] = base + lay->srat;
	tables[3] = base + lay->slit;
	build_sdt(buf, lay->rsdt, "RSDT", RSDT_REVISION, 4, tables, ntables);
	build_sdt(buf, lay->xsdt, "XSDT", XSDT_REVISION, 8, tables, ntables);

	build_fadt(&fadt, base, lay);
	memcpy(buf + lay->fadt, &fadt, sizeof(fadt));
	header_sum(buf, lay->fadt);

	header_init(&h, "DSDT", sizeof(h) + sizeof(dsdt_aml), DSDT_REVISION);
	memcpy(buf + lay->dsdt, &h, sizeof(h));
	memcpy(buf + lay->dsdt + sizeof(h), dsdt_aml, sizeof(dsdt_aml));
	header_sum(buf, lay->dsdt);

	p = build_madt(buf, lay->madt, vcpus);
	if (p != madt_len)
		return -1;
	if (numa) {
		build_srat(buf, lay->srat, numa, vcpus);
		build_slit(buf, lay->slit, numa);
	}

	memset(&rsdp, 0, sizeof(rsdp));
	memcpy(rsdp.signature, "RSD PTR ", 8);
	memcpy(rsdp.oem_id, ACPI_OEM_ID, 6);
	rsdp.revision = 2;
	rsdp.rsdt_address = base + lay->rsdt;
	rsdp.length = sizeof(rsdp);
	rsdp.xsdt_address = base + lay->xsdt;
	rsdp.checksum = acpi_checksum(&rsdp, 20);
	rsdp.extended_checksum = acpi_checksum(&rsdp, sizeof(rsdp));
	memcpy(buf + lay->rsdp, &rsdp, sizeof(rsdp));
	return 0;
}
