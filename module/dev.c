// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/v3vmm: the ioctl interface of include/v3vmm.h.  Every argument is
 * copied in, checked (names, reserved fields, ranges) and only then acted
 * on; nothing a caller passes reaches the hardware unchecked.
 *
 * Who may: /dev/v3vmm is 0600 root; beyond that every ioctl but
 * V3_IOC_VERSION needs CAP_SYS_ADMIN, checked at each call (not at open),
 * so a descriptor handed to or inherited by an unprivileged process, or a
 * device node opened up by chmod, gives it nothing but the version.
 */
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ctype.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include "v3.h"
#include "adapt/adapt.h"
#include "adapt/paging.h"
#include "adapt/content.h"
#include "gears/gears.h"
#include "mmu/mmu.h"

bool v3_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* Names: 1..31 characters of [A-Za-z0-9_.-], NUL-terminated. */
int v3_check_name(const char *name)
{
	size_t i, len = strnlen(name, V3_NAME_MAX);

	if (len == 0 || len == V3_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return -EINVAL;
	}
	return 0;
}

#define V3_ARG_CHECK(a) \
	(v3_check_name((a)->name) ?: \
	 (v3_zero((a)->reserved, sizeof((a)->reserved)) ? 0 : -EINVAL))

static int v3_ioc_version(void __user *arg)
{
	struct v3_version v = {
		.abi_major = V3_ABI_MAJOR,
		.abi_minor = V3_ABI_MINOR,
		.arch = v3_arch->arch,
		.max_vcpus = V3_MAX_VCPUS,
		.caps = v3_arch->caps() | v3_adapt_caps() | V3_CAP_PLACEMENT,
		.mitigations = v3_spec_active(),
	};

	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int v3_ioc_create(void __user *arg)
{
	struct v3_create c;
	int ret;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	ret = V3_ARG_CHECK(&c);
	if (ret)
		return ret;
	return v3_vm_create(&c);
}

static int v3_ioc_mem(void __user *arg, bool write)
{
	struct v3_mem_xfer x;
	struct v3_vm *vm;
	u64 done = 0;
	int ret;

	if (copy_from_user(&x, arg, sizeof(x)))
		return -EFAULT;
	ret = V3_ARG_CHECK(&x);
	if (ret)
		return ret;
	if (x.len > V3_MEM_XFER_MAX || x.gpa + x.len < x.gpa)
		return -EINVAL;
	vm = v3_vm_get(x.name);
	if (!vm)
		return -ENOENT;
	while (done < x.len) {
		u64 gpa = x.gpa + done;
		size_t n = min_t(u64, x.len - done,
				 PAGE_SIZE - (gpa & ~PAGE_MASK));
		void __user *u = u64_to_user_ptr(x.uaddr + done);
		void *hva;

		/* the page stays where it is meanwhile (mem_move.c) */
		mutex_lock(&vm->mem_lock);
		hva = v3_gpa_to_hva(vm, gpa);
		if (!hva)
			ret = -EINVAL;
		else if (write ? copy_from_user(hva, u, n) :
				 copy_to_user(u, hva, n))
			ret = -EFAULT;
		mutex_unlock(&vm->mem_lock);
		if (ret)
			break;
		if (write)
			v3_mmu_gpa_written(vm, gpa, n);	/* shadows of it (mmu/) */
		done += n;
		cond_resched();
	}
	/* before launch these are the loader's: kept for guest resets */
	if (write && !ret)
		v3_reset_image_add(vm, x.gpa, x.len);
	v3_vm_put(vm);
	return ret;
}

static int v3_check_boot(struct v3_vm *vm, const struct v3_boot *b)
{
	if (b->pad || b->gdt_limit > 0xffff)
		return -EINVAL;
	switch (b->mode) {
	case V3_BOOT_PROT32:
		return b->entry > 0xffffffffULL ? -EINVAL : 0;
	case V3_BOOT_REAL16:
		return b->entry > 0xfffff ? -EINVAL : 0;
	case V3_BOOT_LONG64:
		if ((b->cr3 & ~PAGE_MASK) || !v3_gpa_is_ram(vm, b->cr3))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static int v3_ioc_set_boot(void __user *arg)
{
	struct v3_boot b;
	struct v3_vm *vm;
	int ret;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	ret = V3_ARG_CHECK(&b);
	if (ret)
		return ret;
	vm = v3_vm_get(b.name);
	if (!vm)
		return -ENOENT;
	mutex_lock(&vm->lock);
	ret = v3_check_boot(vm, &b);
	if (!ret && (vm->dead || vm->state != V3_STATE_CREATED))
		ret = -EBUSY;
	if (!ret) {
		vm->boot = b;
		vm->boot_set = true;
	}
	mutex_unlock(&vm->lock);
	v3_vm_put(vm);
	return ret;
}

static int v3_ioc_vm_op(unsigned int cmd, void __user *arg)
{
	struct v3_vm_ref r;
	struct v3_vm *vm;
	int ret;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	ret = V3_ARG_CHECK(&r);
	if (ret)
		return ret;
	if (cmd == V3_IOC_DESTROY)
		return v3_vm_destroy(r.name);

	vm = v3_vm_get(r.name);
	if (!vm)
		return -ENOENT;
	switch (cmd) {
	case V3_IOC_LAUNCH:
		ret = v3_vm_launch(vm);
		break;
	case V3_IOC_STOP:
		mutex_lock(&vm->lock);
		if (vm->state == V3_STATE_STOPPED)
			ret = -EINVAL;
		else
			v3_vm_stop(vm, V3_STOP_USER, 0, "stopped by user");
		mutex_unlock(&vm->lock);
		break;
	case V3_IOC_PAUSE:
	case V3_IOC_RESUME:
		ret = v3_vm_pause(vm, cmd == V3_IOC_PAUSE);
		break;
	}
	v3_vm_put(vm);
	return ret;
}

static int v3_ioc_info(void __user *arg)
{
	struct v3_info *info;
	struct v3_vm *vm;
	int ret;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(info->name, arg, sizeof(info->name)))
		goto out;
	ret = v3_check_name(info->name);
	if (ret)
		goto out;
	vm = v3_vm_get(info->name);
	ret = -ENOENT;
	if (!vm)
		goto out;
	v3_vm_fill_info(vm, info);
	v3_vm_put(vm);
	ret = copy_to_user(arg, info, sizeof(*info)) ? -EFAULT : 0;
out:
	kfree(info);
	return ret;
}

static int v3_ioc_msr_stats(void __user *arg)
{
	struct v3_msr_stats *st;
	struct v3_vm *vm;
	int ret;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(st, arg, offsetof(struct v3_msr_stats, msrs)))
		goto out;
	ret = V3_ARG_CHECK(st);
	if (ret)
		goto out;
	vm = v3_vm_get(st->name);
	ret = -ENOENT;
	if (!vm)
		goto out;
	v3_msr_stats_fill(vm, st);
	v3_vm_put(vm);
	ret = copy_to_user(arg, st, sizeof(*st)) ? -EFAULT : 0;
out:
	kfree(st);
	return ret;
}

/*
 * V3_IOC_PAGING: get, or set and get, a VM's paging mode.  -EINVAL for a
 * mode or op that does not exist, -EOPNOTSUPP for shadow or adaptive
 * when the backend cannot switch (V3_CAP_PAGING_SWITCH clear).
 */
static int v3_ioc_paging(void __user *arg)
{
	struct v3_paging p;
	struct v3_vm *vm;
	int ret;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	ret = V3_ARG_CHECK(&p);
	if (ret)
		return ret;
	if (p.last.pad || p.op > V3_PAGING_SET ||
	    (p.op == V3_PAGING_SET && p.mode >= V3_NR_PAGING_MODES))
		return -EINVAL;
	vm = v3_vm_get(p.name);
	if (!vm)
		return -ENOENT;
	if (p.op == V3_PAGING_SET)
		ret = v3_paging_set_mode(vm, p.mode);
	if (!ret)
		v3_paging_fill(vm, &p);
	v3_vm_put(vm);
	if (!ret && copy_to_user(arg, &p, sizeof(p)))
		ret = -EFAULT;
	return ret;
}

static int v3_ioc_list(void __user *arg)
{
	struct v3_list l;
	char *names = NULL;
	int ret;

	if (copy_from_user(&l, arg, sizeof(l)))
		return -EFAULT;
	if (!v3_zero(l.reserved, sizeof(l.reserved)))
		return -EINVAL;
	l.max = min_t(u32, l.max, V3_MAX_VMS);
	if (l.max) {
		names = kcalloc(l.max, V3_NAME_MAX, GFP_KERNEL);
		if (!names)
			return -ENOMEM;
	}
	v3_vm_list(names, l.max, &l.count);
	ret = 0;
	if (l.max && copy_to_user(u64_to_user_ptr(l.names), names,
				  (size_t)min(l.max, l.count) * V3_NAME_MAX))
		ret = -EFAULT;
	if (!ret && copy_to_user(arg, &l, sizeof(l)))
		ret = -EFAULT;
	kfree(names);
	return ret;
}

static int v3_ioc_console(void __user *arg, bool write)
{
	struct v3_console_io io;
	struct v3_vm *vm;
	int ret;

	if (copy_from_user(&io, arg, sizeof(io)))
		return -EFAULT;
	ret = V3_ARG_CHECK(&io);
	if (ret)
		return ret;
	vm = v3_vm_get(io.name);
	if (!vm)
		return -ENOENT;
	ret = write ? v3_console_write(vm, &io) : v3_console_read(vm, &io);
	v3_vm_put(vm);
	if (!ret && copy_to_user(arg, &io, sizeof(io)))
		ret = -EFAULT;
	return ret;
}

static const char *const v3_ioc_names[] = {
	"version", "create", "destroy", "mem-write", "mem-read", "set-boot",
	"launch", "stop", "pause", "resume", "info", "list", "console-read",
	"console-write", "msr-stats", "paging", "vcpus", "vcpu-move",
	"mem-nodes", "mem-move", "content-stats", "content-table",
	"gears-sym", "gears-ps",
};

static bool v3_ioc_known(unsigned int cmd)
{
	switch (cmd) {
	case V3_IOC_VERSION: case V3_IOC_CREATE: case V3_IOC_DESTROY:
	case V3_IOC_MEM_WRITE: case V3_IOC_MEM_READ: case V3_IOC_SET_BOOT:
	case V3_IOC_LAUNCH: case V3_IOC_STOP: case V3_IOC_PAUSE:
	case V3_IOC_RESUME: case V3_IOC_INFO: case V3_IOC_LIST:
	case V3_IOC_CONSOLE_READ: case V3_IOC_CONSOLE_WRITE:
	case V3_IOC_MSR_STATS: case V3_IOC_PAGING:
	case V3_IOC_VCPUS: case V3_IOC_VCPU_MOVE: case V3_IOC_MEM_NODES:
	case V3_IOC_MEM_MOVE: case V3_IOC_CONTENT_STATS:
	case V3_IOC_CONTENT_TABLE:
		return true;
	case V3_IOC_GEARS_SYM: case V3_IOC_GEARS_PS:
	case V3_IOC_GEARS_TRACE: case V3_IOC_GEARS_INJECT:
		return true;
	}
	return false;
}

static int v3_ioc_permitted(unsigned int cmd)
{
	if (cmd == V3_IOC_VERSION || capable(CAP_SYS_ADMIN))
		return 0;
	pr_info_ratelimited(V3_PR_PREFIX "%s refused to uid %u (%s[%d]): needs CAP_SYS_ADMIN\n",
			    _IOC_NR(cmd) < ARRAY_SIZE(v3_ioc_names) ?
			    v3_ioc_names[_IOC_NR(cmd)] : "ioctl",
			    from_kuid(&init_user_ns, current_uid()),
			    current->comm, task_pid_nr(current));
	return -EPERM;
}

static long v3_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	int ret;

	if (!v3_ioc_known(cmd))
		return -ENOTTY;
	ret = v3_ioc_permitted(cmd);
	if (ret)
		return ret;

	switch (cmd) {
	case V3_IOC_VERSION:
		return v3_ioc_version(uarg);
	case V3_IOC_CREATE:
		return v3_ioc_create(uarg);
	case V3_IOC_MEM_WRITE:
		return v3_ioc_mem(uarg, true);
	case V3_IOC_MEM_READ:
		return v3_ioc_mem(uarg, false);
	case V3_IOC_SET_BOOT:
		return v3_ioc_set_boot(uarg);
	case V3_IOC_DESTROY:
	case V3_IOC_LAUNCH:
	case V3_IOC_STOP:
	case V3_IOC_PAUSE:
	case V3_IOC_RESUME:
		return v3_ioc_vm_op(cmd, uarg);
	case V3_IOC_INFO:
		return v3_ioc_info(uarg);
	case V3_IOC_LIST:
		return v3_ioc_list(uarg);
	case V3_IOC_MSR_STATS:
		return v3_ioc_msr_stats(uarg);
	case V3_IOC_PAGING:
		return v3_ioc_paging(uarg);
	case V3_IOC_VCPUS:
		return v3_ioc_vcpus(uarg);
	case V3_IOC_VCPU_MOVE:
		return v3_ioc_vcpu_move(uarg);
	case V3_IOC_MEM_NODES:
		return v3_ioc_mem_nodes(uarg);
	case V3_IOC_MEM_MOVE:
		return v3_ioc_mem_move(uarg);
	case V3_IOC_CONTENT_STATS:
		return v3_content_ioc_stats(uarg);
	case V3_IOC_CONTENT_TABLE:
		return v3_content_ioc_table(uarg);
	case V3_IOC_GEARS_SYM:
		return v3_gears_ioc_sym(uarg);
	case V3_IOC_GEARS_PS:
		return v3_gears_ioc_ps(uarg);
	case V3_IOC_GEARS_TRACE:
		return v3_gears_ioc_trace(uarg);
	case V3_IOC_GEARS_INJECT:
		return v3_gears_ioc_inject(uarg);
	case V3_IOC_CONSOLE_READ:
		return v3_ioc_console(uarg, false);
	case V3_IOC_CONSOLE_WRITE:
		return v3_ioc_console(uarg, true);
	}
	return -ENOTTY;
}

static const struct file_operations v3_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = v3_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice v3_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "v3vmm",
	.fops = &v3_fops,
	.mode = 0600,
};

int v3_dev_init(void)
{
	return misc_register(&v3_misc);
}

void v3_dev_exit(void)
{
	misc_deregister(&v3_misc);
}
