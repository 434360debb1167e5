#!/bin/sh
# make demo, inside the emulated SVM host: load v3vmm, run the hello
# guest and then a Linux guest through v3ctl, showing each command.
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

# An unmodified Linux: the Debian kernel this emulated host runs, with a
# busybox initramfs, on 2 vCPUs; once its shell is up a few commands are
# typed into the console, the last one powers the guest off.
step v3ctl create linux --mem 256M --vcpus 2 --kernel /guests/vmlinuz \
	--initrd /guests/l2.cpio.gz --cmdline "console=ttyS0 quiet"
step v3ctl launch linux
echo
echo "L1# v3ctl console --follow linux   (typing: uname -a; nproc; free -m; poweroff -f)"
(
	i=0
	while [ $i -lt 480 ] && ! v3ctl console linux 2>/dev/null | grep -q 'V3L2: ready'; do
		sleep 0.5
		i=$((i + 1))
	done
	printf 'uname -a\nnproc\nfree -m\npoweroff -f\n'
	sleep 30
) | timeout 300 v3ctl console --follow linux
echo "[exit status $?]"
step v3ctl info linux
step v3ctl destroy linux
step /sbin/rmmod v3vmm
echo V3-SUITE-DONE
