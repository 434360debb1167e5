// SPDX-License-Identifier: GPL-2.0
/*
 * runas UID COMMAND [ARG...]: run COMMAND as user and group UID with no
 * supplementary groups and no capabilities (the emulated host's busybox
 * has no su/setpriv without a passwd database).  For the suite's checks of
 * what an unprivileged user can do with /dev/v3vmm.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long uid;

	if (argc < 3) {
		fprintf(stderr, "usage: runas UID COMMAND [ARG...]\n");
		return 2;
	}
	uid = strtol(argv[1], &end, 10);
	if (*end || uid <= 0 || uid > 65534) {
		fprintf(stderr, "runas: bad uid '%s'\n", argv[1]);
		return 2;
	}
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid)) {
		perror("runas");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror("runas: exec");
	return 127;
}
