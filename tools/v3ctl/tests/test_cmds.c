// SPDX-License-Identifier: GPL-2.0
/*
 * Subcommand tests against a fake /dev/v3vmm: this file defines ioctl(),
 * which takes precedence over the C library's, and emulates the module's
 * VM registry with a scripted "guest".  V3VMM_DEVICE points v3ctl at
 * /dev/null so open() succeeds.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "v3ctl.h"
#include "loader.h"
#include "acpi.h"
#include "test.h"

/* ------------------------------------------------------------ fake module */

#define FAKE_RAM	(4 << 20)	/* low RAM kept per VM */
#define FAKE_CON	4096

struct script {
	const char *output;	/* console output after launch */
	int reads_to_stop;	/* waits before the VM stops; <0: never */
	uint32_t stop_reason;
	int32_t exit_code;
	const char *reason;
	uint64_t lost;		/* reported by the first read */
	int raise_sig;		/* raised during the 2nd wait */
	int fail_mem_write;	/* errno for MEM_WRITE */
	int fail_set_boot;	/* errno for SET_BOOT */
};

struct fvm {
	bool used;
	char name[V3_NAME_MAX];
	struct v3_create cr;
	uint32_t state, stop_reason;
	int32_t exit_code;
	char reason[V3_REASON_LEN];
	bool boot_set;
	struct v3_boot boot;
	uint8_t *ram;
	char con[FAKE_CON];
	size_t con_len;
	int reads;
	bool lost_done;
	char input[256];
	size_t input_len;
	uint32_t pg_mode, pg_active;	/* V3_IOC_PAGING */
	uint64_t pg_switches;
};

static bool fake_no_shadow;		/* backend without shadow paging */

static struct fvm vms[4];
static struct script sc;
static struct fvm *last_vm;	/* survives destroy for inspection */
static struct fvm last_copy;

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static struct fvm *find(const char *name)
{
	unsigned int i;

	if (!memchr(name, 0, V3_NAME_MAX))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(vms); i++)
		if (vms[i].used && !strcmp(vms[i].name, name))
			return &vms[i];
	return NULL;
}

static int vm_count(void)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(vms); i++)
		n += vms[i].used;
	return n;
}

static void vm_stop(struct fvm *vm)
{
	vm->state = V3_STATE_STOPPED;
	vm->stop_reason = sc.stop_reason;
	vm->exit_code = sc.exit_code;
	snprintf(vm->reason, sizeof(vm->reason), "%s", sc.reason ? sc.reason : "");
}

static uint64_t fake_mitigations = V3_MIT_RSB_FILL | V3_MIT_SPEC_CTRL |
				   V3_MIT_UNTRAIN_RET | (1ULL << 50);

static int fake_ioctl(unsigned long req, void *arg)
{
	struct fvm *vm = NULL;
	unsigned int i;

	switch (req) {
	case V3_IOC_VERSION: {
		struct v3_version *v = arg;

		memset(v, 0, sizeof(*v));
		v->abi_major = V3_ABI_MAJOR;
		v->abi_minor = V3_ABI_MINOR;
		v->arch = V3_ARCH_SVM;
		v->max_vcpus = V3_MAX_VCPUS;
		v->caps = V3_CAP_SVM | V3_CAP_NESTED_PAGING |
			  V3_CAP_EMULATOR_QUIRKS | V3_CAP_PAGING_SWITCH |
			  (1ULL << 11) | (1ULL << 40);
		v->mitigations = fake_mitigations;
		return 0;
	}
	case V3_IOC_CREATE: {
		struct v3_create *c = arg;

		if (!zero(c->reserved, sizeof(c->reserved)) || c->pad ||
		    !v3_name_valid(c->name))
			return -EINVAL;
		if (find(c->name))
			return -EEXIST;
		for (i = 0; i < ARRAY_SIZE(vms) && vms[i].used; i++)
			;
		if (i == ARRAY_SIZE(vms))
			return -ENOSPC;
		vm = &vms[i];
		memset(vm, 0, sizeof(*vm));
		vm->used = true;
		strcpy(vm->name, c->name);
		vm->cr = *c;
		vm->state = V3_STATE_CREATED;
		vm->ram = calloc(1, FAKE_RAM);
		last_vm = vm;
		return 0;
	}
	case V3_IOC_LIST: {
		struct v3_list *l = arg;
		uint32_t n = 0;

		if (!zero(l->reserved, sizeof(l->reserved)))
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(vms); i++) {
			if (!vms[i].used)
				continue;
			if (n < l->max)
				memcpy((char *)(uintptr_t)l->names +
				       n * V3_NAME_MAX, vms[i].name, V3_NAME_MAX);
			n++;
		}
		l->count = n;
		return 0;
	}
	}

	/* everything else names a VM first */
	vm = find(arg);
	if (!vm)
		return -ENOENT;

	switch (req) {
	case V3_IOC_DESTROY:
		if (!zero(((struct v3_vm_ref *)arg)->reserved, 16))
			return -EINVAL;
		last_copy = *vm;
		free(vm->ram);
		vm->used = false;
		return 0;
	case V3_IOC_MEM_WRITE: {
		struct v3_mem_xfer *x = arg;

		if (sc.fail_mem_write)
			return -sc.fail_mem_write;
		if (!zero(x->reserved, sizeof(x->reserved)) ||
		    x->len > V3_MEM_XFER_MAX ||
		    !gmem_range_ok(&(struct guest_mem){ .ram_bytes = vm->cr.mem_bytes },
				   x->gpa, x->len))
			return -EINVAL;
		if (x->gpa < FAKE_RAM)
			memcpy(vm->ram + x->gpa, (void *)(uintptr_t)x->uaddr,
			       x->len < FAKE_RAM - x->gpa ? x->len : FAKE_RAM - x->gpa);
		return 0;
	}
	case V3_IOC_SET_BOOT: {
		struct v3_boot *b = arg;

		if (sc.fail_set_boot)
			return -sc.fail_set_boot;
		if (!zero(b->reserved, sizeof(b->reserved)) || b->pad ||
		    b->mode < V3_BOOT_PROT32 || b->mode > V3_BOOT_REAL16)
			return -EINVAL;
		vm->boot = *b;
		vm->boot_set = true;
		return 0;
	}
	case V3_IOC_LAUNCH:
		if (vm->state != V3_STATE_CREATED)
			return -EBUSY;
		if (!vm->boot_set)
			return -EINVAL;
		vm->state = V3_STATE_RUNNING;
		if (sc.output) {
			vm->con_len = strlen(sc.output);
			memcpy(vm->con, sc.output, vm->con_len);
		}
		if (!sc.reads_to_stop)
			vm_stop(vm);
		return 0;
	case V3_IOC_STOP:
		if (vm->state == V3_STATE_RUNNING ||
		    vm->state == V3_STATE_PAUSED) {
			vm->state = V3_STATE_STOPPED;
			vm->stop_reason = V3_STOP_USER;
		}
		return 0;
	case V3_IOC_PAUSE:
	case V3_IOC_RESUME:
		return -EINVAL;
	case V3_IOC_INFO: {
		struct v3_info *info = arg;

		if (!zero(info->reserved, sizeof(info->reserved)))
			return -EINVAL;
		info->state = vm->state;
		info->stop_reason = vm->stop_reason;
		info->exit_code = vm->exit_code;
		info->vcpus = vm->cr.vcpus;
		info->mem_bytes = vm->cr.mem_bytes;
		info->mem_large_bytes = vm->cr.mem_bytes - (2 << 20);
		info->run_ns = 1234567890;
		memcpy(info->reason, vm->reason, sizeof(info->reason));
		info->exits[V3_EXIT_IO] = 10;
		info->exit_cycles[V3_EXIT_IO] = 1000;
		info->exits[30] = 1;	/* a reason this v3ctl has no name for */
		info->exit_cycles[30] = 7;
		info->counters[V3_CNT_CONSOLE_BYTES] = vm->con_len;
		return 0;
	}
	case V3_IOC_MSR_STATS: {
		struct v3_msr_stats *st = arg;

		if (!zero(st->reserved, sizeof(st->reserved)) || st->count ||
		    st->other_reads || st->msrs[0].msr)
			return -EINVAL;
		st->count = 2;
		st->msrs[0] = (struct v3_msr_stat){ .msr = 0xc0010000, .reads = 3, .writes = 1 };
		st->msrs[1] = (struct v3_msr_stat){ .msr = 0xc0011020, .reads = 2, .gp = 2 };
		st->other_writes = 5;
		st->other_gp = 5;
		return 0;
	}
	case V3_IOC_PAGING: {
		struct v3_paging *p = arg;

		if (!zero(p->reserved, sizeof(p->reserved)) || p->last.pad ||
		    p->op > V3_PAGING_SET ||
		    (p->op == V3_PAGING_SET && p->mode > V3_PAGING_ADAPTIVE))
			return -EINVAL;
		if (p->op == V3_PAGING_SET) {
			if (p->mode != V3_PAGING_NESTED && fake_no_shadow)
				return -EOPNOTSUPP;
			vm->pg_mode = p->mode;
			if (p->mode != V3_PAGING_ADAPTIVE &&
			    p->mode != vm->pg_active) {
				vm->pg_active = p->mode;
				vm->pg_switches++;
			}
		}
		p->mode = vm->pg_mode;
		p->active = vm->pg_active;
		p->switches = vm->pg_switches;
		p->measure = vm->pg_mode == V3_PAGING_ADAPTIVE ?
			     V3_MEASURE_TRIAL : V3_MEASURE_NONE;
		p->shadow_faults = 11;
		p->cr3_switches = 7;
		p->switch_ns_max = 123456;
		if (vm->pg_mode == V3_PAGING_ADAPTIVE)
			p->last = (struct v3_paging_decision){
				.time_ns = 5000000000ULL,
				.from = V3_PAGING_NESTED, .to = V3_PAGING_SHADOW,
				.reason = V3_ADAPT_TRIAL_KEEP,
				.cost_ppm = { 50000, 12000 },
			};
		return 0;
	}
	case V3_IOC_CONSOLE_READ: {
		struct v3_console_io *io = arg;
		size_t n = 0;

		if (!zero(io->reserved, sizeof(io->reserved)) ||
		    io->flags & ~V3_CONSOLE_WAIT || io->timeout_ms > 10000)
			return -EINVAL;
		if (io->pos < vm->con_len) {
			n = vm->con_len - io->pos;
			if (n > io->len)
				n = io->len;
			memcpy((void *)(uintptr_t)io->uaddr, vm->con + io->pos, n);
		} else if (io->flags & V3_CONSOLE_WAIT &&
			   vm->state == V3_STATE_RUNNING) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };

			vm->reads++;
			if (sc.raise_sig && vm->reads == 2) {
				raise(sc.raise_sig);
				return -EINTR;
			}
			if (sc.reads_to_stop > 0 && vm->reads >= sc.reads_to_stop)
				vm_stop(vm);
			else
				nanosleep(&ts, NULL);
		}
		io->lost = 0;
		if (sc.lost && !vm->lost_done) {
			io->lost = sc.lost;
			vm->lost_done = true;
		}
		io->pos += n;
		io->len = n;
		io->state = vm->state;
		return 0;
	}
	case V3_IOC_CONSOLE_WRITE: {
		struct v3_console_io *io = arg;
		size_t n = io->len < 4 ? io->len : 4;	/* partial writes */

		if (io->flags || io->timeout_ms)
			return -EINVAL;
		if (n > sizeof(vm->input) - vm->input_len)
			n = sizeof(vm->input) - vm->input_len;
		memcpy(vm->input + vm->input_len, (void *)(uintptr_t)io->uaddr, n);
		vm->input_len += n;
		io->len = n;
		io->state = vm->state;
		return 0;
	}
	}
	return -ENOTTY;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(req) != V3_IOC_MAGIC)
		return syscall(SYS_ioctl, fd, req, arg);
	ret = fake_ioctl(req, arg);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------- harness */

static char out[1 << 16], err[1 << 16];
static char dir[] = "/tmp/v3ctl-test-XXXXXX";
static char mb_path[64], bad_path[64], in_path[64], bz_path[64];

static void slurp(int fd, char *buf, size_t size)
{
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* Run a subcommand with stdout/stderr captured and stdin from @in. */
static int run(const char *in, const char *args)
{
	static const struct command table[] = {
		{ "version", cmd_version, NULL }, { "create", cmd_create, NULL },
		{ "launch", cmd_launch, NULL }, { "stop", cmd_stop, NULL },
		{ "pause", cmd_pause, NULL }, { "resume", cmd_resume, NULL },
		{ "destroy", cmd_destroy, NULL }, { "list", cmd_list, NULL },
		{ "info", cmd_info, NULL }, { "console", cmd_console, NULL },
		{ "msrs", cmd_msrs, NULL }, { "paging", cmd_paging, NULL },
		{ "run", cmd_run, NULL },
	};
	char *argv[32], *copy = strdup(args), *tok;
	int argc = 0, o, e, i, s0, s1, s2, ret = -1;
	unsigned int k;

	for (tok = strtok(copy, " "); tok && argc < 31; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	o = open(dir, O_TMPFILE | O_RDWR, 0600);
	e = open(dir, O_TMPFILE | O_RDWR, 0600);
	i = open(in ? in : "/dev/null", O_RDONLY);
	s0 = dup(0);
	s1 = dup(1);
	s2 = dup(2);
	dup2(i, 0);
	dup2(o, 1);
	dup2(e, 2);
	v3_signal = 0;
	for (k = 0; k < ARRAY_SIZE(table); k++)
		if (!strcmp(table[k].name, argv[0]))
			ret = table[k].fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(s0, 0);
	dup2(s1, 1);
	dup2(s2, 2);
	close(s0);
	close(s1);
	close(s2);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	close(o);
	close(e);
	close(i);
	free(copy);
	return ret;
}

static bool has(const char *buf, const char *s)
{
	return strstr(buf, s) != NULL;
}

static void show(void)
{
	char *l;

	for (l = strtok(out, "\n"); l; l = strtok(NULL, "\n"))
		tap_diag("stdout: %s", l);
	for (l = strtok(err, "\n"); l; l = strtok(NULL, "\n"))
		tap_diag("stderr: %s", l);
}

#define CHECK(cond, ...) do { if (!tap_ok(cond, __VA_ARGS__)) show(); } while (0)

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	fwrite(buf, 1, len, f);
	fclose(f);
}

/* A tiny Multiboot ELF32 kernel: one segment at 1 MiB. */
static void make_kernels(void)
{
	static uint8_t k[0x2000];
	Elf32_Ehdr e = {
		.e_ident = { 0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB,
			     EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386,
		.e_version = EV_CURRENT, .e_entry = 0x100000,
		.e_phoff = sizeof(Elf32_Ehdr), .e_ehsize = sizeof(e),
		.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1,
	};
	Elf32_Phdr p = {
		.p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = 0x100000,
		.p_paddr = 0x100000, .p_filesz = 0x1000, .p_memsz = 0x2000,
		.p_align = 0x1000,
	};
	uint32_t h[3] = { MB_HEADER_MAGIC, 3, -(MB_HEADER_MAGIC + 3) };

	memcpy(k, &e, sizeof(e));
	memcpy(k + sizeof(e), &p, sizeof(p));
	memcpy(k + 0x1000, h, sizeof(h));
	memset(k + 0x1010, 0xf4, 0x10);
	snprintf(mb_path, sizeof(mb_path), "%s/mb.elf", dir);
	write_file(mb_path, k, sizeof(k));
	k[0x1f] = 0x7f;			/* e_phoff: far past the end */
	snprintf(bad_path, sizeof(bad_path), "%s/bad.elf", dir);
	write_file(bad_path, k, sizeof(k));
	/* a minimal x86-64 bzImage: 4 setup sectors, 64 KiB kernel */
	{
		static uint8_t bz[5 * 512 + 0x10000];
		const uint16_t flag = 0xaa55, version = 0x020f, xlf = 0x7f;
		const uint32_t align = 0x200000, init = 0x400000,
			       rdmax = 0x7fffffff, cmdsz = 2047;
		const uint64_t pref = 0x1000000;

		bz[0x1f1] = 4;
		memcpy(bz + 0x1fe, &flag, 2);
		bz[0x201] = 0x6a;
		memcpy(bz + 0x202, "HdrS", 4);
		memcpy(bz + 0x206, &version, 2);
		bz[0x211] = 1;
		memcpy(bz + 0x22c, &rdmax, 4);
		memcpy(bz + 0x230, &align, 4);
		bz[0x234] = 1;
		memcpy(bz + 0x236, &xlf, 2);
		memcpy(bz + 0x238, &cmdsz, 4);
		memcpy(bz + 0x258, &pref, 8);
		memcpy(bz + 0x260, &init, 4);
		snprintf(bz_path, sizeof(bz_path), "%s/bzImage", dir);
		write_file(bz_path, bz, sizeof(bz));
	}
	snprintf(in_path, sizeof(in_path), "%s/input", dir);
	write_file(in_path, "hello guest", 11);
}

static char cmdbuf[512];

static const char *fmt(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(cmdbuf, sizeof(cmdbuf), f, ap);
	va_end(ap);
	return cmdbuf;
}

/* errors.c: each refusal in words */
static void test_explain(void)
{
	char b[256];

	explain_create_nomem(b, sizeof(b), 8ULL << 30, 4ULL << 30, 1ULL << 30,
			     16ULL << 30);
	CHECK(!strcmp(b, "not enough memory: VM needs 8 GiB, 3 GiB left under v3vmm.max_guest_mem (4 GiB)"),
	      "explain: create ENOMEM names max_guest_mem");
	explain_create_nomem(b, sizeof(b), 512ULL << 20, 1ULL << 30, 0,
			     2ULL << 30);
	CHECK(has(b, "memory cgroup") && has(b, "512 MiB"),
	      "explain: create ENOMEM under the limit blames the cgroup");
	explain_create_nomem(b, sizeof(b), 30ULL << 30, UINT64_MAX, UINT64_MAX,
			     32ULL << 30);
	CHECK(has(b, "more than 3/4 of the host's 32 GiB"),
	      "explain: create ENOMEM above 3/4 of RAM");
	CHECK(has(v3_explain(V3_IOC_DESTROY, EPERM, 0, b, sizeof(b)),
		  "CAP_SYS_ADMIN"), "explain: EPERM names CAP_SYS_ADMIN");
	CHECK(has(v3_explain(V3_IOC_LAUNCH, EBUSY, 0, b, sizeof(b)),
		  "already launched"), "explain: launch EBUSY");
	CHECK(has(v3_explain(V3_IOC_RESUME, EINVAL, 0, b, sizeof(b)),
		  "not paused"), "explain: resume EINVAL");
	CHECK(has(v3_explain(V3_IOC_PAGING, EINVAL, 0, b, sizeof(b)),
		  "invalid paging mode"), "explain: paging EINVAL");
	CHECK(has(v3_explain(V3_IOC_PAGING, EOPNOTSUPP, 0, b, sizeof(b)),
		  "cannot run shadow paging"), "explain: paging EOPNOTSUPP");
	CHECK(has(v3_explain(V3_IOC_PAGING, ENOTTY, 0, b, sizeof(b)),
		  "predates ABI 1.3"), "explain: paging ENOTTY");
	CHECK(has(v3_explain(V3_IOC_CREATE, ENOSPC, 0, b, sizeof(b)),
		  "too many VMs"), "explain: create ENOSPC");
	CHECK(!strcmp(v3_explain(0, EIO, 0, b, sizeof(b)), strerror(EIO)),
	      "explain: unknown errno falls back to strerror");
}

void test_commands(void)
{
	struct fvm *vm;
	int r;

	test_explain();
	if (!mkdtemp(dir)) {
		tap_ok(false, "commands: temporary directory");
		return;
	}
	setenv(V3CTL_DEVICE_ENV, "/dev/null", 1);
	make_kernels();

	r = run(NULL, "version");
	CHECK(r == 0 && has(out, "abi: 1.3\n") && has(out, "backend: svm\n") &&
	      has(out, "caps: svm nested-paging cap-11 emulator-quirks paging-switch cap-40\n") &&
	      has(out, "\nmitigations: rsb-fill spec-ctrl untrain-ret mit-50\n"),
	      "cmd: version");
	r = run(NULL, "version --json");
	CHECK(r == 0 && has(out, "{\"abi\":\"1.3\",") &&
	      has(out, "\"backend\":\"svm\"") &&
	      has(out, "\"caps\":[\"svm\",\"nested-paging\",\"cap-11\",\"emulator-quirks\",\"paging-switch\",\"cap-40\"]") &&
	      has(out, "\"mitigations\":[\"rsb-fill\",\"spec-ctrl\",\"untrain-ret\",\"mit-50\"]") &&
	      has(out, "}\n"), "cmd: version --json");
	fake_mitigations = 0;
	r = run(NULL, "version");
	CHECK(r == 0 && has(out, "\nmitigations: none\n"),
	      "cmd: version without mitigations");
	r = run(NULL, "version --json");
	CHECK(r == 0 && has(out, "\"mitigations\":[],\"mitigations_mask\":0}"),
	      "cmd: version --json without mitigations");
	r = run(NULL, "version --bogus");
	CHECK(r == 2, "cmd: version with an unknown option");
	fake_mitigations = V3_MIT_IBPB;

	memset(&sc, 0, sizeof(sc));
	r = run(NULL, fmt("create vm1 --mem 64M --vcpus 2 --pin 3 --kernel %s --cmdline a=b", mb_path));
	vm = find("vm1");
	CHECK(r == 0 && vm && vm->cr.mem_bytes == 64 << 20 &&
	      vm->cr.vcpus == 2 && vm->cr.flags == V3_CREATE_PIN_VCPUS &&
	      vm->cr.first_cpu == 3 && vm->boot_set &&
	      vm->boot.mode == V3_BOOT_PROT32 &&
	      vm->boot.entry == 0x100000 && !strcmp(vm->boot.name, "vm1") &&
	      !memcmp(vm->ram + 0x100000, (uint32_t[]){ MB_HEADER_MAGIC }, 4) &&
	      !strcmp((char *)vm->ram + CMDLINE_ADDR, "a=b") && !*err,
	      "cmd: create loads the kernel and sets the boot state");

	r = run(NULL, fmt("create vmbz --mem 64M --vcpus 3 --kernel %s --cmdline console=ttyS0", bz_path));
	vm = find("vmbz");
	CHECK(r == 0 && vm && vm->boot_set && vm->boot.mode == V3_BOOT_LONG64 &&
	      vm->boot.entry == 0x1000200 && vm->boot.cs == 0x10 &&
	      vm->boot.ds == 0x18 &&
	      vm->boot.gpr[V3_RSI] == BZ_ZERO_PAGE_ADDR &&
	      !memcmp(vm->ram + BZ_ZERO_PAGE_ADDR + 0x202, "HdrS", 4) &&
	      !strcmp((char *)vm->ram + BZ_CMDLINE_ADDR, "console=ttyS0") &&
	      !memcmp(vm->ram + ACPI_BASE, "RSD PTR ", 8) && !*err,
	      "cmd: create boots a bzImage (%s)", err);
	if (vm) {
		struct acpi_rsdp rsdp;
		uint64_t madt;
		uint32_t madt_len = 0;

		memcpy(&rsdp, vm->ram + ACPI_BASE, sizeof(rsdp));
		memcpy(&madt, vm->ram + rsdp.xsdt_address + 36 + 8, 8);
		if (madt < FAKE_RAM - 8)
			memcpy(&madt_len, vm->ram + madt + 4, 4);
		CHECK(madt_len == 44 + 3 * 8 + 12 + 2 * 10 + 6 &&
		      !memcmp(vm->ram + madt, "APIC", 4),
		      "cmd: --vcpus 3 gives a MADT with 3 local APICs");
	}
	r = run(NULL, "destroy vmbz");
	CHECK(r == 0 && !find("vmbz"), "cmd: destroy the bzImage VM");

	r = run(NULL, fmt("create vm1 --mem 64M --kernel %s", mb_path));
	CHECK(r == 1 && !strcmp(err, "v3ctl: create: vm1: a VM with this name already exists (EEXIST)\n"),
	      "cmd: create duplicate -> 1, EEXIST message");

	r = run(NULL, fmt("create vm2 --mem 64M --kernel %s", bad_path));
	CHECK(r == 1 && !find("vm2") && has(err, "v3ctl: create: ") &&
	      has(err, "program headers"),
	      "cmd: create with a corrupt kernel -> 1, no VM created");

	r = run(NULL, "create vm2 --mem 64M --kernel /nonexistent/k");
	CHECK(r == 1 && !find("vm2") &&
	      !strcmp(err, "v3ctl: create: /nonexistent/k: No such file or directory (ENOENT)\n"),
	      "cmd: create with a missing kernel file");

	sc.fail_mem_write = EFAULT;
	r = run(NULL, fmt("create vm2 --mem 64M --kernel %s", mb_path));
	CHECK(r == 1 && !find("vm2") && has(err, "Bad address"),
	      "cmd: create destroys the VM when MEM_WRITE fails");
	sc.fail_mem_write = 0;
	sc.fail_set_boot = EINVAL;
	r = run(NULL, fmt("create vm2 --mem 64M --kernel %s", mb_path));
	CHECK(r == 1 && !find("vm2") && has(err, "setting the boot state"),
	      "cmd: create destroys the VM when SET_BOOT fails");
	sc.fail_set_boot = 0;

	r = run(NULL, fmt("create vm2 --mem 64M --paging adaptive --kernel %s", mb_path));
	CHECK(r == 0 && find("vm2") && find("vm2")->pg_mode == V3_PAGING_ADAPTIVE &&
	      find("vm2")->boot_set, "cmd: create --paging adaptive sets the mode");
	run(NULL, "destroy vm2");
	r = run(NULL, fmt("create vm2 --mem 64M --paging fast --kernel %s", mb_path));
	CHECK(r == 2 && !find("vm2") && has(err, "--paging must be nested, shadow or adaptive, not 'fast'"),
	      "cmd: create --paging fast -> 2, nothing created");
	fake_no_shadow = true;
	r = run(NULL, fmt("create vm2 --mem 64M --paging shadow --kernel %s", mb_path));
	CHECK(r == 1 && !find("vm2") && has(err, "vm2: --paging: this backend cannot run shadow paging") &&
	      has(err, "(EOPNOTSUPP)"),
	      "cmd: create --paging shadow without shadow support -> 1, VM destroyed");
	fake_no_shadow = false;

	r = run(NULL, "create vm2 --mem 64M");
	CHECK(r == 2 && has(err, "missing --kernel"), "cmd: create without --kernel -> 2");
	r = run(NULL, fmt("create --mem 1G --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "missing VM name"), "cmd: create without NAME -> 2");
	r = run(NULL, fmt("create vm2 --mem 65G --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "too large"), "cmd: create --mem 65G -> 2");
	r = run(NULL, fmt("create vm2 --mem 1M --vcpus 65 --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "--vcpus"), "cmd: create --vcpus 65 -> 2");
	r = run(NULL, fmt("create vm2 --mem 4097K --kernel %s", mb_path));
	CHECK(r == 2 && has(err, "multiple of 4K"), "cmd: create --mem 4097K -> 2");
	r = run(NULL, "create --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl create"), "cmd: create --help");

	r = run(NULL, "info vm1");
	CHECK(r == 0 && has(out, "\nstate: created\n") &&
	      has(out, "\nstop-reason: none\n") && !has(out, "exit-code") &&
	      !has(out, "detail:") && has(out, "\nvcpus: 2\n") &&
	      has(out, "\nmemory: 64 MiB (62 MiB in 2 MiB chunks)\n") &&
	      has(out, "\nexit io 10 100\n") && has(out, "\nexit exit-30 1 7\n"),
	      "cmd: info of a created VM");

	r = run(NULL, "msrs vm1");
	CHECK(r == 0 && !strcmp(out, "msr 0xc0010000 rd 3 wr 1 gp 0\n"
				   "msr 0xc0011020 rd 2 wr 0 gp 2\n"
				   "other rd 0 wr 5 gp 5\n") && !*err,
	      "cmd: msrs lists the unmodelled MSRs and the other sum");
	r = run(NULL, "msrs --json vm1");
	CHECK(r == 0 && !strcmp(out, "{\"name\": \"vm1\", \"msrs\": ["
				   "{\"msr\": 3221291008, \"reads\": 3, \"writes\": 1, \"gp\": 0}, "
				   "{\"msr\": 3221295136, \"reads\": 2, \"writes\": 0, \"gp\": 2}], "
				   "\"other\": {\"reads\": 0, \"writes\": 5, \"gp\": 5}}\n"),
	      "cmd: msrs --json");
	r = run(NULL, "msrs nosuch");
	CHECK(r == 1 && !strcmp(err, "v3ctl: msrs: nosuch: no such VM (ENOENT)\n"),
	      "cmd: msrs of a missing VM -> 1, ENOENT message");
	r = run(NULL, "msrs");
	CHECK(r == 2 && has(err, "missing VM name"), "cmd: msrs without NAME -> 2");
	r = run(NULL, "msrs vm1 --bogus");
	CHECK(r == 2 && has(err, "unknown option"), "cmd: msrs --bogus -> 2");
	r = run(NULL, "msrs --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl msrs NAME [--json]"), "cmd: msrs --help");

	/* paging: show, set, JSON, refusals in words */
	r = run(NULL, "paging vm1");
	CHECK(r == 0 && !strcmp(out, "mode: nested\ncurrent: nested\nmeasure: none\n"
				"switches: 0\nshadow_faults: 11\nguest_faults: 0\n"
				"wp_emulations: 0\ncr3_switches: 7\ninvlpgs: 0\n"
				"shadow_pages: 0\nswitch_ns_last: 0\n"
				"switch_ns_max: 123456\nfault_cycles: 0\n"
				"shadow_prefetches: 0\nwp_noprogress: 0\n"
				"last_decision: none\n"),
	      "cmd: paging shows mode, current, stats");
	r = run(NULL, "paging vm1 shadow");
	CHECK(r == 0 && !*out && !*err, "cmd: paging vm1 shadow is quiet");
	r = run(NULL, "paging vm1");
	CHECK(r == 0 && has(out, "mode: shadow\ncurrent: shadow\n") &&
	      has(out, "\nswitches: 1\n"), "cmd: paging after the switch");
	r = run(NULL, "paging vm1 adaptive --json");
	CHECK(r == 0 && !strcmp(out, "{\"name\": \"vm1\", \"mode\": \"adaptive\", "
				"\"current\": \"shadow\", \"measure\": \"trial\", "
				"\"switches\": 1, \"shadow_faults\": 11, "
				"\"guest_faults\": 0, \"wp_emulations\": 0, "
				"\"cr3_switches\": 7, \"invlpgs\": 0, "
				"\"shadow_pages\": 0, \"switch_ns_last\": 0, "
				"\"switch_ns_max\": 123456, \"fault_cycles\": 0, "
				"\"shadow_prefetches\": 0, \"wp_noprogress\": 0, "
				"\"last_decision\": {\"from\": \"nested\", "
				"\"to\": \"shadow\", \"reason\": \"trial-keep\", "
				"\"time_ns\": 5000000000, \"nested_ppm\": 50000, "
				"\"shadow_ppm\": 12000}}\n"),
	      "cmd: paging adaptive --json prints the new state");
	r = run(NULL, "paging vm1");
	CHECK(r == 0 && has(out, "last_decision: nested -> shadow, trial-keep, nested 50000 ppm, shadow 12000 ppm\n"),
	      "cmd: paging shows the last decision");
	r = run(NULL, "paging --json vm1 nested");
	CHECK(r == 0 && has(out, "\"mode\": \"nested\", \"current\": \"nested\", \"measure\": \"none\"") &&
	      has(out, "\"switches\": 2,") && has(out, "\"last_decision\": null}\n"),
	      "cmd: paging --json before the name");
	r = run(NULL, "paging vm1 fast");
	CHECK(r == 2 && has(err, "unknown paging mode 'fast'"), "cmd: paging bad mode -> 2");
	r = run(NULL, "paging vm1 shadow extra");
	CHECK(r == 2 && has(err, "unexpected argument 'extra'"), "cmd: paging extra argument -> 2");
	r = run(NULL, "paging");
	CHECK(r == 2 && has(err, "missing VM name"), "cmd: paging without NAME -> 2");
	r = run(NULL, "paging bad/name");
	CHECK(r == 2 && has(err, "invalid VM name"), "cmd: paging invalid name -> 2");
	r = run(NULL, "paging nosuch shadow");
	CHECK(r == 1 && !strcmp(err, "v3ctl: paging: nosuch: no such VM (ENOENT)\n"),
	      "cmd: paging of a missing VM -> 1");
	fake_no_shadow = true;
	r = run(NULL, "paging vm1 shadow");
	CHECK(r == 1 && has(err, "v3ctl: paging: vm1: this backend cannot run shadow paging or switch modes") &&
	      has(err, "(EOPNOTSUPP)\n"),
	      "cmd: paging without shadow support -> EOPNOTSUPP explained");
	r = run(NULL, "paging vm1 nested");
	CHECK(r == 0, "cmd: paging nested allowed without shadow support");
	fake_no_shadow = false;
	r = run(NULL, "paging --help");
	CHECK(r == 0 && has(out, "Usage: v3ctl paging NAME [nested|shadow|adaptive] [--json]"),
	      "cmd: paging --help");

	r = run(NULL, "list");
	CHECK(r == 0 && has(out, "vm1 ") && has(out, " created ") &&
	      has(out, "   2      64 MiB\n"), "cmd: list");

	r = run(NULL, "launch nosuch");
	CHECK(r == 1 && !strcmp(err, "v3ctl: launch: nosuch: no such VM (ENOENT)\n"),
	      "cmd: launch of a missing VM -> 1, ENOENT message");
	r = run(NULL, "pause vm1");
	CHECK(r == 1 && has(err, "v3ctl: pause: vm1: VM is not running (EINVAL)"),
	      "cmd: pause of a created VM -> 1, EINVAL message");

	sc.output = "boot ok\n";
	sc.reads_to_stop = 0;
	sc.stop_reason = V3_STOP_EXIT_PORT;
	sc.exit_code = 7;
	r = run(NULL, "launch vm1");
	CHECK(r == 0, "cmd: launch");
	r = run(NULL, "console vm1");
	CHECK(r == 0 && !strcmp(out, "boot ok\n"), "cmd: console prints the buffer");
	r = run(NULL, "console vm1 --follow --timeout 5");
	CHECK(r == 0 && !strcmp(out, "boot ok\n"),
	      "cmd: console --follow of a stopped VM drains and exits 0");
	r = run(NULL, "info vm1");
	CHECK(r == 0 && has(out, "\nstate: stopped\n") &&
	      has(out, "\nstop-reason: exit-port\n") &&
	      has(out, "\nexit-code: 7\n") &&
	      has(out, "\ncounter console-bytes 8\n"),
	      "cmd: info of a VM stopped by the exit port");
	r = run(NULL, "destroy vm1");
	CHECK(r == 0 && !find("vm1"), "cmd: destroy");
	r = run(NULL, "destroy vm1");
	CHECK(r == 1 && has(err, "no such VM (ENOENT)"), "cmd: destroy again -> 1");

	/* run */
	memset(&sc, 0, sizeof(sc));
	sc.output = "hello from the guest\n";
	sc.reads_to_stop = 3;
	sc.stop_reason = V3_STOP_EXIT_PORT;
	sc.exit_code = (16 << 1) | 1;
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 33 && !strcmp(out, sc.output) && !vm_count() &&
	      !strncmp(last_copy.name, "run-", 4) && !*err,
	      "run: exit-port value 16 -> exit status 33, VM destroyed");
	sc.exit_code = (0x80 << 1) | 1;
	r = run(NULL, fmt("run --mem 16M --kernel %s --name r1", mb_path));
	CHECK(r == 1 && !vm_count() && !strcmp(last_copy.name, "r1"),
	      "run: exit code masked to 8 bits");

	sc.stop_reason = V3_STOP_POWEROFF;
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 0 && !vm_count(), "run: poweroff -> 0");

	sc.stop_reason = V3_STOP_SHUTDOWN;
	sc.reason = "triple fault at rip 0x1234";
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 4 && !vm_count() &&
	      !strcmp(err, "v3ctl: run: VM stopped: shutdown: triple fault at rip 0x1234\n"),
	      "run: shutdown -> 4 with the stop reason on stderr");

	memset(&sc, 0, sizeof(sc));
	sc.output = "spinning\n";
	sc.reads_to_stop = -1;
	r = run(NULL, fmt("run --mem 16M --kernel %s --timeout 0.2", mb_path));
	CHECK(r == 6 && !vm_count() && !strcmp(out, "spinning\n") &&
	      last_copy.stop_reason == V3_STOP_USER && has(err, "timed out"),
	      "run: --timeout -> stop + destroy, 6");

	r = run(NULL, fmt("console vm9 --follow --timeout 0.1"));
	CHECK(r == 1 && has(err, "vm9: no such VM"), "console --follow of a missing VM -> 1");

	sc.raise_sig = SIGTERM;
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 143 && !vm_count() && last_copy.stop_reason == V3_STOP_USER,
	      "run: SIGTERM -> stop + destroy, 143");
	sc.raise_sig = SIGINT;
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 130 && !vm_count(), "run: SIGINT -> 130");
	sc.raise_sig = 0;

	memset(&sc, 0, sizeof(sc));
	sc.reads_to_stop = 40;
	sc.stop_reason = V3_STOP_POWEROFF;
	sc.lost = 1234;
	r = run(in_path, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 0 && last_copy.input_len == 11 &&
	      !memcmp(last_copy.input, "hello guest", 11) &&
	      has(err, "1234 bytes of console output were lost"),
	      "run: piped stdin forwarded (in partial writes), lost bytes noted");
	r = run(NULL, fmt("run --mem 16M --kernel %s", mb_path));
	CHECK(r == 0 && last_copy.input_len == 0,
	      "run: stdin /dev/null is not forwarded");

	r = run(NULL, fmt("run --mem 16M --kernel %s", bad_path));
	CHECK(r == 2 && !vm_count(), "run: corrupt kernel -> 2");
	r = run(NULL, fmt("run --mem 16M --kernel %s --name a/b", mb_path));
	CHECK(r == 2 && has(err, "invalid VM name"), "run: bad --name -> 2");
	r = run(NULL, fmt("run --mem 16M --kernel %s extra", mb_path));
	CHECK(r == 2, "run: stray argument -> 2");
	r = run(NULL, "run --help");
	CHECK(r == 0 && has(out, "130, 143"), "run --help documents exit codes");
	r = run(NULL, "console vm1 --timeout 3");
	CHECK(r == 2, "console: --timeout without --follow -> 2");
	r = run(NULL, "info");
	CHECK(r == 2 && has(err, "v3ctl: info: missing VM name"), "info: no NAME -> 2");
	r = run(NULL, "list extra");
	CHECK(r == 2, "list: stray argument -> 2");

	rmdir(dir);	/* O_TMPFILE files vanish by themselves */
	unlink(mb_path);
	unlink(bad_path);
	unlink(in_path);
	rmdir(dir);
}
