// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VM console: what the guest writes to COM1 goes into a ring buffer
 * addressed by absolute stream offsets, so any number of readers (v3ctl
 * console, run, --follow) can read at their own pace and learn how much
 * they lost when the guest outpaced them.  Input typed into v3ctl console
 * is queued for the UART's receive register.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/sched/signal.h>
#include "v3.h"

int v3_console_init(struct v3_console *con)
{
	spin_lock_init(&con->lock);
	mutex_init(&con->input_lock);
	init_waitqueue_head(&con->wq);
	con->buf = __vmalloc(V3_CONSOLE_SIZE, V3_GFP_ACCOUNT | __GFP_ZERO);
	return con->buf ? 0 : -ENOMEM;
}

void v3_console_free(struct v3_console *con)
{
	vfree(con->buf);
	con->buf = NULL;
}

void v3_console_put(struct v3_vm *vm, const char *s, size_t len)
{
	struct v3_console *con = &vm->console;
	unsigned long flags;
	size_t i;

	spin_lock_irqsave(&con->lock, flags);
	for (i = 0; i < len; i++)
		con->buf[(con->head + i) % V3_CONSOLE_SIZE] = s[i];
	con->head += len;
	spin_unlock_irqrestore(&con->lock, flags);
	__sync_fetch_and_add(&vm->counters[V3_CNT_CONSOLE_BYTES], len);
	wake_up_interruptible(&con->wq);
}

static bool v3_console_ready(struct v3_vm *vm, u64 pos)
{
	return READ_ONCE(vm->console.head) > pos || v3_vm_stopped(vm);
}

int v3_console_read(struct v3_vm *vm, struct v3_console_io *io)
{
	struct v3_console *con = &vm->console;
	u64 head, start, n, lost = 0, off;
	unsigned long flags;
	char *tmp;
	int ret = 0;

	if (io->flags & ~V3_CONSOLE_WAIT || io->timeout_ms > 10000)
		return -EINVAL;
	if (io->flags & V3_CONSOLE_WAIT) {
		long t = wait_event_interruptible_timeout(con->wq,
				v3_console_ready(vm, io->pos),
				msecs_to_jiffies(io->timeout_ms));
		if (t < 0)
			return t;
	}

	n = min_t(u64, io->len, V3_CONSOLE_SIZE);
	tmp = kvmalloc(n ? n : 1, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;

	spin_lock_irqsave(&con->lock, flags);
	head = con->head;
	start = io->pos;
	if (start > head)
		start = head;
	if (head - start > V3_CONSOLE_SIZE) {
		lost = head - V3_CONSOLE_SIZE - start;
		start = head - V3_CONSOLE_SIZE;
	}
	n = min_t(u64, n, head - start);
	for (off = 0; off < n; off++)
		tmp[off] = con->buf[(start + off) % V3_CONSOLE_SIZE];
	spin_unlock_irqrestore(&con->lock, flags);

	if (n && copy_to_user(u64_to_user_ptr(io->uaddr), tmp, n))
		ret = -EFAULT;
	kvfree(tmp);
	if (lost)
		__sync_fetch_and_add(&vm->counters[V3_CNT_CONSOLE_DROPPED],
				     lost);
	io->pos = start + n;
	io->len = n;
	io->lost = lost;
	io->state = READ_ONCE(vm->state);
	return ret;
}

int v3_console_write(struct v3_vm *vm, struct v3_console_io *io)
{
	struct v3_console *con = &vm->console;
	char tmp[sizeof(con->in)];
	unsigned long flags;
	u32 n, i;

	if (io->flags || io->timeout_ms)
		return -EINVAL;
	n = min_t(u32, io->len, sizeof(tmp));
	if (copy_from_user(tmp, u64_to_user_ptr(io->uaddr), n))
		return -EFAULT;

	spin_lock_irqsave(&con->lock, flags);
	for (i = 0; i < n; i++) {
		unsigned int next = (con->in_head + 1) % sizeof(con->in);

		if (next == con->in_tail)
			break;
		con->in[con->in_head] = tmp[i];
		con->in_head = next;
	}
	spin_unlock_irqrestore(&con->lock, flags);
	io->len = i;
	io->state = READ_ONCE(vm->state);
	/* the UART may be re-created meanwhile (a guest reset) */
	mutex_lock(&con->input_lock);
	if (i && con->input)
		con->input(vm, con->input_opaque);
	mutex_unlock(&con->input_lock);
	return 0;
}

/* The device that consumes console input (the UART) is told of new bytes. */
void v3_console_set_input(struct v3_vm *vm,
			  void (*fn)(struct v3_vm *vm, void *opaque),
			  void *opaque)
{
	mutex_lock(&vm->console.input_lock);
	vm->console.input = fn;
	vm->console.input_opaque = opaque;
	mutex_unlock(&vm->console.input_lock);
}

/* Next input byte for the guest, or -1 when none is queued. */
int v3_console_getc(struct v3_vm *vm)
{
	struct v3_console *con = &vm->console;
	unsigned long flags;
	int c = -1;

	spin_lock_irqsave(&con->lock, flags);
	if (con->in_tail != con->in_head) {
		c = (unsigned char)con->in[con->in_tail];
		con->in_tail = (con->in_tail + 1) % sizeof(con->in);
	}
	spin_unlock_irqrestore(&con->lock, flags);
	return c;
}
