// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl pause NAME
 */
#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl pause NAME\n"
"\n"
"Pause the vCPUs of running VM NAME; 'v3ctl resume' continues it.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

int cmd_pause(int argc, char **argv)
{
	return simple_vm_cmd(argc, argv, V3_IOC_PAUSE, help);
}
