// SPDX-License-Identifier: GPL-2.0
/*
 * PCI host bridge with configuration mechanism #1 (PCI Local Bus
 * Specification 3.0, section 3.2.2.3.2): CONFIG_ADDRESS at 0xcf8 (only a
 * 32-bit access addresses it), CONFIG_DATA at 0xcfc-0xcff (byte, word or
 * dword at the offset within the dword).  CONFIG_ADDRESS: bit 31 enable,
 * 23:16 bus, 15:11 device, 10:8 function, 7:2 register.
 *
 * Bus 0 holds one function, 00:00.0, an Intel 82441FX PMC (i440FX host
 * bridge, vendor 0x8086 device 0x1237, class 06 00 00, header type 0);
 * every other bus/device/function reads all-ones (master abort).
 *
 * Port 0xcf9 is the Reset Control register of the PIIX3 / ICH (a byte
 * access, which mechanism #1 does not claim): a write with RST_CPU (bit
 * 2) set resets the system (vm_reset.c).
 */
#include <linux/slab.h>
#include "../v3.h"
#include "devices.h"
#include "pc.h"

#define CFG_ENABLE	BIT(31)
#define CFG_ADDR_MASK	0x80fffffcU	/* bits 30:24 and 1:0 reserved */
#define CFG_BUS(a)	(((a) >> 16) & 0xff)
#define CFG_DEVFN(a)	(((a) >> 8) & 0xff)
#define CFG_REG(a)	((a) & 0xfc)

#define RC_SYS_RST	0x02
#define RC_RST_CPU	0x04

/* i440FX PMC configuration header (82441FX data sheet, section 3.2) */
#define PCI_CFG_SIZE	256

struct v3_pci {
	spinlock_t lock;
	u32 addr;			/* CONFIG_ADDRESS */
	u8 rc;				/* reset control, 0xcf9 */
	u8 host[PCI_CFG_SIZE];		/* 00:00.0 configuration space */
};

static void pci_host_init(u8 *c)
{
	c[0x00] = 0x86;		/* vendor 0x8086 */
	c[0x01] = 0x80;
	c[0x02] = 0x37;		/* device 0x1237 */
	c[0x03] = 0x12;
	c[0x04] = 0x06;		/* command: memory space, bus master */
	c[0x06] = 0x80;		/* status: fast back-to-back capable */
	c[0x07] = 0x02;		/* DEVSEL medium */
	c[0x08] = 0x02;		/* revision */
	c[0x0b] = 0x06;		/* class: bridge, host bridge (06 00 00) */
	c[0x0e] = 0x00;		/* header type 0, single function */
}

/* Bytes a configuration write may change: COMMAND low byte, latency
 * timer, and the device-specific registers 0x40-0xff (PMC config, PAM,
 * DRB, SMRAM: stored, without effect). */
static bool pci_host_writable(unsigned int off)
{
	return off == 0x04 || off == 0x0d || off >= 0x40;
}

static bool pci_is_host(u32 addr)
{
	return CFG_BUS(addr) == 0 && CFG_DEVFN(addr) == 0;
}

static u32 pci_cfg_read(struct v3_pci *pci, unsigned int off, u8 size)
{
	u32 v = 0;
	int i;

	if (!(pci->addr & CFG_ENABLE) || !pci_is_host(pci->addr))
		return 0xffffffff;
	for (i = 0; i < size; i++)
		v |= (u32)pci->host[(CFG_REG(pci->addr) + off + i) &
				    (PCI_CFG_SIZE - 1)] << (8 * i);
	return v;
}

static void pci_cfg_write(struct v3_pci *pci, unsigned int off, u8 size,
			  u32 val)
{
	unsigned int reg;
	int i;

	if (!(pci->addr & CFG_ENABLE) || !pci_is_host(pci->addr))
		return;
	for (i = 0; i < size; i++) {
		reg = (CFG_REG(pci->addr) + off + i) & (PCI_CFG_SIZE - 1);
		if (pci_host_writable(reg))
			pci->host[reg] = val >> (8 * i);
	}
	pci->host[0x04] &= 0x06;	/* only MSE and BME are implemented */
}

static int v3_pci_read(struct v3_vcpu *vcpu, void *opaque, u16 port,
		       u8 size, u32 *val)
{
	struct v3_pci *pci = opaque;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&pci->lock, flags);
	if (port == V3_PC_PCI_CONF_ADDR && size == 4)
		*val = pci->addr;
	else if (port == V3_PC_RESET_CTL && size == 1)
		*val = pci->rc;
	else if (port >= V3_PC_PCI_CONF_DATA)
		*val = pci_cfg_read(pci, port - V3_PC_PCI_CONF_DATA,
				    min_t(u8, size, 4 - (port & 3)));
	else
		ret = -ENODEV;	/* other accesses to 0xcf8-0xcfb: ISA */
	spin_unlock_irqrestore(&pci->lock, flags);
	return ret;
}

static int v3_pci_write(struct v3_vcpu *vcpu, void *opaque, u16 port,
			u8 size, u32 val)
{
	struct v3_pci *pci = opaque;
	unsigned long flags;
	bool reset = false;
	int ret = 0;

	spin_lock_irqsave(&pci->lock, flags);
	if (port == V3_PC_PCI_CONF_ADDR && size == 4) {
		pci->addr = val & CFG_ADDR_MASK;
	} else if (port == V3_PC_RESET_CTL && size == 1) {
		/* RST_CPU: a 0 -> 1 transition starts the reset */
		reset = (val & RC_RST_CPU) && !(pci->rc & RC_RST_CPU);
		pci->rc = val & RC_SYS_RST;
	} else if (port >= V3_PC_PCI_CONF_DATA) {
		pci_cfg_write(pci, port - V3_PC_PCI_CONF_DATA,
			      min_t(u8, size, 4 - (port & 3)), val);
	} else {
		ret = -ENODEV;
	}
	spin_unlock_irqrestore(&pci->lock, flags);
	if (reset)
		v3_vm_reset(vcpu->vm, "guest reset via port 0xcf9");
	return ret;
}

static int v3_pci_create(struct v3_vm *vm, void **state)
{
	struct v3_pci *pci = kzalloc(sizeof(*pci), V3_GFP_ACCOUNT);
	struct v3_io_handler h = {
		.base = V3_PC_PCI_CONF_ADDR,
		.len = 8,
		.read = v3_pci_read,
		.write = v3_pci_write,
	};
	int ret;

	if (!pci)
		return -ENOMEM;
	spin_lock_init(&pci->lock);
	pci_host_init(pci->host);
	h.opaque = pci;
	ret = v3_io_register(vm, &h);
	if (ret) {
		kfree(pci);
		return ret;
	}
	*state = pci;
	return 0;
}

static void v3_pci_destroy(struct v3_vm *vm, void *state)
{
	kfree(state);
}

const struct v3_device_type v3_pci_device = {
	.name = "pci-i440fx",
	.create = v3_pci_create,
	.destroy = v3_pci_destroy,
};
