// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM device models, created in table order when a VM is created
 * and destroyed in reverse order.  A device keeps its state in
 * vm->devices[its index] and claims ports with v3_io_register().
 */
#include "../v3.h"
#include "devices.h"

static const struct v3_device_type *const v3_device_types[] = {
	&v3_pic_device,		/* interrupt controllers before their sources */
	&v3_ioapic_device,
	&v3_uart_device,
	&v3_debug_exit_device,
	&v3_pit_device,
	&v3_rtc_device,
	&v3_i8042_device,
	&v3_pci_device,
	&v3_pm_device,
};

static_assert(ARRAY_SIZE(v3_device_types) <= V3_MAX_DEVICES);

int v3_devices_create(struct v3_vm *vm)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(v3_device_types); i++) {
		ret = v3_device_types[i]->create(vm, &vm->devices[i]);
		if (ret) {
			v3_err("%s: device %s: %d\n", vm->name,
			       v3_device_types[i]->name, ret);
			goto unwind;
		}
	}
	return 0;
unwind:
	while (--i >= 0)
		if (v3_device_types[i]->destroy)
			v3_device_types[i]->destroy(vm, vm->devices[i]);
	return ret;
}

void v3_devices_destroy(struct v3_vm *vm)
{
	int i;

	for (i = ARRAY_SIZE(v3_device_types) - 1; i >= 0; i--) {
		if (v3_device_types[i]->destroy)
			v3_device_types[i]->destroy(vm, vm->devices[i]);
		vm->devices[i] = NULL;
	}
}
