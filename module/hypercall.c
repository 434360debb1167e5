// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls (VMMCALL on SVM, VMCALL on VMX): number in RAX, arguments in
 * RBX, RCX, RDX, result in RAX.  The ABI is in include/v3vmm.h.  Only CPL 0
 * may call; elsewhere the result is -EPERM.
 */
#include <linux/slab.h>
#include "v3.h"

#define V3_HC_PUTS_MAX	4096

static long v3_hc_puts(struct v3_vcpu *vcpu, u64 gpa, u64 len)
{
	char *buf;
	long ret;

	if (len > V3_HC_PUTS_MAX)
		return -EINVAL;
	buf = kmalloc(len + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = v3_read_gpa(vcpu->vm, gpa, buf, len);
	if (!ret) {
		v3_console_put(vcpu->vm, buf, len);
		ret = len;
	}
	kfree(buf);
	return ret;
}

int v3_handle_hypercall(struct v3_vcpu *vcpu)
{
	u64 *gpr = vcpu->regs.gpr;
	/* outside 64-bit mode only the low halves of the registers count */
	u64 mask = v3_long_mode(vcpu) ? ~0ULL : 0xffffffffULL;
	u64 nr = gpr[V3_RAX] & mask, a0 = gpr[V3_RBX] & mask;
	u64 a1 = gpr[V3_RCX] & mask;
	long ret;

	v3_skip_insn(vcpu);
	if (vcpu->regs.cpl) {
		gpr[V3_RAX] = -EPERM & mask;
		return 0;
	}
	switch (nr) {
	case V3_HC_VERSION:
		ret = (V3_ABI_MAJOR << 16) | V3_ABI_MINOR;
		break;
	case V3_HC_PUTS:
		ret = v3_hc_puts(vcpu, a0, a1);
		break;
	case V3_HC_EXIT:
		v3_vm_stop(vcpu->vm, V3_STOP_EXIT_PORT,
			   ((a0 & 0x7fffffff) << 1) | 1, "hypercall exit");
		return 1;
	default:
		v3_count(vcpu->vm, V3_CNT_HYPERCALL_BAD);
		ret = -ENOSYS;
	}
	gpr[V3_RAX] = (u64)ret & mask;
	return 0;
}
