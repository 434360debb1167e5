/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory content tracking (content.c): its ioctls (dev.c) and sysfs
 * groups, /sys/kernel/v3vmm/content/ and vms/NAME/content/ (sysfs.c).
 */
#ifndef V3_ADAPT_CONTENT_H
#define V3_ADAPT_CONTENT_H

#include <linux/sysfs.h>
#include <linux/compiler.h>

int v3_content_ioc_stats(void __user *arg);
int v3_content_ioc_table(void __user *arg);

extern const struct attribute_group v3_content_vm_group;
extern const struct attribute_group v3_content_node_group;

#endif
