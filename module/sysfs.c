// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/v3vmm: module-wide facts (abi, arch, caps) and one directory
 * per VM under vms/ with its state, stop reason and exit statistics;
 * max_guest_mem and guest_mem_used show the guest RAM limit (the module
 * parameter v3vmm.max_guest_mem, which is where it is changed) and what
 * the VMs hold of it, in bytes.
 * vms/NAME/paging/ is the adaptive paging service's (adapt/paging.c):
 * mode (rw: nested, shadow, adaptive), current (nested or shadow now),
 * switches and the MMU's statistics, the adaptive policy's knobs (rw,
 * checked), measure (how nested paging's cost is measured: none,
 * counters, trial), decisions (the latest, one line each) and sampler
 * (periods sampled, nanoseconds spent in them).
 * vms/NAME/placement/ is the placement service's (adapt/place.c): the
 * vCPU policy and its knobs, decisions and sampler, and the interrupt
 * matrix (placement.c); adapt/ holds its defaults for new VMs.
 * Removing a VM's directory waits for readers in progress (kernfs drains
 * active references), so show functions never see a freed VM.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include "v3.h"
#include "adapt/adapt.h"
#include "adapt/paging.h"
#include "adapt/place.h"
#include "adapt/content.h"
#include "gears/gears.h"

static struct kobject *v3_kobj, *v3_vms_kobj, *v3_adapt_kobj;

static const char *const v3_state_names[] = V3_STATE_NAMES;
static const char *const v3_stop_names[] = V3_STOP_NAMES;
static const char *const v3_exit_names[] = V3_EXIT_NAMES;

struct v3_vm_kobj {
	struct kobject kobj;
	struct v3_vm *vm;
};

#define to_vm(k) (container_of(k, struct v3_vm_kobj, kobj)->vm)

/* for the groups other files define (adapt/place.c) */
struct v3_vm *v3_sysfs_vm(struct kobject *k)
{
	return to_vm(k);
}

static ssize_t abi_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u.%u\n", V3_ABI_MAJOR, V3_ABI_MINOR);
}

static ssize_t arch_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", v3_arch->name);
}

static ssize_t caps_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", v3_arch->caps() | v3_adapt_caps());
}

static ssize_t max_guest_mem_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	return sysfs_emit(buf, "%llu\n", v3_guest_mem_limit());
}

static ssize_t guest_mem_used_show(struct kobject *k,
				   struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%llu\n", v3_guest_mem_in_use());
}

/* Names of the world-switch mitigations in use (spec_ctrl.c) */
static ssize_t mitigations_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	char names[128];

	v3_spec_show(names, sizeof(names));
	return sysfs_emit(buf, "%s\n", names);
}

static struct kobj_attribute v3_abi_attr = __ATTR_RO(abi);
static struct kobj_attribute v3_mitigations_attr = __ATTR_RO(mitigations);
static struct kobj_attribute v3_arch_attr = __ATTR_RO(arch);
static struct kobj_attribute v3_caps_attr = __ATTR_RO(caps);
static struct kobj_attribute v3_max_mem_attr = __ATTR_RO(max_guest_mem);
static struct kobj_attribute v3_mem_used_attr = __ATTR_RO(guest_mem_used);

static struct attribute *v3_top_attrs[] = {
	&v3_abi_attr.attr, &v3_arch_attr.attr, &v3_caps_attr.attr,
	&v3_max_mem_attr.attr, &v3_mem_used_attr.attr,
	&v3_mitigations_attr.attr, NULL,
};

static const struct attribute_group v3_top_group = {
	.attrs = v3_top_attrs,
};

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", v3_state_names[READ_ONCE(to_vm(k)->state)]);
}

static ssize_t stop_reason_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	struct v3_vm *vm = to_vm(k);

	return sysfs_emit(buf, "%s\n", v3_stop_names[READ_ONCE(vm->stop_reason)]);
}

static ssize_t exits_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	struct v3_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	int r, len = 0;

	if (!info)
		return -ENOMEM;
	v3_vm_fill_info(to_vm(k), info);
	for (r = 0; r < V3_NR_EXIT_REASONS; r++) {
		if (!info->exits[r])
			continue;
		len += sysfs_emit_at(buf, len, "%s %llu %llu\n",
				     v3_exit_names[r] ?: "?", info->exits[r],
				     info->exit_cycles[r]);
	}
	kfree(info);
	return len;
}

/* one line per unmodelled MSR: "0xc0010000 rd 3 wr 1 gp 0", then "other" */
static ssize_t msrs_unhandled_show(struct kobject *k, struct kobj_attribute *a,
				   char *buf)
{
	struct v3_msr_stats *st = kzalloc(sizeof(*st), GFP_KERNEL);
	unsigned int i;
	int len = 0;

	if (!st)
		return -ENOMEM;
	v3_msr_stats_fill(to_vm(k), st);
	for (i = 0; i < st->count; i++) {
		const struct v3_msr_stat *e = &st->msrs[i];

		len += sysfs_emit_at(buf, len, "0x%08x rd %llu wr %llu gp %llu\n",
				     e->msr, e->reads, e->writes, e->gp);
	}
	if (st->other_reads || st->other_writes)
		len += sysfs_emit_at(buf, len, "other rd %llu wr %llu gp %llu\n",
				     st->other_reads, st->other_writes,
				     st->other_gp);
	kfree(st);
	return len;
}

static struct kobj_attribute v3_state_attr = __ATTR_RO(state);
static struct kobj_attribute v3_msrs_attr = __ATTR_RO(msrs_unhandled);
static struct kobj_attribute v3_stop_attr = __ATTR_RO(stop_reason);
static struct kobj_attribute v3_exits_attr = __ATTR_RO(exits);

static struct attribute *v3_vm_attrs[] = {
	&v3_state_attr.attr, &v3_stop_attr.attr, &v3_exits_attr.attr,
	&v3_msrs_attr.attr, NULL,
};

static const struct attribute_group v3_vm_group = {
	.attrs = v3_vm_attrs,
};

/* ------------------------------------------------ vms/NAME/paging/ */

static const char *const v3_paging_names[] = V3_PAGING_NAMES;
static const char *const v3_measure_names[] = V3_MEASURE_NAMES;
static const char *const v3_knob_names[V3_NR_KNOBS] = {
	[V3_KNOB_PERIOD_MS] = "period_ms",
	[V3_KNOB_THRESHOLD_PCT] = "threshold_pct",
	[V3_KNOB_HYSTERESIS_PCT] = "hysteresis_pct",
	[V3_KNOB_MIN_DWELL_MS] = "min_dwell_ms",
	[V3_KNOB_TRIAL_MS] = "trial_ms",
	[V3_KNOB_TRIAL_INTERVAL_MS] = "trial_interval_ms",
	[V3_KNOB_NESTED_COST_PCT] = "nested_cost_pct",
	[V3_KNOB_TRIAL_BACKOFF] = "trial_backoff",
};

static ssize_t mode_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", v3_paging_names[v3_paging_mode(to_vm(k))]);
}

static ssize_t mode_store(struct kobject *k, struct kobj_attribute *a,
			  const char *buf, size_t len)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(v3_paging_names); i++)
		if (sysfs_streq(buf, v3_paging_names[i]))
			break;
	if (i == ARRAY_SIZE(v3_paging_names))
		return -EINVAL;
	ret = v3_paging_set_mode(to_vm(k), i);
	return ret ?: len;
}

static ssize_t paging_current_show(struct kobject *k, struct kobj_attribute *a,
				   char *buf)
{
	struct v3_paging p = {};

	v3_paging_fill(to_vm(k), &p);
	return sysfs_emit(buf, "%s\n", v3_paging_names[p.active]);
}

static ssize_t measure_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  v3_measure_names[v3_paging_measure(to_vm(k))]);
}

static ssize_t decisions_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	return v3_paging_decisions_show(to_vm(k), buf);
}

/* "SAMPLES NS": the adaptive sampler's periods and the time they took */
static ssize_t sampler_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	u64 samples, ns;

	v3_paging_sampler_stats(to_vm(k), &samples, &ns);
	return sysfs_emit(buf, "%llu %llu\n", samples, ns);
}

static int v3_knob_index(const struct kobj_attribute *a)
{
	unsigned int i;

	for (i = 0; i < V3_NR_KNOBS; i++)
		if (!strcmp(a->attr.name, v3_knob_names[i]))
			return i;
	return -1;
}

static ssize_t knob_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	int i = v3_knob_index(a);

	if (i < 0)
		return -EIO;
	return sysfs_emit(buf, "%u\n", v3_paging_knob_get(to_vm(k), i));
}

static ssize_t knob_store(struct kobject *k, struct kobj_attribute *a,
			  const char *buf, size_t len)
{
	int i = v3_knob_index(a), ret;
	u32 val;

	if (i < 0)
		return -EIO;
	if (kstrtou32(buf, 10, &val))
		return -EINVAL;
	ret = v3_paging_knob_set(to_vm(k), i, val);
	return ret ?: len;
}

/* one read-only file per counter of struct v3_paging */
#define V3_PAGING_STAT(field)						\
static ssize_t field##_show(struct kobject *k, struct kobj_attribute *a, \
			    char *buf)					\
{									\
	struct v3_paging p = {};					\
									\
	v3_paging_fill(to_vm(k), &p);					\
	return sysfs_emit(buf, "%llu\n", p.field);			\
}									\
static struct kobj_attribute v3_pg_##field##_attr = __ATTR_RO(field)

V3_PAGING_STAT(switches);
V3_PAGING_STAT(shadow_faults);
V3_PAGING_STAT(guest_faults);
V3_PAGING_STAT(wp_emulations);
V3_PAGING_STAT(cr3_switches);
V3_PAGING_STAT(invlpgs);
V3_PAGING_STAT(shadow_pages);
V3_PAGING_STAT(switch_ns_last);
V3_PAGING_STAT(switch_ns_max);
V3_PAGING_STAT(fault_cycles);
V3_PAGING_STAT(shadow_prefetches);
V3_PAGING_STAT(wp_noprogress);

#define V3_KNOB_ATTR(name) \
	static struct kobj_attribute v3_knob_##name##_attr = \
		__ATTR(name, 0644, knob_show, knob_store)

V3_KNOB_ATTR(period_ms);
V3_KNOB_ATTR(threshold_pct);
V3_KNOB_ATTR(hysteresis_pct);
V3_KNOB_ATTR(min_dwell_ms);
V3_KNOB_ATTR(trial_ms);
V3_KNOB_ATTR(trial_interval_ms);
V3_KNOB_ATTR(nested_cost_pct);
V3_KNOB_ATTR(trial_backoff);

static struct kobj_attribute v3_pg_mode_attr = __ATTR_RW(mode);
/* by hand: "current" is a macro, __ATTR would stringify its expansion */
static struct kobj_attribute v3_pg_current_attr = {
	.attr = { .name = "current", .mode = 0444 },
	.show = paging_current_show,
};
static struct kobj_attribute v3_pg_measure_attr = __ATTR_RO(measure);
static struct kobj_attribute v3_pg_decisions_attr = __ATTR_RO(decisions);
static struct kobj_attribute v3_pg_sampler_attr = __ATTR_RO(sampler);

static struct attribute *v3_paging_attrs[] = {
	&v3_pg_mode_attr.attr, &v3_pg_current_attr.attr,
	&v3_pg_measure_attr.attr, &v3_pg_decisions_attr.attr,
	&v3_pg_sampler_attr.attr,
	&v3_pg_switches_attr.attr, &v3_pg_shadow_faults_attr.attr,
	&v3_pg_guest_faults_attr.attr, &v3_pg_wp_emulations_attr.attr,
	&v3_pg_cr3_switches_attr.attr, &v3_pg_invlpgs_attr.attr,
	&v3_pg_shadow_pages_attr.attr, &v3_pg_switch_ns_last_attr.attr,
	&v3_pg_switch_ns_max_attr.attr, &v3_pg_fault_cycles_attr.attr,
	&v3_pg_shadow_prefetches_attr.attr, &v3_pg_wp_noprogress_attr.attr,
	&v3_knob_period_ms_attr.attr, &v3_knob_threshold_pct_attr.attr,
	&v3_knob_hysteresis_pct_attr.attr, &v3_knob_min_dwell_ms_attr.attr,
	&v3_knob_trial_ms_attr.attr, &v3_knob_trial_interval_ms_attr.attr,
	&v3_knob_nested_cost_pct_attr.attr, &v3_knob_trial_backoff_attr.attr, NULL,
};

static const struct attribute_group v3_paging_group = {
	.name = "paging",
	.attrs = v3_paging_attrs,
};

static const struct attribute_group *v3_vm_groups[] = {
	&v3_vm_group, &v3_paging_group, &v3_place_group, &v3_content_vm_group,
	&v3_gears_vm_group,
	NULL,
};

static void v3_vm_kobj_release(struct kobject *k)
{
	kfree(container_of(k, struct v3_vm_kobj, kobj));
}

static struct kobj_type v3_vm_ktype = {
	.release = v3_vm_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = v3_vm_groups,
};

int v3_sysfs_add_vm(struct v3_vm *vm)
{
	struct v3_vm_kobj *vk = kzalloc(sizeof(*vk), GFP_KERNEL);
	int ret;

	if (!vk)
		return -ENOMEM;
	vk->vm = vm;
	ret = kobject_init_and_add(&vk->kobj, &v3_vm_ktype, v3_vms_kobj,
				   "%s", vm->name);
	if (ret) {
		kobject_put(&vk->kobj);
		return ret;
	}
	vm->kobj = &vk->kobj;
	return 0;
}

void v3_sysfs_del_vm(struct v3_vm *vm)
{
	if (!vm->kobj)
		return;
	kobject_del(vm->kobj);
	kobject_put(vm->kobj);
	vm->kobj = NULL;
}

int v3_sysfs_init(void)
{
	int ret;

	v3_guest_mem_limit_init();
	v3_kobj = kobject_create_and_add("v3vmm", kernel_kobj);
	if (!v3_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(v3_kobj, &v3_top_group);
	if (ret)
		goto out_put;
	v3_vms_kobj = kobject_create_and_add("vms", v3_kobj);
	if (!v3_vms_kobj) {
		ret = -ENOMEM;
		goto out_group;
	}
	v3_adapt_kobj = kobject_create_and_add("adapt", v3_kobj);
	if (!v3_adapt_kobj) {
		ret = -ENOMEM;
		goto out_vms;
	}
	ret = sysfs_create_group(v3_adapt_kobj, &v3_place_default_group);
	if (ret)
		goto out_adapt;
	ret = sysfs_create_group(v3_kobj, &v3_content_node_group);
	if (ret)
		goto out_place;
	return 0;
out_place:
	sysfs_remove_group(v3_adapt_kobj, &v3_place_default_group);
out_adapt:
	kobject_put(v3_adapt_kobj);
out_vms:
	kobject_put(v3_vms_kobj);
out_group:
	sysfs_remove_group(v3_kobj, &v3_top_group);
out_put:
	kobject_put(v3_kobj);
	return ret;
}

void v3_sysfs_exit(void)
{
	sysfs_remove_group(v3_kobj, &v3_content_node_group);
	sysfs_remove_group(v3_adapt_kobj, &v3_place_default_group);
	kobject_put(v3_adapt_kobj);
	kobject_put(v3_vms_kobj);
	sysfs_remove_group(v3_kobj, &v3_top_group);
	kobject_put(v3_kobj);
}
