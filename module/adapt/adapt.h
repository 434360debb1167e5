/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Adaptation services (module/adapt/): parts of v3vmm that watch a VM
 * run and change how it is virtualized while it runs.  Each is a row of
 * the table in adapt.c: its module-wide init/exit, called once in table
 * order at load (teardown in reverse), and per-VM attach/detach/free,
 * called by vm.c when a VM is created, torn down and released.
 */
#ifndef V3_ADAPT_H
#define V3_ADAPT_H

#include <linux/types.h>

struct v3_vm;

#define V3_ADAPT_SLOTS	4	/* struct v3_vm.adapt[]: one per service */

struct v3_adapt_service {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
	/* VM created (not yet visible): its state in vm->adapt[slot] */
	int (*vm_attach)(struct v3_vm *vm, unsigned int slot);
	/* VM being destroyed, before its vCPU threads stop: stop watching */
	void (*vm_detach)(struct v3_vm *vm, unsigned int slot);
	/* last reference to the VM gone */
	void (*vm_free)(struct v3_vm *vm, unsigned int slot);
	/* capability bits (V3_CAP_*) the service adds */
	u64 (*caps)(void);
};

int v3_adapt_init(void);
void v3_adapt_exit(void);
int v3_adapt_vm_attach(struct v3_vm *vm);
void v3_adapt_vm_detach(struct v3_vm *vm);
void v3_adapt_vm_free(struct v3_vm *vm);
u64 v3_adapt_caps(void);

extern const struct v3_adapt_service v3_paging_service;
extern const struct v3_adapt_service v3_place_service;
extern const struct v3_adapt_service v3_content_service;
/* not an adaptation: GEARS (module/gears/gears.c) uses the same hooks */
extern const struct v3_adapt_service v3_gears_service;

#endif
