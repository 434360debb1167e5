// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl vcpu NAME [--json]: where each vCPU of a VM runs and where its
 * time went (V3_IOC_VCPUS, ABI 1.4).  "v3ctl vcpu move ..." is in
 * cmd_vcpu_move.c; this help covers both.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl vcpu NAME [--json]\n"
"       v3ctl vcpu move NAME VCPU CPU|any\n"
"\n"
"Show where the vCPUs of VM NAME run and where their time went: a header\n"
"line, then one line per vCPU:\n"
"  VCPU   the vCPU number\n"
"  STATE  created (not started yet), running, halted (HLT: waiting for an\n"
"         interrupt), paused or stopped\n"
"  CPU    host CPU of its latest entry ('-': never entered)\n"
"  PIN    host CPU it is bound to ('any': none)\n"
"  NODE   host NUMA node of CPU ('-': none)\n"
"  GUEST-S, HALT-S, EXIT-S\n"
"         seconds in the guest, halted, and handling exits\n"
"  EXITS  exits handled\n"
"  MOVES  moves made by 'v3ctl vcpu move'\n"
"\n"
"  --json   one JSON object instead: {\"name\": NAME, \"vcpus\": [{\"id\": N,\n"
"           \"state\": S, \"cpu\": N, \"pin_cpu\": N, \"node\": N,\n"
"           \"guest_ns\": N, \"halt_ns\": N, \"exit_ns\": N, \"exits\": N,\n"
"           \"moves\": N}, ...]}, times in nanoseconds; cpu, pin_cpu and\n"
"           node are null where the table shows '-' or 'any'\n"
"\n"
"'move' binds vCPU VCPU of VM NAME to host CPU CPU or, with 'any', lets\n"
"it run on any CPU with virtualization on.  A running vCPU is on its new\n"
"CPU when the command returns; it prints nothing.  A CPU that does not\n"
"exist on this host (/sys/devices/system/cpu/cpuN) is a usage error.\n"
"('move' is only recognised right after 'vcpu': a VM named move is\n"
"shown by 'v3ctl vcpu -- move'.)\n"
"\n"
"Both need a module with ABI 1.4 (see 'v3ctl version').\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char *const vcpu_state_names[] = V3_VCPU_STATE_NAMES;

static const char *vcpu_state(uint32_t state)
{
	if (state < ARRAY_SIZE(vcpu_state_names))
		return vcpu_state_names[state];
	return "unknown";
}

/* "12.345": seconds with 3 decimals */
static const char *secs(uint64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%llu.%03llu",
		 (unsigned long long)(ns / 1000000000ULL),
		 (unsigned long long)(ns / 1000000ULL % 1000));
	return buf;
}

static void print_text(const struct v3_vcpu_info *v, uint32_t n)
{
	char c[16], p[16], nd[16], g[32], h[32], e[32];
	uint32_t i;

	printf("%4s %-8s %4s %4s %4s %10s %10s %10s %10s %6s\n", "VCPU",
	       "STATE", "CPU", "PIN", "NODE", "GUEST-S", "HALT-S", "EXIT-S",
	       "EXITS", "MOVES");
	for (i = 0; i < n; i++, v++)
		printf("%4u %-8s %4s %4s %4s %10s %10s %10s %10llu %6llu\n",
		       v->id, vcpu_state(v->state),
		       fmt_opt(v->cpu, "-", c, sizeof(c)),
		       fmt_opt(v->pin_cpu, "any", p, sizeof(p)),
		       fmt_opt(v->node, "-", nd, sizeof(nd)),
		       secs(v->guest_ns, g, sizeof(g)),
		       secs(v->halt_ns, h, sizeof(h)),
		       secs(v->exit_ns, e, sizeof(e)),
		       (unsigned long long)v->exits,
		       (unsigned long long)v->moves);
}

static void print_json(const char *name, const struct v3_vcpu_info *v,
		       uint32_t n)
{
	char c[16], p[16], nd[16];
	uint32_t i;

	/* VM names are [A-Za-z0-9_.-]: nothing to escape */
	printf("{\"name\": \"%s\", \"vcpus\": [", name);
	for (i = 0; i < n; i++, v++)
		printf("%s{\"id\": %u, \"state\": \"%s\", \"cpu\": %s, \"pin_cpu\": %s, \"node\": %s, \"guest_ns\": %llu, \"halt_ns\": %llu, \"exit_ns\": %llu, \"exits\": %llu, \"moves\": %llu}",
		       i ? ", " : "", v->id, vcpu_state(v->state),
		       fmt_opt(v->cpu, "null", c, sizeof(c)),
		       fmt_opt(v->pin_cpu, "null", p, sizeof(p)),
		       fmt_opt(v->node, "null", nd, sizeof(nd)),
		       (unsigned long long)v->guest_ns,
		       (unsigned long long)v->halt_ns,
		       (unsigned long long)v->exit_ns,
		       (unsigned long long)v->exits,
		       (unsigned long long)v->moves);
	printf("]}\n");
}

int cmd_vcpu(int argc, char **argv)
{
	struct v3_vcpu_info info[V3_MAX_VCPUS];
	const char *cmd = argv[0], *name;
	struct v3_vcpus vs;
	bool json = false;
	int c, fd, err;
	uint32_t n;

	if (argc > 1 && !strcmp(argv[1], "move"))
		return vcpu_move(argc - 1, argv + 1, help);
	c = open_vm_query(cmd, argc, argv, help, &json, &name,
			  ABI_MINOR_PLACEMENT, "placement ioctls", &fd);
	if (c >= 0)
		return c;
	memset(&vs, 0, sizeof(vs));
	memset(info, 0, sizeof(info));
	set_name(vs.name, name);
	vs.max = V3_MAX_VCPUS;
	vs.info = (uintptr_t)info;
	err = v3_ioctl(fd, V3_IOC_VCPUS, &vs) < 0 ? errno : 0;
	close(fd);
	if (err) {
		v3_err_ioc(cmd, name, V3_IOC_VCPUS, err, 0);
		return EXIT_FAIL;
	}
	n = vs.count < V3_MAX_VCPUS ? vs.count : V3_MAX_VCPUS;
	if (json)
		print_json(name, info, n);
	else
		print_text(info, n);
	if (vs.count > V3_MAX_VCPUS)
		v3_err(cmd, "%s: only the first %u of its %u vCPUs are shown (v3ctl's limit)",
		       name, V3_MAX_VCPUS, vs.count);
	return EXIT_OK;
}
