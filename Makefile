# v3vmm top-level build.
#   make                      module + v3ctl + test guests, for the running kernel
#   make KDIR=/path/to/headers   ... for the kernel whose headers are named
#   make check                the test suites at their quick depth, what CI runs (boots emulated hosts; installs what it needs)
#   make check-full           every part of every suite, the two-node test included (about an hour)
#   make check-vmx            the guest suite on the emulated VMX host (Bochs; slow)
#   make check-ryzen          the guest suite on the second emulated AMD host (Bochs ryzen; slow, not in check)
#   make check-vmx-adapt      adaptive paging moving on the emulated VMX host alone (Bochs; ~4 min)
#   make check-vmx-gears      GEARS on a 2-vCPU guest on the emulated VMX host alone (Bochs; ~8 min; make check: on the VMX suite's linux guest)
#   make check-twonode        v3share under mpirun across two emulated SVM hosts on a virtual network
#   make check-gears-kernels  GEARS on Debian 5.10 and 6.12 guest kernels (make check: 6.1; ~10 min)
#   make bench                v3vmm vs KVM vs native (numbers, not tests)
#   make fuzz                 >= 1,000,000 random ioctls in the emulated SVM host (not in check)
#   make demo                 boots the emulated SVM host and runs a guest through v3ctl
KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(abspath .)

.PHONY: all module tools guests check check-full check-vmx check-ryzen check-vmx-adapt check-vmx-gears check-twonode check-gears-kernels demo bench fuzz clean

all: module tools guests

module:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "v3vmm: no kernel build tree at $(KDIR); pass KDIR=/usr/src/linux-headers-<version>" >&2; \
		exit 1; fi
	$(MAKE) -C $(KDIR) M=$(PWD) modules

tools:
	$(MAKE) -C tools/v3ctl

guests:
	$(MAKE) -C tests/guests

check:
	tests/harness/check.sh

check-full:
	V3_CHECK_DEPTH=full tests/harness/check.sh

check-vmx:
	tests/harness/check-bochs.sh vmx

check-ryzen:
	tests/harness/check-bochs.sh ryzen

check-vmx-adapt:
	tests/harness/check-bochs.sh vmxadapt

check-vmx-gears:
	tests/harness/check-bochs.sh vmxgears

check-twonode:
	tests/harness/check-twonode.sh

check-gears-kernels:
	tests/harness/check-gears-kernels.sh

demo:
	tests/harness/demo.sh

bench:
	tests/bench/run.sh

fuzz:
	tests/harness/fuzz.sh

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	$(MAKE) -C tools/v3ctl clean
	$(MAKE) -C tools/v3share clean
	$(MAKE) -C tests/share clean
	$(MAKE) -C tests/guests clean
	$(MAKE) -C tests/abi clean
	$(MAKE) -C tests/fuzz clean
