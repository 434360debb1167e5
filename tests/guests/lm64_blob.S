/* SPDX-License-Identifier: GPL-2.0 */
/* The longmode guest's 64-bit half, a flat binary placed at LM64_BASE. */
	.section .lm64, "awx"
	.incbin	BLOB_FILE

	.section .note.GNU-stack, "", @progbits
