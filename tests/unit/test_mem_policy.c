// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the memory follow decision and the move rate limit
 * (module/adapt/mem_policy.c): synthetic sample streams for one region
 * (the nodes of the vCPUs whose accesses ended its hints) against the
 * knobs' window, share and dwell, and the token bucket against mbps.
 */
#include <stdio.h>
#include <string.h>
#include "adapt/mem_policy.h"
#include "unit.h"

#define SEC	1000000000ULL
#define MIB	(1ULL << 20)
#define REGION	(2 * MIB)

static struct v3_mf_knobs k = { .window = 8, .share_pct = 90,
				.dwell_ms = 10000 };
static struct v3_mf_samples s;

static void add(int node, unsigned int times)
{
	while (times--)
		v3_mf_samples_add(&s, node);
}

static int target(int from, u64 now, unsigned int *votes, unsigned int *w)
{
	return v3_mf_follow_target(&s, &k, from, now, votes, w);
}

static void test_follow(void)
{
	unsigned int votes, w;
	u64 now = 100 * SEC;

	memset(&s, 0, sizeof(s));
	CHECK_EQ(target(0, now, &votes, &w), -1, "no samples: stays");
	add(1, 7);
	CHECK(target(0, now, &votes, &w) == -1 && votes == 0 && w == 8,
	      "7 of a window of 8 samples: stays (one sample never moves it)");
	add(1, 1);
	CHECK(target(0, now, &votes, &w) == 1 && votes == 8 && w == 8,
	      "8 of 8 from node 1: moves to node 1, votes 8/8");
	CHECK_EQ(target(1, now, &votes, &w), -1, "already on node 1: stays");

	/* a region both nodes touch splits its votes */
	add(0, 4);
	add(1, 4);
	CHECK(target(0, now, &votes, &w) == -1 && votes == 4,
	      "4 and 4 (shared): stays, votes 4/8");
	k.share_pct = 50;
	CHECK_EQ(target(2, now, &votes, &w), 1,
		 "share 50%%, a 4/4 tie: the newest samples' node wins");
	k.share_pct = 90;

	/* the share threshold: 7/8 = 87.5% */
	add(1, 8);
	add(0, 1);
	CHECK_EQ(target(0, now, &votes, &w), -1, "7 of 8 under share 90%%: stays");
	k.share_pct = 85;
	CHECK(target(0, now, &votes, &w) == 1 && votes == 7,
	      "7 of 8 under share 85%%: moves, votes 7/8");
	k.share_pct = 90;

	/* only the last window samples count */
	add(2, 8);
	CHECK_EQ(target(0, now, &votes, &w), 2,
		 "8 old node-1 samples, then 8 node-2 ones: follows to node 2");

	/* dwell: a region that moved stays for dwell_ms, its samples reset */
	v3_mf_samples_moved(&s, now);
	CHECK_EQ(s.n, 0, "a move drops the old placement's samples");
	add(0, 8);
	CHECK_EQ(target(2, now + 5 * SEC, &votes, &w), -1,
		 "5 s after a move, 8/8 elsewhere: stays (dwell 10 s)");
	CHECK_EQ(target(2, now + 10 * SEC, &votes, &w), 0,
		 "10 s after a move: moves");

	/* the window knob is clamped to 1..32 */
	memset(&s, 0, sizeof(s));
	k.window = 0;
	add(3, 1);
	CHECK(target(0, now, &votes, &w) == 3 && w == 1,
	      "window 0 acts as 1: one sample decides");
	k.window = 1000;
	add(3, 30);
	CHECK(target(0, now, &votes, &w) == -1 && w == 32,
	      "window 1000 acts as 32: 31 samples are too few");
	add(3, 40);
	CHECK(s.n == 32 && target(0, now, &votes, &w) == 3 && votes == 32,
	      "the ring holds the last 32 samples");
	k.window = 8;
}

static void test_refill(void)
{
	CHECK_EQ(v3_mf_refill(0, SEC, 64, REGION), 64 * MIB,
		 "1 s at 64 MiB/s: 64 MiB");
	CHECK_EQ(v3_mf_refill(0, SEC / 2, 64, REGION), 32 * MIB,
		 "0.5 s at 64 MiB/s: 32 MiB");
	CHECK_EQ(v3_mf_refill(10 * MIB, 10 * SEC, 64, REGION), 64 * MIB,
		 "the bucket holds one second's bytes");
	CHECK_EQ(v3_mf_refill(0, SEC, 1, REGION), 1 * MIB,
		 "1 s at 1 MiB/s: 1 MiB, no region yet");
	CHECK_EQ(v3_mf_refill(MIB, 5 * SEC, 1, REGION), REGION,
		 "at 1 MiB/s the bucket still reaches one region");
	CHECK_EQ(v3_mf_refill(0, SEC, 0, REGION), 0, "0 MiB/s: nothing");
	CHECK_EQ(v3_mf_refill(0, 1000000 * SEC, 4096, REGION), 4096 * MIB,
		 "a long idle time does not overflow (4 GiB/s capped at 1 s)");
}

int main(void)
{
	test_follow();
	test_refill();
	return unit_done();
}
