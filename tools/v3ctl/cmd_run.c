// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl run: create + load + launch + follow the console + destroy, with
 * the guest's exit status as v3ctl's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl run --mem SIZE [--vcpus N] [--pin CPU] --kernel FILE\n"
"                 [--initrd FILE] [--cmdline STR] [--timeout SEC] [--name NAME]\n"
"\n"
"Create a VM (named run-PID unless --name is given), load the kernel,\n"
"launch it and copy its console to stdout until it stops, then destroy it.\n"
"Input is forwarded to the guest as with 'v3ctl console --follow'; on a\n"
"terminal, Ctrl-] stops the VM (exit status 130).\n"
"\n"
"  --mem, --vcpus, --pin, --kernel, --initrd, --cmdline,\n"
"  --no-pvclock, --on-reboot, --paging, --numa, --guest-numa: as for create\n"
"  --timeout SEC    stop and destroy the VM after SEC seconds\n"
"  --name NAME      VM name\n"
"  -h, --help       show this help\n"
"\n"
"Exit status:\n"
"  N & 0xff  the guest wrote value v to the debug-exit port 0xf4 (or made\n"
"            the exit hypercall): N = (v << 1) | 1, always odd\n"
"  0         the guest powered off\n"
"  2         usage error, or the VM could not be created, loaded or launched\n"
"  4         the VM stopped for another reason (printed on stderr)\n"
"  6         --timeout expired\n"
"  8         device error while following the VM\n"
"  130, 143  interrupted by SIGINT, SIGTERM (128 + signal number)\n";

static void stop_and_destroy(int fd, const char *cmd, const char *name)
{
	int err;

	vm_ref_ioctl(fd, V3_IOC_STOP, name);	/* may have stopped already */
	err = vm_ref_ioctl(fd, V3_IOC_DESTROY, name);
	if (err && err != -ENOENT)
		v3_err(cmd, "%s: destroy: %s (%s)", name, strerror(-err),
		       errno_name(-err));
}

/* Exit status for a VM that stopped by itself. */
static int stopped_status(int fd, const char *cmd, const char *name)
{
	struct v3_info info;
	int err;

	err = vm_info(fd, name, &info);
	if (err) {
		v3_err_vm(cmd, name, -err);
		return EXIT_RUN_ERROR;
	}
	switch (info.stop_reason) {
	case V3_STOP_EXIT_PORT:
		return info.exit_code & 0xff;
	case V3_STOP_POWEROFF:
		return EXIT_OK;
	default:
		if (info.reason[0])
			v3_err(cmd, "VM stopped: %s: %s",
			       stop_name(info.stop_reason), info.reason);
		else
			v3_err(cmd, "VM stopped: %s",
			       stop_name(info.stop_reason));
		return EXIT_VM_FAILED;
	}
}

int cmd_run(int argc, char **argv)
{
	const char *cmd = argv[0];
	char auto_name[V3_NAME_MAX];
	struct vm_config cfg;
	struct follow f;
	int ret, fd, err;

	ret = parse_vm_opts(cmd, argc, argv, VMOPT_RUN, &cfg, help);
	if (ret == PARSE_HELP)
		return EXIT_OK;
	if (ret)
		return ret;
	if (!cfg.name) {
		snprintf(auto_name, sizeof(auto_name), "run-%d", (int)getpid());
		cfg.name = auto_name;
	}

	install_signals();
	fd = vm_open(cmd, &cfg);
	if (fd < 0)
		return EXIT_USAGE;
	if (vm_create_and_load(fd, cmd, &cfg)) {
		close(fd);
		return EXIT_USAGE;
	}
	if (v3_signal) {
		stop_and_destroy(fd, cmd, cfg.name);
		close(fd);
		return EXIT_SIGNAL + v3_signal;
	}
	err = vm_ref_ioctl(fd, V3_IOC_LAUNCH, cfg.name);
	if (err) {
		v3_err(cmd, "%s: launch: %s (%s)", cfg.name, strerror(-err),
		       errno_name(-err));
		stop_and_destroy(fd, cmd, cfg.name);
		close(fd);
		return EXIT_USAGE;
	}

	memset(&f, 0, sizeof(f));
	f.cmd = cmd;
	f.name = cfg.name;
	f.timeout = cfg.timeout;
	f.input = true;
	f.ignore_output_errors = true;
	switch (console_follow(fd, &f)) {
	case FOLLOW_STOPPED:
		ret = stopped_status(fd, cmd, cfg.name);
		break;
	case FOLLOW_TIMEOUT:
		v3_err(cmd, "%s: timed out after %g s; VM stopped and destroyed",
		       cfg.name, cfg.timeout);
		ret = EXIT_TIMEOUT;
		break;
	case FOLLOW_DETACHED:
		v3_err(cmd, "%s: stopped by the user (Ctrl-])", cfg.name);
		ret = EXIT_SIGNAL + SIGINT;
		break;
	case FOLLOW_SIGNAL:
		v3_err(cmd, "%s: interrupted by signal %d; VM stopped and destroyed",
		       cfg.name, (int)v3_signal);
		ret = EXIT_SIGNAL + v3_signal;
		break;
	default:
		ret = EXIT_RUN_ERROR;
		break;
	}
	stop_and_destroy(fd, cmd, cfg.name);
	close(fd);
	return ret;
}
