/* SPDX-License-Identifier: MIT */
/* Array sizes, bounded table lookups and byte-order helpers, so no file
 * defines its own. Register fields are read and written through these, never
 * through bitfields or casts: CMIS is big-endian except where a page says
 * otherwise (14h counters and SNR are little-endian), USBTMC headers and the
 * bert-sim wire format are little-endian. */
#ifndef BERT_CORE_BYTES_H
#define BERT_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* t[i] when i indexes the array t, NULL past its end (tables of strings). */
#define TABLE_GET(t, i) ((size_t)(i) < ARRAY_SIZE(t) ? (t)[i] : NULL)

static inline uint16_t bert_get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void bert_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t bert_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline void bert_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint32_t bert_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void bert_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t bert_get_le64(const uint8_t *p)
{
	return (uint64_t)bert_get_le32(p) | (uint64_t)bert_get_le32(p + 4) << 32;
}

static inline void bert_put_le64(uint8_t *p, uint64_t v)
{
	bert_put_le32(p, (uint32_t)v);
	bert_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
