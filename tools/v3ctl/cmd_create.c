// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl create NAME --mem SIZE [--vcpus N] [--pin CPU] --kernel FILE
 *		     [--initrd FILE] [--cmdline STR] [--no-pvclock]
 *		     [--on-reboot reset|stop] [--paging MODE] [--numa POLICY]
 *		     [--guest-numa N]
 */
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl create NAME --mem SIZE [--vcpus N] [--pin CPU] --kernel FILE\n"
"                    [--initrd FILE] [--cmdline STR] [--no-pvclock]\n"
"                    [--on-reboot reset|stop] [--paging MODE]\n"
"                    [--numa POLICY] [--guest-numa N]\n"
"\n"
"Create VM NAME (1-31 characters from A-Z a-z 0-9 _ . -), load its kernel\n"
"into guest memory and set its boot state.  It does not run until\n"
"'v3ctl launch NAME'.  If the kernel cannot be loaded, the VM is destroyed.\n"
"\n"
"  --mem SIZE       guest RAM, bytes or with a K, M or G suffix (1M-64G,\n"
"                   multiple of 4K)\n"
"  --vcpus N        number of vCPUs (default 1, at most 64)\n"
"  --pin CPU        pin vCPU i to host CPU CPU+i\n"
"  --no-pvclock     do not offer the paravirtual clock (KVM's interface at\n"
"                   CPUID 0x40000100): the guest measures the TSC itself\n"
"  --on-reboot reset|stop\n"
"                   what a guest reset (reboot) does: reset the VM and\n"
"                   boot the same kernel again (default; the loader's\n"
"                   output is kept for it), or stop it with reason reset\n"
"  --paging MODE    nested, shadow or adaptive: the VM's paging mode\n"
"                   (default: the module's paging= parameter; see\n"
"                   'v3ctl paging --help')\n"
"  --numa POLICY    host NUMA nodes for guest RAM (2 MiB regions):\n"
"                   local            the node of the vCPUs' CPUs (of --pin,\n"
"                                    else of this process), others when it\n"
"                                    runs out (default)\n"
"                   bind:N           node N only: fails when it runs out\n"
"                   interleave       round robin over every node with memory\n"
"                   interleave:LIST  round robin over the nodes in LIST\n"
"                                    (N,M,... and ranges N-M)\n"
"                   each node named must exist on this host and have memory\n"
"                   as libnuma says (see 'v3ctl topology'); needs ABI 1.4\n"
"  --guest-numa N   give the guest N NUMA nodes of its own (1-8; ACPI SRAT\n"
"                   and SLIT, Linux bzImage only): vCPU i on node\n"
"                   i * N / vcpus, guest RAM in N contiguous pieces of\n"
"                   SIZE / N (2 MiB aligned, the last takes the rest),\n"
"                   distances 10 local, 20 remote; needs N vCPUs and\n"
"                   4 MiB of RAM per node\n"
"  --kernel FILE    Linux bzImage (x86-64, boot protocol 2.12+; booted\n"
"                   directly with an e820 map and ACPI tables, no BIOS),\n"
"                   Multiboot v1 ELF kernel (32-bit protected mode entry)\n"
"                   or x86-64 ELF64 (64-bit entry, identity-mapped)\n"
"  --initrd FILE    Linux initramfs, or Multiboot module 0\n"
"  --cmdline STR    kernel command line\n"
"  -h, --help       show this help\n"
"\n"
"Example (Linux):\n"
"  v3ctl create vm1 --mem 512M --vcpus 4 --kernel /boot/vmlinuz \\\n"
"        --initrd rootfs.cpio.gz --cmdline \"console=ttyS0\"\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

int cmd_create(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct vm_config cfg;
	int ret, fd;

	ret = parse_vm_opts(cmd, argc, argv, VMOPT_NAME_ARG, &cfg, help);
	if (ret == PARSE_HELP)
		return EXIT_OK;
	if (ret)
		return ret;
	fd = vm_open(cmd, &cfg);
	if (fd < 0)
		return EXIT_FAIL;
	ret = vm_create_and_load(fd, cmd, &cfg);
	close(fd);
	return ret;
}
