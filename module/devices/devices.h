/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _V3_DEVICES_H
#define _V3_DEVICES_H

struct v3_vm;

struct v3_device_type {
	const char *name;
	int (*create)(struct v3_vm *vm, void **state);
	void (*destroy)(struct v3_vm *vm, void *state);
};

extern const struct v3_device_type v3_uart_device;
extern const struct v3_device_type v3_debug_exit_device;
extern const struct v3_device_type v3_pic_device;
extern const struct v3_device_type v3_ioapic_device;
extern const struct v3_device_type v3_pit_device;
extern const struct v3_device_type v3_rtc_device;
extern const struct v3_device_type v3_i8042_device;
extern const struct v3_device_type v3_pci_device;
extern const struct v3_device_type v3_pm_device;

#endif
