/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU placement service (place.c): its sysfs groups,
 * /sys/kernel/v3vmm/vms/NAME/placement/ and the defaults for new VMs in
 * /sys/kernel/v3vmm/adapt/.
 */
#ifndef V3_ADAPT_PLACE_H
#define V3_ADAPT_PLACE_H

#include <linux/sysfs.h>

extern const struct attribute_group v3_place_group;
extern const struct attribute_group v3_place_default_group;

#endif
