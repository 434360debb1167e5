// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl gears trace VM ...: the guest's system calls as they return
 * (V3_IOC_GEARS_TRACE, ABI 1.7, capability gears-inject).  START hooks
 * the calls asked for, READ takes events until --count, --duration or a
 * signal, STOP restores the guest's text and a last READ drains what
 * completed meanwhile; "--stop" alone ends a trace a killed v3ctl left.
 * Reached through cmd_gears(), whose table lists it; gears_fmt.c formats
 * the events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "v3ctl.h"

#define TRACE_BATCH	256	/* events a READ takes at most */
#define TRACE_WAIT_MS	200	/* a READ's wait: bounds the reaction to a signal */
#define TRACE_SECONDS	1.0	/* without --count, --duration and --follow */
#define TRACE_DRAINS	64	/* READs after STOP, at most */

static const char trace_help[] =
"Usage: v3ctl gears trace VM [--pid N | --comm NAME] [--syscalls LIST]\n"
"                            [--count N] [--duration SECS | --follow] [--json]\n"
"       v3ctl gears trace VM --stop\n"
"\n"
"The system calls the Linux guest in VM makes, one line each as they\n"
"return, like strace:\n"
"  vcpu V pid P comm C: NAME(ARGS) = RET\n"
"for example\n"
"  vcpu 0 pid 57 comm sh: write(1, \"MARK\\n\", 5) = 5\n"
"P is the calling thread's ID and C its name.  ARGS are as many arguments\n"
"as NAME takes (all six registers for a call v3ctl does not know):\n"
"integers in decimal below 4096, else in 0x hexadecimal; the argument\n"
"whose bytes GEARS read (a path, a write's data: the first 64) as a C\n"
"string, followed by ... when there was more.  RET is decimal, with the\n"
"errno name when it is -4095..-1 ('= -2 ENOENT'), '?' for a call that\n"
"did not return (exit_group); ' [injected]' marks a call GEARS injected.\n"
"Standard error gets '# tracing N handlers' at the start, with how the\n"
"results come: from GEARS' return stub in the guest (one exit a traced\n"
"call) or a trap at each return (two; and why there is no stub), and\n"
"'# N events lost' at the end if the module's buffer overflowed.\n"
"\n"
"  --pid N          only process N (and its threads)\n"
"  --comm NAME      only processes named NAME (1-15 characters)\n"
"  --syscalls LIST  only these calls, comma-separated: getpid,write\n"
"                   (default: all of them)\n"
"  --count N        stop after N events\n"
"  --duration SECS  stop after SECS seconds (default: 1, unless --count\n"
"                   or --follow is given)\n"
"  --follow         go on until SIGINT or SIGTERM (Ctrl-C)\n"
"  --json           one JSON object a line (JSON Lines): seq, time_ns,\n"
"                   vcpu, pid, tgid, comm, syscall, nr, args (all six),\n"
"                   ret (null: none), str_arg and str (the bytes read, if\n"
"                   any), str_cut, injected\n"
"  --stop           only end a trace a killed v3ctl left running\n"
"\n"
"One trace runs in a VM at a time.  When it ends (also on SIGINT or\n"
"SIGTERM, with status 0) the guest's text is restored and the events of\n"
"calls still running are printed as they return, within --count.\n"
"Needs a module with ABI 1.7 and the capability gears-inject.\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

struct trace_opts {
	const char *name;
	uint32_t pid;		/* 0: any */
	const char *comm;	/* NULL: any */
	const char *syscalls;	/* NULL: all */
	uint32_t count;		/* 0: no limit */
	double duration;	/* seconds; 0: no limit */
	bool follow, json, stop;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --syscalls: comma-separated names, each as __x64_sys_NAME has it */
static int check_syscalls(const char *cmd, const char *list)
{
	const char *p = list, *end;

	if (strlen(list) >= V3_GEARS_NAMES_LEN)
		return usage_err(cmd, "--syscalls: the list has %zu characters, at most %d",
				 strlen(list), V3_GEARS_NAMES_LEN - 1);
	if (!*list)
		return 0;
	for (;;) {
		end = strchrnul(p, ',');
		if (!gears_syscall_valid(p, end - p))
			return usage_err(cmd, "--syscalls: '%.*s' is not a system call name (1-%d characters from a-z 0-9 _)",
					 (int)(end - p), p,
					 V3_GEARS_SYSCALL_LEN - 1);
		if (!*end)
			return 0;
		p = end + 1;
	}
}

/* -1: go on; else the exit status (help shown, or a usage error) */
static int parse_trace(const char *cmd, int argc, char **argv,
		       struct trace_opts *o)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "syscalls", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "follow", no_argument, NULL, 'f' },
		{ "stop", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	bool other = false;
	int c, ret;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		other |= c != 'S';
		switch (c) {
		case 'h':
			fputs(trace_help, stdout);
			return EXIT_OK;
		case 'j':
			o->json = true;
			break;
		case 'p':
			if (parse_u32(optarg, UINT32_MAX, &o->pid) || !o->pid)
				return usage_err(cmd, "--pid needs a process ID (1 or more), not '%s'",
						 optarg);
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= V3_GEARS_COMM_LEN)
				return usage_err(cmd, "--comm: a process name has 1 to %d characters",
						 V3_GEARS_COMM_LEN - 1);
			o->comm = optarg;
			break;
		case 's':
			ret = check_syscalls(cmd, optarg);
			if (ret)
				return ret;
			o->syscalls = optarg;
			break;
		case 'n':
			if (parse_u32(optarg, UINT32_MAX, &o->count) ||
			    !o->count)
				return usage_err(cmd, "--count needs a number of events (1 or more), not '%s'",
						 optarg);
			break;
		case 'd':
			if (parse_seconds(optarg, &o->duration))
				return usage_err(cmd, "--duration needs a positive number of seconds, not '%s'",
						 optarg);
			break;
		case 'f':
			o->follow = true;
			break;
		case 'S':
			o->stop = true;
			break;
		default:
			return opt_error(cmd, c, argv);
		}
	}
	ret = need_one_name(cmd, argc, argv, &o->name);
	if (ret)
		return ret;
	if (o->stop && other)
		return usage_err(cmd, "--stop takes no other option");
	if (o->pid && o->comm)
		return usage_err(cmd, "give --pid or --comm, not both");
	if (o->follow && o->duration)
		return usage_err(cmd, "give --duration or --follow, not both");
	if (!o->count && !o->follow && !o->duration)
		o->duration = TRACE_SECONDS;
	return -1;
}

static void trace_init(struct v3_gears_trace *t, const char *name,
		       uint32_t op)
{
	memset(t, 0, sizeof(*t));
	set_name(t->name, name);
	t->op = op;
}

/* @op on the trace: 0 or the errno */
static int trace_op(int fd, struct v3_gears_trace *t)
{
	return v3_ioctl(fd, V3_IOC_GEARS_TRACE, t) < 0 ? errno : 0;
}

/* READ into @ev: 0 or the errno, t->count events */
static int trace_read(int fd, const char *name, struct v3_gears_event *ev,
		      uint32_t wait_ms, struct v3_gears_trace *t)
{
	int err;

	trace_init(t, name, V3_GEARS_TRACE_READ);
	t->events = (__u64)(uintptr_t)ev;
	t->max = TRACE_BATCH;
	t->timeout_ms = wait_ms;
	err = trace_op(fd, t);
	if (err == ETIMEDOUT) {
		/* nothing came within wait_ms */
		t->count = 0;
		err = 0;
	}
	if (t->count > TRACE_BATCH)
		t->count = TRACE_BATCH;
	return err;
}

/* A refused @op, in words. */
static void trace_err(const char *cmd, int fd, const struct trace_opts *o,
		      uint32_t op, int err)
{
	const char *name = o->name;

	if (err == ENOENT && gears_vm_exists(fd, name)) {
		if (o->syscalls && *o->syscalls)
			v3_err(cmd, "%s: the guest kernel has no handler __x64_sys_NAME for a call of '%s', or ftrace or a kprobe holds the first instruction of one (the guest's kernel log says which) (ENOENT)",
			       name, o->syscalls);
		else
			v3_err(cmd, "%s: ftrace or a kprobe holds the first instruction of a system call handler GEARS would hook (the guest's kernel log says which; --syscalls can leave it out) (ENOENT)",
			       name);
	} else if (err == EALREADY && op == V3_GEARS_TRACE_START) {
		v3_err(cmd, "%s: a trace is already running in the VM (another 'v3ctl gears trace', or one a killed v3ctl left: 'v3ctl gears trace %s --stop' ends it) (EALREADY)",
		       name, name);
	} else if (err == EALREADY && op == V3_GEARS_TRACE_STOP) {
		v3_err(cmd, "%s: no trace running (EALREADY)", name);
	} else if (err == EALREADY) {
		v3_err(cmd, "%s: the trace stopped without v3ctl ('v3ctl gears trace %s --stop' elsewhere, or the guest kernel restarted) (%s)",
		       name, name, errno_name(err));
	} else {
		v3_err_ioc(cmd, name, V3_IOC_GEARS_TRACE, err, 0);
	}
}

/*
 * Print @n events, up to --count in all (*printed: so far).  0, or -1 if
 * standard output failed (the message printed, except for a closed pipe).
 */
static int print_events(const char *cmd, const struct trace_opts *o,
			const struct v3_gears_event *ev, uint32_t n,
			uint64_t *printed)
{
	uint32_t i;

	for (i = 0; i < n && (!o->count || *printed < o->count); i++) {
		gears_print_event(stdout, &ev[i], o->json);
		(*printed)++;
	}
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			v3_err_errno(cmd, "standard output", errno);
		return -1;
	}
	return 0;
}

/*
 * STOP, then READ what completed meanwhile (unless standard output
 * failed): the exit status.  @read_err: how the last READ failed
 * (EALREADY: stopped by someone else; ENOENT: the VM is gone, nothing to
 * stop).
 */
static int trace_stop(const char *cmd, int fd, const struct trace_opts *o,
		      struct v3_gears_event *ev, uint64_t *printed,
		      uint64_t *lost, int read_err, bool out_failed)
{
	struct v3_gears_trace t;
	int err, i;

	if (read_err == ENOENT)
		return EXIT_FAIL;
	trace_init(&t, o->name, V3_GEARS_TRACE_STOP);
	err = trace_op(fd, &t);
	if (!err && t.lost > *lost)
		*lost = t.lost;
	if (err && !(err == EALREADY && read_err == EALREADY)) {
		trace_err(cmd, fd, o, V3_GEARS_TRACE_STOP, err);
		return EXIT_FAIL;
	}
	for (i = 0; i < TRACE_DRAINS && !out_failed; i++) {
		err = trace_read(fd, o->name, ev, 0, &t);
		if (err == EALREADY)
			break;
		if (err) {
			trace_err(cmd, fd, o, V3_GEARS_TRACE_READ, err);
			return EXIT_FAIL;
		}
		if (t.lost > *lost)
			*lost = t.lost;
		if (print_events(cmd, o, ev, t.count, printed))
			return EXIT_FAIL;
		if (t.count < TRACE_BATCH)
			break;
	}
	return EXIT_OK;
}

/*
 * The module says whether a trace's results come from the stub (ABI 1.8)
 * and how its handlers are hooked (ABI 1.9)
 */
static bool has_cap(int fd, uint64_t cap)
{
	struct v3_version ver;

	memset(&ver, 0, sizeof(ver));
	return v3_ioctl(fd, V3_IOC_VERSION, &ver) == 0 && (ver.caps & cap);
}

static int trace_run(const char *cmd, int fd, const struct trace_opts *o)
{
	struct v3_gears_event *ev = calloc(TRACE_BATCH, sizeof(*ev));
	uint64_t printed = 0, lost = 0;
	struct v3_gears_trace t;
	int ret = EXIT_OK, err, read_err = 0;
	bool out_failed = false;
	double end = 0, start;

	if (!ev) {
		v3_err_errno(cmd, "event buffer", ENOMEM);
		return EXIT_FAIL;
	}
	install_signals();
	trace_init(&t, o->name, V3_GEARS_TRACE_START);
	t.pid = o->pid;
	if (o->comm)
		memcpy(t.comm, o->comm, strlen(o->comm));
	if (o->syscalls)
		memcpy(t.syscalls, o->syscalls, strlen(o->syscalls));
	err = trace_op(fd, &t);
	if (err) {
		trace_err(cmd, fd, o, V3_GEARS_TRACE_START, err);
		free(ev);
		return EXIT_FAIL;
	}
	fprintf(stderr, "# tracing %u handler%s", t.hooked,
		t.hooked == 1 ? "" : "s");
	if (has_cap(fd, V3_CAP_GEARS_FTRACE) && !t.hook_err)
		fprintf(stderr, " through the guest's ftrace");
	else if (has_cap(fd, V3_CAP_GEARS_FTRACE) && t.hook_err == -EINPROGRESS)
		fprintf(stderr, " through the guest's ftrace (hooked at the next system call)");
	else if (has_cap(fd, V3_CAP_GEARS_FTRACE))
		fprintf(stderr, " with UD2s, not through the guest's ftrace (%s)",
			errno_name(-t.hook_err));
	/* hooks made at the next call bring the stub with them */
	if (has_cap(fd, V3_CAP_GEARS_RET_STUB) &&
	    (!t.ret_err || (t.ret_err == -EINPROGRESS && t.hook_err == -EINPROGRESS)))
		fprintf(stderr, "; results from the return stub (1 exit a call)");
	else if (has_cap(fd, V3_CAP_GEARS_RET_STUB) && t.ret_err == -EINPROGRESS)
		fprintf(stderr, "; results from the return stub (1 exit a call), made at the first traced call");
	else if (has_cap(fd, V3_CAP_GEARS_RET_STUB))
		fprintf(stderr, "; returns trapped (2 exits a call): no return stub (%s)",
			errno_name(-t.ret_err));
	fputc('\n', stderr);
	if (o->duration)
		end = now_s() + o->duration;
	while (!v3_signal && (!o->count || printed < o->count)) {
		uint32_t wait = TRACE_WAIT_MS;

		if (end) {
			double left = end - now_s();

			if (left <= 0)
				break;
			if (left * 1000 < wait)
				wait = (uint32_t)(left * 1000) + 1;
		}
		start = now_s();
		err = trace_read(fd, o->name, ev, wait, &t);
		/*
		 * The module's wait ends early, with nothing, only when no
		 * trace runs: one stopped from elsewhere.
		 */
		if (!err && !t.count && wait >= 40 &&
		    (now_s() - start) * 1000 < wait / 4)
			err = EALREADY;
		if (err) {
			trace_err(cmd, fd, o, V3_GEARS_TRACE_READ, err);
			read_err = err;
			ret = EXIT_FAIL;
			break;
		}
		if (t.lost > lost)
			lost = t.lost;
		if (print_events(cmd, o, ev, t.count, &printed)) {
			out_failed = true;
			ret = EXIT_FAIL;
			break;
		}
	}
	if (trace_stop(cmd, fd, o, ev, &printed, &lost, read_err, out_failed))
		ret = EXIT_FAIL;
	if (lost)
		fprintf(stderr, "# %llu event%s lost\n",
			(unsigned long long)lost, lost == 1 ? "" : "s");
	free(ev);
	return ret;
}

int gears_trace(const char *cmd, int argc, char **argv)
{
	struct trace_opts o;
	struct v3_gears_trace t;
	int fd, ret, err;

	ret = parse_trace(cmd, argc, argv, &o);
	if (ret >= 0)
		return ret;
	fd = gears_open(cmd, true);
	if (fd < 0)
		return EXIT_FAIL;
	if (o.stop) {
		trace_init(&t, o.name, V3_GEARS_TRACE_STOP);
		err = trace_op(fd, &t);
		if (err)
			trace_err(cmd, fd, &o, V3_GEARS_TRACE_STOP, err);
		close(fd);
		return err ? EXIT_FAIL : EXIT_OK;
	}
	ret = trace_run(cmd, fd, &o);
	close(fd);
	return ret;
}
