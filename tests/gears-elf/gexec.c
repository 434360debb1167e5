// SPDX-License-Identifier: GPL-2.0
/*
 * gexec [ARG...]: the program "v3ctl gears exec VM --pid N gexec ARG"
 * runs in the guest, in a child GEARS makes process N fork.  Prints
 *   GEARS-EXEC pid=P ppid=N argc=C argv1=ARG
 * ("argv1=" empty without ARG) and exits 0.  A static PIE (gcc
 * -static-pie): v3ctl lays it out itself, with no dynamic loader.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("GEARS-EXEC pid=%d ppid=%d argc=%d argv1=%s\n", (int)getpid(),
	       (int)getppid(), argc, argc > 1 ? argv[1] : "");
	fflush(stdout);
	return 0;
}
