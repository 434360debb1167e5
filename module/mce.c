// SPDX-License-Identifier: GPL-2.0
/*
 * A machine check that arrives while a guest runs is intercepted (#MC
 * exception exit, or VMX exit reason 41 during entry) so the hardware
 * error reaches the host's own machine-check handler on the CPU that saw
 * it, called by the backend right after the exit with interrupts off, as
 * KVM does: the guest
 * could neither handle nor contain it.  The handler is called as if the
 * #MC had interrupted user mode with interrupts enabled (SDM vol. 3B
 * 16.10: recovery depends on RIPV/EIPV in IA32_MCG_STATUS, not on the
 * interrupted context), so a recoverable error poisons the page and kills
 * at most the task that owns it, and a fatal one panics the host as it
 * would have without the VM.
 */
#include <linux/ptrace.h>
#include <asm/mce.h>
#include <asm/processor-flags.h>
#include "v3.h"

void v3_host_machine_check(void)
{
	struct pt_regs regs = {
		.cs = 3,		/* user mode: the guest's world */
		.flags = X86_EFLAGS_IF,
	};

	if (IS_ENABLED(CONFIG_X86_MCE))
		do_machine_check(&regs);
}
