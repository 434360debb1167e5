// SPDX-License-Identifier: GPL-2.0
/*
 * The hash partition and the owners' map.
 *
 * Owner of a content: the high 32 bits of splitmix64's finalizer of its
 * hash, scaled to the ranks (((mix >> 32) * nranks) >> 32).  xxHash64
 * values are already uniform, but the mix keeps the partition even for
 * hashes that are not (synthetic tables, another hash kind later) and the
 * scaling needs no division.  The map's slot is taken from the mix's low
 * bits, so it does not repeat the partition's choice.
 *
 * The map: open addressing with linear probing, 16-byte slots keyed by
 * (hash, node), value 0 meaning empty; deletion shifts the following
 * slots back (no tombstones); it doubles past 70% load.
 */
#include <stdlib.h>
#include <string.h>

#include "v3share.h"

#define MAP_MIN		1024
#define NODE_MUL	0x9e3779b97f4a7c15ULL

uint64_t v3s_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

int v3s_owner(uint64_t hash, int nranks)
{
	return ((v3s_mix(hash) >> 32) * (uint64_t)nranks) >> 32;
}

static uint64_t home(const struct v3s_map *m, uint64_t hash, uint32_t node)
{
	return v3s_mix(hash ^ (node * NODE_MUL)) & m->mask;
}

static int map_alloc(struct v3s_map *m, uint64_t slots)
{
	m->s = calloc(slots, sizeof(*m->s));
	if (!m->s)
		return -1;
	m->mask = slots - 1;
	m->used = 0;
	return 0;
}

int v3s_map_init(struct v3s_map *m, uint64_t hint)
{
	uint64_t slots = MAP_MIN;

	while (slots / 10 * 7 < hint)
		slots *= 2;
	return map_alloc(m, slots);
}

void v3s_map_free(struct v3s_map *m)
{
	free(m->s);
	memset(m, 0, sizeof(*m));
}

/* the slot of (hash, node), or the empty slot where it would go */
static uint64_t probe(const struct v3s_map *m, uint64_t hash, uint32_t node)
{
	uint64_t i = home(m, hash, node);

	while (m->s[i].val &&
	       (m->s[i].hash != hash || m->s[i].node != node))
		i = (i + 1) & m->mask;
	return i;
}

const struct v3s_slot *v3s_map_find(const struct v3s_map *m, uint64_t hash,
				    uint32_t node)
{
	uint64_t i = probe(m, hash, node);

	return m->s[i].val ? &m->s[i] : NULL;
}

static int grow(struct v3s_map *m)
{
	struct v3s_map n;
	uint64_t i, j;

	if (map_alloc(&n, (m->mask + 1) * 2))
		return -1;
	for (i = 0; i <= m->mask; i++) {
		if (!m->s[i].val)
			continue;
		j = probe(&n, m->s[i].hash, m->s[i].node);
		n.s[j] = m->s[i];
		n.used++;
	}
	free(m->s);
	*m = n;
	return 0;
}

/* empty slot i, moving back the slots of its run that may fill it */
static void delete(struct v3s_map *m, uint64_t i)
{
	uint64_t j = i, k;

	for (;;) {
		j = (j + 1) & m->mask;
		if (!m->s[j].val)
			break;
		k = home(m, m->s[j].hash, m->s[j].node);
		/* j may move to i unless its home lies in (i, j] */
		if (i <= j ? (k > i && k <= j) : (k > i || k <= j))
			continue;
		m->s[i] = m->s[j];
		i = j;
	}
	m->s[i].val = 0;
	m->used--;
}

/*
 * Add delta to the value of (hash, node), inserting or deleting it.
 * -1 when the value would leave [0, UINT32_MAX] or memory runs out.
 */
int v3s_map_add(struct v3s_map *m, uint64_t hash, uint32_t node,
		int64_t delta, uint32_t *old, uint32_t *new)
{
	uint64_t i = probe(m, hash, node);
	int64_t v = (int64_t)m->s[i].val + delta;

	if (v < 0 || v > UINT32_MAX)
		return -1;
	*old = m->s[i].val;
	*new = v;
	if (*old && !v) {
		delete(m, i);
	} else if (!*old && v) {
		if ((m->used + 1) * 10 > (m->mask + 1) * 7) {
			if (grow(m))
				return -1;
			i = probe(m, hash, node);
		}
		m->s[i].hash = hash;
		m->s[i].node = node;
		m->s[i].val = v;
		m->used++;
	} else {
		m->s[i].val = v;
	}
	return 0;
}
