// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl destroy NAME
 */
#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl destroy NAME\n"
"\n"
"Stop VM NAME if it is running and free it and its memory.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

int cmd_destroy(int argc, char **argv)
{
	return simple_vm_cmd(argc, argv, V3_IOC_DESTROY, help);
}
