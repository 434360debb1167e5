/* SPDX-License-Identifier: GPL-2.0 */
/* The page-walk event of the adaptive paging policy (walk_event.c) */
#ifndef V3_ADAPT_WALK_EVENT_H
#define V3_ADAPT_WALK_EVENT_H

#include <linux/types.h>

struct v3_walk_event {
	u64 config;	/* perf raw config: event select | unit mask << 8 */
	bool cycles;	/* counts walk cycles (Intel); else walks (AMD) */
};

/*
 * The event for a CPU (X86_VENDOR_*, family, model) under a backend (svm:
 * AMD SVM, else Intel VMX), or override when not 0 (the walk_event module
 * parameter, for models the table does not know; it is taken as counting
 * cycles on Intel, walks on AMD).  0, or -EOPNOTSUPP: no known event.
 */
int v3_walk_event_pick(int vendor, unsigned int family, unsigned int model,
		       bool svm, u64 override, struct v3_walk_event *ev);

#endif
