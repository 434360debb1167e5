// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's own NUMA topology (--guest-numa N): which guest-physical
 * RAM belongs to which guest node.  acpi.c turns it into SRAT and SLIT;
 * the vCPUs' nodes are acpi_vcpu_node()'s.
 *
 * Guest RAM, counted from guest-physical 0 and across the MMIO hole (RAM
 * byte x is at x below 3 GiB, at 4 GiB + x - 3 GiB above), is cut into N
 * contiguous pieces: piece k is [k * step, (k + 1) * step) with step =
 * RAM / N rounded down to 2 MiB, and the last piece runs to the end of
 * RAM.  The SRAT memory ranges are the RAM entries of the guest's memory
 * map cut at those boundaries, so they cover exactly what the map calls
 * RAM: the reserved bytes below 1 MiB and the MMIO hole are in no node.
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"

#define GUEST_NUMA_ALIGN	(2 * MiB)

int guest_numa_check(unsigned int nodes, unsigned int vcpus, uint64_t mem,
		     char *why, size_t len)
{
	if (!nodes || nodes > GUEST_NUMA_MAX_NODES) {
		snprintf(why, len, "--guest-numa must be 1 to %d, not %u",
			 GUEST_NUMA_MAX_NODES, nodes);
		return -1;
	}
	if (nodes > vcpus) {
		snprintf(why, len, "--guest-numa %u needs at least %u vCPUs, one per node (--vcpus is %u)",
			 nodes, nodes, vcpus);
		return -1;
	}
	if (mem < nodes * GUEST_NUMA_MIN_NODE_MEM) {
		snprintf(why, len, "--guest-numa %u needs at least %llu MiB of guest RAM, %llu MiB per node (--mem is %llu%s)",
			 nodes,
			 (unsigned long long)(nodes * GUEST_NUMA_MIN_NODE_MEM / MiB),
			 (unsigned long long)(GUEST_NUMA_MIN_NODE_MEM / MiB),
			 (unsigned long long)(mem % MiB ? mem / KiB : mem / MiB),
			 mem % MiB ? "K" : "M");
		return -1;
	}
	return 0;
}

/* Guest-physical address of RAM byte @off (see above). */
static uint64_t ram_byte_gpa(uint64_t off)
{
	return off < V3_LOW_RAM_LIMIT ? off :
					V3_HIGH_RAM_BASE + off - V3_LOW_RAM_LIMIT;
}

static int add_range(struct acpi_numa *numa, uint64_t start, uint64_t end,
		     unsigned int node)
{
	struct acpi_mem_range *r;

	if (start >= end)
		return 0;
	if (numa->nranges >= ACPI_NUMA_MAX_RANGES)
		return -1;
	r = &numa->range[numa->nranges++];
	r->base = start;
	r->size = end - start;
	r->node = node;
	return 0;
}

int guest_numa_split(const struct e820_entry *map, unsigned int n,
		     uint64_t ram, unsigned int nodes, struct acpi_numa *numa)
{
	uint64_t step = ram / nodes & ~(GUEST_NUMA_ALIGN - 1);
	uint64_t start, end, lo, hi;
	unsigned int i, k;

	memset(numa, 0, sizeof(*numa));
	numa->nodes = nodes;
	if (!step)
		return -1;
	for (i = 0; i < n; i++) {
		if (map[i].type != E820_RAM)
			continue;
		start = map[i].addr;
		end = map[i].addr + map[i].size;
		for (k = 0; k < nodes; k++) {
			lo = ram_byte_gpa(k * step);
			hi = k + 1 < nodes ? ram_byte_gpa((k + 1) * step) :
					     UINT64_MAX;
			if (add_range(numa, start > lo ? start : lo,
				      end < hi ? end : hi, k))
				return -1;
		}
	}
	return numa->nranges ? 0 : -1;
}
