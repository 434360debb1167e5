#!/bin/sh
# The triplefault-loop scenario of hostile-suite.sh alone (boot-qemu.sh
# hostiletf): VMs that triple fault, created and destroyed in a loop beside
# a healthy VM.
HOSTILE_SET=tf
HOSTILE_PARTS=corpus
. /tests/l1/hostile-suite.sh
