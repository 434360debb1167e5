// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl console NAME [--follow] [--timeout SEC]
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl console NAME [--follow] [--timeout SEC]\n"
"\n"
"Print the console (COM1) output of VM NAME from the start of what the\n"
"module still buffers (the last 64 KiB).\n"
"\n"
"  -f, --follow     keep printing until the VM stops and its output is\n"
"                   drained; forward input to the guest: typed input if\n"
"                   stdin is a terminal (raw mode; Ctrl-] detaches and\n"
"                   leaves the VM running), piped input otherwise (unless\n"
"                   stdin is /dev/null)\n"
"  --timeout SEC    with --follow: give up after SEC seconds\n"
"  -h, --help       show this help\n"
"\n"
"Lost output (overwritten before it was read) is reported on stderr.\n"
"\n"
"Exit status: 0 success (output printed, VM stopped, or detached),\n"
"1 failure, 2 usage error, 6 --timeout expired, 128+N killed by signal N\n"
"(130 SIGINT, 143 SIGTERM).\n";

enum { OPT_TIMEOUT = 256 };

int cmd_console(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "follow", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ NULL, 0, NULL, 0 }
	};
	struct follow f = { .cmd = argv[0], .input = true };
	const char *cmd = argv[0];
	bool follow = false;
	int c, fd, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hf", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return EXIT_OK;
		case 'f':
			follow = true;
			break;
		case OPT_TIMEOUT:
			if (parse_seconds(optarg, &f.timeout))
				return usage_err(cmd, "--timeout needs a positive number of seconds, not '%s'",
						 optarg);
			break;
		default:
			return opt_error(cmd, c, argv);
		}
	}
	ret = need_one_name(cmd, argc, argv, &f.name);
	if (ret)
		return ret;
	if (f.timeout > 0 && !follow)
		return usage_err(cmd, "--timeout only makes sense with --follow");

	fd = v3_open(cmd, true);
	if (fd < 0)
		return EXIT_FAIL;
	if (!follow) {
		ret = console_dump(fd, cmd, f.name) ? EXIT_FAIL : EXIT_OK;
		close(fd);
		return ret;
	}

	install_signals();
	switch (console_follow(fd, &f)) {
	case FOLLOW_STOPPED:
	case FOLLOW_DETACHED:
		ret = EXIT_OK;
		break;
	case FOLLOW_TIMEOUT:
		v3_err(cmd, "%s: timed out; the VM is still running", f.name);
		ret = EXIT_TIMEOUT;
		break;
	case FOLLOW_SIGNAL:
		ret = EXIT_SIGNAL + v3_signal;
		break;
	default:
		ret = EXIT_FAIL;
		break;
	}
	close(fd);
	return ret;
}
