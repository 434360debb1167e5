// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS system calls in words (ABI 1.7), shared by "gears trace" and the
 * injections: a traced call as a line of text or of JSON, results with
 * their errno names, and the arguments of an injected call parsed into
 * the data blob of struct v3_gears_inject.  Pure functions, no device:
 * the unit tests call them directly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v3ctl.h"

/* ------------------------------------------------------------- results */

/* Linux's own errnos past the C library's, which a handler may return */
static const char *const kernel_errnos[] = {
	[512 - 512] = "ERESTARTSYS", [513 - 512] = "ERESTARTNOINTR",
	[514 - 512] = "ERESTARTNOHAND", [515 - 512] = "ENOIOCTLCMD",
	[516 - 512] = "ERESTART_RESTARTBLOCK", [517 - 512] = "EPROBE_DEFER",
	[518 - 512] = "EOPENSTALE", [519 - 512] = "ENOPARAM",
	[521 - 512] = "EBADHANDLE", [522 - 512] = "ENOTSYNC",
	[523 - 512] = "EBADCOOKIE", [524 - 512] = "ENOTSUPP",
	[525 - 512] = "ETOOSMALL", [526 - 512] = "ESERVERFAULT",
	[527 - 512] = "EBADTYPE", [528 - 512] = "EJUKEBOX",
	[529 - 512] = "EIOCBQUEUED", [530 - 512] = "ERECALLCONFLICT",
	[531 - 512] = "ENOGRACE",
};

/* The errno a system call's result -4095..-1 stands for, or NULL. */
const char *gears_errno_name(int64_t ret)
{
	int err;

	if (ret < -4095 || ret > -1)
		return NULL;
	err = (int)-ret;
	if (err >= 512) {
		err -= 512;
		return (size_t)err < ARRAY_SIZE(kernel_errnos) ?
		       kernel_errnos[err] : NULL;
	}
	return strerrorname_np(err);
}

/* "= 5", "= -2 ENOENT", "= ?" (no result) */
void gears_put_ret(FILE *f, bool known, int64_t ret)
{
	const char *e = known ? gears_errno_name(ret) : NULL;

	if (!known)
		fputs("= ?", f);
	else if (e)
		fprintf(f, "= %lld %s", (long long)ret, e);
	else
		fprintf(f, "= %lld", (long long)ret);
}

/* ----------------------------------------------------------- arguments */

/*
 * How many arguments the x86-64 system call NAME takes: those printed.
 * A call this table lacks shows all six registers.
 */
static const struct {
	const char *name;
	unsigned char n;
} syscall_args[] = {
	{ "accept", 3 }, { "accept4", 4 }, { "access", 2 }, { "alarm", 1 },
	{ "arch_prctl", 2 }, { "bind", 3 }, { "brk", 1 }, { "chdir", 1 },
	{ "chmod", 2 }, { "chown", 3 }, { "chroot", 1 },
	{ "clock_getres", 2 }, { "clock_gettime", 2 },
	{ "clock_nanosleep", 4 }, { "clone", 5 }, { "clone3", 2 },
	{ "close", 1 }, { "close_range", 3 }, { "connect", 3 },
	{ "creat", 2 }, { "delete_module", 2 }, { "dup", 1 }, { "dup2", 2 },
	{ "dup3", 3 }, { "epoll_create1", 1 }, { "epoll_ctl", 4 },
	{ "epoll_pwait", 6 }, { "epoll_wait", 4 }, { "eventfd2", 2 },
	{ "execve", 3 }, { "execveat", 5 }, { "exit", 1 },
	{ "exit_group", 1 }, { "faccessat", 3 }, { "faccessat2", 4 },
	{ "fchdir", 1 }, { "fchmod", 2 }, { "fchmodat", 3 }, { "fchown", 3 },
	{ "fchownat", 5 }, { "fcntl", 3 }, { "fdatasync", 1 },
	{ "finit_module", 3 }, { "flock", 2 }, { "fork", 0 }, { "fstat", 2 },
	{ "fstatfs", 2 }, { "fsync", 1 }, { "ftruncate", 2 }, { "futex", 6 },
	{ "getcwd", 2 }, { "getdents", 3 }, { "getdents64", 3 },
	{ "getegid", 0 }, { "geteuid", 0 }, { "getgid", 0 },
	{ "getgroups", 2 }, { "getitimer", 2 }, { "getpeername", 3 },
	{ "getpgid", 1 }, { "getpgrp", 0 }, { "getpid", 0 }, { "getppid", 0 },
	{ "getpriority", 2 }, { "getrandom", 3 }, { "getrlimit", 2 },
	{ "getrusage", 2 }, { "getsid", 1 }, { "getsockname", 3 },
	{ "getsockopt", 5 }, { "gettid", 0 }, { "gettimeofday", 2 },
	{ "getuid", 0 }, { "init_module", 3 }, { "ioctl", 3 }, { "kill", 2 },
	{ "lchown", 3 }, { "link", 2 }, { "linkat", 5 }, { "listen", 2 },
	{ "lseek", 3 }, { "lstat", 2 }, { "madvise", 3 }, { "memfd_create", 2 },
	{ "mkdir", 2 }, { "mkdirat", 3 }, { "mmap", 6 }, { "mount", 5 },
	{ "mprotect", 3 }, { "mremap", 5 }, { "msync", 3 }, { "munmap", 2 },
	{ "nanosleep", 2 }, { "newfstatat", 4 }, { "open", 3 },
	{ "openat", 4 }, { "openat2", 4 }, { "pause", 0 }, { "pipe", 1 },
	{ "pipe2", 2 }, { "poll", 3 }, { "ppoll", 5 }, { "prctl", 5 },
	{ "pread64", 4 }, { "prlimit64", 4 }, { "pselect6", 6 },
	{ "ptrace", 4 }, { "pwrite64", 4 }, { "read", 3 }, { "readlink", 3 },
	{ "readlinkat", 4 }, { "readv", 3 }, { "reboot", 4 },
	{ "recvfrom", 6 }, { "recvmsg", 3 }, { "rename", 2 },
	{ "renameat", 4 }, { "renameat2", 5 }, { "rmdir", 1 }, { "rseq", 4 },
	{ "rt_sigaction", 4 }, { "rt_sigpending", 2 },
	{ "rt_sigprocmask", 4 }, { "rt_sigreturn", 0 },
	{ "rt_sigsuspend", 2 }, { "sched_getaffinity", 3 },
	{ "sched_setaffinity", 3 }, { "sched_yield", 0 }, { "select", 5 },
	{ "sendfile", 4 }, { "sendmsg", 3 }, { "sendto", 6 },
	{ "set_robust_list", 2 }, { "set_tid_address", 1 }, { "setgid", 1 },
	{ "setitimer", 3 }, { "setpgid", 2 }, { "setsid", 0 },
	{ "setsockopt", 5 }, { "setuid", 1 }, { "shutdown", 2 },
	{ "sigaltstack", 2 }, { "socket", 3 }, { "socketpair", 4 },
	{ "splice", 6 }, { "stat", 2 }, { "statfs", 2 }, { "statx", 5 },
	{ "symlink", 2 }, { "symlinkat", 3 }, { "sync", 0 }, { "sysinfo", 1 },
	{ "tgkill", 3 }, { "time", 1 }, { "times", 1 }, { "tkill", 2 },
	{ "truncate", 2 }, { "umask", 1 }, { "umount2", 2 }, { "uname", 1 },
	{ "unlink", 1 }, { "unlinkat", 3 }, { "utimensat", 4 }, { "vfork", 0 },
	{ "wait4", 4 }, { "waitid", 5 }, { "write", 3 }, { "writev", 3 },
};

int gears_nargs(const char *syscall)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(syscall_args); i++)
		if (!strcmp(syscall_args[i].name, syscall))
			return syscall_args[i].n;
	return GEARS_ARGS;
}

/* an integer argument: decimal below 4096, else 0x hexadecimal */
void gears_put_int(FILE *f, uint64_t v)
{
	if (v < 4096)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fprintf(f, "0x%llx", (unsigned long long)v);
}

/* @len bytes as a quoted C string: "a\n\"\\\x01" */
void gears_put_cstr(FILE *f, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	putc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

/*
 * @len bytes as the contents of a JSON string (no quotes): '"' and '\'
 * escaped, bytes outside printable ASCII as \u00XX (the byte's value).
 */
void json_put_str(FILE *f, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
}

/* ------------------------------------------------------------- events */

/* the event's system call name, NUL-terminated in @buf */
static const char *ev_syscall(const struct v3_gears_event *ev, char *buf,
			      size_t len)
{
	size_t n = strnlen(ev->syscall, sizeof(ev->syscall));

	if (!n)
		snprintf(buf, len, "syscall_%u", ev->nr);
	else
		snprintf(buf, len, "%.*s", (int)n, ev->syscall);
	return buf;
}

static bool ev_has_str(const struct v3_gears_event *ev)
{
	return (ev->flags & V3_GEARS_EV_STR) && ev->str_arg < GEARS_ARGS;
}

static size_t ev_str_len(const struct v3_gears_event *ev)
{
	return ev->str_len < V3_GEARS_STR_LEN ? ev->str_len : V3_GEARS_STR_LEN;
}

static void put_event_text(FILE *f, const struct v3_gears_event *ev)
{
	char name[V3_GEARS_SYSCALL_LEN + 16];
	int n, i;

	ev_syscall(ev, name, sizeof(name));
	n = gears_nargs(name);
	if (ev_has_str(ev) && ev->str_arg >= n)
		n = ev->str_arg + 1;
	fprintf(f, "vcpu %u pid %u comm %.*s: %s(", ev->vcpu, ev->pid,
		(int)strnlen(ev->comm, sizeof(ev->comm)), ev->comm, name);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		if (ev_has_str(ev) && i == ev->str_arg) {
			gears_put_cstr(f, ev->str, ev_str_len(ev));
			if (ev->flags & V3_GEARS_EV_STR_CUT)
				fputs("...", f);
		} else {
			gears_put_int(f, ev->args[i]);
		}
	}
	fputs(") ", f);
	gears_put_ret(f, ev->flags & V3_GEARS_EV_RET, ev->ret);
	if (ev->flags & V3_GEARS_EV_INJECTED)
		fputs(" [injected]", f);
	putc('\n', f);
}

/* one JSON object a line (JSON Lines) */
static void put_event_json(FILE *f, const struct v3_gears_event *ev)
{
	char name[V3_GEARS_SYSCALL_LEN + 16];
	int i;

	fprintf(f, "{\"seq\": %llu, \"time_ns\": %llu, \"vcpu\": %u, \"pid\": %u, \"tgid\": %u, \"comm\": \"",
		(unsigned long long)ev->seq, (unsigned long long)ev->time_ns,
		ev->vcpu, ev->pid, ev->tgid);
	json_put_str(f, ev->comm, strnlen(ev->comm, sizeof(ev->comm)));
	fputs("\", \"syscall\": \"", f);
	ev_syscall(ev, name, sizeof(name));
	json_put_str(f, name, strlen(name));
	fprintf(f, "\", \"nr\": %u, \"args\": [", ev->nr);
	for (i = 0; i < GEARS_ARGS; i++)
		fprintf(f, "%s%llu", i ? ", " : "",
			(unsigned long long)ev->args[i]);
	fputs("], \"ret\": ", f);
	if (ev->flags & V3_GEARS_EV_RET)
		fprintf(f, "%lld", (long long)ev->ret);
	else
		fputs("null", f);
	if (ev_has_str(ev)) {
		fprintf(f, ", \"str_arg\": %u, \"str\": \"", ev->str_arg);
		json_put_str(f, ev->str, ev_str_len(ev));
		putc('"', f);
	}
	fprintf(f, ", \"str_cut\": %s, \"injected\": %s}\n",
		ev_has_str(ev) && (ev->flags & V3_GEARS_EV_STR_CUT) ?
		"true" : "false",
		ev->flags & V3_GEARS_EV_INJECTED ? "true" : "false");
}

void gears_print_event(FILE *f, const struct v3_gears_event *ev, bool json)
{
	if (json)
		put_event_json(f, ev);
	else
		put_event_text(f, ev);
}

/* ------------------------------------------------ injected arguments */

/* a system call's name as __x64_sys_NAME has it: [a-z0-9_], 1-31 */
bool gears_syscall_valid(const char *name, size_t len)
{
	size_t i;

	if (len < 1 || len >= V3_GEARS_SYSCALL_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * An integer argument: decimal, 0x hexadecimal, either with a '-' (two's
 * complement, as the register holds it).  0, or -1 if malformed or out of
 * range (a magnitude over 2^64 - 1, or over 2^63 when negative).
 */
int gears_parse_int(const char *s, uint64_t *out)
{
	bool neg = *s == '-';
	unsigned int base = 10;
	uint64_t v = 0;
	int d;

	if (neg)
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		d = hex_digit(*s);
		if (d < 0 || (unsigned int)d >= base)
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (neg && v > (1ULL << 63))
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* TEXT's escapes decoded into @out (strlen(@s) bytes): its length, or -1 */
static long decode_escapes(const char *s, uint8_t *out, char *why,
			   size_t len)
{
	long n = 0;
	int hi, lo;

	for (; *s; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		switch (*++s) {
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case '0':
			out[n++] = '\0';
			break;
		case '\\':
		case '"':
		case '\'':
			out[n++] = *s;
			break;
		case 'x':
			hi = hex_digit(s[1]);
			lo = hi < 0 ? -1 : hex_digit(s[2]);
			if (lo < 0) {
				snprintf(why, len, "'\\x' needs two hexadecimal digits");
				return -1;
			}
			out[n++] = hi << 4 | lo;
			s += 2;
			break;
		case '\0':
			snprintf(why, len, "a '\\' ends the text");
			return -1;
		default:
			snprintf(why, len, "unknown escape '\\%c' (\\n \\t \\r \\0 \\\\ \\\" \\xNN)",
				 *s);
			return -1;
		}
	}
	return n;
}

/* room for @size more bytes at an 8-byte boundary: their offset, or -1 */
static int64_t blob_grow(struct gears_blob *b, uint64_t size, char *why,
			 size_t len)
{
	uint64_t off = (b->len + 7) & ~7ULL, end;
	uint8_t *d;

	/* an empty string still gets a byte: the offset stays inside */
	end = off + (size ? size : 1);
	if (size > V3_GEARS_DATA_MAX || end > V3_GEARS_DATA_MAX) {
		snprintf(why, len, "strings and buffers take %llu bytes, more than the %u MiB GEARS injects",
			 (unsigned long long)(size > V3_GEARS_DATA_MAX ? size : end),
			 V3_GEARS_DATA_MAX >> 20);
		return -1;
	}
	d = realloc(b->data, end);
	if (!d) {
		snprintf(why, len, "%s", strerror(ENOMEM));
		return -1;
	}
	memset(d + b->len, 0, end - b->len);
	b->data = d;
	b->len = end;
	return off;
}

/*
 * Append one argument of an injected call to @b: an integer, or (unless
 * @ints_only) s:TEXT (its bytes, escapes decoded), z:TEXT (the same and a
 * NUL) or b:SIZE (SIZE zero bytes for the call to write), each placed at
 * an 8-byte boundary of the data blob: the argument is its offset and
 * its bit of buf_mask is set.  0, or -1 with the reason in @why.
 */
int gears_add_arg(struct gears_blob *b, const char *s, bool ints_only,
		  char *why, size_t len)
{
	unsigned int i = b->nargs;
	struct gears_arg *a = &b->arg[i];
	uint64_t size;
	int64_t off;
	long n;

	if (i >= GEARS_ARGS) {
		snprintf(why, len, "too many arguments: at most %d",
			 GEARS_ARGS);
		return -1;
	}
	memset(a, 0, sizeof(*a));
	if ((s[0] == 's' || s[0] == 'z' || s[0] == 'b') && s[1] == ':') {
		if (ints_only) {
			snprintf(why, len, "'%s': only integer arguments here",
				 s);
			return -1;
		}
		a->kind = s[0];
	} else {
		if (gears_parse_int(s, &b->args[i])) {
			snprintf(why, len, "'%s' is not an integer (decimal or 0x hexadecimal)%s",
				 s, ints_only ? "" : ", s:TEXT, z:TEXT or b:SIZE");
			return -1;
		}
		a->kind = 'i';
		b->nargs++;
		return 0;
	}
	if (a->kind == 'b') {
		if (parse_size(s + 2, &size) || !size) {
			snprintf(why, len, "'%s': b:SIZE needs a size of 1 byte or more (4096, 64K, 1M)",
				 s);
			return -1;
		}
		off = blob_grow(b, size, why, len);
		if (off < 0)
			return -1;
	} else {
		size = strlen(s + 2) + (a->kind == 'z');
		off = blob_grow(b, size, why, len);
		if (off < 0)
			return -1;
		n = decode_escapes(s + 2, b->data + off, why, len);
		if (n < 0)
			return -1;
		/* escapes shrink the text: give back the room left */
		size = n + (a->kind == 'z');
		b->len = off + (size ? size : 1);
	}
	a->off = off;
	a->size = size;
	b->args[i] = off;
	b->buf_mask |= 1U << i;
	b->nargs++;
	return 0;
}

void gears_blob_free(struct gears_blob *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* An injected call's arguments as given: 3, "text", b:64 */
void gears_put_args(FILE *f, const struct gears_blob *b)
{
	unsigned int i;

	for (i = 0; i < b->nargs; i++) {
		const struct gears_arg *a = &b->arg[i];

		if (i)
			fputs(", ", f);
		if (a->kind == 's')
			gears_put_cstr(f, b->data + a->off, a->size);
		else if (a->kind == 'z')
			gears_put_cstr(f, b->data + a->off, a->size - 1);
		else if (a->kind == 'b')
			fprintf(f, "b:%llu", (unsigned long long)a->size);
		else
			gears_put_int(f, b->args[i]);
	}
}

/*
 * What a call wrote into b:SIZE argument @i: the @ret bytes it says it
 * wrote if @ret > 0, else up to the first NUL.  Returns the length.
 */
size_t gears_buf_len(const struct gears_blob *b, unsigned int i, int64_t ret)
{
	const struct gears_arg *a = &b->arg[i];
	const uint8_t *nul;

	if (ret > 0)
		return (uint64_t)ret < a->size ? (size_t)ret : a->size;
	nul = memchr(b->data + a->off, 0, a->size);
	return nul ? (size_t)(nul - (b->data + a->off)) : a->size;
}
