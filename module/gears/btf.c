// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS: structure layouts from a guest kernel's own BTF.
 *
 * A kernel built with CONFIG_DEBUG_INFO_BTF carries its types in the .BTF
 * section (between __start_BTF and __stop_BTF; pahole writes it from the
 * DWARF, scripts/link-vmlinux.sh links it in).  The raw format is the
 * uapi's include/uapi/linux/btf.h (Documentation/bpf/btf.rst); its layout
 * is written out again below rather than included, so that this file
 * builds the same against every kernel's headers and in tests/unit:
 *
 *   header   u16 magic 0xeB9F, u8 version 1, u8 flags, u32 hdr_len, then
 *            u32 type_off, type_len, str_off, str_len (offsets from the
 *            header's end; a longer header has fields this file ignores)
 *   strings  NUL-terminated names; offset 0 is the empty name
 *   types    type ids 1, 2, ... in order (0 is void), each a 12-byte
 *            struct btf_type { name_off; info; size or type; } followed by
 *            data that depends on its kind (info bits 24-28), sized by its
 *            vlen (info bits 0-15):
 *              INT           u32 encoding (bits 0-7: width, 16-23: offset)
 *              ARRAY         { type, index_type, nelems }
 *              STRUCT, UNION vlen * { name_off, type, offset }: the offset
 *                            in bits, or with kind_flag (info bit 31) bits
 *                            0-23 offset and 24-31 the bitfield's width
 *              ENUM          vlen * { name_off, s32 val }
 *              FUNC_PROTO    vlen * { name_off, type }
 *              VAR           u32 linkage
 *              DATASEC       vlen * { type, offset, size }
 *              DECL_TAG      s32 component_idx
 *              ENUM64        vlen * { name_off, val_lo32, val_hi32 }
 *              PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC,
 *              FLOAT, TYPE_TAG: nothing
 *
 * gears_btf_parse() checks the whole blob once: header and sections inside
 * it, every type's data inside the type section, every name inside the
 * string section and every type reference below the number of types.  The
 * lookups after it need no checks but a depth bound on type chains.  It
 * keeps a copy of the blob and one u32 per type (its offset); a struct by
 * name is a linear search over the types (~130000 in a 6.12 kernel: about
 * a millisecond).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "btf.h"

#define GB_MAGIC	0xeB9F
#define GB_HDR_LEN	24
#define GB_DEPTH	32	/* typedef/const/... chains, nested anonymous members */
/*
 * Members looked at by one gears_btf_member(): anonymous members nest, and
 * a guest's blob could make a struct contain itself many times over.
 */
#define GB_BUDGET	(1U << 20)

enum {
	GB_UNKN, GB_INT, GB_PTR, GB_ARRAY, GB_STRUCT, GB_UNION, GB_ENUM,
	GB_FWD, GB_TYPEDEF, GB_VOLATILE, GB_CONST, GB_RESTRICT, GB_FUNC,
	GB_FUNC_PROTO, GB_VAR, GB_DATASEC, GB_FLOAT, GB_DECL_TAG, GB_TYPE_TAG,
	GB_ENUM64, GB_KINDS
};

struct gb_hdr {
	u16 magic;
	u8 version;
	u8 flags;
	u32 hdr_len;
	u32 type_off, type_len, str_off, str_len;
};

struct gb_type {
	u32 name_off;
	u32 info;
	u32 size_type;	/* size (INT, ENUM, STRUCT, ...) or type (PTR, ...) */
};

struct gb_member {
	u32 name_off, type, offset;
};

struct gb_array {
	u32 type, index_type, nelems;
};

#define GB_KIND(t)	(((t)->info >> 24) & 0x1f)
#define GB_VLEN(t)	((t)->info & 0xffff)
#define GB_KFLAG(t)	((t)->info >> 31)

struct gears_btf {
	u8 *data;
	u32 len;
	const u8 *types;
	const char *strs;
	u32 str_len;
	u32 ntypes;
	u32 *off;	/* off[id]: type id's offset in types (off[0] unused) */
};

/* bytes after the btf_type of one of this kind and vlen */
static u32 gb_extra(u32 kind, u32 vlen)
{
	switch (kind) {
	case GB_INT: case GB_VAR: case GB_DECL_TAG:
		return 4;
	case GB_ARRAY:
		return sizeof(struct gb_array);
	case GB_STRUCT: case GB_UNION: case GB_DATASEC: case GB_ENUM64:
		return vlen * 12;
	case GB_ENUM: case GB_FUNC_PROTO:
		return vlen * 8;
	default:
		return 0;
	}
}

static const struct gb_type *gb_type(const struct gears_btf *b, u32 id)
{
	return (const struct gb_type *)(b->types + b->off[id]);
}

static const char *gb_name(const struct gears_btf *b, u32 off)
{
	return b->strs + off;
}

/* does type id's data reference only names and types that exist? */
static bool gb_refs_ok(const struct gears_btf *b, const struct gb_type *t)
{
	const u32 *w = (const u32 *)(t + 1);
	u32 kind = GB_KIND(t), vlen = GB_VLEN(t), i, n = b->ntypes;

	if (t->name_off >= b->str_len)
		return false;
	switch (kind) {
	case GB_PTR: case GB_TYPEDEF: case GB_VOLATILE: case GB_CONST:
	case GB_RESTRICT: case GB_FUNC: case GB_VAR: case GB_DECL_TAG:
	case GB_TYPE_TAG: case GB_FUNC_PROTO:
		if (t->size_type > n)
			return false;
		break;
	}
	switch (kind) {
	case GB_ARRAY:
		return w[0] <= n && w[1] <= n;
	case GB_STRUCT: case GB_UNION:
		for (i = 0; i < vlen; i++, w += 3)
			if (w[0] >= b->str_len || w[1] > n)
				return false;
		return true;
	case GB_ENUM: case GB_ENUM64:
		for (i = 0; i < vlen; i++, w += kind == GB_ENUM ? 2 : 3)
			if (w[0] >= b->str_len)
				return false;
		return true;
	case GB_FUNC_PROTO:
		for (i = 0; i < vlen; i++, w += 2)
			if (w[0] >= b->str_len || w[1] > n)
				return false;
		return true;
	case GB_DATASEC:
		for (i = 0; i < vlen; i++, w += 3)
			if (w[0] > n)
				return false;
		return true;
	}
	return true;
}

int gears_btf_parse(const void *data, u32 len, struct gears_btf **out)
{
	struct gears_btf *b;
	struct gb_hdr h;
	u32 pos, id, type_len;
	int ret = -EINVAL;

	*out = NULL;
	if (len < GB_HDR_LEN || len > GEARS_BTF_MAX)
		return -EINVAL;
	memcpy(&h, data, sizeof(h));
	if (h.magic != GB_MAGIC || h.version != 1 || h.hdr_len < GB_HDR_LEN ||
	    h.hdr_len > len || (h.hdr_len & 3) || (h.type_off & 3) ||
	    (u64)h.type_off + h.type_len > len - h.hdr_len ||
	    (u64)h.str_off + h.str_len > len - h.hdr_len || !h.str_len)
		return -EINVAL;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->data = kvmalloc(len, GFP_KERNEL);
	if (!b->data)
		goto nomem;
	memcpy(b->data, data, len);
	b->len = len;
	b->types = b->data + h.hdr_len + h.type_off;
	b->strs = (const char *)b->data + h.hdr_len + h.str_off;
	b->str_len = h.str_len;
	type_len = h.type_len;
	if (b->strs[0] || b->strs[b->str_len - 1])
		goto bad;

	/* count the types, each inside the section */
	for (pos = 0; pos < type_len; b->ntypes++) {
		const struct gb_type *t = (const void *)(b->types + pos);

		if (type_len - pos < sizeof(*t) || !GB_KIND(t) ||
		    GB_KIND(t) >= GB_KINDS ||
		    gb_extra(GB_KIND(t), GB_VLEN(t)) > type_len - pos - sizeof(*t))
			goto bad;
		pos += sizeof(*t) + gb_extra(GB_KIND(t), GB_VLEN(t));
	}
	b->off = kvmalloc_array(b->ntypes + 1, sizeof(u32), GFP_KERNEL);
	if (!b->off)
		goto nomem;
	for (pos = 0, id = 1; id <= b->ntypes; id++) {
		const struct gb_type *t = (const void *)(b->types + pos);

		b->off[id] = pos;
		pos += sizeof(*t) + gb_extra(GB_KIND(t), GB_VLEN(t));
	}
	for (id = 1; id <= b->ntypes; id++)
		if (!gb_refs_ok(b, gb_type(b, id)))
			goto bad;
	*out = b;
	return 0;
nomem:
	ret = -ENOMEM;
bad:
	gears_btf_free(b);
	return ret;
}

void gears_btf_free(struct gears_btf *b)
{
	if (!b)
		return;
	kvfree(b->data);
	kvfree(b->off);
	kfree(b);
}

/* through typedefs and qualifiers: the id of the type itself, or 0 */
static u32 gb_resolve(const struct gears_btf *b, u32 id)
{
	int depth;

	for (depth = 0; id && depth < GB_DEPTH; depth++) {
		const struct gb_type *t = gb_type(b, id);

		switch (GB_KIND(t)) {
		case GB_TYPEDEF: case GB_VOLATILE: case GB_CONST:
		case GB_RESTRICT: case GB_TYPE_TAG:
			id = t->size_type;
			continue;
		}
		return id;
	}
	return 0;
}

/* sizeof(type id), 0 if it has none (void, function, forward, loops) */
static u64 gb_size(const struct gears_btf *b, u32 id, int depth)
{
	const struct gb_type *t;
	const struct gb_array *a;

	id = gb_resolve(b, id);
	if (!id || depth > GB_DEPTH)
		return 0;
	t = gb_type(b, id);
	switch (GB_KIND(t)) {
	case GB_INT: case GB_ENUM: case GB_ENUM64: case GB_STRUCT:
	case GB_UNION: case GB_FLOAT:
		return t->size_type;
	case GB_PTR:
		return 8;	/* x86-64 */
	case GB_ARRAY:
		a = (const struct gb_array *)(t + 1);
		return a->nelems * gb_size(b, a->type, depth + 1);
	}
	return 0;
}

/* the first struct (or, failing that, union) of that name with members */
static u32 gb_find_struct(const struct gears_btf *b, const char *name)
{
	u32 id, kind, uni = 0;

	for (id = 1; id <= b->ntypes; id++) {
		const struct gb_type *t = gb_type(b, id);

		kind = GB_KIND(t);
		if ((kind != GB_STRUCT && kind != GB_UNION) ||
		    strcmp(gb_name(b, t->name_off), name))
			continue;
		if (kind == GB_STRUCT)
			return id;
		uni = uni ?: id;
	}
	return uni;
}

static bool gb_composite(const struct gears_btf *b, u32 id)
{
	u32 kind;

	if (!id)
		return false;
	kind = GB_KIND(gb_type(b, id));
	return kind == GB_STRUCT || kind == GB_UNION;
}

/*
 * Member name of composite id, looking through anonymous struct/union
 * members: its bit offset and type.  0, -ENOENT or -EINVAL (a bitfield).
 */
static int gb_member(const struct gears_btf *b, u32 id, const char *name,
		     u32 nlen, u64 *bits, u32 *type, int depth, u32 *budget)
{
	const struct gb_type *t = gb_type(b, id);
	const struct gb_member *m = (const struct gb_member *)(t + 1);
	u32 i;

	if (depth > GB_DEPTH)
		return -ENOENT;
	for (i = 0; i < GB_VLEN(t); i++, m++) {
		const char *mn = gb_name(b, m->name_off);
		u32 off = GB_KFLAG(t) ? m->offset & 0xffffff : m->offset;
		u32 width = GB_KFLAG(t) ? m->offset >> 24 : 0;
		u32 mt = gb_resolve(b, m->type);
		int ret;

		if (!*budget)
			return -EINVAL;
		(*budget)--;
		if (!*mn && gb_composite(b, mt)) {
			ret = gb_member(b, mt, name, nlen, bits, type, depth + 1,
					budget);
			if (ret != -ENOENT) {
				*bits += off;
				return ret;
			}
			continue;
		}
		if (strlen(mn) != nlen || memcmp(mn, name, nlen))
			continue;
		if (!width && mt && GB_KIND(gb_type(b, mt)) == GB_INT) {
			u32 enc = *(const u32 *)(gb_type(b, mt) + 1);

			/* an INT's own bit offset or width makes a bitfield */
			if (((enc >> 16) & 0xff) ||
			    (enc & 0xff) != 8 * gb_type(b, mt)->size_type)
				width = enc & 0xff;
		}
		if (width || (off & 7))
			return -EINVAL;
		*bits = off;
		*type = m->type;
		return 0;
	}
	return -ENOENT;
}

int gears_btf_struct_size(const struct gears_btf *b, const char *name,
			  u32 *size)
{
	u32 id = gb_find_struct(b, name);

	if (!id)
		return -ENOENT;
	*size = gb_type(b, id)->size_type;
	return 0;
}

int gears_btf_member(const struct gears_btf *b, const char *name,
		     const char *member, u32 *offset, u32 *size)
{
	u32 id = gb_find_struct(b, name), type = 0, budget = GB_BUDGET;
	u64 total = 0, bits, sz;
	const char *p = member;
	int ret;

	if (!id)
		return -ENOENT;
	for (;;) {
		const char *dot = strchr(p, '.');
		u32 nlen = dot ? dot - p : strlen(p);

		if (!nlen || !gb_composite(b, id))
			return -ENOENT;
		ret = gb_member(b, id, p, nlen, &bits, &type, 0, &budget);
		if (ret)
			return ret;
		total += bits / 8;
		if (!dot)
			break;
		id = gb_resolve(b, type);
		p = dot + 1;
	}
	sz = gb_size(b, type, 0);
	if (total > 0xffffffffULL || sz > 0xffffffffULL)
		return -EINVAL;
	*offset = total;
	*size = sz;
	return 0;
}

int gears_btf_enum(const struct gears_btf *b, const char *name, s64 *val)
{
	u32 id, i;

	for (id = 1; id <= b->ntypes; id++) {
		const struct gb_type *t = gb_type(b, id);
		const u32 *w = (const u32 *)(t + 1);
		u32 kind = GB_KIND(t), step;

		if (kind == GB_ENUM)
			step = 2;	/* { name_off, s32 val } */
		else if (kind == GB_ENUM64)
			step = 3;	/* { name_off, lo32, hi32 } */
		else
			continue;
		for (i = 0; i < GB_VLEN(t); i++, w += step) {
			if (strcmp(gb_name(b, w[0]), name))
				continue;
			if (kind == GB_ENUM)
				*val = (s32)w[1];
			else
				*val = (s64)((u64)w[2] << 32 | w[1]);
			return 0;
		}
	}
	return -ENOENT;
}
