// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl gears sym|ps|trace|syscall|call|insmod|exec ...: GEARS, a running
 * guest's Linux kernel seen from outside.  "sym VM NAME" resolves a guest
 * kernel symbol (V3_IOC_GEARS_SYM), "ps VM" lists the guest's processes
 * (V3_IOC_GEARS_PS), both ABI 1.6 with the capability gears; "trace"
 * (cmd_gears_trace.c) and "syscall", "call", "insmod", "exec"
 * (cmd_gears_inject.c) trace and inject system calls (V3_IOC_GEARS_TRACE,
 * V3_IOC_GEARS_INJECT), ABI 1.7 with the capability gears-inject.  One
 * function and one help text per subcommand, in the table at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl gears sym VM NAME [--json]\n"
"       v3ctl gears ps VM [--json]\n"
"       v3ctl gears trace VM [--pid N | --comm NAME] [--syscalls LIST]\n"
"                            [--count N] [--duration SECS | --follow] [--json]\n"
"       v3ctl gears trace VM --stop\n"
"       v3ctl gears syscall VM --pid N NAME [ARG...] [--timeout SECS] [--json]\n"
"       v3ctl gears call VM SYMBOL [ARG...] [--pid N] [--timeout SECS] [--json]\n"
"       v3ctl gears insmod VM FILE.ko [PARAMS...] [--pid N] [--timeout SECS]\n"
"                          [--json]\n"
"       v3ctl gears exec VM --pid N FILE [ARG...] [--timeout SECS] [--json]\n"
"       v3ctl gears COMMAND --help\n"
"\n"
"GEARS: the Linux kernel running in VM, seen from outside, with no agent\n"
"in the guest and no profile of its kernel.  The module finds the kernel\n"
"from the guest's syscall entry (MSR_LSTAR) the first time it is asked\n"
"(and again after a guest reboot): its KASLR slide, its symbols (from its\n"
"own kallsyms tables) and, for 'ps', the layout of its task_struct (from\n"
"its own BTF, CONFIG_DEBUG_INFO_BTF).  'trace' and the injections put\n"
"breakpoints on the guest kernel's system call handlers (__x64_sys_NAME)\n"
"and restore its text when done.\n"
"\n"
"Commands:\n"
"  sym      the address of a guest kernel symbol, and the KASLR slide\n"
"  ps       the guest's processes: PID, parent PID, name\n"
"  trace    the guest's system calls as they return, like strace\n"
"  syscall  make a process of the guest run a system call\n"
"  call     run a guest kernel function at a process's next system call\n"
"  insmod   load a kernel module (.ko) into the guest kernel\n"
"  exec     run a program (a static PIE) in a new child of a guest process\n"
"\n"
"sym and ps need a module with ABI 1.6 and the capability gears; trace,\n"
"syscall, call, insmod and exec ABI 1.7 and gears-inject (see 'v3ctl\n"
"version').\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char sym_help[] =
"Usage: v3ctl gears sym VM NAME [--json]\n"
"\n"
"The run-time address of the guest kernel symbol NAME in VM (what the\n"
"guest's own /proc/kallsyms shows to root), the kernel's _text and its\n"
"KASLR slide (_text - 0xffffffff81000000).  One 'key: value' a line:\n"
"  symbol    NAME\n"
"  address   0x... (hexadecimal)\n"
"  slide     +0x... or -0x...\n"
"  text      0x...\n"
"  symbols   how many symbols the guest kernel has\n"
"\n"
"  --json   one object with the same keys; address and text are strings\n"
"           (\"0x...\"), slide and symbols numbers\n"
"\n"
"A NAME the guest kernel does not have fails (exit 1).\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char ps_help[] =
"Usage: v3ctl gears ps VM [--json]\n"
"\n"
"The processes of the Linux guest in VM, read from its task list with\n"
"its vCPUs held for the moment it takes, sorted by PID:\n"
"  PID PPID COMM\n"
"PID as the guest's /proc shows it, PPID its parent's (PPid in\n"
"/proc/PID/status), COMM the name (/proc/PID/comm).  Kernel threads are\n"
"included; the guest's idle task (PID 0) is not.\n"
"\n"
"  --json   one object: {\"name\": VM, \"tasks\": [{\"pid\": N, \"ppid\": N,\n"
"           \"comm\": \"...\", \"kthread\": true|false}, ...]}\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

/* ------------------------------------------------------------ helpers */

/*
 * The device, if its module has GEARS (@inject: and its tracing and
 * injection, ABI 1.7): else -1 with a message.
 */
int gears_open(const char *cmd, bool inject)
{
	struct v3_version ver;
	int fd;

	if (inject)
		fd = v3_open_abi(cmd, ABI_MINOR_GEARS_INJECT,
				 "GEARS tracing and injection");
	else
		fd = v3_open_abi(cmd, ABI_MINOR_GEARS, "GEARS");
	if (fd < 0)
		return -1;
	memset(&ver, 0, sizeof(ver));
	if (v3_ioctl(fd, V3_IOC_VERSION, &ver) < 0 ||
	    !(ver.caps & V3_CAP_GEARS)) {
		v3_err(cmd, "GEARS is not available in the loaded v3vmm module (capability gears missing; see 'v3ctl version')");
		close(fd);
		return -1;
	}
	if (inject && !(ver.caps & V3_CAP_GEARS_INJECT)) {
		v3_err(cmd, "GEARS tracing and injection is not available in the loaded v3vmm module (capability gears-inject missing; see 'v3ctl version')");
		close(fd);
		return -1;
	}
	return fd;
}

/* ENOENT names a VM or a handler: whether the VM is there */
bool gears_vm_exists(int fd, const char *name)
{
	struct v3_info info;

	return vm_info(fd, name, &info) != -ENOENT;
}

/* s as a JSON string's contents (comm and symbol names are short) */
static void json_str(const char *s)
{
	json_put_str(stdout, s, strlen(s));
}

/* "+0x..." / "-0x..." */
static void print_slide(long long slide)
{
	printf("%c0x%llx", slide < 0 ? '-' : '+',
	       slide < 0 ? -(unsigned long long)slide :
			   (unsigned long long)slide);
}

/* ---------------------------------------------------------------- sym */

static int gears_sym(const char *cmd, int argc, char **argv)
{
	struct v3_gears_sym s;
	const char *name, *sym;
	bool json = false;
	int fd, err, c;

	c = parse_help_json(cmd, argc, argv, sym_help, &json);
	if (c >= 0)
		return c;
	if (argc - optind < 2)
		return usage_err(cmd, optind < argc ? "missing symbol name" :
				 "missing VM name");
	if (argc - optind > 2)
		return usage_err(cmd, "unexpected argument '%s'",
				 argv[optind + 2]);
	name = argv[optind];
	sym = argv[optind + 1];
	if (!v3_name_valid(name))
		return usage_err(cmd, "invalid VM name '%s'", name);
	if (!*sym || strlen(sym) >= V3_GEARS_SYM_LEN)
		return usage_err(cmd, "a symbol name has 1 to %d characters",
				 V3_GEARS_SYM_LEN - 1);
	fd = gears_open(cmd, false);
	if (fd < 0)
		return EXIT_FAIL;
	memset(&s, 0, sizeof(s));
	set_name(s.name, name);
	memcpy(s.sym, sym, strlen(sym));
	err = v3_ioctl(fd, V3_IOC_GEARS_SYM, &s) < 0 ? errno : 0;
	close(fd);
	if (err == ENXIO) {
		v3_err(cmd, "%s: the guest kernel has no symbol '%s' (%u symbols; %s)",
		       name, sym, s.nr_syms, errno_name(err));
		return EXIT_FAIL;
	}
	if (err) {
		v3_err_ioc(cmd, name, V3_IOC_GEARS_SYM, err, 0);
		return EXIT_FAIL;
	}
	if (json) {
		printf("{\"name\": \"%s\", \"symbol\": \"", name);
		json_str(sym);
		printf("\", \"address\": \"0x%llx\", \"slide\": %lld, \"text\": \"0x%llx\", \"symbols\": %u}\n",
		       (unsigned long long)s.addr, (long long)s.slide,
		       (unsigned long long)s.text, s.nr_syms);
		return EXIT_OK;
	}
	printf("symbol: %s\naddress: 0x%llx\nslide: ", sym,
	       (unsigned long long)s.addr);
	print_slide(s.slide);
	printf("\ntext: 0x%llx\nsymbols: %u\n", (unsigned long long)s.text,
	       s.nr_syms);
	return EXIT_OK;
}

/* ----------------------------------------------------------------- ps */

/* the list, into a buffer grown until it holds it */
static int get_tasks(int fd, const char *name, struct v3_gears_ps *ps,
		     struct v3_gears_task **out)
{
	struct v3_gears_task *buf = NULL;
	__u32 max = 512;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		struct v3_gears_task *nb = realloc(buf, max * sizeof(*buf));

		if (!nb) {
			free(buf);
			return ENOMEM;
		}
		buf = nb;
		memset(ps, 0, sizeof(*ps));
		set_name(ps->name, name);
		ps->tasks = (__u64)(uintptr_t)buf;
		ps->max = max;
		if (v3_ioctl(fd, V3_IOC_GEARS_PS, ps) == 0) {
			*out = buf;
			return 0;
		}
		if (errno != ENOSPC || ps->count > V3_GEARS_TASKS_MAX) {
			int err = errno;

			free(buf);
			return err;
		}
		/* it grew meanwhile: some room to spare */
		max = ps->count + ps->count / 8 + 64;
		if (max > V3_GEARS_TASKS_MAX)
			max = V3_GEARS_TASKS_MAX;
	}
	free(buf);
	return EAGAIN;
}

static int by_pid(const void *a, const void *b)
{
	const struct v3_gears_task *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void print_tasks(const char *name, struct v3_gears_task *t,
			__u32 n, bool json)
{
	__u32 i;

	qsort(t, n, sizeof(*t), by_pid);
	if (json) {
		printf("{\"name\": \"%s\", \"tasks\": [", name);
		for (i = 0; i < n; i++) {
			printf("%s{\"pid\": %u, \"ppid\": %u, \"comm\": \"",
			       i ? ", " : "", t[i].pid, t[i].ppid);
			t[i].comm[V3_GEARS_COMM_LEN - 1] = '\0';
			json_str(t[i].comm);
			printf("\", \"kthread\": %s}",
			       t[i].flags & V3_GEARS_TASK_KTHREAD ? "true" :
								    "false");
		}
		printf("]}\n");
		return;
	}
	printf("%7s %7s %s\n", "PID", "PPID", "COMM");
	for (i = 0; i < n; i++) {
		t[i].comm[V3_GEARS_COMM_LEN - 1] = '\0';
		printf("%7u %7u %s\n", t[i].pid, t[i].ppid, t[i].comm);
	}
}

static int gears_ps(const char *cmd, int argc, char **argv)
{
	struct v3_gears_task *t = NULL;
	struct v3_gears_ps ps;
	const char *name;
	bool json = false;
	int fd, err, c;

	c = parse_help_json(cmd, argc, argv, ps_help, &json);
	if (c >= 0)
		return c;
	err = need_one_name(cmd, argc, argv, &name);
	if (err)
		return err;
	fd = gears_open(cmd, false);
	if (fd < 0)
		return EXIT_FAIL;
	err = get_tasks(fd, name, &ps, &t);
	close(fd);
	if (err) {
		v3_err_ioc(cmd, name, V3_IOC_GEARS_PS, err, 0);
		return EXIT_FAIL;
	}
	print_tasks(name, t, ps.count, json);
	free(t);
	return EXIT_OK;
}

/* ------------------------------------------------------------ dispatch */

static const struct {
	const char *name;
	const char *cmd;	/* for messages */
	int (*fn)(const char *cmd, int argc, char **argv);
} gears_cmds[] = {
	{ "sym", "gears sym", gears_sym },
	{ "ps", "gears ps", gears_ps },
	{ "trace", "gears trace", gears_trace },
	{ "syscall", "gears syscall", gears_syscall },
	{ "call", "gears call", gears_call },
	{ "insmod", "gears insmod", gears_insmod },
	{ "exec", "gears exec", gears_exec },
};

int cmd_gears(int argc, char **argv)
{
	const char *cmd = argv[0];
	unsigned int i;

	if (argc < 2)
		return usage_err(cmd, "missing command (sym, ps, trace, syscall, call, insmod or exec)");
	for (i = 0; i < ARRAY_SIZE(gears_cmds); i++)
		if (!strcmp(argv[1], gears_cmds[i].name))
			return gears_cmds[i].fn(gears_cmds[i].cmd, argc - 1,
						argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	return usage_err(cmd, "unknown command '%s' (sym, ps, trace, syscall, call, insmod or exec)",
			 argv[1]);
}
