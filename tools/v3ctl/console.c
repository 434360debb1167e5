// SPDX-License-Identifier: GPL-2.0
/*
 * Console streaming shared by "console" and "run": read the guest's COM1
 * output from the module's ring buffer, forward stdin to the guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "v3ctl.h"

#define CONSOLE_BUF		(64 * 1024)
#define WAIT_MS_IDLE		2000	/* bounds the reaction to a signal */
#define WAIT_MS_INPUT		50	/* input latency while forwarding */

volatile sig_atomic_t v3_signal;

static void on_signal(int sig)
{
	v3_signal = sig;
}

/*
 * SIGINT, SIGTERM and SIGHUP only set v3_signal.  No SA_RESTART, so a
 * console wait in progress returns EINTR and the loop sees the flag.
 */
void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ------------------------------------------------------------ terminal */

static struct termios saved_tio;
static bool tio_saved;

static void tty_restore(void)
{
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
		tio_saved = false;
	}
}

/* Raw input (no echo, no line editing, no signal keys); output as is. */
static int tty_raw(void)
{
	static bool atexit_done;
	struct termios tio;

	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return -1;
	tio = saved_tio;
	tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			 ICRNL | IXON);
	tio.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (!atexit_done) {
		atexit(tty_restore);
		atexit_done = true;
	}
	tio_saved = true;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) < 0) {
		tio_saved = false;
		return -1;
	}
	return 0;
}

/* --------------------------------------------------------------- input */

struct input {
	bool active;		/* still reading stdin */
	bool tty;
	size_t off, len;	/* buf[off, len) not yet taken by the guest */
	char buf[256];
};

static bool stdin_is_devnull(const struct stat *st)
{
	struct stat null_st;

	return S_ISCHR(st->st_mode) && !stat("/dev/null", &null_st) &&
	       st->st_rdev == null_st.st_rdev;
}

static void input_setup(struct input *in, const struct follow *f)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	if (!f->input || fstat(STDIN_FILENO, &st) < 0)
		return;
	if (isatty(STDIN_FILENO)) {
		if (tty_raw())
			return;
		in->tty = true;
		in->active = true;
		fprintf(stderr, "v3ctl: %s: %s: console attached; Ctrl-] to %s\r\n",
			f->cmd, f->name,
			strcmp(f->cmd, "run") ? "detach" : "stop the VM");
		return;
	}
	if (!stdin_is_devnull(&st))
		in->active = true;
}

/* 1 if the detach key was typed, else 0. */
static int input_forward(int fd, const struct follow *f, struct input *in)
{
	struct v3_console_io io;
	int detach = 0;

	if (in->off == in->len && in->active) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 0) <= 0)
			return 0;
		n = read(STDIN_FILENO, in->buf, sizeof(in->buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return 0;
		if (n <= 0) {
			in->active = false;	/* EOF: keep following */
			return 0;
		}
		in->off = 0;
		in->len = n;
		if (in->tty) {
			char *k = memchr(in->buf, DETACH_KEY, n);

			if (k) {
				in->len = k - in->buf;
				detach = 1;
			}
		}
	}
	if (in->off == in->len)
		return detach;

	memset(&io, 0, sizeof(io));
	set_name(io.name, f->name);
	io.uaddr = (uintptr_t)(in->buf + in->off);
	io.len = in->len - in->off;
	if (v3_ioctl(fd, V3_IOC_CONSOLE_WRITE, &io) < 0) {
		v3_err(f->cmd, "%s: forwarding input: %s (%s); input ignored from now on",
		       f->name, strerror(errno), errno_name(errno));
		in->active = false;
		in->off = in->len = 0;
		return detach;
	}
	/* the guest's input queue may take only part of it */
	in->off += io.len < in->len - in->off ? io.len : in->len - in->off;
	return detach;
}

/* -------------------------------------------------------------- output */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

static void note_lost(const char *cmd, const char *name, uint64_t lost)
{
	v3_err(cmd, "%s: %llu bytes of console output were lost (overwritten before being read)",
	       name, (unsigned long long)lost);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Print what the console buffer holds from offset 0.  0 or -1. */
int console_dump(int fd, const char *cmd, const char *name)
{
	static char buf[CONSOLE_BUF];
	struct v3_console_io io;
	uint64_t pos = 0;
	int err;

	do {
		memset(&io, 0, sizeof(io));
		set_name(io.name, name);
		io.pos = pos;
		io.uaddr = (uintptr_t)buf;
		io.len = sizeof(buf);
		if (v3_ioctl(fd, V3_IOC_CONSOLE_READ, &io) < 0) {
			v3_err_vm(cmd, name, errno);
			return -1;
		}
		if (io.lost)
			note_lost(cmd, name, io.lost);
		if (io.len > sizeof(buf))
			io.len = sizeof(buf);
		err = write_all(STDOUT_FILENO, buf, io.len);
		if (err) {
			v3_err_errno(cmd, "writing output", -err);
			return -1;
		}
		pos = io.pos;
	} while (io.len == sizeof(buf));
	return 0;
}

/*
 * Copy the console to stdout until the VM has stopped and everything it
 * wrote has been read, the timeout expires, a signal arrives or the user
 * types the detach key.  The terminal is restored before returning.
 */
enum follow_result console_follow(int fd, const struct follow *f)
{
	static char buf[CONSOLE_BUF];
	double deadline = f->timeout > 0 ? now() + f->timeout : 0;
	enum follow_result res;
	struct v3_console_io io;
	bool out_ok = true;
	struct input in;
	uint64_t pos = 0;
	int err;

	input_setup(&in, f);
	for (;;) {
		uint32_t wait_ms = WAIT_MS_IDLE;
		bool forwarding = in.active || in.off < in.len;

		if (v3_signal) {
			res = FOLLOW_SIGNAL;
			break;
		}
		if (forwarding) {
			wait_ms = WAIT_MS_INPUT;
			if (input_forward(fd, f, &in)) {
				res = FOLLOW_DETACHED;
				break;
			}
		}
		if (deadline) {
			double left = deadline - now();

			if (left <= 0) {
				res = FOLLOW_TIMEOUT;
				break;
			}
			if (left * 1000 < wait_ms)
				wait_ms = (uint32_t)(left * 1000) + 1;
		}

		memset(&io, 0, sizeof(io));
		set_name(io.name, f->name);
		io.pos = pos;
		io.uaddr = (uintptr_t)buf;
		io.len = sizeof(buf);
		io.flags = V3_CONSOLE_WAIT;
		io.timeout_ms = wait_ms;
		if (ioctl(fd, V3_IOC_CONSOLE_READ, &io) < 0) {
			if (errno == EINTR)
				continue;
			v3_err_vm(f->cmd, f->name, errno);
			res = FOLLOW_ERROR;
			break;
		}
		if (io.lost)
			note_lost(f->cmd, f->name, io.lost);
		if (io.len > sizeof(buf))
			io.len = sizeof(buf);
		if (io.len && out_ok) {
			err = write_all(STDOUT_FILENO, buf, io.len);
			if (err) {
				v3_err_errno(f->cmd, "writing output", -err);
				if (!f->ignore_output_errors) {
					res = FOLLOW_ERROR;
					break;
				}
				out_ok = false;
			}
		}
		pos = io.pos;
		if (io.state == V3_STATE_STOPPED && !io.len) {
			res = FOLLOW_STOPPED;
			break;
		}
	}
	tty_restore();
	return res;
}
