// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl: control v3vmm virtual machines through /dev/v3vmm.
 *
 * main() only dispatches: each subcommand lives in its own cmd_*.c and
 * parses its own options.
 */
#include <stdio.h>
#include <string.h>

#include "v3ctl.h"

static const struct command commands[] = {
	{ "version", cmd_version, "show the module ABI version, backend and capabilities" },
	{ "create", cmd_create, "create a VM and load its kernel" },
	{ "launch", cmd_launch, "start a created VM" },
	{ "stop", cmd_stop, "stop a VM (it stays until destroyed)" },
	{ "pause", cmd_pause, "pause a running VM" },
	{ "resume", cmd_resume, "resume a paused VM" },
	{ "destroy", cmd_destroy, "stop and free a VM" },
	{ "list", cmd_list, "list VMs: name, state, vcpus, memory" },
	{ "info", cmd_info, "show a VM's state, stop reason and statistics" },
	{ "msrs", cmd_msrs, "show the MSRs a VM's guest touched that are not modelled" },
	{ "paging", cmd_paging, "show or set a VM's paging mode (nested, shadow, adaptive)" },
	{ "vcpu", cmd_vcpu, "show where a VM's vCPUs run and their times; 'vcpu move': pin one" },
	{ "mem", cmd_mem, "show a VM's guest RAM per host NUMA node and its --numa policy" },
	{ "content", cmd_content, "show memory content sharing counts; enable a VM; dump hashes" },
	{ "gears", cmd_gears, "look into a Linux guest from outside: symbols, processes, system calls" },
	{ "console", cmd_console, "print (or follow) a VM's console output" },
	{ "run", cmd_run, "create, launch, follow and destroy a VM in one go" },
	{ "topology", cmd_topology, "show the host's NUMA nodes, CPUs and CPU frequencies" },
};

static void usage(FILE *out)
{
	unsigned int i;

	fprintf(out,
		"Usage: v3ctl COMMAND [ARGS...]\n"
		"       v3ctl COMMAND --help\n"
		"       v3ctl help [COMMAND]\n"
		"\n"
		"Control v3vmm virtual machines through %s (the %s\n"
		"environment variable names another device).\n"
		"\n"
		"Commands:\n", V3CTL_DEFAULT_DEVICE, V3CTL_DEVICE_ENV);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\n"
		"Exit status: 0 success, 1 the operation failed, 2 usage error;\n"
		"'run' and 'console --follow' have more: see their --help.\n");
}

static const struct command *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;
	char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc == 2) {
			usage(stdout);
			return EXIT_OK;
		}
		c = find_command(argv[2]);
		if (!c) {
			v3_err(argv[2], "unknown command (see 'v3ctl --help')");
			return EXIT_USAGE;
		}
		help_argv[0] = (char *)c->name;
		return c->fn(2, help_argv);
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "v3ctl: unknown option '%s' (see 'v3ctl --help')\n",
			argv[1]);
		return EXIT_USAGE;
	}
	c = find_command(argv[1]);
	if (!c) {
		v3_err(argv[1], "unknown command (see 'v3ctl --help')");
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
