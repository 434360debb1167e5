// SPDX-License-Identifier: GPL-2.0
/*
 * Why an ioctl was refused, in words: the module returns an errno and
 * (at most) one rate-limited kernel log line; here each errno is mapped,
 * per request, to what it means for that request (see the ERRORS section
 * of v3ctl.8).  For a create refused with ENOMEM the module's guest RAM
 * limit is read from sysfs so the message can name it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "v3ctl.h"

static bool gears_req(unsigned long req)
{
	return req == V3_IOC_GEARS_SYM || req == V3_IOC_GEARS_PS ||
	       req == V3_IOC_GEARS_TRACE || req == V3_IOC_GEARS_INJECT;
}

static bool placement_req(unsigned long req)
{
	return req == V3_IOC_VCPUS || req == V3_IOC_VCPU_MOVE ||
	       req == V3_IOC_MEM_NODES;
}

/* sysfs file holding one unsigned number: 0 or -1 */
static int read_u64(const char *path, uint64_t *v)
{
	unsigned long long x;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%llu", &x);
	fclose(f);
	if (n != 1)
		return -1;
	*v = x;
	return 0;
}

/* "8 GiB", "1.5 GiB", "300 MiB" */
const char *fmt_bytes(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ULL << 30) && !(b & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= (1ULL << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (1ULL << 30));
	else if (b >= (1ULL << 20))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
	return buf;
}

/*
 * ENOMEM on create: which limit.  @limit and @used are the module's
 * max_guest_mem and guest_mem_used (UINT64_MAX: unknown), @ram the host's.
 */
void explain_create_nomem(char *buf, size_t len, uint64_t need,
			  uint64_t limit, uint64_t used, uint64_t ram)
{
	char a[32], b[32], c[32];

	if (limit != UINT64_MAX && used != UINT64_MAX &&
	    need > (used < limit ? limit - used : 0)) {
		snprintf(buf, len, "not enough memory: VM needs %s, %s left under v3vmm.max_guest_mem (%s)",
			 fmt_bytes(need, a, sizeof(a)),
			 fmt_bytes(used < limit ? limit - used : 0, b,
				   sizeof(b)),
			 fmt_bytes(limit, c, sizeof(c)));
		return;
	}
	if (ram && need > ram - ram / 4) {
		snprintf(buf, len, "not enough memory: VM needs %s, more than 3/4 of the host's %s",
			 fmt_bytes(need, a, sizeof(a)),
			 fmt_bytes(ram, b, sizeof(b)));
		return;
	}
	snprintf(buf, len, "not enough memory: the memory cgroup of this process (memory.max) or the host cannot hold %s of guest RAM",
		 fmt_bytes(need, a, sizeof(a)));
}

/*
 * What @err from request @req means.  @need: guest RAM asked for (create),
 * else 0.  Returns @buf.
 */
const char *v3_explain(unsigned long req, int err, uint64_t need, char *buf,
		       size_t len)
{
	const char *m = NULL;

	switch (err) {
	case EPERM:
	case EACCES:
		m = "not permitted: v3vmm needs root (CAP_SYS_ADMIN)";
		break;
	case ENOENT:
		m = "no such VM";
		break;
	case EEXIST:
		m = "a VM with this name already exists";
		break;
	case ENOSPC:
		m = "too many VMs (destroy one first)";
		break;
	case EFAULT:
		m = "bad address passed to the module";
		break;
	case ENOTTY:
		if (req == V3_IOC_PAGING)
			m = "the loaded module has no paging control (it predates ABI 1.3)";
		else if (placement_req(req))
			m = "the loaded module has no placement ioctls (it predates ABI 1.4)";
		else if (req == V3_IOC_GEARS_TRACE || req == V3_IOC_GEARS_INJECT)
			m = "the loaded module has no GEARS tracing and injection (it predates ABI 1.7 or was built without it)";
		else if (gears_req(req))
			m = "the loaded module has no GEARS (it predates ABI 1.6 or was built without it)";
		else
			m = "the module does not know this request (ABI mismatch?)";
		break;
	case EOPNOTSUPP:
		if (req == V3_IOC_PAGING)
			m = "this backend cannot run shadow paging or switch modes (capability paging-switch missing; see 'v3ctl version')";
		else if (placement_req(req))
			m = "the module cannot place vCPUs or count guest RAM per node (capability placement missing; see 'v3ctl version')";
		else if (req == V3_IOC_GEARS_PS)
			m = "the guest kernel has no BTF (CONFIG_DEBUG_INFO_BTF) describing task_struct; GEARS does not guess its layout";
		break;
	case ENOEXEC:
		if (gears_req(req))
			m = "no 64-bit Linux kernel found in the guest (not Linux, or not booted yet)";
		break;
	case ENXIO:
		if (req == V3_IOC_GEARS_SYM || req == V3_IOC_GEARS_INJECT)
			m = "the guest kernel has no symbol of that name";
		break;
	case EALREADY:
		if (req == V3_IOC_GEARS_TRACE)
			m = "a trace is already running in the VM (start), or none is (stop, read)";
		break;
	case ETIMEDOUT:
		if (req == V3_IOC_GEARS_INJECT)
			m = "the process made no system call within the timeout";
		break;
	case E2BIG:
		if (req == V3_IOC_GEARS_INJECT)
			m = "too much data: GEARS injects at most 64 MiB";
		break;
	case EIO:
		if (gears_req(req))
			m = "the guest kernel's memory is not mapped where its symbols say";
		break;
	case ELOOP:
		if (req == V3_IOC_GEARS_PS)
			m = "the guest's task list does not end (corrupt, or over 65536 processes)";
		break;
	case ENODEV:
		if (req == V3_IOC_VCPU_MOVE)
			m = "the CPU is offline or has no virtualization";
		break;
	case EINTR:
		m = "interrupted by a signal";
		break;
	case ENOMEM:
		if (req == V3_IOC_CREATE && need) {
			struct sysinfo si;
			uint64_t limit = UINT64_MAX, used = UINT64_MAX, ram = 0;
			char p[PATH_BUF];

			if (read_u64(sysfs_path(p, sizeof(p), "/sys/kernel/v3vmm/max_guest_mem"),
				     &limit))
				limit = UINT64_MAX;
			if (read_u64(sysfs_path(p, sizeof(p), "/sys/kernel/v3vmm/guest_mem_used"),
				     &used))
				used = UINT64_MAX;
			if (!sysinfo(&si))
				ram = (uint64_t)si.totalram * si.mem_unit;
			explain_create_nomem(buf, len, need, limit, used, ram);
			return buf;
		}
		m = "not enough memory in the host";
		break;
	case EBUSY:
		if (req == V3_IOC_LAUNCH)
			m = "VM was already launched";
		else if (req == V3_IOC_SET_BOOT)
			m = "VM was already launched: its boot state is fixed";
		else if (gears_req(req))
			m = "VM was never launched: it has no guest kernel to look at";
		else
			m = "VM is busy or in the wrong state";
		break;
	case EINVAL:
		switch (req) {
		case V3_IOC_CREATE:
			snprintf(buf, len, "invalid VM parameters (name, 1-%d vcpus, memory 1 MiB-64 GiB in whole pages, online CPUs to pin to, NUMA nodes with memory)",
				 V3_MAX_VCPUS);
			return buf;
		case V3_IOC_LAUNCH:
			m = "VM has no boot state (no kernel loaded)";
			break;
		case V3_IOC_STOP:
			m = "VM is already stopped";
			break;
		case V3_IOC_PAUSE:
			m = "VM is not running";
			break;
		case V3_IOC_RESUME:
			m = "VM is not paused";
			break;
		case V3_IOC_MEM_READ:
		case V3_IOC_MEM_WRITE:
			m = "address range is not guest RAM or too long";
			break;
		case V3_IOC_SET_BOOT:
			m = "invalid boot state (mode, entry or page table)";
			break;
		case V3_IOC_PAGING:
			m = "invalid paging mode (nested, shadow or adaptive)";
			break;
		case V3_IOC_VCPU_MOVE:
			m = "no such vCPU or host CPU";
			break;
		default:
			m = "invalid argument";
			break;
		}
		break;
	}
	if (m)
		snprintf(buf, len, "%s", m);
	else
		snprintf(buf, len, "%s", strerror(err));
	return buf;
}
