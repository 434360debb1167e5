/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dump files for the v3share tests (mkdump.c, brute.c): the format of
 * include/v3vmm.h, read and written in the plainest way, independently of
 * tools/v3share.
 */
#ifndef SHARE_DUMPIO_H
#define SHARE_DUMPIO_H

#include <stdint.h>
#include <stdio.h>

#include "v3vmm.h"

struct dump {
	struct v3_content_dump_hdr h;
	struct v3_content_entry *e;
};

/* %r: rank, %n: round (as v3share --dump) */
void dump_path(char *out, size_t len, const char *pattern, int rank,
	       int round);
/* exits with a message on any error */
void dump_read(const char *path, struct dump *d);
void dump_write(const char *path, const struct v3_content_dump_hdr *h,
		const struct v3_content_entry *e, uint64_t n);
void dump_hdr(struct v3_content_dump_hdr *h, const char *node,
	      uint64_t time_ns, uint32_t scope, uint64_t count);

#endif
