// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl msrs NAME [--json]: the MSRs a VM's guest touched that v3vmm does
 * not model (V3_IOC_MSR_STATS), with how often each was read and written
 * and how many of those accesses were answered with #GP.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl msrs NAME [--json]\n"
"\n"
"Show the model-specific registers the guest of VM NAME accessed that\n"
"v3vmm does not model: each was either refused with #GP(0), as a CPU\n"
"refuses an MSR it lacks, or accepted and ignored (reads 0, writes\n"
"dropped; the performance counters of the empty PMU among them).\n"
"One line per MSR, in the order the guest first touched them:\n"
"  msr 0xNNNNNNNN rd READS wr WRITES gp GP\n"
"GP counts the accesses answered with #GP; the others were ignored.\n"
"The module keeps the first 64 MSR numbers; accesses to any others are\n"
"summed in a last line (only printed when non-zero):\n"
"  other rd READS wr WRITES gp GP\n"
"\n"
"  --json   one JSON object: {\"name\": ..., \"msrs\": [{\"msr\": N,\n"
"           \"reads\": N, \"writes\": N, \"gp\": N}, ...], \"other\":\n"
"           {\"reads\": N, \"writes\": N, \"gp\": N}}\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static void print_json(const char *name, const struct v3_msr_stats *st)
{
	uint32_t i;

	/* VM names are [A-Za-z0-9_.-]: nothing to escape */
	printf("{\"name\": \"%s\", \"msrs\": [", name);
	for (i = 0; i < st->count && i < V3_MSR_STATS_MAX; i++) {
		const struct v3_msr_stat *e = &st->msrs[i];

		printf("%s{\"msr\": %u, \"reads\": %llu, \"writes\": %llu, \"gp\": %llu}",
		       i ? ", " : "", e->msr, (unsigned long long)e->reads,
		       (unsigned long long)e->writes,
		       (unsigned long long)e->gp);
	}
	printf("], \"other\": {\"reads\": %llu, \"writes\": %llu, \"gp\": %llu}}\n",
	       (unsigned long long)st->other_reads,
	       (unsigned long long)st->other_writes,
	       (unsigned long long)st->other_gp);
}

static void print_text(const struct v3_msr_stats *st)
{
	uint32_t i;

	for (i = 0; i < st->count && i < V3_MSR_STATS_MAX; i++) {
		const struct v3_msr_stat *e = &st->msrs[i];

		printf("msr 0x%08x rd %llu wr %llu gp %llu\n", e->msr,
		       (unsigned long long)e->reads,
		       (unsigned long long)e->writes,
		       (unsigned long long)e->gp);
	}
	if (st->other_reads || st->other_writes)
		printf("other rd %llu wr %llu gp %llu\n",
		       (unsigned long long)st->other_reads,
		       (unsigned long long)st->other_writes,
		       (unsigned long long)st->other_gp);
}

int cmd_msrs(int argc, char **argv)
{
	const char *cmd = argv[0], *name;
	struct v3_msr_stats st;
	bool json = false;
	int c, fd, err;

	c = parse_help_json(cmd, argc, argv, help, &json);
	if (c >= 0)
		return c;
	err = open_one_vm(cmd, argc, argv, &name, &fd);
	if (err)
		return err;
	memset(&st, 0, sizeof(st));
	set_name(st.name, name);
	err = v3_ioctl(fd, V3_IOC_MSR_STATS, &st) < 0 ? errno : 0;
	close(fd);
	if (err == ENOTTY) {
		v3_err(cmd, "the loaded module does not report MSR statistics (it predates ABI 1.2)");
		return EXIT_FAIL;
	}
	if (err) {
		v3_err_vm(cmd, name, err);
		return EXIT_FAIL;
	}
	if (json)
		print_json(name, &st);
	else
		print_text(&st);
	return EXIT_OK;
}
