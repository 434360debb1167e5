// SPDX-License-Identifier: GPL-2.0
/*
 * The content dump file (include/v3vmm.h, struct v3_content_dump_hdr):
 * a 144-byte header, then count 16-byte entries sorted by hash, all
 * little-endian.  Reading checks every field and refuses a bad file with
 * one line naming it and what is wrong.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "v3share.h"

#define DUMP_HDR_SIZE	144
#define DUMP_ENTRY_SIZE	16
#define CHUNK		4096	/* entries converted at a time */

_Static_assert(sizeof(struct v3_content_dump_hdr) == DUMP_HDR_SIZE,
	       "dump header layout");
_Static_assert(sizeof(struct v3_content_entry) == DUMP_ENTRY_SIZE,
	       "dump entry layout");

static void entry_le(struct v3_content_entry *d,
		     const struct v3_content_entry *s, bool to_le)
{
	if (to_le) {
		d->hash = htole64(s->hash);
		d->copies = htole32(s->copies);
		d->vms = htole16(s->vms);
		d->flags = htole16(s->flags);
	} else {
		d->hash = le64toh(s->hash);
		d->copies = le32toh(s->copies);
		d->vms = le16toh(s->vms);
		d->flags = le16toh(s->flags);
	}
}

/* read exactly len bytes; returns the bytes read (< len at end of file) */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

static bool nul_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static int check_hdr(const char *path, const struct v3_content_dump_hdr *h)
{
	const struct { const char *what; uint32_t have, want; } f[] = {
		{ "version", h->version, V3_CONTENT_DUMP_VERSION },
		{ "header size", h->hdr_size, DUMP_HDR_SIZE },
		{ "entry size", h->entry_size, DUMP_ENTRY_SIZE },
		{ "page size", h->page_size, V3S_PAGE_SIZE },
		{ "hash kind", h->hash_kind, V3_CONTENT_HASH_XXH64 },
	};
	unsigned int i;

	if (memcmp(h->magic, V3_CONTENT_DUMP_MAGIC, sizeof(h->magic))) {
		v3s_err("%s: bad magic (not a v3vmm content dump)", path);
		return EXIT_DATA;
	}
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (f[i].have == f[i].want)
			continue;
		v3s_err("%s: %s %u, this v3share reads %u", path, f[i].what,
			f[i].have, f[i].want);
		return EXIT_DATA;
	}
	if (h->scope > V3_CONTENT_SCOPE_HELD_ELSEWHERE) {
		v3s_err("%s: unknown scope %u", path, h->scope);
		return EXIT_DATA;
	}
	if (!nul_terminated(h->node, sizeof(h->node)) ||
	    !nul_terminated(h->vm, sizeof(h->vm))) {
		v3s_err("%s: node or VM name not NUL-terminated", path);
		return EXIT_DATA;
	}
	return EXIT_OK;
}

static void hdr_from_le(struct v3_content_dump_hdr *h)
{
	h->version = le32toh(h->version);
	h->hdr_size = le32toh(h->hdr_size);
	h->time_ns = le64toh(h->time_ns);
	h->page_size = le32toh(h->page_size);
	h->hash_kind = le32toh(h->hash_kind);
	h->count = le64toh(h->count);
	h->scope = le32toh(h->scope);
	h->entry_size = le32toh(h->entry_size);
}

/* the file's length against the header's count (regular files) */
static int check_size(const char *path, int fd, uint64_t count)
{
	struct stat st;
	uint64_t want, have;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return EXIT_OK;	/* a pipe: checked while reading */
	have = st.st_size;
	if (count > (UINT64_MAX - DUMP_HDR_SIZE) / DUMP_ENTRY_SIZE) {
		v3s_err("%s: count %llu is impossible", path,
			(unsigned long long)count);
		return EXIT_DATA;
	}
	want = DUMP_HDR_SIZE + count * DUMP_ENTRY_SIZE;
	if (have < want) {
		v3s_err("%s: truncated: %llu entries need %llu bytes, the file has %llu",
			path, (unsigned long long)count,
			(unsigned long long)want, (unsigned long long)have);
		return EXIT_DATA;
	}
	if (have > want) {
		v3s_err("%s: %llu bytes after the %llu entries the header counts",
			path, (unsigned long long)(have - want),
			(unsigned long long)count);
		return EXIT_DATA;
	}
	return EXIT_OK;
}

/* read count entries in chunks (a pipe's count is not checked first) */
static int read_entries(const char *path, int fd, struct v3s_table *t,
			uint64_t count)
{
	uint64_t cap = 0, want;
	ssize_t r;
	char extra;
	void *p;

	while (t->n < count) {
		want = count - t->n < CHUNK * 256 ? count - t->n : CHUNK * 256;
		if (t->n + want > cap) {
			cap = t->n + want;
			p = realloc(t->e, cap * sizeof(*t->e));
			if (!p) {
				v3s_err("%s: out of memory for %llu entries",
					path, (unsigned long long)count);
				return EXIT_DATA;
			}
			t->e = p;
		}
		r = read_full(fd, t->e + t->n, want * sizeof(*t->e));
		if (r < 0) {
			v3s_err("%s: read: %s", path, strerror(errno));
			return EXIT_DATA;
		}
		t->n += r / sizeof(*t->e);
		if ((size_t)r < want * sizeof(*t->e)) {
			v3s_err("%s: truncated: the header counts %llu entries, the file has %llu",
				path, (unsigned long long)count,
				(unsigned long long)t->n);
			return EXIT_DATA;
		}
	}
	if (read_full(fd, &extra, 1) == 1) {
		v3s_err("%s: data after the %llu entries the header counts",
			path, (unsigned long long)count);
		return EXIT_DATA;
	}
	for (want = 0; want < t->n; want++)
		entry_le(&t->e[want], &t->e[want], false);
	return EXIT_OK;
}

int v3s_check_entries(const char *src, const struct v3_content_entry *e,
		      uint64_t n)
{
	uint64_t i, zero = n;

	for (i = 0; i < n; i++) {
		if (i && e[i].hash <= e[i - 1].hash) {
			v3s_err("%s: entry %llu: hash %#llx %s the one before: %s",
				src, (unsigned long long)i,
				(unsigned long long)e[i].hash,
				e[i].hash == e[i - 1].hash ? "equals" :
				"is below", e[i].hash == e[i - 1].hash ?
				"duplicate" : "not sorted by hash");
			return EXIT_DATA;
		}
		if (!e[i].copies) {
			v3s_err("%s: entry %llu: hash %#llx has 0 copies", src,
				(unsigned long long)i,
				(unsigned long long)e[i].hash);
			return EXIT_DATA;
		}
		if (!(e[i].flags & V3_CONTENT_ZERO))
			continue;
		if (zero != n) {
			v3s_err("%s: entries %llu and %llu are both marked as the zero page",
				src, (unsigned long long)zero,
				(unsigned long long)i);
			return EXIT_DATA;
		}
		zero = i;
	}
	return EXIT_OK;
}

int v3s_dump_read(const char *path, struct v3s_table *t)
{
	struct v3_content_dump_hdr h;
	ssize_t r;
	int fd, st;

	memset(t, 0, sizeof(*t));
	snprintf(t->src, sizeof(t->src), "%s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		v3s_err("%s: cannot open: %s", path, strerror(errno));
		return EXIT_DATA;
	}
	r = read_full(fd, &h, sizeof(h));
	if (r < 0) {
		v3s_err("%s: read: %s", path, strerror(errno));
		close(fd);
		return EXIT_DATA;
	}
	if ((size_t)r < sizeof(h)) {
		v3s_err("%s: %zd bytes, too short for a content dump header (%d)",
			path, r, DUMP_HDR_SIZE);
		close(fd);
		return EXIT_DATA;
	}
	hdr_from_le(&h);
	st = check_hdr(path, &h);
	if (!st)
		st = check_size(path, fd, h.count);
	if (!st)
		st = read_entries(path, fd, t, h.count);
	close(fd);
	if (!st)
		st = v3s_check_entries(path, t->e, t->n);
	if (st) {
		v3s_table_free(t);
		return st;
	}
	t->time_ns = h.time_ns;
	memcpy(t->node, h.node, sizeof(t->node));
	return EXIT_OK;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = write(fd, (const char *)buf + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		done += r;
	}
	return 0;
}

static int write_body(int fd, const struct v3s_table *t, uint32_t scope)
{
	struct v3_content_entry buf[CHUNK];
	struct v3_content_dump_hdr h;
	uint64_t i, k;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, V3_CONTENT_DUMP_MAGIC, sizeof(h.magic));
	h.version = htole32(V3_CONTENT_DUMP_VERSION);
	h.hdr_size = htole32(DUMP_HDR_SIZE);
	h.time_ns = htole64(t->time_ns);
	h.page_size = htole32(V3S_PAGE_SIZE);
	h.hash_kind = htole32(V3_CONTENT_HASH_XXH64);
	h.count = htole64(t->n);
	h.scope = htole32(scope);
	h.entry_size = htole32(DUMP_ENTRY_SIZE);
	snprintf(h.node, sizeof(h.node), "%s", t->node);
	if (write_full(fd, &h, sizeof(h)))
		return -1;
	for (i = 0; i < t->n; i += k) {
		for (k = 0; k < CHUNK && i + k < t->n; k++)
			entry_le(&buf[k], &t->e[i + k], true);
		if (write_full(fd, buf, k * sizeof(buf[0])))
			return -1;
	}
	return 0;
}

/* write to PATH.tmp, then rename: a reader sees the old or the new file */
int v3s_dump_write(const char *path, const struct v3s_table *t,
		   uint32_t scope)
{
	char tmp[V3S_PATH_MAX + 8];
	int fd, err;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		v3s_err("%s: cannot create: %s", tmp, strerror(errno));
		return EXIT_DATA;
	}
	err = write_body(fd, t, scope);
	if (close(fd) < 0)
		err = -1;
	if (!err && rename(tmp, path) < 0)
		err = -1;
	if (err) {
		v3s_err("%s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
		return EXIT_DATA;
	}
	return EXIT_OK;
}

void v3s_table_free(struct v3s_table *t)
{
	free(t->e);
	t->e = NULL;
	t->n = 0;
}
