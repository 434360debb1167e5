// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the subcommands: messages, parsing, device access.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "v3ctl.h"

static const char *const stop_names[] = V3_STOP_NAMES;
static const char *const state_names[] = V3_STATE_NAMES;
static const char *const exit_names[] = V3_EXIT_NAMES;
static const char *const counter_names[] = V3_COUNTER_NAMES;

/* ------------------------------------------------------------ messages */

void v3_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "v3ctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *errno_name(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "E?";
}

/* "v3ctl: CMD: WHAT: No such file or directory (ENOENT)" */
void v3_err_errno(const char *cmd, const char *what, int err)
{
	v3_err(cmd, "%s: %s (%s)", what, strerror(err), errno_name(err));
}

/* An ioctl on VM @name failed with @err: what it means, in words. */
void v3_err_vm(const char *cmd, const char *name, int err)
{
	v3_err_ioc(cmd, name, 0, err, 0);
}

/* Request @req on VM @name failed with @err (errors.c says why). */
void v3_err_ioc(const char *cmd, const char *name, unsigned long req,
		int err, uint64_t need)
{
	char why[256];

	v3_err(cmd, "%s: %s (%s)", name,
	       v3_explain(req, err, need, why, sizeof(why)), errno_name(err));
}

/* Usage error: one line, pointing at --help.  Returns EXIT_USAGE. */
int usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "v3ctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'v3ctl %s --help')\n", cmd);
	return EXIT_USAGE;
}

/* getopt_long (with ':' first in optstring) returned '?' or ':'. */
int opt_error(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return usage_err(cmd, "option '%s' needs an argument", arg);
	if (optopt)
		return usage_err(cmd, "unknown option '-%c'", optopt);
	return usage_err(cmd, "unknown option '%s'", arg);
}

/* After option parsing: exactly one operand, a valid VM name. */
int need_one_name(const char *cmd, int argc, char **argv, const char **name)
{
	if (optind >= argc)
		return usage_err(cmd, "missing VM name");
	if (optind + 1 < argc)
		return usage_err(cmd, "unexpected argument '%s'",
				 argv[optind + 1]);
	*name = argv[optind];
	if (!v3_name_valid(*name))
		return usage_err(cmd, "invalid VM name '%s' (1-%d characters from A-Z a-z 0-9 _ . -)",
				 *name, V3_NAME_MAX - 1);
	return 0;
}

/* ------------------------------------------------------------- parsing */

bool v3_name_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (len < 1 || len > V3_NAME_MAX - 1)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

void set_name(char dst[V3_NAME_MAX], const char *name)
{
	memset(dst, 0, V3_NAME_MAX);
	memcpy(dst, name, strnlen(name, V3_NAME_MAX - 1));
}

/* A number, or @none ("-", "null") when negative (unknown): in @buf. */
const char *fmt_opt(long long v, const char *none, char *buf, size_t len)
{
	if (v < 0)
		return none;
	snprintf(buf, len, "%lld", v);
	return buf;
}

/*
 * "4096", "64K", "64M", "1G" (also lower case, and "KiB"/"MiB"/"GiB"):
 * bytes.  0 on success, -1 if malformed or out of range.
 */
int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1ULL << 10;
		break;
	case 'm':
	case 'M':
		mul = 1ULL << 20;
		break;
	case 'g':
	case 'G':
		mul = 1ULL << 30;
		break;
	default:
		return -1;
	}
	if (*p) {
		p++;
		if (!strcmp(p, "iB"))
			p += 2;
		if (*p)
			return -1;
	}
	if (v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* Decimal unsigned integer in [0, max]. */
int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
	}
	if (*s)
		return -1;
	*out = v;
	return 0;
}

/* Positive number of seconds, fractions allowed ("30", "0.5"). */
int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

/* --------------------------------------------------------- name tables */

const char *stop_name(uint32_t reason)
{
	if (reason < ARRAY_SIZE(stop_names) && stop_names[reason])
		return stop_names[reason];
	return "unknown";
}

const char *state_name(uint32_t state)
{
	if (state < ARRAY_SIZE(state_names) && state_names[state])
		return state_names[state];
	return "unknown";
}

const char *exit_name(unsigned int idx, char *buf, size_t len)
{
	if (idx < ARRAY_SIZE(exit_names) && exit_names[idx])
		return exit_names[idx];
	snprintf(buf, len, "exit-%u", idx);
	return buf;
}

const char *counter_name(unsigned int idx, char *buf, size_t len)
{
	if (idx < ARRAY_SIZE(counter_names) && counter_names[idx])
		return counter_names[idx];
	snprintf(buf, len, "counter-%u", idx);
	return buf;
}

/* ------------------------------------------------------- device access */

int v3_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

/*
 * Open the v3vmm device (V3VMM_DEVICE overrides the path) and, with @ver,
 * check that the module speaks our ABI major version (*ver: its answer).
 * Returns the descriptor, or -1 after printing why.
 */
static int open_dev(const char *cmd, struct v3_version *ver)
{
	const char *path = getenv(V3CTL_DEVICE_ENV);
	int fd;

	if (!path || !*path)
		path = V3CTL_DEFAULT_DEVICE;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		if (err == ENOENT || err == ENXIO || err == ENODEV)
			v3_err(cmd, "%s: %s (%s); is v3vmm.ko loaded?", path,
			       strerror(err), errno_name(err));
		else if (err == EACCES || err == EPERM)
			v3_err(cmd, "%s: %s (%s); v3vmm is for root (CAP_SYS_ADMIN)",
			       path, strerror(err), errno_name(err));
		else
			v3_err_errno(cmd, path, err);
		return -1;
	}
	if (!ver)
		return fd;
	memset(ver, 0, sizeof(*ver));
	if (v3_ioctl(fd, V3_IOC_VERSION, ver) < 0) {
		v3_err(cmd, "%s: version query failed: %s (%s); not a v3vmm device?",
		       path, strerror(errno), errno_name(errno));
		close(fd);
		return -1;
	}
	if (ver->abi_major != V3_ABI_MAJOR) {
		v3_err(cmd, "%s: module ABI %u.%u is not supported (v3ctl speaks %u.x)",
		       path, ver->abi_major, ver->abi_minor, V3_ABI_MAJOR);
		close(fd);
		return -1;
	}
	return fd;
}

/* The device, its ABI major version checked unless told otherwise. */
int v3_open(const char *cmd, bool check_version)
{
	struct v3_version ver;

	return open_dev(cmd, check_version ? &ver : NULL);
}

/*
 * The same, for a feature that came with ABI 1.@minor (@what: "placement
 * ioctls"): -1 and a message naming both versions when the loaded module
 * is older.
 */
int v3_open_abi(const char *cmd, uint32_t minor, const char *what)
{
	struct v3_version ver;
	int fd = open_dev(cmd, &ver);

	if (fd >= 0 && ver.abi_minor < minor) {
		v3_err(cmd, "the loaded v3vmm module (ABI %u.%u) has no %s (needs %u.%u)",
		       ver.abi_major, ver.abi_minor, what, V3_ABI_MAJOR, minor);
		close(fd);
		return -1;
	}
	return fd;
}

/* An ioctl taking a struct v3_vm_ref: 0 or -errno. */
int vm_ref_ioctl(int fd, unsigned long req, const char *name)
{
	struct v3_vm_ref ref;

	memset(&ref, 0, sizeof(ref));
	set_name(ref.name, name);
	return v3_ioctl(fd, req, &ref) < 0 ? -errno : 0;
}

/* V3_IOC_INFO: 0 or -errno. */
int vm_info(int fd, const char *name, struct v3_info *info)
{
	memset(info, 0, sizeof(*info));
	set_name(info->name, name);
	if (v3_ioctl(fd, V3_IOC_INFO, info) < 0)
		return -errno;
	info->reason[V3_REASON_LEN - 1] = '\0';
	return 0;
}

/*
 * "v3ctl CMD [options] NAME", after the options: the VM name operand and
 * /dev/v3vmm opened (version checked).  0 with *name and *fd set, else the
 * exit status, the reason already printed.
 */
int open_one_vm(const char *cmd, int argc, char **argv, const char **name,
		int *fd)
{
	int ret = need_one_name(cmd, argc, argv, name);

	if (ret)
		return ret;
	*fd = v3_open(cmd, true);
	return *fd < 0 ? EXIT_FAIL : 0;
}

/*
 * "v3ctl CMD [--help] [--json] NAME", a query that needs ABI minor
 * `minor` or later (what: the feature, for the refusal): -1 to go on with
 * *name and *fd set (*json when given), else the exit status to leave
 * with (help shown, or the reason printed).
 */
int open_vm_query(const char *cmd, int argc, char **argv, const char *help,
		  bool *json, const char **name, unsigned int minor,
		  const char *what, int *fd)
{
	int c = parse_help_json(cmd, argc, argv, help, json);

	if (c >= 0)
		return c;
	c = need_one_name(cmd, argc, argv, name);
	if (c)
		return c;
	*fd = v3_open_abi(cmd, minor, what);
	return *fd < 0 ? EXIT_FAIL : -1;
}

/* launch, stop, pause, resume, destroy: "v3ctl CMD NAME". */
int simple_vm_cmd(int argc, char **argv, unsigned long req, const char *help)
{
	const char *cmd = argv[0], *name;
	int c, fd, ret;

	c = parse_help_only(cmd, argc, argv, help);
	if (c >= 0)
		return c;
	ret = open_one_vm(cmd, argc, argv, &name, &fd);
	if (ret)
		return ret;
	ret = vm_ref_ioctl(fd, req, name);
	close(fd);
	if (ret) {
		v3_err_ioc(cmd, name, req, -ret, 0);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * Options of a subcommand that takes none but --help: returns the exit
 * code to leave with (help shown, or a usage error), or -1 to go on.
 */
int parse_help_only(const char *cmd, int argc, char **argv, const char *help)
{
	return parse_help_json(cmd, argc, argv, help, NULL);
}

/*
 * The same for a subcommand that also takes --json (json NULL: it does
 * not): sets *json when given.
 */
int parse_help_json(const char *cmd, int argc, char **argv, const char *help,
		    bool *json)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if (c == 'j' && json) {
			*json = true;
			continue;
		}
		return opt_error(cmd, c, argv);
	}
	return -1;
}

/*
 * All of @path into a new buffer, at most @max bytes (@limit says whose
 * limit that is: "the 64 MiB GEARS injects"), not empty unless @what is
 * NULL (@what: what it should be): 0, or -1 with a message.
 */
int v3_read_file(const char *cmd, const char *path, uint64_t max,
		     const char *limit, const char *what, uint8_t **bufp,
		     size_t *lenp)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		v3_err_errno(cmd, path, errno);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		v3_err_errno(cmd, path, errno);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		v3_err(cmd, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		v3_err(cmd, "%s: %lld bytes, more than the %llu MiB %s", path,
		       (long long)st.st_size, (unsigned long long)max >> 20,
		       limit);
		goto fail;
	}
	if (!st.st_size && what) {
		v3_err(cmd, "%s: empty file, not %s", path, what);
		goto fail;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		v3_err_errno(cmd, path, ENOMEM);
		goto fail;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				v3_err_errno(cmd, path, errno);
			else
				v3_err(cmd, "%s: file shrank while reading",
				       path);
			goto fail;
		}
		done += n;
	}
	close(fd);
	*bufp = buf;
	*lenp = done;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}
