// SPDX-License-Identifier: GPL-2.0
/*
 * kvmvm: does the kernel's KVM work?  Opens /dev/kvm, checks the API
 * version and creates a VM (KVM_CREATE_VM, which enables SVM/VMX on every
 * CPU for KVM).  With "hold SECS" it keeps the VM open for SECS seconds,
 * so KVM holds the CPUs' virtualization meanwhile.
 *   kvmvm [hold SECS]
 * Exit status 0 when the VM was created, 1 when not (the reason on stderr).
 * Built static for the emulated host's initramfs (tests/harness/mkinitrd.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

int main(int argc, char **argv)
{
	int kvm, vm, api, hold = 0;

	if (argc == 3 && !strcmp(argv[1], "hold"))
		hold = atoi(argv[2]);
	else if (argc != 1) {
		fprintf(stderr, "usage: kvmvm [hold SECS]\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "kvmvm: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvmvm: KVM_GET_API_VERSION %d, want %d\n", api,
			KVM_API_VERSION);
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "kvmvm: KVM_CREATE_VM: %s\n", strerror(errno));
		return 1;
	}
	printf("kvmvm: KVM_CREATE_VM ok (fd %d)\n", vm);
	if (hold) {
		printf("kvmvm: holding the VM for %d s\n", hold);
		fflush(stdout);
		sleep(hold);
	}
	close(vm);
	close(kvm);
	return 0;
}
