// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl launch NAME
 */
#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl launch NAME\n"
"\n"
"Start VM NAME: its kernel must have been loaded by 'v3ctl create'\n"
"and it must never have been launched before.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

int cmd_launch(int argc, char **argv)
{
	return simple_vm_cmd(argc, argv, V3_IOC_LAUNCH, help);
}
