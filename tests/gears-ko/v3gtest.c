// SPDX-License-Identifier: GPL-2.0
/*
 * v3gtest: a tiny module the L1 tests load into the L2 Linux guest from
 * outside (v3ctl gears insmod, tests/l1/gears-tests.sh), then call a
 * function of (v3ctl gears call v3gtest_add 2 3: 2 + 3 + answer).
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int answer = 42;
module_param(answer, int, 0444);
MODULE_PARM_DESC(answer, "added to every v3gtest_add() (default 42)");

/* no header declares it: GEARS calls it by name */
long v3gtest_add(long a, long b);

noinline long v3gtest_add(long a, long b)
{
	return a + b + READ_ONCE(answer);
}
EXPORT_SYMBOL_GPL(v3gtest_add);

static int __init v3gtest_init(void)
{
	pr_info("v3gtest: loaded, answer=%d\n", answer);
	return 0;
}

static void __exit v3gtest_exit(void)
{
	pr_info("v3gtest: unloaded\n");
}

module_init(v3gtest_init);
module_exit(v3gtest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("v3vmm GEARS test module: loaded and called from outside the guest");
