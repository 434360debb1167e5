/* SPDX-License-Identifier: GPL-2.0 */
/* Freestanding stand-in for <linux/ioctl.h>: guests never issue ioctls. */
#ifndef _GUEST_SHIM_LINUX_IOCTL_H
#define _GUEST_SHIM_LINUX_IOCTL_H

#define _IOR(type, nr, t)	0
#define _IOW(type, nr, t)	0
#define _IOWR(type, nr, t)	0

#endif
