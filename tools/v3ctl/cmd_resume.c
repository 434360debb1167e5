// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl resume NAME
 */
#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl resume NAME\n"
"\n"
"Continue paused VM NAME.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

int cmd_resume(int argc, char **argv)
{
	return simple_vm_cmd(argc, argv, V3_IOC_RESUME, help);
}
