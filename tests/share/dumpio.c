// SPDX-License-Identifier: GPL-2.0
/* Dump files for the v3share tests: see dumpio.h. */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "dumpio.h"

static void die(const char *path, const char *what)
{
	fprintf(stderr, "dumpio: %s: %s\n", path, what);
	exit(2);
}

void dump_path(char *out, size_t len, const char *pattern, int rank,
	       int round)
{
	size_t o = 0;

	for (; *pattern && o + 12 < len; pattern++) {
		if (pattern[0] == '%' && pattern[1] == 'r')
			o += sprintf(out + o, "%d", rank), pattern++;
		else if (pattern[0] == '%' && pattern[1] == 'n')
			o += sprintf(out + o, "%d", round), pattern++;
		else
			out[o++] = *pattern;
	}
	out[o] = '\0';
}

void dump_hdr(struct v3_content_dump_hdr *h, const char *node,
	      uint64_t time_ns, uint32_t scope, uint64_t count)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, V3_CONTENT_DUMP_MAGIC, 8);
	h->version = V3_CONTENT_DUMP_VERSION;
	h->hdr_size = sizeof(*h);
	h->time_ns = time_ns;
	h->page_size = 4096;
	h->hash_kind = V3_CONTENT_HASH_XXH64;
	h->count = count;
	h->scope = scope;
	h->entry_size = sizeof(struct v3_content_entry);
	snprintf(h->node, sizeof(h->node), "%s", node);
}

void dump_read(const char *path, struct dump *d)
{
	FILE *f = fopen(path, "rb");
	uint64_t i;

	if (!f)
		die(path, "cannot open");
	if (fread(&d->h, sizeof(d->h), 1, f) != 1)
		die(path, "short header");
	d->h.count = le64toh(d->h.count);
	d->h.time_ns = le64toh(d->h.time_ns);
	d->h.scope = le32toh(d->h.scope);
	d->e = calloc(d->h.count + 1, sizeof(*d->e));
	if (!d->e)
		die(path, "out of memory");
	if (fread(d->e, sizeof(*d->e), d->h.count, f) != d->h.count)
		die(path, "short file");
	fclose(f);
	for (i = 0; i < d->h.count; i++) {
		d->e[i].hash = le64toh(d->e[i].hash);
		d->e[i].copies = le32toh(d->e[i].copies);
		d->e[i].vms = le16toh(d->e[i].vms);
		d->e[i].flags = le16toh(d->e[i].flags);
	}
}

void dump_write(const char *path, const struct v3_content_dump_hdr *h,
		const struct v3_content_entry *e, uint64_t n)
{
	struct v3_content_dump_hdr le = *h;
	struct v3_content_entry x;
	FILE *f = fopen(path, "wb");
	uint64_t i;

	if (!f)
		die(path, "cannot create");
	le.version = htole32(h->version);
	le.hdr_size = htole32(h->hdr_size);
	le.time_ns = htole64(h->time_ns);
	le.page_size = htole32(h->page_size);
	le.hash_kind = htole32(h->hash_kind);
	le.count = htole64(h->count);
	le.scope = htole32(h->scope);
	le.entry_size = htole32(h->entry_size);
	fwrite(&le, sizeof(le), 1, f);
	for (i = 0; i < n; i++) {
		x.hash = htole64(e[i].hash);
		x.copies = htole32(e[i].copies);
		x.vms = htole16(e[i].vms);
		x.flags = htole16(e[i].flags);
		fwrite(&x, sizeof(x), 1, f);
	}
	if (fclose(f))
		die(path, "write error");
}
