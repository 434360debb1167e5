// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/v3vmm: module-wide facts (abi, arch, caps) and one directory
 * per VM under vms/ with its state, stop reason and exit statistics;
 * max_guest_mem and guest_mem_used show the guest RAM limit (the module
 * parameter v3vmm.max_guest_mem, which is where it is changed) and what
 * the VMs hold of it, in bytes.
 * Removing a VM's directory waits for readers in progress (kernfs drains
 * active references), so show functions never see a freed VM.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include "v3.h"

static struct kobject *v3_kobj, *v3_vms_kobj;

static const char *const v3_state_names[] = V3_STATE_NAMES;
static const char *const v3_stop_names[] = V3_STOP_NAMES;
static const char *const v3_exit_names[] = V3_EXIT_NAMES;

struct v3_vm_kobj {
	struct kobject kobj;
	struct v3_vm *vm;
};

#define to_vm(k) (container_of(k, struct v3_vm_kobj, kobj)->vm)

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
	return sysfs_emit(buf, "0x%llx\n", v3_arch->caps());
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
ATTRIBUTE_GROUPS(v3_vm);

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
	return 0;
out_group:
	sysfs_remove_group(v3_kobj, &v3_top_group);
out_put:
	kobject_put(v3_kobj);
	return ret;
}

void v3_sysfs_exit(void)
{
	kobject_put(v3_vms_kobj);
	sysfs_remove_group(v3_kobj, &v3_top_group);
	kobject_put(v3_kobj);
}
