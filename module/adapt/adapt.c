// SPDX-License-Identifier: GPL-2.0
/*
 * The table of adaptation services (see adapt.h) and the calls that walk
 * it: init in order, exit in reverse; per VM attach in order, detach and
 * free in reverse.  A service's slot in struct v3_vm.adapt[] is its row.
 */
#include <linux/kernel.h>
#include <linux/build_bug.h>
#include "v3.h"
#include "adapt.h"

static const struct v3_adapt_service *const v3_adapt_services[] = {
	&v3_paging_service,
	&v3_place_service,
	&v3_content_service,
	&v3_gears_service,	/* module/gears/: a row here for its per-VM state */
};

static_assert(ARRAY_SIZE(v3_adapt_services) <= V3_ADAPT_SLOTS);
static_assert(V3_ADAPT_SLOTS == ARRAY_SIZE(((struct v3_vm *)0)->adapt));

int v3_adapt_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(v3_adapt_services); i++) {
		ret = v3_adapt_services[i]->init();
		if (ret)
			goto unwind;
	}
	return 0;
unwind:
	while (i--)
		v3_adapt_services[i]->exit();
	return ret;
}

void v3_adapt_exit(void)
{
	unsigned int i = ARRAY_SIZE(v3_adapt_services);

	while (i--)
		v3_adapt_services[i]->exit();
}

int v3_adapt_vm_attach(struct v3_vm *vm)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(v3_adapt_services); i++) {
		ret = v3_adapt_services[i]->vm_attach(vm, i);
		if (ret)
			goto unwind;
	}
	return 0;
unwind:
	while (i--) {
		v3_adapt_services[i]->vm_detach(vm, i);
		v3_adapt_services[i]->vm_free(vm, i);
	}
	return ret;
}

void v3_adapt_vm_detach(struct v3_vm *vm)
{
	unsigned int i = ARRAY_SIZE(v3_adapt_services);

	while (i--)
		if (vm->adapt[i])
			v3_adapt_services[i]->vm_detach(vm, i);
}

void v3_adapt_vm_free(struct v3_vm *vm)
{
	unsigned int i = ARRAY_SIZE(v3_adapt_services);

	while (i--)
		if (vm->adapt[i])
			v3_adapt_services[i]->vm_free(vm, i);
}

u64 v3_adapt_caps(void)
{
	unsigned int i;
	u64 caps = 0;

	for (i = 0; i < ARRAY_SIZE(v3_adapt_services); i++)
		if (v3_adapt_services[i]->caps)
			caps |= v3_adapt_services[i]->caps();
	return caps;
}
