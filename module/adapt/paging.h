/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The adaptive paging service (issue #12): per VM, the paging mode asked
 * for (nested, shadow or adaptive), the adaptive policy's sampler and
 * knobs, and its last decisions.  dev.c (V3_IOC_PAGING) and sysfs.c
 * (/sys/kernel/v3vmm/vms/NAME/paging/) are its doors; only this service
 * calls v3_mmu_set_mode().
 */
#ifndef V3_ADAPT_PAGING_H
#define V3_ADAPT_PAGING_H

#include <linux/types.h>
#include "v3vmm.h"

struct v3_vm;

/* the backend runs shadow paging and core's MMU can switch (V3_CAP_PAGING_SWITCH) */
bool v3_paging_switchable(void);

/* V3_PAGING_*: 0, -EINVAL (no such mode), -EOPNOTSUPP (no shadow mode),
 * -ENOENT (VM being destroyed) or the switch's error */
int v3_paging_set_mode(struct v3_vm *vm, u32 mode);
/* the out fields of struct v3_paging */
void v3_paging_fill(struct v3_vm *vm, struct v3_paging *p);
u32 v3_paging_mode(struct v3_vm *vm);		/* V3_PAGING_*, the setting */
u32 v3_paging_measure(struct v3_vm *vm);	/* enum v3_paging_measure */

/* knobs by index, in the order of v3_paging_knob_names */
enum v3_paging_knob {
	V3_KNOB_PERIOD_MS, V3_KNOB_THRESHOLD_PCT, V3_KNOB_HYSTERESIS_PCT,
	V3_KNOB_MIN_DWELL_MS, V3_KNOB_TRIAL_MS, V3_KNOB_TRIAL_INTERVAL_MS,
	V3_KNOB_NESTED_COST_PCT, V3_KNOB_TRIAL_BACKOFF, V3_NR_KNOBS
};
u32 v3_paging_knob_get(struct v3_vm *vm, unsigned int knob);
/* 0 or -EINVAL (out of range: see paging_policy.c) */
int v3_paging_knob_set(struct v3_vm *vm, unsigned int knob, u32 val);
/* periods the sampler ran and the nanoseconds they took (its overhead) */
void v3_paging_sampler_stats(struct v3_vm *vm, u64 *samples, u64 *ns);
/* the decision ring, oldest first, one line each; bytes written */
int v3_paging_decisions_show(struct v3_vm *vm, char *buf);

/* paging= module parameter (main.c) */
extern char *v3_paging_default;

#endif
