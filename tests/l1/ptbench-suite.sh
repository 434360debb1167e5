#!/bin/sh
# The paging benchmark's bare-metal part alone (tests/l1/ptload-bench.sh,
# which make bench runs in tests/bench/l1-init): boot-qemu.sh ptbench.
# Numbers, not tests; first the adaptive tests (adapt-tests.sh), so one
# boot shows both.
. /tests/l1/tap.sh
. /tests/l1/v3.sh
suite_begin
# shellcheck source=tests/l1/adapt-tests.sh
. /tests/l1/adapt-tests.sh
adapt_tests
# shellcheck source=tests/l1/ptload-bench.sh
. /tests/l1/ptload-bench.sh
ptload_bench
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
t_cmd "rmmod" 60 "$RMMOD" v3vmm
finish
