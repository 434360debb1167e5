// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl info NAME: state, stop reason and statistics of a VM, in a
 * line-oriented format that scripts may rely on.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl info NAME\n"
"\n"
"Show VM NAME, one item per line:\n"
"  name: NAME\n"
"  state: created|running|paused|stopped\n"
"  stop-reason: none|user|exit-port|shutdown|...\n"
"  exit-code: N                 (stop reason exit-port only)\n"
"  detail: TEXT                 (if the module gave a stop detail)\n"
"  vcpus: N\n"
"  memory: N MiB (M MiB in 2 MiB chunks)\n"
"  run-time: SECONDS s\n"
"  exit NAME COUNT AVG-CYCLES   (per exit reason seen)\n"
"  counter NAME VALUE           (per non-zero counter)\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

/* Keep the output line-oriented whatever the module put in the detail. */
static void print_clean(const char *s)
{
	for (; *s; s++)
		putchar(*s >= 0x20 && *s < 0x7f ? *s : '?');
}

int cmd_info(int argc, char **argv)
{
	const char *cmd = argv[0], *name;
	struct v3_info info;
	unsigned int i;
	int c, fd, err;
	char buf[32];

	c = parse_help_only(cmd, argc, argv, help);
	if (c >= 0)
		return c;
	err = open_one_vm(cmd, argc, argv, &name, &fd);
	if (err)
		return err;
	err = vm_info(fd, name, &info);
	close(fd);
	if (err) {
		v3_err_vm(cmd, name, -err);
		return EXIT_FAIL;
	}

	printf("name: %s\n", name);
	printf("state: %s\n", state_name(info.state));
	printf("stop-reason: %s\n", stop_name(info.stop_reason));
	if (info.stop_reason == V3_STOP_EXIT_PORT)
		printf("exit-code: %d\n", info.exit_code);
	if (info.reason[0]) {
		printf("detail: ");
		print_clean(info.reason);
		printf("\n");
	}
	printf("vcpus: %u\n", info.vcpus);
	printf("memory: %llu MiB (%llu MiB in 2 MiB chunks)\n",
	       (unsigned long long)(info.mem_bytes >> 20),
	       (unsigned long long)(info.mem_large_bytes >> 20));
	printf("resets: %llu\n", (unsigned long long)info.resets);
	printf("run-time: %llu.%03llu s\n",
	       (unsigned long long)(info.run_ns / 1000000000ULL),
	       (unsigned long long)(info.run_ns / 1000000ULL % 1000));
	for (i = 0; i < V3_NR_EXIT_REASONS; i++) {
		if (!info.exits[i])
			continue;
		printf("exit %s %llu %llu\n", exit_name(i, buf, sizeof(buf)),
		       (unsigned long long)info.exits[i],
		       (unsigned long long)(info.exit_cycles[i] /
					    info.exits[i]));
	}
	for (i = 0; i < V3_NR_COUNTERS; i++) {
		if (!info.counters[i])
			continue;
		printf("counter %s %llu\n", counter_name(i, buf, sizeof(buf)),
		       (unsigned long long)info.counters[i]);
	}
	return EXIT_OK;
}
