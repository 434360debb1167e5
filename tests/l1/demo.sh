#!/bin/sh
# make demo, inside the emulated SVM host: load v3vmm and run the hello
# guest through v3ctl, showing each command as it runs.
step() { echo; echo "L1# $*"; "$@"; echo "[exit status $?]"; }

echo "# L1: $(uname -r), $(nproc) CPUs, $(grep -m1 -o -w svm /proc/cpuinfo) $(grep -m1 -o -w npt /proc/cpuinfo)"
step /sbin/insmod /v3/v3vmm.ko
step ls -l /dev/v3vmm
step v3ctl version
step v3ctl create hello --mem 64M --kernel /guests/hello.elf
step v3ctl launch hello
step timeout 60 v3ctl console --follow hello
step v3ctl info hello
step v3ctl list
step v3ctl destroy hello
step /sbin/rmmod v3vmm
echo V3-SUITE-DONE
