/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables describing the v3vmm PC platform (ACPI 6.0 layouts), built
 * by v3ctl for kernels that boot without firmware (Linux bzImage).  The
 * device constants come from module/devices/pc.h so the tables and the
 * emulated devices cannot disagree.
 *
 * acpi_build() lays the tables out in one block meant to be copied to
 * guest-physical address @base (ACPI_BASE for the bzImage loader):
 *
 *   +0x000  RSDP (revision 2, 36 bytes; 16-byte aligned for the BIOS scan)
 *   +0x040  FACS (64 bytes, 64-byte aligned)
 *   then, each 16-byte aligned: RSDT, XSDT, FADT (revision 6, 276 bytes),
 *   DSDT (\_S5 only), MADT (one Local APIC entry per vCPU, the IOAPIC,
 *   interrupt source overrides IRQ0->GSI2 and the level-triggered SCI,
 *   Local APIC NMI on LINT1 for all processors), and with a guest NUMA
 *   topology (--guest-numa) SRAT and SLIT.
 *
 * Guest NUMA (ACPI 6.x 5.2.16 SRAT, 5.2.17 SLIT): proximity domain k is
 * guest node k.  vCPU i (APIC ID i) is on node i * nodes / vcpus, so the
 * nodes get contiguous blocks of vCPUs whose sizes differ by at most one
 * (2 nodes, 3 vCPUs: 0-1 and 2); the memory ranges come from the caller
 * (guest_numa_split() in guest_numa.c).  Distances are 10 (local) and 20
 * (remote): the guest's nodes are not backed by distinct host nodes (the
 * host places guest RAM by the VM's --numa policy, not per guest node),
 * so there are no host distances to pass on.
 */
#ifndef V3CTL_ACPI_H
#define V3CTL_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_OEM_ID		"V3VMM "
#define ACPI_OEM_TABLE_ID	"V3VMMPC "
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"V3VM"
#define ACPI_CREATOR_REVISION	1

#define ACPI_LAPIC_BASE		0xfee00000U

/*
 * Space acpi_build() needs at most (255 vCPUs with a guest NUMA topology:
 * under 7.5 KiB; 64 vCPUs without: under 2 KiB).
 */
#define ACPI_AREA_SIZE		0x2000

struct acpi_rsdp {
	char signature[8];		/* "RSD PTR " */
	uint8_t checksum;		/* first 20 bytes */
	char oem_id[6];
	uint8_t revision;		/* 2: ACPI 2.0+ */
	uint32_t rsdt_address;
	uint32_t length;		/* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

/* Generic Address Structure */
struct acpi_gas {
	uint8_t space_id;		/* 1: system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;		/* 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} __attribute__((packed));

#define ACPI_GAS_IO		1
#define ACPI_ACCESS_BYTE	1
#define ACPI_ACCESS_WORD	2
#define ACPI_ACCESS_DWORD	3

struct acpi_fadt {
	struct acpi_header header;	/* "FACP", revision 6 */
	uint32_t firmware_ctrl;		/* FACS */
	uint32_t dsdt;
	uint8_t reserved1;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved2;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

/* FADT flags */
#define ACPI_FADT_WBINVD		(1U << 0)
#define ACPI_FADT_PROC_C1		(1U << 2)
#define ACPI_FADT_PWR_BUTTON		(1U << 4)	/* 1: no fixed power button */
#define ACPI_FADT_SLP_BUTTON		(1U << 5)	/* 1: no fixed sleep button */
#define ACPI_FADT_FIX_RTC		(1U << 6)	/* 1: no RTC wake status in PM1 */
#define ACPI_FADT_TMR_VAL_EXT		(1U << 8)
#define ACPI_FADT_RESET_REG_SUP		(1U << 10)
#define ACPI_FADT_HW_REDUCED		(1U << 20)

/* FADT IAPC_BOOT_ARCH */
#define ACPI_BOOT_LEGACY_DEVICES	(1U << 0)
#define ACPI_BOOT_8042			(1U << 1)
#define ACPI_BOOT_VGA_NOT_PRESENT	(1U << 2)

struct acpi_facs {
	char signature[4];		/* "FACS" */
	uint32_t length;		/* 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;		/* 2 */
	uint8_t reserved1[3];
	uint32_t ospm_flags;
	uint8_t reserved2[24];
} __attribute__((packed));

struct acpi_madt {
	struct acpi_header header;	/* "APIC" */
	uint32_t lapic_address;
	uint32_t flags;			/* bit 0: PCAT_COMPAT */
} __attribute__((packed));

#define ACPI_MADT_PCAT_COMPAT		(1U << 0)

#define ACPI_MADT_LAPIC			0
#define ACPI_MADT_IOAPIC		1
#define ACPI_MADT_ISO			2
#define ACPI_MADT_LAPIC_NMI		4

struct acpi_madt_lapic {
	uint8_t type;			/* 0 */
	uint8_t length;			/* 8 */
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;			/* bit 0: enabled */
} __attribute__((packed));

struct acpi_madt_ioapic {
	uint8_t type;			/* 1 */
	uint8_t length;			/* 12 */
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

struct acpi_madt_iso {
	uint8_t type;			/* 2 */
	uint8_t length;			/* 10 */
	uint8_t bus;			/* 0: ISA */
	uint8_t source;			/* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;			/* MPS INTI flags */
} __attribute__((packed));

/* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2 */
#define ACPI_MPS_CONFORMING		0x0000
#define ACPI_MPS_ACTIVE_HIGH		0x0001
#define ACPI_MPS_LEVEL			0x000c

struct acpi_madt_lapic_nmi {
	uint8_t type;			/* 4 */
	uint8_t length;			/* 6 */
	uint8_t processor_uid;		/* 0xff: all */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

/* ACPI 6.x 5.2.16 System Resource Affinity Table */
struct acpi_srat {
	struct acpi_header header;	/* "SRAT", revision 3 */
	uint32_t reserved1;		/* 1, for backward compatibility */
	uint64_t reserved2;
} __attribute__((packed));

#define ACPI_SRAT_LAPIC			0
#define ACPI_SRAT_MEMORY		1

/* 5.2.16.1 Processor Local APIC/SAPIC Affinity Structure */
struct acpi_srat_lapic {
	uint8_t type;			/* 0 */
	uint8_t length;			/* 16 */
	uint8_t proximity_lo;		/* proximity domain bits 7:0 */
	uint8_t apic_id;
	uint32_t flags;			/* bit 0: enabled */
	uint8_t local_sapic_eid;
	uint8_t proximity_hi[3];	/* proximity domain bits 31:8 */
	uint32_t clock_domain;
} __attribute__((packed));

/* 5.2.16.2 Memory Affinity Structure */
struct acpi_srat_mem {
	uint8_t type;			/* 1 */
	uint8_t length;			/* 40 */
	uint32_t proximity;
	uint16_t reserved1;
	uint64_t base;			/* Base Address Low and High */
	uint64_t size;			/* Length Low and High */
	uint32_t reserved2;
	uint32_t flags;			/* bit 0: enabled */
	uint64_t reserved3;
} __attribute__((packed));

#define ACPI_SRAT_ENABLED		(1U << 0)

/* ACPI 6.x 5.2.17 System Locality Information Table */
struct acpi_slit {
	struct acpi_header header;	/* "SLIT", revision 1 */
	uint64_t localities;		/* then localities^2 bytes */
} __attribute__((packed));

#define ACPI_SLIT_LOCAL			10
#define ACPI_SLIT_REMOTE		20

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");
_Static_assert(sizeof(struct acpi_header) == 36, "table header size");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT size (ACPI 6.0)");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "FADT X_FIRMWARE_CTRL");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT X_PM_TMR_BLK");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor_id) == 268, "FADT hypervisor id");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS size");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT size");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC size");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC size");
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "MADT ISO size");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT LAPIC NMI size");
_Static_assert(sizeof(struct acpi_srat) == 48, "SRAT size");
_Static_assert(sizeof(struct acpi_srat_lapic) == 16, "SRAT LAPIC size");
_Static_assert(offsetof(struct acpi_srat_lapic, clock_domain) == 12, "SRAT LAPIC clock domain");
_Static_assert(sizeof(struct acpi_srat_mem) == 40, "SRAT memory size");
_Static_assert(offsetof(struct acpi_srat_mem, base) == 8, "SRAT memory base");
_Static_assert(offsetof(struct acpi_srat_mem, flags) == 28, "SRAT memory flags");
_Static_assert(sizeof(struct acpi_slit) == 44, "SLIT size");

/* A guest NUMA topology for acpi_build(): SRAT and SLIT. */
#define ACPI_NUMA_MAX_NODES	8
#define ACPI_NUMA_MAX_RANGES	16

struct acpi_mem_range {
	uint64_t base, size;
	uint32_t node;
};

struct acpi_numa {
	unsigned int nodes;		/* 1 .. ACPI_NUMA_MAX_NODES */
	unsigned int nranges;
	struct acpi_mem_range range[ACPI_NUMA_MAX_RANGES];	/* RAM */
};

/* Offsets of the tables inside the block acpi_build() fills. */
struct acpi_layout {
	uint32_t rsdp, facs, rsdt, xsdt, fadt, dsdt, madt;
	uint32_t srat, slit;		/* 0: no guest NUMA topology */
	uint32_t size;			/* bytes used */
};

uint8_t acpi_checksum(const void *buf, size_t len);

/* The guest node of vCPU @vcpu: @vcpu * @nodes / @vcpus. */
unsigned int acpi_vcpu_node(unsigned int vcpu, unsigned int vcpus,
			    unsigned int nodes);

/*
 * Build the tables for a VM with @vcpus vCPUs (1 .. 255) into @buf
 * (@size bytes, at least ACPI_AREA_SIZE), as they must appear at
 * guest-physical address @base (below 4 GiB).  The RSDP is at offset 0.
 * With @numa (NULL: none) also SRAT and SLIT, listed after the MADT in
 * the RSDT and XSDT; @numa->nodes may not exceed @vcpus, and every
 * range's node must be below it.  Returns 0, or -1 if the arguments are
 * out of range.
 */
int acpi_build(uint8_t *buf, size_t size, uint64_t base, unsigned int vcpus,
	       const struct acpi_numa *numa, struct acpi_layout *lay);

#endif /* V3CTL_ACPI_H */
