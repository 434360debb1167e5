/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory placement policies (mem_follow.c), part of the placement
 * service (place.c), which owns the per-VM state and the sysfs files.
 */
#ifndef V3_ADAPT_MEM_FOLLOW_H
#define V3_ADAPT_MEM_FOLLOW_H

#include <linux/types.h>
#include "mem_policy.h"

struct v3_vm;
struct v3_mem_follow;

int v3_mem_follow_init(void);
void v3_mem_follow_exit(void);
struct v3_mem_follow *v3_mem_follow_alloc(struct v3_vm *vm);
void v3_mem_follow_start(struct v3_vm *vm);
void v3_mem_follow_stop(struct v3_vm *vm);
void v3_mem_follow_free(struct v3_mem_follow *mf);
int v3_mem_follow_set_policy(struct v3_vm *vm, u32 policy);
u32 v3_mem_follow_policy(struct v3_vm *vm);
struct v3_mf_knobs *v3_mem_follow_knobs(struct v3_vm *vm);
ssize_t v3_mem_follow_decisions_show(struct v3_vm *vm, char *buf);
ssize_t v3_mem_follow_stats_show(struct v3_vm *vm, char *buf);

/* place.c: the VM's memory placement state */
struct v3_mem_follow *v3_mem_follow_of(struct v3_vm *vm);

#endif
