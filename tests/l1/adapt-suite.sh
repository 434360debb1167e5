#!/bin/sh
# Focused suite: adaptive paging moving on the ptload guests (adapt-tests.sh,
# also run by svm-suite.sh's paging section).  boot-qemu.sh adapt
. /tests/l1/tap.sh
. /tests/l1/v3.sh
suite_begin
# shellcheck source=tests/l1/adapt-tests.sh
. /tests/l1/adapt-tests.sh
adapt_tests
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
[ -s /tmp/bad ] && dmesg_new | grep -B12 -A30 -m1 'Call Trace' | sed 's/^/#   /'
t_cmd "rmmod" 60 "$RMMOD" v3vmm
finish
