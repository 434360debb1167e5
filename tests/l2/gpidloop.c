// SPDX-License-Identifier: GPL-2.0
/*
 * gpidloop N [DELAY_MS]: after DELAY_MS (default 0) milliseconds, N
 * getpid system calls (raw: no libc cache), each checked against the
 * first; prints "GPIDLOOP pid=P n=N ok" (or "bad", exit 1).  The target
 * of tests/l1/gears-tests.sh's traced count: exactly N getpid calls,
 * each returning P.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, i, pid = -1, bad = 0;
	long ms = argc > 2 ? atol(argv[2]) : 0;
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };

	if (argc < 2 || argc > 3 || (n = atol(argv[1])) < 1 || ms < 0) {
		fprintf(stderr, "usage: gpidloop N [DELAY_MS]\n");
		return 2;
	}
	if (ms)
		while (nanosleep(&d, &d) && errno == EINTR)
			;
	for (i = 0; i < n; i++) {
		long p = syscall(SYS_getpid);

		if (i == 0)
			pid = p;
		else if (p != pid)
			bad++;
	}
	printf("GPIDLOOP pid=%ld n=%ld %s\n", pid, n, bad ? "bad" : "ok");
	return bad ? 1 : 0;
}
