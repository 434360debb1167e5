#!/bin/sh
# shadow-suite.sh without its Linux part, for the emulated VMX host where a
# Linux boot takes minutes: the bare-metal guests in shadow mode and the
# switches of running, created, paused and stopped VMs (module/vmx/
# vmx_paging.c).  Boot it with v3suite=vmxshadow.
SHADOW_LINUX=0
. /tests/l1/shadow-suite.sh
