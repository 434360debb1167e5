// SPDX-License-Identifier: GPL-2.0
/*
 * ioperm_loop: a host (L1) process that owns an I/O port through ioperm()
 * and reads and writes it in a loop on one CPU, yielding often so that a
 * vCPU thread on the same CPU runs in between.
 *
 * Why: a VMX exit loads TR with a limit of 0x67 and GDTR with a limit of
 * 0xffff (Intel SDM vol. 3 27.5.2).  The I/O permission bitmap that
 * ioperm() fills lies beyond offset 0x67 of the TSS, so unless the VMM
 * tells Linux (invalidate_tss_limit()) that the TSS limit is cut, the
 * next IN/OUT of this process after a VM exit on its CPU raises #GP and
 * the process dies with SIGSEGV.  SVM restores TR in full on #VMEXIT
 * (VMLOAD/VMSAVE), so on an SVM host this passes either way.
 *
 *   ioperm_loop [-c CPU] [-s SECONDS] [-p PORT]
 * Exit status 0 when every access worked, 1 on SIGSEGV (printed with the
 * number of accesses that had worked), 2 on setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/io.h>

static volatile unsigned long accesses;

static void on_segv(int sig)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg),
			 "ioperm_loop: SIGSEGV after %lu port accesses\n",
			 accesses);

	(void)sig;
	if (n > 0)
		write(2, msg, n);
	_exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int cpu = 0, opt;
	double secs = 5;
	unsigned long port = 0x80, yields = 0;
	struct sigaction sa;
	cpu_set_t set;
	double end;

	while ((opt = getopt(argc, argv, "c:s:p:h")) != -1) {
		switch (opt) {
		case 'c': cpu = atoi(optarg); break;
		case 's': secs = atof(optarg); break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: ioperm_loop [-c CPU] [-s SECONDS] [-p PORT]\n");
			return 2;
		}
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "ioperm_loop: sched_setaffinity(%d): %s\n", cpu, strerror(errno));
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	if (port > 0x3ff || ioperm(port, 1, 1)) {
		fprintf(stderr, "ioperm_loop: ioperm(0x%lx): %s\n", port, strerror(errno));
		return 2;
	}
	end = now() + secs;
	while (now() < end) {
		unsigned int i;

		for (i = 0; i < 64; i++) {
			outb(accesses & 0xff, port);
			(void)inb(port);
			accesses += 2;
		}
		sched_yield();	/* let a vCPU thread on this CPU run and exit */
		yields++;
	}
	printf("ioperm_loop: %lu port accesses to 0x%lx on cpu %d in %g s, %lu yields\n",
	       accesses, port, cpu, secs, yields);
	return 0;
}
