// SPDX-License-Identifier: GPL-2.0
/* Services of the rest of the module that the unit tests record instead. */
#include <stdarg.h>
#include "v3.h"

int shim_stops, shim_stop_reason;
char shim_stop_why[256];

/* vm.c: remember that (and why) the VM was stopped */
void v3_vm_stop(struct v3_vm *vm, int reason, int code, const char *fmt, ...)
{
	va_list ap;

	shim_stops++;
	shim_stop_reason = reason;
	va_start(ap, fmt);
	vsnprintf(shim_stop_why, sizeof(shim_stop_why), fmt, ap);
	va_end(ap);
}
