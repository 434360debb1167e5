// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl content [VM] [--json]: memory content tracking's counts for the
 * node or one VM (V3_IOC_CONTENT_STATS, ABI 1.5); "content enable|disable
 * VM" switches a VM's tracking (sysfs vms/VM/content/enabled); "content
 * dump VM|--all -o FILE" writes the table of hashes in the dump format of
 * include/v3vmm.h (V3_IOC_CONTENT_TABLE), which v3share reads.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl content [VM] [--json]\n"
"       v3ctl content enable|disable VM\n"
"       v3ctl content dump VM|--all -o FILE\n"
"\n"
"Memory content tracking: a scanner in the module hashes the 4 KiB pages\n"
"of the VMs it is enabled for and counts the copies of each content, in\n"
"each VM and on the node.  Only hashes and counts leave the module.\n"
"\n"
"Without VM: the node's counts over every VM tracked; with VM: that VM's.\n"
"One 'key: value' a line (--json: one object with the same keys):\n"
"  enabled             VMs tracked (a VM: 1 or 0)\n"
"  pages               their pages (4 KiB)\n"
"  pages_scanned       pages hashed so far\n"
"  full_scans          passes over all of them\n"
"  pages_hashed        pages counted (seen, not volatile)\n"
"  pages_distinct      distinct contents among them\n"
"  pages_zero          pages of zeros\n"
"  pages_shared        contents with more than one copy\n"
"  pages_sharing       copies of those beyond the first\n"
"  pages_unique        pages whose content has one copy\n"
"  pages_shared_other  pages whose content another VM holds too\n"
"  pages_volatile      pages that changed at their last scan\n"
"  pages_changed       scans that found a page changed, in all\n"
"  pages_changed_last  of them, in the last full pass\n"
"  scan_ns             CPU time the scanner spent\n"
"\n"
"'enable' and 'disable' switch a VM's tracking (disable forgets its\n"
"counts).  The scanner runs while /sys/kernel/v3vmm/content/run is 1; it\n"
"hashes pages_to_scan pages every sleep_millisecs (same directory).\n"
"\n"
"'dump' writes the table of VM, or of the node (--all), sorted by hash, to\n"
"FILE ('-': standard output): a 144-byte header (magic V3CONTNT, version\n"
"1, time, page size, hash kind 1 = xxh64, entry count, node name, VM name)\n"
"and 16-byte entries (hash, copies, VMs holding it, flags: 1 = zeros).\n"
"v3share reads these files (see v3share(1)).\n"
"\n"
"Needs a module with ABI 1.5 (see 'v3ctl version').\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const struct {
	const char *key;
	size_t off;
} counts[] = {
#define C(f) { #f, offsetof(struct v3_content_stats, f) }
	C(pages), C(pages_scanned), C(full_scans), C(pages_hashed),
	C(pages_distinct), C(pages_zero), C(pages_shared), C(pages_sharing),
	C(pages_unique), C(pages_shared_other), C(pages_volatile),
	C(pages_changed), C(pages_changed_last), C(scan_ns),
#undef C
};

static unsigned long long count_at(const struct v3_content_stats *st,
				   unsigned int i)
{
	return *(const __u64 *)((const char *)st + counts[i].off);
}

static void print_stats(const struct v3_content_stats *st, bool json)
{
	unsigned int i;

	if (json) {
		printf("{\"name\": \"%s\", \"enabled\": %u", st->name,
		       st->enabled);
		for (i = 0; i < ARRAY_SIZE(counts); i++)
			printf(", \"%s\": %llu", counts[i].key, count_at(st, i));
		printf("}\n");
		return;
	}
	printf("%s: %s\n", st->name[0] ? "vm" : "node",
	       st->name[0] ? st->name : "all VMs");
	printf("enabled: %u\n", st->enabled);
	for (i = 0; i < ARRAY_SIZE(counts); i++)
		printf("%s: %llu\n", counts[i].key, count_at(st, i));
}

static int content_open(const char *cmd)
{
	return v3_open_abi(cmd, ABI_MINOR_CONTENT, "content tracking");
}

static int content_stats(const char *cmd, const char *name, bool json)
{
	struct v3_content_stats st;
	int fd = content_open(cmd), err;

	if (fd < 0)
		return EXIT_FAIL;
	memset(&st, 0, sizeof(st));
	if (name)
		set_name(st.name, name);
	err = v3_ioctl(fd, V3_IOC_CONTENT_STATS, &st) < 0 ? errno : 0;
	close(fd);
	if (err) {
		v3_err_ioc(cmd, name ? name : "", V3_IOC_CONTENT_STATS, err, 0);
		return EXIT_FAIL;
	}
	print_stats(&st, json);
	return EXIT_OK;
}

/* enable|disable VM: the VM's sysfs switch */
static int content_switch(const char *cmd, int argc, char **argv, bool on)
{
	char path[512];
	const char *name;
	FILE *f;
	int err = parse_help_only(cmd, argc, argv, help);

	if (err >= 0)
		return err;
	err = need_one_name(cmd, argc, argv, &name);
	if (err)
		return err;
	sysfs_path(path, sizeof(path), "/sys/kernel/v3vmm/vms/%s/content/enabled",
		   name);
	f = fopen(path, "w");
	if (!f) {
		if (errno == ENOENT)
			v3_err(cmd, "no VM '%s' (or the module has no content tracking: ABI 1.5)",
			       name);
		else
			v3_err_errno(cmd, path, errno);
		return EXIT_FAIL;
	}
	err = fputs(on ? "1\n" : "0\n", f) < 0 ? errno : 0;
	if (fclose(f) && !err)
		err = errno;
	if (err) {
		v3_err_errno(cmd, path, err);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* the table, into a buffer grown until it holds it: *n entries */
static int get_table(int fd, const char *name, struct v3_content_table *tb,
		     struct v3_content_entry **out)
{
	struct v3_content_entry *buf = NULL;
	__u64 max = 4096;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		struct v3_content_entry *nb = realloc(buf, max * sizeof(*buf));

		if (!nb) {
			free(buf);
			return ENOMEM;
		}
		buf = nb;
		memset(tb, 0, sizeof(*tb));
		if (name)
			set_name(tb->name, name);
		tb->entries = (__u64)(uintptr_t)buf;
		tb->max = max;
		if (v3_ioctl(fd, V3_IOC_CONTENT_TABLE, tb) == 0) {
			*out = buf;
			return 0;
		}
		if (errno != ENOSPC) {
			int err = errno;

			free(buf);
			return err;
		}
		/* it grew meanwhile: some room to spare */
		max = tb->count + tb->count / 8 + 64;
	}
	free(buf);
	return EAGAIN;
}

static int write_dump(FILE *f, const char *name,
		      const struct v3_content_table *tb,
		      const struct v3_content_entry *e)
{
	struct v3_content_dump_hdr h;
	struct utsname u;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, V3_CONTENT_DUMP_MAGIC, sizeof(h.magic));
	h.version = V3_CONTENT_DUMP_VERSION;
	h.hdr_size = sizeof(h);
	h.time_ns = tb->time_ns;
	h.page_size = 4096;
	h.hash_kind = V3_CONTENT_HASH_XXH64;
	h.count = tb->count;
	h.scope = name ? V3_CONTENT_SCOPE_VM : V3_CONTENT_SCOPE_NODE;
	h.entry_size = sizeof(*e);
	if (!uname(&u))
		memcpy(h.node, u.nodename,
		       strnlen(u.nodename, sizeof(h.node) - 1));
	if (name)
		set_name(h.vm, name);
	if (fwrite(&h, sizeof(h), 1, f) != 1 ||
	    (tb->count && fwrite(e, sizeof(*e), tb->count, f) != tb->count))
		return errno ? errno : EIO;
	return 0;
}

static int content_dump(const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "all", no_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct v3_content_entry *e = NULL;
	struct v3_content_table tb;
	const char *name = NULL, *file = NULL;
	bool all = false, out_std;
	FILE *f;
	int c, fd, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return EXIT_OK;
		case 'a':
			all = true;
			break;
		case 'o':
			file = optarg;
			break;
		default:
			return opt_error(cmd, c, argv);
		}
	}
	if (optind < argc)
		name = argv[optind++];
	if (optind < argc)
		return usage_err(cmd, "unexpected argument '%s'", argv[optind]);
	if (all == !!name)
		return usage_err(cmd, "give a VM or --all");
	if (name && !v3_name_valid(name))
		return usage_err(cmd, "invalid VM name '%s'", name);
	if (!file)
		return usage_err(cmd, "-o FILE is required ('-' for standard output)");
	fd = content_open(cmd);
	if (fd < 0)
		return EXIT_FAIL;
	err = get_table(fd, name, &tb, &e);
	close(fd);
	if (err) {
		v3_err_ioc(cmd, name ? name : "", V3_IOC_CONTENT_TABLE, err, 0);
		return EXIT_FAIL;
	}
	out_std = !strcmp(file, "-");
	f = out_std ? stdout : fopen(file, "wb");
	if (!f) {
		v3_err_errno(cmd, file, errno);
		free(e);
		return EXIT_FAIL;
	}
	errno = 0;
	err = write_dump(f, name, &tb, e);
	if ((out_std ? fflush(f) : fclose(f)) && !err)
		err = errno ? errno : EIO;
	free(e);
	if (err) {
		v3_err_errno(cmd, file, err);
		return EXIT_FAIL;
	}
	if (!out_std)
		fprintf(stderr, "%s: %llu contents of %s written to %s\n", cmd,
			(unsigned long long)tb.count, name ? name : "the node",
			file);
	return EXIT_OK;
}

int cmd_content(int argc, char **argv)
{
	const char *cmd = argv[0];
	bool json = false;
	int c;

	if (argc > 1 && !strcmp(argv[1], "dump"))
		return content_dump("content dump", argc - 1, argv + 1);
	if (argc > 1 && (!strcmp(argv[1], "enable") ||
			 !strcmp(argv[1], "disable")))
		return content_switch(argv[1][0] == 'e' ? "content enable" :
				      "content disable", argc - 1, argv + 1,
				      argv[1][0] == 'e');
	c = parse_help_json(cmd, argc, argv, help, &json);
	if (c >= 0)
		return c;
	if (argc - optind > 1)
		return usage_err(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc && !v3_name_valid(argv[optind]))
		return usage_err(cmd, "invalid VM name '%s'", argv[optind]);
	return content_stats(cmd, optind < argc ? argv[optind] : NULL, json);
}
