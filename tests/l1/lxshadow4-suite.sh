#!/bin/sh
# lxshadow-suite.sh with a 4-vCPU Linux guest (boot-qemu.sh lxshadow4).
LXV=4
# shellcheck source=tests/l1/lxshadow-suite.sh
. /tests/l1/lxshadow-suite.sh
