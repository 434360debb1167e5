// SPDX-License-Identifier: GPL-2.0
/*
 * v3vmm: a virtual machine monitor for HPC Linux nodes.  Module load picks
 * the backend by CPUID (AMD SVM or Intel VMX), enables it on every CPU
 * (hw.c keeps it so across hotplug, suspend and reboot) and registers
 * /dev/v3vmm; unload destroys every VM first.
 */
#include <linux/module.h>
#include <linux/init.h>
#include "v3.h"
#include "adapt/adapt.h"
#include "adapt/paging.h"

const struct v3_arch_ops *v3_arch;

/*
 * Workarounds for defects of emulated CPUs (QEMU's SVM, Bochs' VMX): each
 * backend detects its emulator ("auto"); a test harness may force them.
 * Never on for real hardware in "auto" (svm/svm_features.c,
 * vmx/vmx_probe.c).
 */
char *v3_emulator_quirks = "auto";
module_param_named(emulator_quirks, v3_emulator_quirks, charp, 0444);
MODULE_PARM_DESC(emulator_quirks,
		 "emulated-CPU workarounds: auto (emulator detected), on, off");

/* paging mode of new VMs (adapt/paging.c; checked at load) */
module_param_named(paging, v3_paging_default, charp, 0444);
MODULE_PARM_DESC(paging,
		 "paging mode of new VMs: nested (default), shadow, adaptive");

static const struct v3_arch_ops *const v3_backends[] = {
	&v3_svm_ops,
	&v3_vmx_ops,
};

static int v3_select_backend(void)
{
	const char *why = NULL, *reason = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v3_backends); i++) {
		if (!v3_backends[i]->probe(&why)) {
			v3_arch = v3_backends[i];
			return 0;
		}
		if (why)
			reason = why;
	}
	v3_err("not loading: %s\n",
	       reason ?: "this CPU has neither AMD SVM nor Intel VMX");
	return -ENODEV;
}

static int __init v3_init(void)
{
	int ret;

	ret = v3_select_backend();
	if (ret)
		return ret;
	v3_fpu_init();
	v3_spec_init(v3_arch->arch == V3_ARCH_VMX);
	ret = v3_hw_init();
	if (ret)
		return ret;
	ret = v3_adapt_init();
	if (ret)
		goto out_hw;
	ret = v3_sysfs_init();
	if (ret)
		goto out_adapt;
	ret = v3_dev_init();
	if (ret)
		goto out_sysfs;
	v3_info("loaded, %s backend, caps 0x%llx\n", v3_arch->name,
		v3_arch->caps() | v3_adapt_caps());
	return 0;

out_sysfs:
	v3_sysfs_exit();
out_adapt:
	v3_adapt_exit();
out_hw:
	v3_hw_exit();
	return ret;
}

static void __exit v3_exit(void)
{
	v3_dev_exit();
	v3_vm_destroy_all();
	v3_sysfs_exit();
	v3_adapt_exit();
	v3_hw_exit();
	v3_info("unloaded\n");
}

module_init(v3_init);
module_exit(v3_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("v3vmm virtual machine monitor (SVM/VMX)");
