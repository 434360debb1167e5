/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC platform v3vmm presents: port numbers, addresses, IRQ lines and
 * the constants the firmware tables must declare.  Plain macros only, so
 * v3ctl's ACPI table builder can include this file as it is and the two
 * sides cannot disagree.
 *
 * Interrupt wiring (done by v3_irq_set in irq.c): ISA IRQ n drives 8259A
 * input n and IOAPIC pin n, except IRQ 0 (PIT) which drives IOAPIC pin 2
 * (the MADT declares an interrupt source override 0 -> 2, edge, high).
 *
 * IOAPIC ID: the 82093AA ID register has 4 bits (bits 27:24).  We use 0xf,
 * which keeps it distinct from the LAPIC IDs (0 .. vcpus-1) of VMs up to
 * 15 vCPUs; larger VMs overlap, which x86-64 Linux does not mind (it only
 * requires IOAPIC IDs to be unique among IOAPICs).  The MADT IOAPIC entry
 * must carry this ID, address V3_PC_IOAPIC_BASE and GSI base 0.
 */
#ifndef _V3_DEVICES_PC_H
#define _V3_DEVICES_PC_H

/* ISA interrupt lines (PC/AT assignments) */
#define V3_PC_IRQ_PIT		0	/* IOAPIC pin 2, see above */
#define V3_PC_IRQ_KBD		1
#define V3_PC_IRQ_CASCADE	2	/* slave 8259A on master IR2 */
#define V3_PC_IRQ_COM1		4
#define V3_PC_IRQ_RTC		8
#define V3_PC_IRQ_SCI		9	/* FADT SCI_INT; MADT: level, active high */
#define V3_PC_IRQ_AUX		12

/* 8259A pair and the PIIX edge/level control registers */
#define V3_PC_PIC_MASTER	0x20	/* 0x20-0x21 */
#define V3_PC_PIC_SLAVE		0xa0	/* 0xa0-0xa1 */
#define V3_PC_ELCR		0x4d0	/* 0x4d0 master, 0x4d1 slave */

/* 8254 PIT and port 0x61 (NMI status and control, speaker, gate 2) */
#define V3_PC_PIT		0x40	/* 0x40-0x43 */
#define V3_PC_PIT_HZ		1193182
#define V3_PC_PORT61		0x61

/* 8042 keyboard controller */
#define V3_PC_I8042_DATA	0x60
#define V3_PC_I8042_CMD		0x64	/* read: status */

/* MC146818 RTC and CMOS RAM */
#define V3_PC_RTC		0x70	/* 0x70 index, 0x71 data */
#define V3_PC_RTC_CENTURY	0x32	/* FADT CENTURY field */

/* PCI configuration mechanism #1 and the reset control register */
#define V3_PC_PCI_CONF_ADDR	0xcf8
#define V3_PC_PCI_CONF_DATA	0xcfc	/* 0xcfc-0xcff */
#define V3_PC_RESET_CTL		0xcf9	/* FADT RESET_REG: I/O 0xcf9, value 6 */
#define V3_PC_RESET_VALUE	0x06

/* ACPI fixed hardware (FADT PM1a_EVT_BLK, PM1a_CNT_BLK, PM_TMR_BLK) */
#define V3_PC_PM1A_EVT		0x600	/* PM1_STS 0x600, PM1_EN 0x602 */
#define V3_PC_PM1A_EVT_LEN	4
#define V3_PC_PM1A_CNT		0x604
#define V3_PC_PM1A_CNT_LEN	2
#define V3_PC_PM_TMR		0x608
#define V3_PC_PM_TMR_LEN	4	/* FADT flags: TMR_VAL_EXT (32-bit) */
#define V3_PC_PM_TMR_HZ		3579545
#define V3_PC_SLP_TYP_S5	5	/* DSDT: Name (\_S5, Package { 5, 5, 0, 0 }) */

/* IOAPIC */
#define V3_PC_IOAPIC_BASE	0xfec00000ULL
#define V3_PC_IOAPIC_LEN	0x1000
#define V3_PC_IOAPIC_ID		0xf
#define V3_PC_IOAPIC_PINS	24

#endif /* _V3_DEVICES_PC_H */
