/* SPDX-License-Identifier: GPL-2.0 */
/*
 * v3ctl: user-space control tool for v3vmm.  Shared declarations.
 */
#ifndef V3CTL_H
#define V3CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "v3vmm.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define V3CTL_DEFAULT_DEVICE	"/dev/v3vmm"
#define V3CTL_DEVICE_ENV	"V3VMM_DEVICE"	/* overrides the device path */
/* directory standing for "/" in the sysfs paths host.c reads (tests) */
#define V3CTL_SYSFS_ROOT_ENV	"V3CTL_SYSFS_ROOT"

/* ABI 1.4: vCPU placement, guest RAM node policy */
#define ABI_MINOR_PLACEMENT	4
#define ABI_MINOR_CONTENT	5	/* content tracking */
#define ABI_MINOR_GEARS		6	/* GEARS introspection */
#define ABI_MINOR_GEARS_INJECT	7	/* GEARS tracing and injection */

#define PATH_BUF	512

/* Exit statuses (see v3ctl.8) */
#define EXIT_OK		0	/* success */
#define EXIT_FAIL	1	/* the operation failed */
#define EXIT_USAGE	2	/* usage error; run: VM could not be set up */
#define EXIT_VM_FAILED	4	/* run: VM stopped for another reason */
#define EXIT_TIMEOUT	6	/* run, console --follow: --timeout expired */
#define EXIT_RUN_ERROR	8	/* run: device error while following the VM */
#define EXIT_SIGNAL	128	/* + signal number (SIGINT: 130, SIGTERM: 143) */

/* A subcommand: argv[0] is the subcommand name. */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_version(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_launch(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_msrs(int argc, char **argv);
int cmd_paging(int argc, char **argv);
int cmd_vcpu(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_content(int argc, char **argv);
int cmd_gears(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_topology(int argc, char **argv);

/* cmd_gears.c: /dev/v3vmm if its module has GEARS (@inject: and 1.7's) */
int gears_open(const char *cmd, bool inject);
bool gears_vm_exists(int fd, const char *name);
/* cmd_gears_trace.c, cmd_gears_inject.c: argv[0] the subcommand */
int gears_trace(const char *cmd, int argc, char **argv);
int gears_syscall(const char *cmd, int argc, char **argv);
int gears_call(const char *cmd, int argc, char **argv);
int gears_insmod(const char *cmd, int argc, char **argv);
int gears_exec(const char *cmd, int argc, char **argv);

/* cmd_vcpu_move.c: "v3ctl vcpu move ...", argv[0] "move" */
int vcpu_move(int argc, char **argv, const char *help);
/* cmd_mem_move.c: "v3ctl mem move ...", argv[0] "move" */
int mem_move(int argc, char **argv, const char *help);

/* util.c: messages */
void v3_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void v3_err_errno(const char *cmd, const char *what, int err);
void v3_err_vm(const char *cmd, const char *name, int err);
int usage_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int opt_error(const char *cmd, int c, char **argv);
int parse_help_only(const char *cmd, int argc, char **argv, const char *help);
int parse_help_json(const char *cmd, int argc, char **argv, const char *help,
		    bool *json);
int need_one_name(const char *cmd, int argc, char **argv, const char **name);
int open_one_vm(const char *cmd, int argc, char **argv, const char **name,
		int *fd);
int open_vm_query(const char *cmd, int argc, char **argv, const char *help,
		  bool *json, const char **name, unsigned int minor,
		  const char *what, int *fd);
/* util.c: all of a file, bounded (limit names whose bound it is) */
int v3_read_file(const char *cmd, const char *path, uint64_t max,
		 const char *limit, const char *what, uint8_t **bufp,
		 size_t *lenp);
const char *errno_name(int err);
void v3_err_ioc(const char *cmd, const char *name, unsigned long req,
		int err, uint64_t need);

/* errors.c: refusals in words */
const char *v3_explain(unsigned long req, int err, uint64_t need, char *buf,
		       size_t len);
void explain_create_nomem(char *buf, size_t len, uint64_t need,
			  uint64_t limit, uint64_t used, uint64_t ram);
const char *fmt_bytes(uint64_t b, char *buf, size_t len);

/* gears_fmt.c: GEARS system calls in text and JSON, injected arguments */
#define GEARS_ARGS	6	/* a system call's arguments */

struct gears_arg {
	char kind;		/* 'i' integer, 's' s:TEXT, 'z' z:TEXT, 'b' b:SIZE */
	uint64_t off;		/* s/z/b: offset in the blob */
	uint64_t size;		/* s/z/b: bytes (z: with its NUL) */
};

/* the arguments of an injected call and its data (struct v3_gears_inject) */
struct gears_blob {
	uint64_t args[GEARS_ARGS];
	struct gears_arg arg[GEARS_ARGS];
	unsigned int nargs;
	uint32_t buf_mask;	/* args that are offsets into data */
	uint8_t *data;		/* malloc'd, 8-byte aligned items */
	uint64_t len;
};

const char *gears_errno_name(int64_t ret);
void gears_put_ret(FILE *f, bool known, int64_t ret);
int gears_nargs(const char *syscall);
void gears_put_int(FILE *f, uint64_t v);
void gears_put_cstr(FILE *f, const void *buf, size_t len);
void json_put_str(FILE *f, const void *buf, size_t len);
void gears_print_event(FILE *f, const struct v3_gears_event *ev, bool json);
bool gears_syscall_valid(const char *name, size_t len);
int gears_parse_int(const char *s, uint64_t *out);
int gears_add_arg(struct gears_blob *b, const char *s, bool ints_only,
		  char *why, size_t len);
void gears_blob_free(struct gears_blob *b);
void gears_put_args(FILE *f, const struct gears_blob *b);
size_t gears_buf_len(const struct gears_blob *b, unsigned int i, int64_t ret);

/*
 * gears_exec.c: a static PIE's image for V3_GEARS_INJ_EXEC: its PT_LOAD
 * segments at their addresses from base 0, a stack region of
 * GEARS_EXEC_STACK bytes and, at its top, the initial stack (argc, argv,
 * envp = { GEARS_EXEC_ENV }, auxv, the strings, AT_RANDOM's 16 bytes),
 * then the offsets of the words that hold addresses (args[2], args[3]).
 */
#define GEARS_EXEC_STACK	(64U << 10)	/* free below the initial stack */
#define GEARS_EXEC_ENV		"V3_GEARS_EXEC=1"
#define GEARS_EXEC_AUXV		17	/* auxv pairs, AT_NULL included */

struct gears_exec {
	uint64_t args[4];	/* struct v3_gears_inject's: entry, RSP, table, entries */
	uint8_t *data;		/* malloc'd: len bytes */
	uint64_t len;
	uint64_t image_len;	/* the segments, rounded up to 4096 */
	uint64_t stack_off, stack_len;	/* the stack region */
	uint64_t reloc_off;	/* the relocation table (args[2]) */
	uint64_t rsp;		/* args[1]: argc */
	uint64_t random_off;	/* AT_RANDOM's 16 bytes */
	uint64_t phdr;		/* AT_PHDR */
	uint64_t entry;		/* e_entry, args[0] */
};

int gears_exec_image(const void *file, size_t file_len, int argc,
		     char *const argv[], const uint8_t random[16],
		     struct gears_exec *x, char *why, size_t len);
void gears_exec_free(struct gears_exec *x);

/* util.c: parsing and validation */
bool v3_name_valid(const char *name);
int parse_size(const char *s, uint64_t *out);
int parse_u32(const char *s, uint32_t max, uint32_t *out);
int parse_seconds(const char *s, double *out);
void set_name(char dst[V3_NAME_MAX], const char *name);
const char *fmt_opt(long long v, const char *none, char *buf, size_t len);

/* util.c: name tables with fallback for values this tool does not know */
const char *stop_name(uint32_t reason);
const char *state_name(uint32_t state);
const char *exit_name(unsigned int idx, char *buf, size_t len);
const char *counter_name(unsigned int idx, char *buf, size_t len);

/* util.c: device access */
int v3_open(const char *cmd, bool check_version);
int v3_open_abi(const char *cmd, uint32_t minor, const char *what);
int v3_ioctl(int fd, unsigned long req, void *arg);
int vm_ref_ioctl(int fd, unsigned long req, const char *name);
int vm_info(int fd, const char *name, struct v3_info *info);
int simple_vm_cmd(int argc, char **argv, unsigned long req,
		  const char *help);

/* host.c: the host's CPUs and NUMA nodes in sysfs */
const char *sysfs_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sysfs_read_line(const char *path, char *buf, size_t len);
bool host_has_numa(void);
bool host_has_cpu(uint32_t cpu);
const char *host_cpus(char *buf, size_t len);
uint64_t host_nodes(void);
int host_mem_nodes(uint64_t *mask);
int sysfs_read_ids(const char *path, uint64_t *bits, unsigned int nbits);
int sysfs_read_ulong(const char *path, unsigned long *v);
int sysfs_read_meminfo(const char *path, int64_t *total, int64_t *free);

/* numa.c: node and CPU lists and --numa */
int parse_id_list(const char *s, uint64_t *bits, unsigned int nbits,
		  const char *what, char *why, size_t len);
const char *fmt_id_list(const uint64_t *bits, unsigned int nbits, char *buf,
			size_t len);
int parse_node_list(const char *s, uint64_t *mask, char *why, size_t len);
const char *fmt_node_list(uint64_t mask, char *buf, size_t len);
const char *mem_policy_name(uint32_t policy, char *buf, size_t len);
int parse_numa(const char *cmd, const char *arg, uint32_t *policy,
	       uint64_t *nodes);

/*
 * topo.c: the host's NUMA nodes and CPUs, from libnuma (topo_lib.c) or
 * from sysfs under V3CTL_SYSFS_ROOT (the unit tests, or a v3ctl built
 * without libnuma); CPU frequencies from libcpupower or sysfs cpufreq.
 */
#define TOPO_MAX_CPUS	4096
#define TOPO_GOV_LEN	32

struct topo_cpu {
	bool present, online;
	int node;			/* -1: none known */
	long cur_khz, min_khz, max_khz;	/* -1: no cpufreq */
	char governor[TOPO_GOV_LEN];	/* "": none */
};

struct topo_node {
	int64_t mem_total, mem_free;	/* bytes; -1: unknown */
	int distance[V3_MAX_NODES];	/* to node j; 0: unknown */
};

struct topology {
	bool numa;		/* false: no NUMA, node 0 has every CPU */
	const char *node_src;	/* "libnuma" or "sysfs" */
	const char *freq_src;	/* "libcpupower" or "sysfs" */
	uint64_t nodes;		/* bit n: node n exists */
	uint64_t mem_nodes;	/* bit n: node n has memory */
	bool mem_known;		/* mem_nodes is known */
	struct topo_node node[V3_MAX_NODES];
	unsigned int nr_cpus;	/* cpu[]: CPUs 0 to the last present one */
	struct topo_cpu cpu[TOPO_MAX_CPUS];
};

#define TOPO_FREQ	(1U << 0)	/* topo_read(): frequencies too */

struct topology *topo_alloc(void);
int topo_read(struct topology *t, unsigned int flags);
int topo_read_nodes(struct topology *t);
int topo_nodes_sysfs(struct topology *t);
int topo_read_cpus(struct topology *t);
void topo_single_node(struct topology *t);
void topo_set_governor(struct topo_cpu *c, const char *gov);

/* topo_lib.c: -ENOSYS when v3ctl was built without the library */
int topo_nodes_libnuma(struct topology *t);
int topo_freq_libcpupower(struct topology *t);

/* console.c */
enum follow_result {
	FOLLOW_STOPPED,		/* VM stopped and its output drained */
	FOLLOW_TIMEOUT,
	FOLLOW_DETACHED,	/* user typed the detach key */
	FOLLOW_SIGNAL,		/* SIGINT/SIGTERM/SIGHUP: see v3_signal */
	FOLLOW_ERROR,		/* message already printed */
};

#define DETACH_KEY	0x1d	/* Ctrl-] */

struct follow {
	const char *cmd;	/* for messages */
	const char *name;
	double timeout;		/* seconds; 0: none */
	bool input;		/* forward stdin (tty or pipe) */
	bool ignore_output_errors;	/* stdout gone: keep following */
};

extern volatile sig_atomic_t v3_signal;
void install_signals(void);
int console_dump(int fd, const char *cmd, const char *name);
enum follow_result console_follow(int fd, const struct follow *f);

/* vm_setup.c: shared by create and run */
struct vm_config {
	const char *name;
	uint64_t mem_bytes;
	uint32_t vcpus;
	bool pin;
	bool no_pvclock;
	bool reboot_stops;		/* --on-reboot stop */
	int paging;			/* --paging: V3_PAGING_*, -1: module default */
	uint32_t first_cpu;
	const char *numa;		/* --numa as given, NULL: local */
	uint32_t mem_policy;		/* V3_MEM_* */
	uint64_t mem_nodes;		/* bit n: host node n */
	uint32_t guest_numa;		/* --guest-numa nodes; 0: none */
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	double timeout;		/* run only */
};

#define VMOPT_NAME_ARG	(1U << 0)	/* NAME positional (create) */
#define VMOPT_RUN	(1U << 1)	/* --timeout, --name (run) */

#define PARSE_HELP	(-1)	/* --help was printed: exit 0 */

/* 0: go on; PARSE_HELP; or an exit status (message printed) */
int parse_vm_opts(const char *cmd, int argc, char **argv, unsigned int mode,
		  struct vm_config *cfg, const char *help);
int vm_open(const char *cmd, const struct vm_config *cfg);
int vm_create_and_load(int fd, const char *cmd, const struct vm_config *cfg);

#endif /* V3CTL_H */
