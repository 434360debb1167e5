// SPDX-License-Identifier: GPL-2.0
/*
 * content_census VM MIB [VM MIB ...]: the figures memory content tracking
 * (module/adapt/content.c) must report, computed the simplest way from
 * the VMs' RAM itself: every 4 KiB page read with V3_IOC_MEM_READ, hashed
 * with a hash of its own (FNV-1a 64, not the module's xxh64), the hashes
 * sorted and counted.  Prints, for each VM and then for the node,
 *   vm NAME pages=N distinct=N zero=N shared=N sharing=N unique=N shared_other=N
 *   node pages=N distinct=N zero=N shared=N sharing=N unique=N shared_other=N
 * (the node: all the VMs named; shared_other there counts the pages whose
 * content two VMs or more hold).  The VMs should be writing nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "v3vmm.h"

#define PAGE		4096
#define MAX_VMS		8

struct rec {
	uint64_t hash;
	unsigned int vm;
};

static uint64_t fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static int cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (int)x->vm - (int)y->vm;
}

/* the VM's RAM below 3 GiB (the VMs here are small), page by page */
static int read_vm(int fd, const char *name, uint64_t bytes, unsigned int vm,
		   struct rec *out)
{
	static unsigned char buf[V3_MEM_XFER_MAX];
	uint64_t gpa, i;

	for (gpa = 0; gpa < bytes; gpa += V3_MEM_XFER_MAX) {
		struct v3_mem_xfer x;
		uint64_t len = bytes - gpa < V3_MEM_XFER_MAX ? bytes - gpa :
			       V3_MEM_XFER_MAX;

		memset(&x, 0, sizeof(x));
		snprintf(x.name, sizeof(x.name), "%s", name);
		x.gpa = gpa;
		x.uaddr = (uint64_t)(uintptr_t)buf;
		x.len = len;
		if (ioctl(fd, V3_IOC_MEM_READ, &x) < 0) {
			fprintf(stderr, "content_census: %s at %#llx: %s\n", name,
				(unsigned long long)gpa, strerror(errno));
			return -1;
		}
		for (i = 0; i < len; i += PAGE) {
			out->hash = fnv(buf + i, PAGE);
			out->vm = vm;
			out++;
		}
	}
	return 0;
}

struct figures {
	uint64_t pages, distinct, zero, shared, sharing, unique, shared_other;
};

static void print(const char *what, const struct figures *f)
{
	printf("%s pages=%llu distinct=%llu zero=%llu shared=%llu sharing=%llu unique=%llu shared_other=%llu\n",
	       what, (unsigned long long)f->pages,
	       (unsigned long long)f->distinct, (unsigned long long)f->zero,
	       (unsigned long long)f->shared, (unsigned long long)f->sharing,
	       (unsigned long long)f->unique,
	       (unsigned long long)f->shared_other);
}

int main(int argc, char **argv)
{
	static unsigned char zpage[PAGE];
	struct figures vm[MAX_VMS] = { 0 }, node = { 0 };
	unsigned int nvm = (argc - 1) / 2, v;
	uint64_t total = 0, zero_hash = fnv(zpage, PAGE), i, j;
	struct rec *r;
	int fd;

	if (argc < 3 || argc % 2 == 0 || nvm > MAX_VMS) {
		fprintf(stderr, "usage: content_census VM MIB [VM MIB ...] (at most %d VMs)\n",
			MAX_VMS);
		return 2;
	}
	for (v = 0; v < nvm; v++)
		total += strtoull(argv[2 + 2 * v], NULL, 0) << 20;
	r = calloc(total / PAGE, sizeof(*r));
	fd = open("/dev/v3vmm", O_RDWR);
	if (!r || fd < 0) {
		perror("content_census");
		return 1;
	}
	for (v = 0, j = 0; v < nvm; v++) {
		uint64_t bytes = strtoull(argv[2 + 2 * v], NULL, 0) << 20;

		if (read_vm(fd, argv[1 + 2 * v], bytes, v, r + j))
			return 1;
		j += bytes / PAGE;
	}
	qsort(r, total / PAGE, sizeof(*r), cmp);
	/* one run of equal hashes at a time: its copies per VM */
	for (i = 0; i < total / PAGE; i = j) {
		uint64_t per[MAX_VMS] = { 0 }, copies;
		unsigned int vms = 0;

		for (j = i; j < total / PAGE && r[j].hash == r[i].hash; j++)
			per[r[j].vm]++;
		copies = j - i;
		for (v = 0; v < nvm; v++) {
			if (!per[v])
				continue;
			vms++;
			vm[v].pages += per[v];
			vm[v].distinct++;
			vm[v].shared += per[v] > 1;
			vm[v].unique += per[v] == 1;
			if (r[i].hash == zero_hash)
				vm[v].zero += per[v];
		}
		node.pages += copies;
		node.distinct++;
		node.shared += copies > 1;
		node.unique += copies == 1;
		if (r[i].hash == zero_hash)
			node.zero += copies;
		if (vms > 1) {
			node.shared_other += copies;
			for (v = 0; v < nvm; v++)
				vm[v].shared_other += per[v];
		}
	}
	for (v = 0; v < nvm; v++) {
		char what[64];

		vm[v].sharing = vm[v].pages - vm[v].distinct;
		snprintf(what, sizeof(what), "vm %s", argv[1 + 2 * v]);
		print(what, &vm[v]);
	}
	node.sharing = node.pages - node.distinct;
	print("node", &node);
	free(r);
	close(fd);
	return 0;
}
