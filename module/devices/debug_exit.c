// SPDX-License-Identifier: GPL-2.0
/*
 * Debug-exit port with the meaning of QEMU's isa-debug-exit device: a
 * write of v stops the VM with exit code (v << 1) | 1.  Test guests use it
 * to report their result to the host.
 */
#include "../v3.h"
#include "devices.h"

static int v3_debug_exit_write(struct v3_vcpu *vcpu, void *opaque, u16 port,
			       u8 size, u32 val)
{
	v3_vm_stop(vcpu->vm, V3_STOP_EXIT_PORT, (int)((val << 1) | 1),
		   "guest wrote 0x%x to the exit port", val);
	return 0;
}

static int v3_debug_exit_create(struct v3_vm *vm, void **state)
{
	struct v3_io_handler h = {
		.base = V3_DEBUG_EXIT_PORT,
		.len = 4,
		.write = v3_debug_exit_write,
	};

	*state = NULL;
	return v3_io_register(vm, &h);
}

const struct v3_device_type v3_debug_exit_device = {
	.name = "debug-exit",
	.create = v3_debug_exit_create,
};
