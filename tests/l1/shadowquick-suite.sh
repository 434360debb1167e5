#!/bin/sh
# shadow-suite.sh without the Linux guest (boot-qemu.sh shadowquick).
SHADOW_LINUX=0
# shellcheck source=tests/l1/shadow-suite.sh
. /tests/l1/shadow-suite.sh
