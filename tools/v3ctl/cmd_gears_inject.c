// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl gears syscall|call|insmod|exec VM ...: run something in the Linux
 * guest at a process's next system call (V3_IOC_GEARS_INJECT, ABI 1.7,
 * capability gears-inject): a system call in that process, a kernel
 * function, init_module(2) of a .ko file, or a static PIE in a child it
 * forks.  Reached through cmd_gears(), whose table lists them;
 * gears_fmt.c parses the arguments into the data blob, gears_exec.c lays
 * out the program's image.  The injected call's result is data: exit
 * status 0 whenever it ran, whatever it returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "v3ctl.h"

#define INJ_TIMEOUT_MS	10000	/* --timeout's default */

static const char syscall_help[] =
"Usage: v3ctl gears syscall VM --pid N NAME [ARG...] [--timeout SECS] [--json]\n"
"\n"
"Make process N of the Linux guest in VM run the system call NAME, at its\n"
"next system call (which then goes on as if nothing happened), and print\n"
"  NAME(ARGS) = RET\n"
"  pid P comm C\n"
"RET with its errno name when it is -4095..-1 ('= -2 ENOENT'); P is the\n"
"thread it ran in, C its name.  Then, for each b:SIZE argument, what the\n"
"call wrote there as a C string ('arg I: \"...\"'): RET bytes when RET is\n"
"positive, else up to the first NUL.  An ARG is\n"
"  123, -1, 0x1f   an integer (decimal or 0x hexadecimal)\n"
"  s:TEXT          a pointer to the bytes of TEXT, with the escapes \\n \\t\n"
"                  \\r \\0 \\\\ \\\" and \\xNN decoded, and no NUL added\n"
"  z:TEXT          the same followed by a NUL (a path)\n"
"  b:SIZE          a pointer to SIZE zero bytes (4096, 64K) the call may\n"
"                  fill (read, getcwd, uname)\n"
"The strings and buffers, 64 MiB at most, are mapped into the process for\n"
"the call and unmapped after it.  A negative number is an ARG, not an\n"
"option; '--' ends the options.  For example\n"
"  v3ctl gears syscall vm1 --pid 57 write 1 's:hello\\n' 6\n"
"  v3ctl gears syscall vm1 --pid 57 getcwd b:256 256\n"
"\n"
"  --pid N         the process (required)\n"
"  --timeout SECS  how long to wait for its next system call (default 10;\n"
"                  a process asleep in one waits until that returns)\n"
"  --json          one object: name, syscall, ret, pid, tgid, comm,\n"
"                  wait_ns (until the call), run_ns, calls (the guest calls\n"
"                  GEARS made), buffers ([{arg, size, data}])\n"
"\n"
"exit, exit_group, fork, vfork, clone, clone3, execve, execveat and\n"
"rt_sigreturn cannot be injected (EPERM).\n"
"Needs a module with ABI 1.7 and the capability gears-inject.\n"
"Exit status: 0 the call ran (whatever it returned), 1 failure, 2 usage\n"
"error.\n";

static const char call_help[] =
"Usage: v3ctl gears call VM SYMBOL [ARG...] [--pid N] [--timeout SECS] [--json]\n"
"\n"
"Call the guest kernel function SYMBOL with up to 6 integer arguments\n"
"(decimal, 0x hexadecimal, negative) at the next system call of process\n"
"N, or of any process, in its context, and print\n"
"  SYMBOL(ARGS) = RET (0xHEX)\n"
"  pid P comm C\n"
"RET in signed decimal and in hexadecimal; P the thread it ran in, C its\n"
"name.  v3ctl cannot check SYMBOL's arguments: a wrong call can crash the\n"
"guest.\n"
"\n"
"  --pid N         the process (default: whichever makes a call first)\n"
"  --timeout SECS  how long to wait for that system call (default 10)\n"
"  --json          one object: name, symbol, ret, ret_hex, pid, tgid,\n"
"                  comm, wait_ns, run_ns, calls\n"
"\n"
"Needs a module with ABI 1.7 and the capability gears-inject.\n"
"Exit status: 0 the call ran (whatever it returned), 1 failure, 2 usage\n"
"error.\n";

static const char insmod_help[] =
"Usage: v3ctl gears insmod VM FILE.ko [PARAMS...] [--pid N] [--timeout SECS]\n"
"                          [--json]\n"
"\n"
"Load the kernel module FILE.ko into the Linux guest in VM, as\n"
"init_module(2) with the parameters PARAMS (name=value, joined by spaces)\n"
"would, at the next system call of process N or of any process, and\n"
"print\n"
"  init_module(FILE, \"PARAMS\") = RET\n"
"  pid P comm C\n"
"RET with its errno name when negative ('= -8 ENOEXEC': not a module\n"
"for this kernel).  FILE is at most 64 MiB; PARAMS at most 511\n"
"characters.\n"
"\n"
"  --pid N         the process (default: whichever makes a call first)\n"
"  --timeout SECS  how long to wait for that system call (default 10)\n"
"  --json          one object: name, file, size, params, ret, pid, tgid,\n"
"                  comm, wait_ns, run_ns, calls\n"
"\n"
"Needs a module with ABI 1.7 and the capability gears-inject.\n"
"Exit status: 0 the call ran (whatever it returned), 1 failure, 2 usage\n"
"error.\n";

static const char exec_help[] =
"Usage: v3ctl gears exec VM --pid N FILE [ARG...] [--timeout SECS] [--json]\n"
"\n"
"Run the program FILE, a static PIE (gcc -static-pie), in the Linux guest\n"
"in VM, in a new child of process N: at N's next system call GEARS maps\n"
"FILE's image into N, makes N fork (clone(SIGCHLD)), and the child starts\n"
"at FILE's entry point on a stack of its own, with the arguments FILE's\n"
"base name and ARGs, the environment V3_GEARS_EXEC=1 and the auxiliary\n"
"vector Linux gives a program (AT_PHDR, AT_ENTRY, AT_RANDOM, ...); N goes\n"
"on as if nothing happened.  Prints\n"
"  exec(FILE, ARGS) = PID\n"
"  pid P comm C\n"
"PID is the child's process ID, or the error of the fork with its errno\n"
"name ('= -11 EAGAIN'); P the thread that forked, C its name.  The child\n"
"is a copy of N besides the program: it has N's open files (its standard\n"
"output is N's), credentials and memory; N gets its SIGCHLD and reaps it\n"
"(pid 1 does).  FILE's segments, a 64 KiB stack and the arguments take at\n"
"most 64 MiB.  An ARG that starts with '-' goes after '--'.  For example\n"
"  v3ctl gears exec vm1 --pid 1 ./gexec hello\n"
"\n"
"  --pid N         the process that forks (required)\n"
"  --timeout SECS  how long to wait for its next system call (default 10)\n"
"  --json          one object: name, file, args, size (bytes mapped), ret\n"
"                  (the child's PID), pid, tgid, comm, wait_ns, run_ns,\n"
"                  calls\n"
"\n"
"Needs a module with ABI 1.7 and the capability gears-inject.\n"
"Exit status: 0 the fork ran (whatever it returned), 1 failure (FILE is\n"
"no static PIE, or the injection failed), 2 usage error.\n";

struct inj_opts {
	uint32_t pid;		/* 0: any */
	uint32_t timeout_ms;
	double timeout;		/* seconds, for messages */
	bool json;
	int nops;		/* operands, moved to argv[1..nops] */
};

/* --pid N / --timeout SECS: 0, or the exit status */
static int inj_option(const char *cmd, const char *opt, const char *val,
		      struct inj_opts *o)
{
	double ms;

	if (!strcmp(opt, "--pid")) {
		if (parse_u32(val, UINT32_MAX, &o->pid) || !o->pid)
			return usage_err(cmd, "--pid needs a process ID (1 or more), not '%s'",
					 val);
		return 0;
	}
	if (parse_seconds(val, &o->timeout))
		return usage_err(cmd, "--timeout needs a positive number of seconds, not '%s'",
				 val);
	ms = o->timeout * 1000;
	if (ms > UINT32_MAX)
		return usage_err(cmd, "--timeout: at most %u seconds",
				 UINT32_MAX / 1000);
	o->timeout_ms = (uint32_t)ms < ms ? (uint32_t)ms + 1 : (uint32_t)ms;
	return 0;
}

/*
 * Options and operands in any order; the operands are moved to
 * argv[1..o->nops], in order.  A negative number ("-1", "-0x10") is an
 * operand, not an option, and "--" ends the options.  -1: go on; else
 * the exit status (help shown, or a usage error).
 */
static int parse_inject(const char *cmd, int argc, char **argv,
			const char *help, struct inj_opts *o)
{
	bool done = false;
	int i, w = 1, ret;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = INJ_TIMEOUT_MS;
	o->timeout = INJ_TIMEOUT_MS / 1000.0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val;

		if (done || a[0] != '-' || !a[1] ||
		    (a[1] >= '0' && a[1] <= '9')) {
			argv[w++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			done = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(help, stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strncmp(a, "--pid", 5) ||
			   !strncmp(a, "--timeout", 9)) {
			const char *opt = a[2] == 'p' ? "--pid" : "--timeout";
			size_t n = strlen(opt);

			if (a[n] && a[n] != '=')
				return usage_err(cmd, "unknown option '%s'", a);
			if (a[n])
				val = a + n + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return usage_err(cmd, "option '%s' needs an argument",
						 a);
			ret = inj_option(cmd, opt, val, o);
			if (ret)
				return ret;
		} else {
			return usage_err(cmd, "unknown option '%s'", a);
		}
	}
	o->nops = w - 1;
	return -1;
}

/* the operands: the VM first, then at least @min more */
static int check_operands(const char *cmd, char **argv,
			  const struct inj_opts *o, int min, const char *what)
{
	if (o->nops < 1)
		return usage_err(cmd, "missing VM name");
	if (!v3_name_valid(argv[1]))
		return usage_err(cmd, "invalid VM name '%s' (1-%d characters from A-Z a-z 0-9 _ . -)",
				 argv[1], V3_NAME_MAX - 1);
	if (o->nops < 1 + min)
		return usage_err(cmd, "missing %s", what);
	return 0;
}

/* the arguments argv[0..n-1] into @b: 0 or the exit status */
static int parse_args(const char *cmd, char **argv, int n, bool ints_only,
		      struct gears_blob *b)
{
	char why[256];
	int i;

	memset(b, 0, sizeof(*b));
	if (n > GEARS_ARGS)
		return usage_err(cmd, "%d arguments: at most %d", n,
				 GEARS_ARGS);
	for (i = 0; i < n; i++) {
		if (gears_add_arg(b, argv[i], ints_only, why, sizeof(why))) {
			gears_blob_free(b);
			return usage_err(cmd, "argument %d: %s", i + 1, why);
		}
	}
	return 0;
}

static void inj_init(struct v3_gears_inject *in, const char *name,
		     uint32_t kind, const struct inj_opts *o, const char *sym)
{
	memset(in, 0, sizeof(*in));
	set_name(in->name, name);
	in->kind = kind;
	in->pid = o->pid;
	in->timeout_ms = o->timeout_ms;
	memcpy(in->sym, sym, strnlen(sym, V3_GEARS_SYM_LEN - 1));
}

/* A refused injection, in words. */
static void inj_err(const char *cmd, int fd, const struct v3_gears_inject *in,
		    const struct inj_opts *o, int err)
{
	const char *name = in->name, *sym = in->sym;

	if (err == ENOENT && !gears_vm_exists(fd, name))
		v3_err_ioc(cmd, name, V3_IOC_GEARS_INJECT, err, 0);
	else if (err == ENOENT && in->kind == V3_GEARS_INJ_SYSCALL)
		v3_err(cmd, "%s: the guest kernel has no handler __x64_sys_%s, or ftrace or a kprobe holds its first instruction (the guest's kernel log says which) (ENOENT)",
		       name, sym);
	else if (err == ENOENT && in->kind == V3_GEARS_INJ_EXEC)
		v3_err(cmd, "%s: the guest kernel has no __x64_sys_clone, or ftrace or a kprobe holds its first instruction (ENOENT)",
		       name);
	else if (err == ENOENT && in->kind == V3_GEARS_INJ_INSMOD)
		v3_err(cmd, "%s: the guest kernel has no __x64_sys_init_module (built without CONFIG_MODULES?), or ftrace or a kprobe holds its first instruction (ENOENT)",
		       name);
	else if ((err == ENOENT || err == ENXIO) &&
		 in->kind == V3_GEARS_INJ_CALL)
		v3_err(cmd, "%s: the guest kernel has no symbol '%s' (%s)", name,
		       sym, errno_name(err));
	else if (err == ETIMEDOUT && in->pid)
		v3_err(cmd, "%s: process %u made no system call within %g s (--timeout; one asleep in a call makes the next when that returns) (ETIMEDOUT)",
		       name, in->pid, o->timeout);
	else if (err == ETIMEDOUT)
		v3_err(cmd, "%s: no process made a system call within %g s (--timeout) (ETIMEDOUT)",
		       name, o->timeout);
	else if (err == EPERM && in->kind == V3_GEARS_INJ_SYSCALL)
		v3_err(cmd, "%s: GEARS does not inject %s: it does not return to its caller or needs the process's own registers (EPERM)",
		       name, sym);
	else if (err == EOPNOTSUPP && in->kind == V3_GEARS_INJ_EXEC)
		v3_err(cmd, "%s: the guest kernel lacks __x64_sys_mmap or __x64_sys_munmap, which GEARS needs to map the program (EOPNOTSUPP)",
		       name);
	else if (err == EOPNOTSUPP && in->data_len)
		v3_err(cmd, "%s: the guest kernel lacks __x64_sys_mmap or __x64_sys_munmap, which GEARS needs to pass strings and buffers (EOPNOTSUPP)",
		       name);
	else if (err == E2BIG)
		v3_err(cmd, "%s: %llu bytes of data, more than the module takes (E2BIG)",
		       name, (unsigned long long)in->data_len);
	else if (err == ESRCH && in->pid)
		v3_err(cmd, "%s: the guest has no process %u (ESRCH)", name,
		       in->pid);
	else
		v3_err_ioc(cmd, name, V3_IOC_GEARS_INJECT, err, 0);
}

/* The injection: 0, or EXIT_FAIL with the reason printed. */
static int inject(const char *cmd, struct v3_gears_inject *in,
		  const struct inj_opts *o)
{
	int fd = gears_open(cmd, true), err;

	if (fd < 0)
		return EXIT_FAIL;
	err = v3_ioctl(fd, V3_IOC_GEARS_INJECT, in) < 0 ? errno : 0;
	if (err)
		inj_err(cmd, fd, in, o, err);
	close(fd);
	return err ? EXIT_FAIL : 0;
}

/* "pid P comm C" */
static void put_where(const struct v3_gears_inject *in)
{
	printf("pid %u comm %.*s\n", in->hit_pid,
	       (int)strnlen(in->hit_comm, sizeof(in->hit_comm)), in->hit_comm);
}

/* the JSON keys every injection has, after ret */
static void json_where(const struct v3_gears_inject *in)
{
	printf(", \"pid\": %u, \"tgid\": %u, \"comm\": \"", in->hit_pid,
	       in->hit_tgid);
	json_put_str(stdout, in->hit_comm,
		     strnlen(in->hit_comm, sizeof(in->hit_comm)));
	printf("\", \"wait_ns\": %llu, \"run_ns\": %llu, \"calls\": %u",
	       (unsigned long long)in->wait_ns, (unsigned long long)in->run_ns,
	       in->calls);
}

/* ------------------------------------------------------------ syscall */

static void print_syscall(const struct v3_gears_inject *in,
			  const struct gears_blob *b, bool json)
{
	bool first = true;
	unsigned int i;
	size_t n;

	if (json) {
		printf("{\"name\": \"%s\", \"syscall\": \"%s\", \"ret\": %lld",
		       in->name, in->sym, (long long)in->ret);
		json_where(in);
		printf(", \"buffers\": [");
		for (i = 0; i < b->nargs; i++) {
			if (b->arg[i].kind != 'b')
				continue;
			n = gears_buf_len(b, i, in->ret);
			printf("%s{\"arg\": %u, \"size\": %llu, \"data\": \"",
			       first ? "" : ", ", i,
			       (unsigned long long)b->arg[i].size);
			first = false;
			json_put_str(stdout, b->data + b->arg[i].off, n);
			printf("\"}");
		}
		printf("]}\n");
		return;
	}
	printf("%s(", in->sym);
	gears_put_args(stdout, b);
	printf(") ");
	gears_put_ret(stdout, true, in->ret);
	putchar('\n');
	put_where(in);
	for (i = 0; i < b->nargs; i++) {
		if (b->arg[i].kind != 'b')
			continue;
		printf("arg %u: ", i);
		gears_put_cstr(stdout, b->data + b->arg[i].off,
			       gears_buf_len(b, i, in->ret));
		putchar('\n');
	}
}

int gears_syscall(const char *cmd, int argc, char **argv)
{
	struct v3_gears_inject in;
	struct gears_blob b;
	struct inj_opts o;
	const char *sys;
	int ret;

	ret = parse_inject(cmd, argc, argv, syscall_help, &o);
	if (ret >= 0)
		return ret;
	ret = check_operands(cmd, argv, &o, 1, "system call name");
	if (ret)
		return ret;
	if (!o.pid)
		return usage_err(cmd, "missing --pid N: the process to run the call in");
	sys = argv[2];
	if (!gears_syscall_valid(sys, strlen(sys)))
		return usage_err(cmd, "'%s' is not a system call name (1-%d characters from a-z 0-9 _)",
				 sys, V3_GEARS_SYSCALL_LEN - 1);
	ret = parse_args(cmd, argv + 3, o.nops - 2, false, &b);
	if (ret)
		return ret;
	inj_init(&in, argv[1], V3_GEARS_INJ_SYSCALL, &o, sys);
	memcpy(in.args, b.args, sizeof(in.args));
	in.buf_mask = b.buf_mask;
	in.data = (__u64)(uintptr_t)b.data;
	in.data_len = b.len;
	ret = inject(cmd, &in, &o);
	if (!ret)
		print_syscall(&in, &b, o.json);
	gears_blob_free(&b);
	return ret ? EXIT_FAIL : EXIT_OK;
}

/* --------------------------------------------------------------- call */

int gears_call(const char *cmd, int argc, char **argv)
{
	struct v3_gears_inject in;
	struct gears_blob b;
	struct inj_opts o;
	const char *sym;
	int ret;

	ret = parse_inject(cmd, argc, argv, call_help, &o);
	if (ret >= 0)
		return ret;
	ret = check_operands(cmd, argv, &o, 1, "symbol name");
	if (ret)
		return ret;
	sym = argv[2];
	if (!*sym || strlen(sym) >= V3_GEARS_SYM_LEN)
		return usage_err(cmd, "a symbol name has 1 to %d characters",
				 V3_GEARS_SYM_LEN - 1);
	ret = parse_args(cmd, argv + 3, o.nops - 2, true, &b);
	if (ret)
		return ret;
	inj_init(&in, argv[1], V3_GEARS_INJ_CALL, &o, sym);
	memcpy(in.args, b.args, sizeof(in.args));
	ret = inject(cmd, &in, &o);
	if (ret) {
		gears_blob_free(&b);
		return EXIT_FAIL;
	}
	if (o.json) {
		printf("{\"name\": \"%s\", \"symbol\": \"", in.name);
		json_put_str(stdout, sym, strlen(sym));
		printf("\", \"ret\": %lld, \"ret_hex\": \"0x%llx\"",
		       (long long)in.ret, (unsigned long long)in.ret);
		json_where(&in);
		printf("}\n");
	} else {
		printf("%s(", sym);
		gears_put_args(stdout, &b);
		printf(") = %lld (0x%llx)\n", (long long)in.ret,
		       (unsigned long long)in.ret);
		put_where(&in);
	}
	gears_blob_free(&b);
	return EXIT_OK;
}

/* ------------------------------------------------------------- insmod */

/* PARAMS joined by spaces into @out: 0 or the exit status */
static int join_params(const char *cmd, char **p, int n,
		       char out[V3_GEARS_SYM_LEN])
{
	size_t len = 0, l;
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		l = strlen(p[i]);
		if (len + !!i + l >= V3_GEARS_SYM_LEN)
			return usage_err(cmd, "the parameters take more than %d characters",
					 V3_GEARS_SYM_LEN - 1);
		if (i)
			out[len++] = ' ';
		memcpy(out + len, p[i], l + 1);
		len += l;
	}
	return 0;
}

int gears_insmod(const char *cmd, int argc, char **argv)
{
	char params[V3_GEARS_SYM_LEN];
	struct v3_gears_inject in;
	struct inj_opts o;
	const char *file;
	uint8_t *ko;
	size_t len;
	int ret;

	ret = parse_inject(cmd, argc, argv, insmod_help, &o);
	if (ret >= 0)
		return ret;
	ret = check_operands(cmd, argv, &o, 1, "module file (FILE.ko)");
	if (ret)
		return ret;
	file = argv[2];
	ret = join_params(cmd, argv + 3, o.nops - 2, params);
	if (ret)
		return ret;
	if (v3_read_file(cmd, file, V3_GEARS_DATA_MAX, "GEARS injects",
		      "a kernel module", &ko, &len))
		return EXIT_FAIL;
	inj_init(&in, argv[1], V3_GEARS_INJ_INSMOD, &o, params);
	in.data = (__u64)(uintptr_t)ko;
	in.data_len = len;
	ret = inject(cmd, &in, &o);
	free(ko);
	if (ret)
		return EXIT_FAIL;
	if (o.json) {
		printf("{\"name\": \"%s\", \"file\": \"", in.name);
		json_put_str(stdout, file, strlen(file));
		printf("\", \"size\": %zu, \"params\": \"", len);
		json_put_str(stdout, params, strlen(params));
		printf("\", \"ret\": %lld", (long long)in.ret);
		json_where(&in);
		printf("}\n");
		return EXIT_OK;
	}
	printf("init_module(%s, ", file);
	gears_put_cstr(stdout, params, strlen(params));
	printf(") ");
	gears_put_ret(stdout, true, in.ret);
	putchar('\n');
	put_where(&in);
	return EXIT_OK;
}

/* --------------------------------------------------------------- exec */

/* a program's file, debugging sections included, is read up to this */
#define EXEC_FILE_MAX	(4ULL * V3_GEARS_DATA_MAX)

static void print_exec(const struct v3_gears_inject *in, const char *file,
		       char **args, int nargs, uint64_t size, bool json)
{
	int i;

	if (json) {
		printf("{\"name\": \"%s\", \"file\": \"", in->name);
		json_put_str(stdout, file, strlen(file));
		printf("\", \"args\": [");
		for (i = 0; i < nargs; i++) {
			printf("%s\"", i ? ", " : "");
			json_put_str(stdout, args[i], strlen(args[i]));
			putchar('"');
		}
		printf("], \"size\": %llu, \"ret\": %lld",
		       (unsigned long long)size, (long long)in->ret);
		json_where(in);
		printf("}\n");
		return;
	}
	printf("exec(%s", file);
	for (i = 0; i < nargs; i++) {
		printf(", ");
		gears_put_cstr(stdout, args[i], strlen(args[i]));
	}
	printf(") ");
	gears_put_ret(stdout, true, in->ret);
	putchar('\n');
	put_where(in);
}

int gears_exec(const char *cmd, int argc, char **argv)
{
	char why[256], **pargv = NULL;
	struct v3_gears_inject in;
	struct gears_exec x;
	uint8_t rnd[16], *elf;
	const char *file, *base;
	struct inj_opts o;
	int ret, nargs, i;
	size_t len;

	ret = parse_inject(cmd, argc, argv, exec_help, &o);
	if (ret >= 0)
		return ret;
	ret = check_operands(cmd, argv, &o, 1, "program file (FILE)");
	if (ret)
		return ret;
	if (!o.pid)
		return usage_err(cmd, "missing --pid N: the process to fork the program from");
	file = argv[2];
	nargs = o.nops - 2;
	if (v3_read_file(cmd, file, EXEC_FILE_MAX, "v3ctl reads for a program",
		      "a program", &elf, &len))
		return EXIT_FAIL;
	/* argv[0]: the base name; then the ARGs */
	pargv = calloc(nargs + 1, sizeof(*pargv));
	if (!pargv) {
		free(elf);
		v3_err_errno(cmd, file, ENOMEM);
		return EXIT_FAIL;
	}
	base = strrchr(file, '/');
	pargv[0] = (char *)(base && base[1] ? base + 1 : file);
	for (i = 0; i < nargs; i++)
		pargv[i + 1] = argv[3 + i];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		v3_err_errno(cmd, "getrandom (AT_RANDOM)", errno);
		ret = -1;
	} else {
		ret = gears_exec_image(elf, len, nargs + 1, pargv, rnd, &x,
				       why, sizeof(why));
		if (ret)
			v3_err(cmd, "%s: %s", file, why);
	}
	free(elf);
	free(pargv);
	if (ret)
		return EXIT_FAIL;
	inj_init(&in, argv[1], V3_GEARS_INJ_EXEC, &o, "");
	memcpy(in.args, x.args, sizeof(x.args));
	in.data = (__u64)(uintptr_t)x.data;
	in.data_len = x.len;
	ret = inject(cmd, &in, &o);
	gears_exec_free(&x);
	if (ret)
		return EXIT_FAIL;
	print_exec(&in, file, argv + 3, nargs, in.data_len, o.json);
	return EXIT_OK;
}
