// SPDX-License-Identifier: GPL-2.0
/*
 * getppidbench N: the time of N getppid system calls (raw, timed with
 * CLOCK_MONOTONIC around the loop): "GPPB ns_per_call=X n=N".  For
 * tests/l1/gearsbench-suite.sh: the cost of a call GEARS traces, of one
 * it does not, and of none traced.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long n, i;
	double ns;

	if (argc != 2 || (n = atol(argv[1])) < 1) {
		fprintf(stderr, "usage: getppidbench N\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("GPPB ns_per_call=%.1f n=%ld\n", ns / n, n);
	return 0;
}
