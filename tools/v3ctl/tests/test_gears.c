// SPDX-License-Identifier: GPL-2.0
/*
 * gears_fmt.c on its own: traced system calls in text and JSON (escaping,
 * the cut string, errno names), integers and s:/z:/b: arguments parsed
 * into the data blob of an injection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v3ctl.h"
#include "test.h"

static char *mbuf;
static size_t mlen;

/* an event as gears_print_event() prints it */
static const char *ev_str(const struct v3_gears_event *ev, bool json)
{
	FILE *f;

	free(mbuf);
	mbuf = NULL;
	f = open_memstream(&mbuf, &mlen);
	gears_print_event(f, ev, json);
	fclose(f);
	return mbuf;
}

static bool same(const char *got, const char *want, const char *what)
{
	bool ok = !strcmp(got, want);

	if (!tap_ok(ok, "gears fmt: %s", what)) {
		tap_diag("got:  %s", got);
		tap_diag("want: %s", want);
	}
	return ok;
}

static void set_str(struct v3_gears_event *ev, unsigned int arg,
		    const void *s, unsigned int len, bool cut)
{
	ev->flags |= V3_GEARS_EV_STR | (cut ? V3_GEARS_EV_STR_CUT : 0);
	ev->str_arg = arg;
	ev->str_len = len;
	memcpy(ev->str, s, len < V3_GEARS_STR_LEN ? len : V3_GEARS_STR_LEN);
}

static void test_events(void)
{
	struct v3_gears_event ev;
	char big[V3_GEARS_STR_LEN];

	memset(&ev, 0, sizeof(ev));
	ev.seq = 7;
	ev.time_ns = 123456789012ULL;
	ev.vcpu = 1;
	ev.pid = 58;
	ev.tgid = 57;
	ev.nr = 1;
	strcpy(ev.comm, "sh");
	strcpy(ev.syscall, "write");
	ev.args[0] = 1;
	ev.args[1] = 0x5555deadb000ULL;
	ev.args[2] = 5;
	ev.args[3] = 99;	/* not shown: write takes 3 */
	ev.flags = V3_GEARS_EV_RET;
	ev.ret = 5;
	set_str(&ev, 1, "MARK\n", 5, false);
	same(ev_str(&ev, false),
	     "vcpu 1 pid 58 comm sh: write(1, \"MARK\\n\", 5) = 5\n",
	     "write with its string, 3 arguments");
	same(ev_str(&ev, true),
	     "{\"seq\": 7, \"time_ns\": 123456789012, \"vcpu\": 1, \"pid\": 58, \"tgid\": 57, "
	     "\"comm\": \"sh\", \"syscall\": \"write\", \"nr\": 1, "
	     "\"args\": [1, 93827296505856, 5, 99, 0, 0], \"ret\": 5, "
	     "\"str_arg\": 1, \"str\": \"MARK\\u000a\", \"str_cut\": false, \"injected\": false}\n",
	     "write as JSON: all six args, str escaped");

	/* every escape, and a cut string */
	memset(ev.str, 0, sizeof(ev.str));
	set_str(&ev, 1, "a\"b\\c\td\x01\xff\x7f", 10, true);
	ev.ret = -4;
	same(ev_str(&ev, false),
	     "vcpu 1 pid 58 comm sh: write(1, \"a\\\"b\\\\c\\td\\x01\\xff\\x7f\"..., 5) = -4 EINTR\n",
	     "C escapes, ... after a cut string, errno name");
	same(strstr(ev_str(&ev, true), "\"ret\""),
	     "\"ret\": -4, \"str_arg\": 1, \"str\": \"a\\\"b\\\\c\\u0009d\\u0001\\u00ff\\u007f\", "
	     "\"str_cut\": true, \"injected\": false}\n",
	     "JSON escapes, str_cut");

	/* str_len past the buffer: 64 bytes, no more */
	memset(big, 'x', sizeof(big));
	ev.flags = V3_GEARS_EV_RET;
	set_str(&ev, 1, big, 200, true);
	ev_str(&ev, false);
	tap_ok(strstr(mbuf, "(1, \"") && strlen(strstr(mbuf, "(1, \"") + 5) ==
	       V3_GEARS_STR_LEN + strlen("\"..., 5) = -4 EINTR\n"),
	       "gears fmt: a str_len over 64 shows 64 bytes");

	/* openat: the path is argument 1 of 4; negative dirfd in hex */
	memset(&ev, 0, sizeof(ev));
	strcpy(ev.comm, "cat");
	strcpy(ev.syscall, "openat");
	ev.pid = ev.tgid = 90;
	ev.args[0] = (uint64_t)-100;
	ev.args[2] = 0x80000;
	ev.args[3] = 4095;
	ev.flags = V3_GEARS_EV_RET;
	ev.ret = -2;
	set_str(&ev, 1, "/etc/nope", 9, false);
	same(ev_str(&ev, false),
	     "vcpu 0 pid 90 comm cat: openat(0xffffffffffffff9c, \"/etc/nope\", 0x80000, 4095) = -2 ENOENT\n",
	     "openat: 4 arguments, hex above 4095, ENOENT");

	/* no result; injected; nothing read */
	memset(&ev, 0, sizeof(ev));
	strcpy(ev.comm, "a\"b");
	strcpy(ev.syscall, "exit_group");
	ev.flags = V3_GEARS_EV_INJECTED;
	same(ev_str(&ev, false),
	     "vcpu 0 pid 0 comm a\"b: exit_group(0) = ? [injected]\n",
	     "no result: '= ?', [injected]");
	same(strstr(ev_str(&ev, true), "\"comm\""),
	     "\"comm\": \"a\\\"b\", \"syscall\": \"exit_group\", \"nr\": 0, "
	     "\"args\": [0, 0, 0, 0, 0, 0], \"ret\": null, \"str_cut\": false, "
	     "\"injected\": true}\n",
	     "JSON: ret null, no str, injected true");

	/* zero-argument calls, unknown calls, a name-less one */
	memset(&ev, 0, sizeof(ev));
	strcpy(ev.comm, "x");
	strcpy(ev.syscall, "getpid");
	ev.flags = V3_GEARS_EV_RET;
	ev.ret = 57;
	ev.args[0] = 1;
	same(ev_str(&ev, false), "vcpu 0 pid 0 comm x: getpid() = 57\n",
	     "getpid: no arguments");
	strcpy(ev.syscall, "frobnicate");
	ev.args[5] = 4096;
	ev.ret = -512;
	same(ev_str(&ev, false),
	     "vcpu 0 pid 0 comm x: frobnicate(1, 0, 0, 0, 0, 0x1000) = -512 ERESTARTSYS\n",
	     "unknown call: all six, kernel-internal errno name");
	memset(ev.syscall, 0, sizeof(ev.syscall));
	ev.nr = 333;
	ev.ret = -4096;
	same(ev_str(&ev, false),
	     "vcpu 0 pid 0 comm x: syscall_333(1, 0, 0, 0, 0, 0x1000) = -4096\n",
	     "no name: syscall_NR; -4096 has no errno name");
	/* a string argument past the call's count still shows */
	strcpy(ev.syscall, "close");
	ev.ret = 0;
	set_str(&ev, 2, "", 0, false);
	same(ev_str(&ev, false), "vcpu 0 pid 0 comm x: close(1, 0, \"\") = 0\n",
	     "str_arg beyond the count: shown up to it");
	ev.str_arg = 9;
	same(ev_str(&ev, false), "vcpu 0 pid 0 comm x: close(1) = 0\n",
	     "str_arg out of range: ignored");
}

static void test_names(void)
{
	tap_ok(!strcmp(gears_errno_name(-2), "ENOENT") &&
	       !strcmp(gears_errno_name(-11), "EAGAIN") &&
	       !strcmp(gears_errno_name(-524), "ENOTSUPP") &&
	       !gears_errno_name(0) && !gears_errno_name(5) &&
	       !gears_errno_name(-4096) && !gears_errno_name(-520) &&
	       !gears_errno_name(-3000),
	       "gears fmt: errno names of -4095..-1 only");
	tap_ok(gears_nargs("getpid") == 0 && gears_nargs("write") == 3 &&
	       gears_nargs("mmap") == 6 && gears_nargs("clock_nanosleep") == 4 &&
	       gears_nargs("exit_group") == 1 && gears_nargs("nosuch") == 6 &&
	       gears_nargs("") == 6,
	       "gears fmt: argument counts, 6 for a call not in the table");
	tap_ok(gears_syscall_valid("getpid", 6) &&
	       gears_syscall_valid("get", 3) &&
	       !gears_syscall_valid("", 0) &&
	       !gears_syscall_valid("Write", 5) &&
	       !gears_syscall_valid("a-b", 3) &&
	       gears_syscall_valid("abcdefghijklmnopqrstuvwxyz01234", 31) &&
	       !gears_syscall_valid("abcdefghijklmnopqrstuvwxyz012345", 32),
	       "gears fmt: system call names");
}

static void test_ints(void)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} t[] = {
		{ "0", 0, 0 }, { "123", 0, 123 }, { "010", 0, 10 },
		{ "-1", 0, UINT64_MAX }, { "0x1f", 0, 0x1f },
		{ "0XfF", 0, 0xff }, { "-0x10", 0, (uint64_t)-16 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "-9223372036854775808", 0, 1ULL << 63 },
		{ "18446744073709551616", -1, 0 },
		{ "0x10000000000000000", -1, 0 },
		{ "-9223372036854775809", -1, 0 },
		{ "", -1, 0 }, { "-", -1, 0 }, { "0x", -1, 0 }, { "12a", -1, 0 },
		{ "1.5", -1, 0 }, { "+1", -1, 0 }, { " 1", -1, 0 },
		{ "--1", -1, 0 }, { "0x-1", -1, 0 },
	};
	unsigned int i, bad = 0;
	uint64_t v;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		v = 0;
		if (gears_parse_int(t[i].s, &v) != t[i].ret ||
		    (!t[i].ret && v != t[i].v)) {
			tap_diag("gears_parse_int(\"%s\"): %llu", t[i].s,
				 (unsigned long long)v);
			bad++;
		}
	}
	tap_ok(!bad, "gears fmt: integers: decimal, 0x, negative, ranges (%u cases)",
	       i);
}

static bool add(struct gears_blob *b, const char *s, bool ints_only,
		char *why, size_t len)
{
	return gears_add_arg(b, s, ints_only, why, len) == 0;
}

static void test_blob(void)
{
	struct gears_blob b;
	char why[256];
	FILE *f;
	bool ok;

	memset(&b, 0, sizeof(b));
	ok = add(&b, "s:hi\\n", false, why, sizeof(why)) &&
	     add(&b, "z:a\\x41\\\\", false, why, sizeof(why)) &&
	     add(&b, "-2", false, why, sizeof(why)) &&
	     add(&b, "b:16", false, why, sizeof(why)) &&
	     add(&b, "s:", false, why, sizeof(why)) &&
	     add(&b, "0x10", false, why, sizeof(why));
	tap_ok(ok && b.nargs == 6 && b.buf_mask == 0x1b &&
	       b.args[0] == 0 && b.args[1] == 8 && b.args[2] == (uint64_t)-2 &&
	       b.args[3] == 16 && b.args[4] == 32 && b.args[5] == 16 &&
	       b.len == 33,
	       "gears fmt: s:, z:, b: at 8-byte offsets, buf_mask 0x1b, integers as is (%s)",
	       ok ? "" : why);
	tap_ok(ok && !memcmp(b.data, "hi\n\0\0\0\0\0aA\\\0\0\0\0\0", 16) &&
	       b.arg[0].size == 3 && b.arg[1].size == 4 &&
	       b.arg[3].size == 16 && b.arg[4].size == 0 &&
	       !memcmp(b.data + 16, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 17),
	       "gears fmt: the blob: escapes decoded, z: adds a NUL, b: zeros");
	free(mbuf);
	f = open_memstream(&mbuf, &mlen);
	gears_put_args(f, &b);
	fclose(f);
	tap_ok(!strcmp(mbuf, "\"hi\\n\", \"aA\\\\\", 0xfffffffffffffffe, b:16, \"\", 16"),
	       "gears fmt: the arguments as given: %s", mbuf);
	free(mbuf);
	mbuf = NULL;
	memcpy(b.data + 16, "abc\0def", 7);
	tap_ok(gears_buf_len(&b, 3, 5) == 5 && gears_buf_len(&b, 3, 0) == 3 &&
	       gears_buf_len(&b, 3, -14) == 3 && gears_buf_len(&b, 3, 99) == 16,
	       "gears fmt: a buffer's bytes: RET of them if positive, else to the NUL");
	memset(b.data + 16, 'x', 16);
	tap_ok(gears_buf_len(&b, 3, -1) == 16,
	       "gears fmt: a buffer without NUL: all of it");
	ok = !add(&b, "7", false, why, sizeof(why)) && strstr(why, "at most 6");
	tap_ok(ok, "gears fmt: a 7th argument is refused: %s", why);
	gears_blob_free(&b);

	ok = !add(&b, "s:a\\q", false, why, sizeof(why)) &&
	     strstr(why, "unknown escape '\\q'");
	tap_ok(ok && !b.nargs && !b.buf_mask, "gears fmt: %s", why);
	gears_blob_free(&b);
	ok = !add(&b, "s:\\x4", false, why, sizeof(why)) &&
	     strstr(why, "two hexadecimal digits");
	tap_ok(ok, "gears fmt: %s", why);
	gears_blob_free(&b);
	ok = !add(&b, "z:a\\", false, why, sizeof(why)) &&
	     strstr(why, "ends the text");
	tap_ok(ok, "gears fmt: %s", why);
	gears_blob_free(&b);
	ok = !add(&b, "b:0", false, why, sizeof(why)) &&
	     strstr(why, "1 byte or more") &&
	     !add(&b, "b:x", false, why, sizeof(why));
	tap_ok(ok, "gears fmt: b:0 and b:x are refused: %s", why);
	ok = !add(&b, "s:x", true, why, sizeof(why)) &&
	     strstr(why, "only integer arguments") &&
	     add(&b, "5", true, why, sizeof(why)) &&
	     !add(&b, "x5", true, why, sizeof(why)) &&
	     !strstr(why, "s:TEXT");
	tap_ok(ok && b.nargs == 1 && !b.buf_mask && !b.data,
	       "gears fmt: integers only for a kernel call: %s", why);
	gears_blob_free(&b);
	ok = add(&b, "b:64M", false, why, sizeof(why)) &&
	     !add(&b, "s:x", false, why, sizeof(why)) &&
	     strstr(why, "more than the 64 MiB");
	tap_ok(ok && b.nargs == 1 && b.len == 64ULL << 20,
	       "gears fmt: 64 MiB of buffers, not a byte more: %s", why);
	gears_blob_free(&b);
	ok = !add(&b, "b:65M", false, why, sizeof(why)) && !b.data;
	tap_ok(ok, "gears fmt: one buffer over 64 MiB: %s", why);
	gears_blob_free(&b);
}

void test_gears_fmt(void)
{
	test_events();
	test_names();
	test_ints();
	test_blob();
	free(mbuf);
	mbuf = NULL;
}
