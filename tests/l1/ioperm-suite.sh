#!/bin/sh
# A focused suite: load v3vmm, run the ioperm test beside a VM, unload.
# Boot it with v3suite=ioperm (tests/harness/bochs/boot-bochs.sh or
# boot-qemu.sh ioperm).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
# shellcheck source=tests/l1/ioperm-tests.sh
. /tests/l1/ioperm-tests.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
timeout 10 v3ctl version 2>&1 | sed 's/^/# /'
dmesg_new | grep 'VMX: VPID' | sed 's/^/# /'
ioperm_tests
t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
dmesg_new | grep -i 'v3vmm\|ioperm\|traps' | tail -n 20 | sed 's/^/# dmesg: /'
finish
