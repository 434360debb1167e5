// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl paging NAME [nested|shadow|adaptive] [--json]: a VM's paging mode
 * (V3_IOC_PAGING, ABI 1.3).  Without a mode: the setting, the mode the
 * VM runs in, the switches, the MMU's statistics and the adaptive
 * policy's latest decision.  With one: set it (quiet unless --json).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl paging NAME [nested|shadow|adaptive] [--json]\n"
"\n"
"Show or set how VM NAME's guest memory is translated:\n"
"  nested    the CPU walks the guest's page tables and NPT/EPT (every TLB\n"
"            miss is a two-dimensional walk; page-table updates are free)\n"
"  shadow    the CPU walks tables v3vmm builds from the guest's (TLB misses\n"
"            are native; page-table updates and CR3 switches exit)\n"
"  adaptive  v3vmm measures both and moves the VM to the cheaper one while\n"
"            it runs; its knobs and decisions are in\n"
"            /sys/kernel/v3vmm/vms/NAME/paging/\n"
"A running VM switches at once and invisibly to the guest.  Shadow and\n"
"adaptive need the capability paging-switch (see 'v3ctl version').\n"
"\n"
"Without a mode, prints one \"key: value\" per line: mode (the setting),\n"
"current (nested or shadow now), switches, measure (how adaptive mode\n"
"measures nested paging: counters, trial; none when not adaptive), the\n"
"MMU's counters (shadow_faults, guest_faults, wp_emulations, cr3_switches,\n"
"invlpgs, shadow_pages, switch_ns_last, switch_ns_max, fault_cycles,\n"
"shadow_prefetches, wp_noprogress) and\n"
"last_decision (the adaptive policy's latest: FROM -> TO, reason, each\n"
"mode's cost in parts per million of the vCPU time; none before the first).\n"
"With a mode, sets it and prints nothing (with --json: the new state).\n"
"\n"
"  --json   one JSON object with the same keys (last_decision an object:\n"
"           {\"from\", \"to\", \"reason\", \"time_ns\", \"nested_ppm\",\n"
"           \"shadow_ppm\"} or null)\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char *const mode_names[] = V3_PAGING_NAMES;
static const char *const measure_names[] = V3_MEASURE_NAMES;
static const char *const reason_names[] = V3_ADAPT_REASON_NAMES;

#define NAME_OF(tbl, v) ((v) < ARRAY_SIZE(tbl) ? (tbl)[v] : "?")

struct stat_field {
	const char *key;
	size_t off;
};

static const struct stat_field stats[] = {
#define F(x) { #x, offsetof(struct v3_paging, x) }
	F(switches), F(shadow_faults), F(guest_faults), F(wp_emulations),
	F(cr3_switches), F(invlpgs), F(shadow_pages), F(switch_ns_last),
	F(switch_ns_max), F(fault_cycles), F(shadow_prefetches), F(wp_noprogress),
#undef F
};

static unsigned long long stat_of(const struct v3_paging *p,
				  const struct stat_field *f)
{
	uint64_t v;

	memcpy(&v, (const char *)p + f->off, sizeof(v));
	return v;
}

static void print_text(const struct v3_paging *p)
{
	const struct v3_paging_decision *d = &p->last;
	unsigned int i;

	printf("mode: %s\n", NAME_OF(mode_names, p->mode));
	printf("current: %s\n", NAME_OF(mode_names, p->active));
	printf("measure: %s\n", NAME_OF(measure_names, p->measure));
	for (i = 0; i < ARRAY_SIZE(stats); i++)
		printf("%s: %llu\n", stats[i].key, stat_of(p, &stats[i]));
	if (!d->time_ns) {
		printf("last_decision: none\n");
		return;
	}
	printf("last_decision: %s -> %s, %s, nested %llu ppm, shadow %llu ppm\n",
	       NAME_OF(mode_names, d->from), NAME_OF(mode_names, d->to),
	       NAME_OF(reason_names, d->reason),
	       (unsigned long long)d->cost_ppm[V3_PAGING_NESTED],
	       (unsigned long long)d->cost_ppm[V3_PAGING_SHADOW]);
}

static void print_json(const char *name, const struct v3_paging *p)
{
	const struct v3_paging_decision *d = &p->last;
	unsigned int i;

	/* VM names are [A-Za-z0-9_.-]: nothing to escape */
	printf("{\"name\": \"%s\", \"mode\": \"%s\", \"current\": \"%s\", \"measure\": \"%s\"",
	       name, NAME_OF(mode_names, p->mode),
	       NAME_OF(mode_names, p->active),
	       NAME_OF(measure_names, p->measure));
	for (i = 0; i < ARRAY_SIZE(stats); i++)
		printf(", \"%s\": %llu", stats[i].key, stat_of(p, &stats[i]));
	if (!d->time_ns) {
		printf(", \"last_decision\": null}\n");
		return;
	}
	printf(", \"last_decision\": {\"from\": \"%s\", \"to\": \"%s\", \"reason\": \"%s\", \"time_ns\": %llu, \"nested_ppm\": %llu, \"shadow_ppm\": %llu}}\n",
	       NAME_OF(mode_names, d->from), NAME_OF(mode_names, d->to),
	       NAME_OF(reason_names, d->reason),
	       (unsigned long long)d->time_ns,
	       (unsigned long long)d->cost_ppm[V3_PAGING_NESTED],
	       (unsigned long long)d->cost_ppm[V3_PAGING_SHADOW]);
}

static int parse_mode(const char *s, uint32_t *mode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	return -1;
}

int cmd_paging(int argc, char **argv)
{
	const char *cmd = argv[0], *name;
	struct v3_paging p;
	bool json = false;
	int c, fd, err;

	c = parse_help_json(cmd, argc, argv, help, &json);
	if (c >= 0)
		return c;
	if (optind >= argc)
		return usage_err(cmd, "missing VM name");
	name = argv[optind];
	if (!v3_name_valid(name))
		return usage_err(cmd, "invalid VM name '%s' (1-%d characters from A-Z a-z 0-9 _ . -)",
				 name, V3_NAME_MAX - 1);
	memset(&p, 0, sizeof(p));
	set_name(p.name, name);
	p.op = V3_PAGING_GET;
	if (optind + 1 < argc) {
		if (optind + 2 < argc)
			return usage_err(cmd, "unexpected argument '%s'",
					 argv[optind + 2]);
		if (parse_mode(argv[optind + 1], &p.mode))
			return usage_err(cmd, "unknown paging mode '%s' (nested, shadow or adaptive)",
					 argv[optind + 1]);
		p.op = V3_PAGING_SET;
	}
	fd = v3_open(cmd, true);
	if (fd < 0)
		return EXIT_FAIL;
	err = v3_ioctl(fd, V3_IOC_PAGING, &p) < 0 ? errno : 0;
	close(fd);
	if (err) {
		v3_err_ioc(cmd, name, V3_IOC_PAGING, err, 0);
		return EXIT_FAIL;
	}
	if (json)
		print_json(name, &p);
	else if (p.op == V3_PAGING_GET)
		print_text(&p);
	return EXIT_OK;
}
