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
 */
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

#define MADT_MAX_VCPUS		255

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

int acpi_build(uint8_t *buf, size_t size, uint64_t base, unsigned int vcpus,
	       struct acpi_layout *lay)
{
	struct acpi_rsdp rsdp;
	struct acpi_facs facs;
	struct acpi_header h;
	struct acpi_fadt fadt;
	uint32_t p, madt_len;
	uint32_t rsdt_entries[2];
	uint64_t xsdt_entries[2];

	if (!vcpus || vcpus > MADT_MAX_VCPUS || size < ACPI_AREA_SIZE ||
	    base + ACPI_AREA_SIZE > (1ULL << 32) || (base & 15))
		return -1;
	memset(buf, 0, size);
	memset(lay, 0, sizeof(*lay));

	lay->rsdp = 0;
	lay->facs = align_up(sizeof(rsdp), 64);
	lay->rsdt = align_up(lay->facs + sizeof(facs), 16);
	lay->xsdt = align_up(lay->rsdt + sizeof(h) + sizeof(rsdt_entries), 16);
	lay->fadt = align_up(lay->xsdt + sizeof(h) + sizeof(xsdt_entries), 16);
	lay->dsdt = align_up(lay->fadt + sizeof(fadt), 16);
	lay->madt = align_up(lay->dsdt + sizeof(h) + sizeof(dsdt_aml), 16);
	madt_len = sizeof(struct acpi_madt) +
		   vcpus * sizeof(struct acpi_madt_lapic) +
		   sizeof(struct acpi_madt_ioapic) +
		   2 * sizeof(struct acpi_madt_iso) +
		   sizeof(struct acpi_madt_lapic_nmi);
	lay->size = lay->madt + madt_len;
	if (lay->size > ACPI_AREA_SIZE)
		return -1;

	/* FACS: no checksum, 64-byte aligned */
	memset(&facs, 0, sizeof(facs));
	memcpy(facs.signature, "FACS", 4);
	facs.length = sizeof(facs);
	facs.version = FACS_VERSION;
	memcpy(buf + lay->facs, &facs, sizeof(facs));

	/* RSDT and XSDT: FADT, MADT */
	rsdt_entries[0] = base + lay->fadt;
	rsdt_entries[1] = base + lay->madt;
	header_init(&h, "RSDT", sizeof(h) + sizeof(rsdt_entries), RSDT_REVISION);
	memcpy(buf + lay->rsdt, &h, sizeof(h));
	memcpy(buf + lay->rsdt + sizeof(h), rsdt_entries, sizeof(rsdt_entries));
	header_sum(buf, lay->rsdt);

	xsdt_entries[0] = base + lay->fadt;
	xsdt_entries[1] = base + lay->madt;
	header_init(&h, "XSDT", sizeof(h) + sizeof(xsdt_entries), XSDT_REVISION);
	memcpy(buf + lay->xsdt, &h, sizeof(h));
	memcpy(buf + lay->xsdt + sizeof(h), xsdt_entries, sizeof(xsdt_entries));
	header_sum(buf, lay->xsdt);

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
