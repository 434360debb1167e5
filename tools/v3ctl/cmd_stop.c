// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl stop NAME
 */
#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl stop NAME\n"
"\n"
"Stop VM NAME (stop reason \"user\").  The VM stays registered, with\n"
"its console buffer and statistics, until 'v3ctl destroy'.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

int cmd_stop(int argc, char **argv)
{
	return simple_vm_cmd(argc, argv, V3_IOC_STOP, help);
}
