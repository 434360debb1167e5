// SPDX-License-Identifier: GPL-2.0
/*
 * heartbeat SECS: "HB <pid> <i>" every 100 ms for SECS seconds, then
 * "HB-DONE <pid>", exit 0.  The target of tests/l1/gears-tests.sh's
 * system-call injections: it must go on as if nothing happened, so its
 * sleeps are absolute (an interrupted one is simply taken again) and
 * each line is one write(2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void say(const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t w = write(1, s + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += w;
	}
}

int main(int argc, char **argv)
{
	struct timespec t;
	char line[64];
	long secs, i;
	int pid = getpid();

	if (argc != 2 || (secs = atol(argv[1])) < 1) {
		fprintf(stderr, "usage: heartbeat SECS\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (i = 0; i < secs * 10; i++) {
		snprintf(line, sizeof(line), "HB %d %ld\n", pid, i);
		say(line);
		t.tv_nsec += 100000000L;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
			;
	}
	snprintf(line, sizeof(line), "HB-DONE %d\n", pid);
	say(line);
	return 0;
}
