// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM device models, created in table order when a VM is created
 * and destroyed in reverse order.  A device keeps its state in
 * vm->devices[its index] and claims ports with v3_io_register().
 *
 * vm->devices[] holds a state only while it is alive: creation failing
 * half-way destroys what it made and clears every slot, and destruction
 * skips empty slots, so v3_devices_destroy() may run any number of times
 * after any outcome of v3_devices_create() (a failed re-creation at a
 * guest reset is followed by the VM's release, which destroys again).
 */
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "../v3.h"
#include "devices.h"

/*
 * Fault injection for the error paths of device creation (a VM create or
 * a guest reset): the device of this name fails to create with -ENOMEM.
 * Empty (the default) injects nothing; tests/l1/hostile-suite.sh sets it
 * through /sys/module/v3vmm/parameters/debug_fail_device.
 */
static char v3_debug_fail_device[32];
module_param_string(debug_fail_device, v3_debug_fail_device,
		    sizeof(v3_debug_fail_device), 0600);
MODULE_PARM_DESC(debug_fail_device,
		 "testing only: this device's creation fails (default: none)");

static bool v3_device_fail_injected(const struct v3_device_type *t)
{
	char want[sizeof(v3_debug_fail_device)];

	/* the sysfs write keeps its trailing newline */
	strscpy(want, v3_debug_fail_device, sizeof(want));
	strim(want);
	return want[0] && !strcmp(want, t->name);
}

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
		vm->devices[i] = NULL;
		if (v3_device_fail_injected(v3_device_types[i]))
			ret = -ENOMEM;
		else
			ret = v3_device_types[i]->create(vm, &vm->devices[i]);
		if (ret) {
			v3_err("%s: device %s: %d\n", vm->name,
			       v3_device_types[i]->name, ret);
			goto unwind;
		}
	}
	return 0;
unwind:
	/*
	 * Leave no pointer to a freed state behind: the VM's final release
	 * (or a later reset) calls v3_devices_destroy() again.
	 */
	vm->devices[i] = NULL;
	while (--i >= 0) {
		if (v3_device_types[i]->destroy && vm->devices[i])
			v3_device_types[i]->destroy(vm, vm->devices[i]);
		vm->devices[i] = NULL;
	}
	return ret;
}

void v3_devices_destroy(struct v3_vm *vm)
{
	int i;

	for (i = ARRAY_SIZE(v3_device_types) - 1; i >= 0; i--) {
		if (v3_device_types[i]->destroy && vm->devices[i])
			v3_device_types[i]->destroy(vm, vm->devices[i]);
		vm->devices[i] = NULL;
	}
}
