#!/bin/sh
# GEARS against a guest that is not well (gears-tests.sh,
# gears_robust_tests): requests on a guest kernel rebooting and on one
# that panicked; the host must stay up and every request end in its
# bound.  boot-qemu.sh gearsrobust; its own job in make check.
GEARS_PART=robust
# shellcheck source=tests/l1/gears-suite.sh
. /tests/l1/gears-suite.sh
