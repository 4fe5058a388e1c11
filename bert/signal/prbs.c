// SPDX-License-Identifier: MIT
/* PRBS generators and checker (IEEE 802.3 120.5.11.2).
 *
 * Word parallelism: if s_n = XOR_k s_(n - e_k) (the polynomial's exponents),
 * then squaring the polynomial 8 times gives s_n = XOR_k s_(n - 256 e_k),
 * so a whole 256-bit chunk is the XOR of the chunks e_k back. At 32 bytes a
 * chunk that is a plain aligned copy-and-xor for any pattern and either bit
 * packing, and one AVX2 register (or four 64-bit words on the scalar path)
 * per chunk. Only the first `degree` chunks come from the bit-serial LFSR. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_PREFIX "prbs"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/signal/prbs.h"
#include "bert/signal/simd.h"

#define CHUNK_BYTES	32
#define CHUNK_BITS	256
#define RING		32
#define WIN_CHUNKS	4	/* loss-of-lock window: 1024 bits */
#define WIN_LOSS	256	/* more errors than this in a window: lost */
#define LIN_WINS	64	/* windows per kernel call: 8 KiB, stays in L1 */
#define SSPRQ_BITS	(2u * BERT_SSPRQ_SYMBOLS)

struct pat_info {
	const char *name;
	unsigned deg;
	unsigned taps[4];	/* exponents of the polynomial below x^deg */
	unsigned ntaps;
	bool ieee_inv;		/* Figure 49-9 output inverter */
	bool q;
	int cmis;
};

/* Polynomials: IEEE 802.3 120.5.11.2 (ITU-T O.150 for PRBS11 and PRBS20). */
static const struct pat_info pats[BERT_PRBS_COUNT] = {
	[BERT_PRBS7]   = { "PRBS7",   7,  { 7, 6 },  2, false, false, 11 },
	[BERT_PRBS9]   = { "PRBS9",   9,  { 9, 5 },  2, false, false, 9 },
	[BERT_PRBS11]  = { "PRBS11",  11, { 11, 9 }, 2, false, false, -1 },
	[BERT_PRBS13]  = { "PRBS13",  13, { 13, 12, 2, 1 }, 4, false, false, 7 },
	[BERT_PRBS15]  = { "PRBS15",  15, { 15, 14 }, 2, false, false, 5 },
	[BERT_PRBS20]  = { "PRBS20",  20, { 20, 3 }, 2, false, false, -1 },
	[BERT_PRBS23]  = { "PRBS23",  23, { 23, 18 }, 2, false, false, 3 },
	[BERT_PRBS31]  = { "PRBS31",  31, { 31, 28 }, 2, true,  false, 1 },
	[BERT_PRBS7Q]  = { "PRBS7Q",  7,  { 7, 6 },  2, false, true, 10 },
	[BERT_PRBS9Q]  = { "PRBS9Q",  9,  { 9, 5 },  2, false, true, 8 },
	[BERT_PRBS11Q] = { "PRBS11Q", 11, { 11, 9 }, 2, false, true, -1 },
	[BERT_PRBS13Q] = { "PRBS13Q", 13, { 13, 12, 2, 1 }, 4, false, true, 6 },
	[BERT_PRBS15Q] = { "PRBS15Q", 15, { 15, 14 }, 2, false, true, 4 },
	[BERT_PRBS20Q] = { "PRBS20Q", 20, { 20, 3 }, 2, false, true, -1 },
	[BERT_PRBS23Q] = { "PRBS23Q", 23, { 23, 18 }, 2, false, true, 2 },
	[BERT_PRBS31Q] = { "PRBS31Q", 31, { 31, 28 }, 2, true,  true, 0 },
	[BERT_SSPRQ]   = { "SSPRQ",   0,  { 0 },     0, false, true, 12 },
};

/* IEEE 120.5.11.2.1: PRBS13Q seed S0..S12 = 0000010101011 */
#define PRBS13Q_SEED	0x1aa0u

static uint8_t ssprq_bits[(SSPRQ_BITS + 7) / 8 + 8];
static pthread_once_t ssprq_once = PTHREAD_ONCE_INIT;

const char *bert_prbs_name(enum bert_prbs_pattern p)
{
	if ((unsigned)p >= BERT_PRBS_COUNT)
		return "unknown";
	return pats[p].name;
}

int bert_prbs_from_name(const char *name, enum bert_prbs_pattern *p)
{
	unsigned i;

	for (i = 0; name && i < BERT_PRBS_COUNT; i++) {
		if (!strcasecmp(name, pats[i].name)) {
			*p = (enum bert_prbs_pattern)i;
			return BERT_OK;
		}
	}
	return bert_fail(BERT_ERR_CONFIG, "unknown pattern '%s'", name ? name : "");
}

int bert_prbs_from_cmis(unsigned id, enum bert_prbs_pattern *p)
{
	unsigned i;

	for (i = 0; i < BERT_PRBS_COUNT; i++) {
		if (pats[i].cmis == (int)id) {
			*p = (enum bert_prbs_pattern)i;
			return BERT_OK;
		}
	}
	return bert_fail(BERT_ERR_UNSUPPORTED, "CMIS pattern ID %u", id);
}

int bert_prbs_to_cmis(enum bert_prbs_pattern p)
{
	return (unsigned)p < BERT_PRBS_COUNT ? pats[p].cmis : -1;
}

bool bert_prbs_is_pam4(enum bert_prbs_pattern p)
{
	return (unsigned)p < BERT_PRBS_COUNT && pats[p].q;
}

uint64_t bert_prbs_period_bits(enum bert_prbs_pattern p)
{
	if ((unsigned)p >= BERT_PRBS_COUNT)
		return 0;
	if (p == BERT_SSPRQ)
		return SSPRQ_BITS;
	return (1ull << pats[p].deg) - 1;
}

/* Bit-serial Fibonacci LFSR: bit k of reg is S_k = s_(n-1-k). */
static inline unsigned lfsr_next(const struct pat_info *pi, uint32_t *reg)
{
	unsigned b = 0, k;

	for (k = 0; k < pi->ntaps; k++)
		b ^= (*reg >> (pi->taps[k] - 1)) & 1;
	*reg = ((*reg << 1) | b) & (uint32_t)((1ull << pi->deg) - 1);
	return b;
}

static inline void put_bit(uint8_t *buf, uint64_t n, unsigned b, bool lsb)
{
	unsigned sh = lsb ? (unsigned)(n & 7) : 7 - (unsigned)(n & 7);

	buf[n >> 3] = (uint8_t)((buf[n >> 3] & ~(1u << sh)) | (b << sh));
}

static inline unsigned get_bit(const uint8_t *buf, uint64_t n, bool lsb)
{
	unsigned sh = lsb ? (unsigned)(n & 7) : 7 - (unsigned)(n & 7);

	return (buf[n >> 3] >> sh) & 1;
}

/* Gray bit pairs <-> PAM4 level bits, (b1, b0) <-> (b1, b1 ^ b0): the
 * same map both ways. Pairs sit at even bit offsets. */
static inline uint64_t level_map64(uint64_t x, bool lsb)
{
	if (lsb)
		return x ^ ((x << 1) & 0xaaaaaaaaaaaaaaaaull);
	return x ^ ((x >> 1) & 0x5555555555555555ull);
}

/* 120.5.11.2.3 as checked against IEEE's SSPRQ_sequence.csv: three PRBS31
 * runs (seeds, lengths below) make 32768 bits A; the bit stream is
 * A, A less its last bit, A, A less its last bit; Gray-mapped that is 65535
 * symbols, of which symbols 16384..32767 and 49151..65534 are inverted
 * (3 - s). */
static void ssprq_init(void)
{
	static const uint32_t seeds[3] = { 0x00000002, 0x34013ff7, 0x0ccccccc };
	static const unsigned lens[3] = { 10924, 10922, 10922 };
	static uint8_t a[32768 / 8];
	const struct pat_info *pi = &pats[BERT_PRBS31];
	uint64_t n = 0, s, o = 0;
	unsigned r, i, rep;

	for (r = 0; r < 3; r++) {
		uint32_t reg = seeds[r];

		for (i = 0; i < lens[r]; i++)
			put_bit(a, n++, lfsr_next(pi, &reg) ^ 1, false);
	}
	memset(ssprq_bits, 0, sizeof(ssprq_bits));
	for (rep = 0; rep < 4; rep++) {
		unsigned len = (rep & 1) ? 32767 : 32768;

		for (i = 0; i < len; i++)
			put_bit(ssprq_bits, o++, get_bit(a, i, false), false);
	}
	for (s = 0; s < BERT_SSPRQ_SYMBOLS; s++) {
		unsigned b1 = get_bit(ssprq_bits, 2 * s, false);
		unsigned b0 = get_bit(ssprq_bits, 2 * s + 1, false);
		unsigned lvl = (b1 << 1) | (b1 ^ b0);	/* Gray map */

		if ((s >= 16384 && s < 32768) || (s >= 49151 && s < 65535))
			lvl = 3 - lvl;
		put_bit(ssprq_bits, 2 * s, lvl >> 1, false);
		put_bit(ssprq_bits, 2 * s + 1, lvl & 1, false);
	}
}

/* ---- chunk kernels: scalar and AVX2 give the same bits ---- */

static inline void chunk_next_scalar(uint8_t ring[RING][CHUNK_BYTES],
				     const unsigned *dist, unsigned nd, uint64_t c)
{
	uint64_t w[4], t[4];
	unsigned k, q;

	memset(w, 0, sizeof(w));
	for (k = 0; k < nd; k++) {
		memcpy(t, ring[(c - dist[k]) % RING], sizeof(t));
		for (q = 0; q < 4; q++)
			w[q] ^= t[q];
	}
	memcpy(ring[c % RING], w, sizeof(w));
}

int bert_prbs_gen_init(struct bert_prbs_gen *g, enum bert_prbs_pattern p,
		       uint32_t seed, unsigned flags)
{
	const struct pat_info *pi;
	uint32_t reg;
	uint64_t n;

	if (!g || (unsigned)p >= BERT_PRBS_COUNT)
		return bert_fail(BERT_ERR_ARG, "bad generator arguments");
	if (flags & ~(BERT_PRBS_INVERT | BERT_PRBS_LSB_FIRST))
		return bert_fail(BERT_ERR_ARG, "unknown flags 0x%x", flags);
	pi = &pats[p];
	memset(g, 0, sizeof(*g));
	g->pat = p;
	g->flags = flags;
	if (p == BERT_SSPRQ) {
		pthread_once(&ssprq_once, ssprq_init);
		return BERT_OK;
	}
	if (!seed)
		seed = p == BERT_PRBS13Q ? PRBS13Q_SEED : 0xffffffffu;
	reg = seed & (uint32_t)((1ull << pi->deg) - 1);
	if (!reg)
		return bert_fail(BERT_ERR_ARG, "all-zero seed locks the LFSR");
	for (n = 0; n < (uint64_t)pi->deg * CHUNK_BITS; n++)
		put_bit(&g->ring[0][0], n, lfsr_next(pi, &reg),
			flags & BERT_PRBS_LSB_FIRST);
	/* chunks 0..deg-1 are seeded; the first byte handed out opens 0 */
	g->chunk = 0;
	g->off = CHUNK_BYTES;
	return BERT_OK;
}

static uint8_t out_byte(const struct bert_prbs_gen *g, uint8_t raw)
{
	const struct pat_info *pi = &pats[g->pat];
	uint64_t x = raw;

	if (pi->ieee_inv)
		x ^= 0xff;
	if (pi->q)
		x = level_map64(x, g->flags & BERT_PRBS_LSB_FIRST) & 0xff;
	if (g->flags & BERT_PRBS_INVERT)
		x ^= 0xff;
	return (uint8_t)x;
}

void bert_prbs_gen_bytes(struct bert_prbs_gen *g, uint8_t *out, size_t n)
{
	const struct pat_info *pi = &pats[g->pat];
	size_t i;

	if (g->pat == BERT_SSPRQ) {
		bool lsb = g->flags & BERT_PRBS_LSB_FIRST;

		for (i = 0; i < n * 8; i++) {
			unsigned b = get_bit(ssprq_bits, g->ssprq_pos, false);

			if (g->flags & BERT_PRBS_INVERT)
				b ^= 1;
			put_bit(out, i, b, lsb);
			if (++g->ssprq_pos == SSPRQ_BITS)
				g->ssprq_pos = 0;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		if (g->off == CHUNK_BYTES) {
			/* chunks below deg were seeded bit-serially */
			if (g->chunk >= pi->deg)
				chunk_next_scalar(g->ring, pi->taps, pi->ntaps,
						  g->chunk);
			g->chunk++;
			g->off = 0;
		}
		out[i] = out_byte(g, g->ring[(g->chunk - 1) % RING][g->off++]);
	}
}

int bert_prbs_gen_symbols(struct bert_prbs_gen *g, uint8_t *sym, size_t n)
{
	size_t i;
	uint8_t b = 0;

	if (!pats[g->pat].q)
		return bert_fail(BERT_ERR_ARG, "%s is not a PAM4 pattern",
				 pats[g->pat].name);
	for (i = 0; i < n; i++) {
		unsigned k = (unsigned)(i & 3);

		if (!k)
			bert_prbs_gen_bytes(g, &b, 1);
		if (g->flags & BERT_PRBS_LSB_FIRST)
			sym[i] = (uint8_t)(((b >> (2 * k)) & 1) << 1 |
					   ((b >> (2 * k + 1)) & 1));
		else
			sym[i] = (b >> (6 - 2 * k)) & 3;
	}
	return BERT_OK;
}

/* ---- checker ---- */

struct chk {
	const struct pat_info *pi;
	const uint8_t *buf;
	size_t len;
	uint64_t nbits;
	bool lsb;
	uint8_t inv;		/* user invert, before the Gray map (byte mask) */
	uint8_t iinv;		/* IEEE inverter, after it */
	bool q;
	uint8_t ring[RING][CHUNK_BYTES] __attribute__((aligned(32)));
};

/* Capture bit n in the PRBS domain (before IEEE's inverter and the Gray
 * map): what the recurrence holds for. */
static inline unsigned rx_bit(const struct chk *x, uint64_t n)
{
	unsigned b = get_bit(x->buf, n, x->lsb) ^ (x->inv & 1);

	if (x->q && (n & 1))
		b ^= get_bit(x->buf, n - 1, x->lsb) ^ (x->inv & 1);
	return b ^ (x->iinv & 1);
}

/* The 32 capture bytes of chunk c, in the PRBS domain, as 4 words. */
static inline void rx_chunk64(const struct chk *x, uint64_t c, uint64_t w[4],
			      unsigned nbytes)
{
	const uint64_t inv = x->inv ? ~0ull : 0;
	unsigned q;

	memset(w, 0, 4 * sizeof(uint64_t));
	memcpy(w, x->buf + c * CHUNK_BYTES, nbytes);
	for (q = 0; q < 4; q++) {
		w[q] ^= inv;
		if (x->q)
			w[q] = level_map64(w[q], x->lsb);
		w[q] ^= x->iinv ? ~0ull : 0;
	}
}

static inline unsigned sym_errs64(uint64_t e)
{
	return (unsigned)__builtin_popcountll((e | (e >> 1)) & 0x5555555555555555ull);
}

/* Windows of WIN_CHUNKS chunks from chunk c0: expected chunk from the ring,
 * compared with the capture. Per-window bit and symbol error counts. */
static void win_scalar(struct chk *x, uint64_t c0, size_t nwin,
		       uint32_t *werr, uint32_t *wsym)
{
	size_t w;
	unsigned k, q;

	for (w = 0; w < nwin; w++) {
		uint32_t be = 0, se = 0;

		for (k = 0; k < WIN_CHUNKS; k++) {
			uint64_t c = c0 + w * WIN_CHUNKS + k;
			uint64_t e[4], r[4];

			chunk_next_scalar(x->ring, x->pi->taps, x->pi->ntaps, c);
			memcpy(e, x->ring[c % RING], sizeof(e));
			rx_chunk64(x, c, r, CHUNK_BYTES);
			for (q = 0; q < 4; q++) {
				uint64_t d = e[q] ^ r[q];

				if (!d)
					continue;
				be += (uint32_t)__builtin_popcountll(d);
				se += sym_errs64(d);
			}
		}
		werr[w] = be;
		wsym[w] = se;
	}
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PRBS_HAVE_AVX2 1

#define LIN_CHUNKS (LIN_WINS * WIN_CHUNKS)

/* One chunk at p: expected = XOR of the tap chunks behind it, compared
 * with the capture (user invert, Gray map, IEEE inverter). */
#define AVX2_CHUNK(K) do {							\
	const uint8_t *p_ = lin + (base + (K)) * CHUNK_BYTES;			\
	__m256i e_, r_;								\
	e_ = _mm256_xor_si256(_mm256_load_si256((const __m256i *)(p_ - o0)),	\
			      _mm256_load_si256((const __m256i *)(p_ - o1)));	\
	if (nt > 2)								\
		e_ = _mm256_xor_si256(e_, _mm256_xor_si256(			\
			_mm256_load_si256((const __m256i *)(p_ - o2)),		\
			_mm256_load_si256((const __m256i *)(p_ - o3))));	\
	_mm256_store_si256((__m256i *)p_, e_);					\
	r_ = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)		\
		(src + (base + (K) - RING) * CHUNK_BYTES)), inv);			\
	if (q) {								\
		if (lsb)							\
			r_ = _mm256_xor_si256(r_, _mm256_and_si256(		\
				_mm256_slli_epi16(r_, 1), maa));		\
		else								\
			r_ = _mm256_xor_si256(r_, _mm256_and_si256(		\
				_mm256_srli_epi16(r_, 1), m55));		\
	}									\
	d##K = _mm256_xor_si256(_mm256_xor_si256(e_, iinv), r_);		\
} while (0)

/* The ring is unrolled into a linear buffer for the call so every tap is a
 * fixed negative offset from the chunk being made: no modulo, no aliasing
 * reloads, four chunks in flight. */
__attribute__((target("avx2,popcnt"), always_inline))
static inline void win_avx2_t(struct chk *x, uint64_t c0, size_t nwin,
			      uint32_t *werr, uint32_t *wsym, const bool q,
			      const bool lsb, const unsigned nt)
{
	static _Thread_local uint8_t lin[(RING + LIN_CHUNKS) * CHUNK_BYTES]
		__attribute__((aligned(32)));
	const __m256i inv = _mm256_set1_epi8((char)(x->inv ? 0xff : 0));
	const __m256i iinv = _mm256_set1_epi8((char)(x->iinv ? 0xff : 0));
	const __m256i m55 = _mm256_set1_epi8(0x55);
	const __m256i maa = _mm256_set1_epi8((char)0xaa);
	const uint8_t *const src = x->buf + c0 * CHUNK_BYTES;
	const size_t o0 = (size_t)x->pi->taps[0] * CHUNK_BYTES;
	const size_t o1 = (size_t)x->pi->taps[1] * CHUNK_BYTES;
	const size_t o2 = nt > 2 ? (size_t)x->pi->taps[2] * CHUNK_BYTES : 0;
	const size_t o3 = nt > 3 ? (size_t)x->pi->taps[3] * CHUNK_BYTES : 0;
	size_t w, i;

	for (i = 0; i < RING; i++)
		memcpy(lin + i * CHUNK_BYTES, x->ring[(c0 - RING + i) % RING],
		       CHUNK_BYTES);
	for (w = 0; w < nwin; w++) {
		const size_t base = RING + w * WIN_CHUNKS;
		__m256i d0, d1, d2, d3, any;
		unsigned k;

		AVX2_CHUNK(0);
		AVX2_CHUNK(1);
		AVX2_CHUNK(2);
		AVX2_CHUNK(3);
		any = _mm256_or_si256(_mm256_or_si256(d0, d1),
				      _mm256_or_si256(d2, d3));
		werr[w] = wsym[w] = 0;
		if (_mm256_testz_si256(any, any))
			continue;
		for (k = 0; k < WIN_CHUNKS; k++) {
			uint64_t v[4];

			_mm256_storeu_si256((__m256i *)v,
					    k == 0 ? d0 : k == 1 ? d1 : k == 2 ? d2 : d3);
			for (i = 0; i < 4; i++) {
				werr[w] += (uint32_t)__builtin_popcountll(v[i]);
				wsym[w] += (uint32_t)__builtin_popcountll(
					(v[i] | (v[i] >> 1)) & 0x5555555555555555ull);
			}
		}
	}
	for (i = 0; i < RING; i++) {
		uint64_t c = c0 + nwin * WIN_CHUNKS - RING + i;

		memcpy(x->ring[c % RING],
		       lin + (nwin * WIN_CHUNKS + i) * CHUNK_BYTES, CHUNK_BYTES);
	}
}

/* The pattern's shape picked once, so the chunk loop has no branches. */
__attribute__((target("avx2,popcnt")))
static void win_avx2(struct chk *x, uint64_t c0, size_t nwin,
		     uint32_t *werr, uint32_t *wsym)
{
	if (x->pi->ntaps == 2 && !x->q)
		win_avx2_t(x, c0, nwin, werr, wsym, false, false, 2);
	else if (x->pi->ntaps == 2 && !x->lsb)
		win_avx2_t(x, c0, nwin, werr, wsym, true, false, 2);
	else if (x->pi->ntaps == 2)
		win_avx2_t(x, c0, nwin, werr, wsym, true, true, 2);
	else
		win_avx2_t(x, c0, nwin, werr, wsym, x->q, x->lsb, 4);
}
#else
#define PRBS_HAVE_AVX2 0
#endif

/* Scans for lock from bit *pos: the recurrence holds for `need`
 * consecutive bits. On success *pos is the last bit of the run and reg the
 * LFSR state there. */
static bool acquire(const struct chk *x, uint64_t *pos, unsigned need,
		    uint32_t *reg)
{
	const struct pat_info *pi = x->pi;
	uint64_t n = *pos, start = *pos;
	uint32_t hist = 0;	/* bit k = PRBS-domain bit n-1-k */
	const uint32_t mask = (uint32_t)((1ull << pi->deg) - 1);
	unsigned run = 0, k;

	for (; n < x->nbits; n++) {
		unsigned b = rx_bit(x, n), pred = 0;

		if (n - start >= pi->deg) {
			for (k = 0; k < pi->ntaps; k++)
				pred ^= (hist >> (pi->taps[k] - 1)) & 1;
			run = pred == b ? run + 1 : 0;
		}
		hist = ((hist << 1) | b) & mask;
		if (run >= need) {
			*pos = n;
			*reg = hist;
			return true;
		}
	}
	*pos = n;
	return false;
}

/* SSPRQ lock index: every 48-bit window of the (cyclic) pattern keyed with
 * the parity of its offset. The pattern repeats A at an even and at an odd
 * offset, and symbols pair bits from even offsets, so the parity tells the
 * copies apart. */
#define SSPRQ_WIN 48
struct ssprq_key {
	uint64_t key;
	uint32_t off;	/* offset of the bit after the window */
};
static struct ssprq_key *ssprq_idx;

static int key_cmp(const void *a, const void *b)
{
	const struct ssprq_key *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static void ssprq_index_init(void)
{
	uint64_t win = 0;
	uint32_t i;

	ssprq_idx = malloc(sizeof(*ssprq_idx) * SSPRQ_BITS);
	if (!ssprq_idx)
		return;
	for (i = 0; i < SSPRQ_BITS + SSPRQ_WIN - 1; i++) {
		win = ((win << 1) | get_bit(ssprq_bits, i % SSPRQ_BITS, false)) &
		      ((1ull << SSPRQ_WIN) - 1);
		if (i >= SSPRQ_WIN - 1) {
			uint32_t start = i + 1 - SSPRQ_WIN;

			ssprq_idx[start].key = (win << 1) | (start & 1);
			ssprq_idx[start].off = (i + 1) % SSPRQ_BITS;
		}
	}
	qsort(ssprq_idx, SSPRQ_BITS, sizeof(*ssprq_idx), key_cmp);
}

static pthread_once_t ssprq_idx_once = PTHREAD_ONCE_INIT;

static void check_ssprq(const struct chk *x, struct bert_prbs_result *res)
{
	/* Lock by looking the next 48 capture bits up in the index, then
	 * compare bit by bit (SSPRQ captures are short scope records). */
	uint64_t n = 0;

	pthread_once(&ssprq_idx_once, ssprq_index_init);
	if (!ssprq_idx)
		return;
	while (n + SSPRQ_WIN <= x->nbits) {
		struct ssprq_key k, *hit;
		uint64_t want = 0, i, off, werr = 0, wbits = 0, wstart;
		unsigned eprev = 0;

		for (i = 0; i < SSPRQ_WIN; i++)
			want = (want << 1) | (get_bit(x->buf, n + i, x->lsb) ^ (x->inv & 1));
		k.key = (want << 1) | (n & 1);
		hit = bsearch(&k, ssprq_idx, SSPRQ_BITS, sizeof(k), key_cmp);
		if (!hit) {
			n++;
			continue;
		}
		off = hit->off;
		if (!res->locks)
			res->first_lock_bit = n;
		res->locks++;
		res->locked = true;
		res->bits_checked += SSPRQ_WIN;
		if (x->q)
			res->symbols_checked += SSPRQ_WIN / 2;
		n += SSPRQ_WIN;
		wstart = n;
		for (; n < x->nbits; n++) {
			unsigned e = (get_bit(x->buf, n, x->lsb) ^ (x->inv & 1)) ^
				     get_bit(ssprq_bits, off, false);

			res->bits_checked++;
			res->bit_errors += e;
			if (n & 1) {
				res->symbols_checked++;
				res->symbol_errors += e | eprev;
			}
			eprev = e;
			werr += e;
			wbits++;
			if (++off == SSPRQ_BITS)
				off = 0;
			if (wbits == WIN_CHUNKS * CHUNK_BITS) {
				if (werr > WIN_LOSS) {
					res->bits_checked -= wbits;
					res->bit_errors -= werr;
					res->losses++;
					res->locked = false;
					n = wstart;
					break;
				}
				werr = wbits = 0;
				wstart = n + 1;
			}
		}
		if (res->locked)
			return;
	}
}

int bert_prbs_check(const struct bert_prbs_check_opts *o, const uint8_t *buf,
		    size_t len, struct bert_prbs_result *res)
{
	static _Thread_local struct chk x;
	uint32_t werr[256], wsym[256];
	unsigned need;
	uint64_t pos = 0;
	enum bert_simd_path path = bert_simd_get();

	if (!res)
		return bert_fail(BERT_ERR_ARG, "no result");
	memset(res, 0, sizeof(*res));
	if (!o || (unsigned)o->pat >= BERT_PRBS_COUNT || (!buf && len))
		return bert_fail(BERT_ERR_ARG, "bad checker arguments");
	if (o->flags & ~(BERT_PRBS_INVERT | BERT_PRBS_LSB_FIRST))
		return bert_fail(BERT_ERR_ARG, "unknown flags 0x%x", o->flags);
	res->bits_total = (uint64_t)len * 8;
	if (!len)
		return bert_fail(BERT_ERR_PROTOCOL, "empty capture");
	memset(&x, 0, offsetof(struct chk, ring));
	x.pi = &pats[o->pat];
	x.buf = buf;
	x.len = len;
	x.nbits = (uint64_t)len * 8;
	x.lsb = o->flags & BERT_PRBS_LSB_FIRST;
	x.q = x.pi->q;
	x.inv = (o->flags & BERT_PRBS_INVERT) ? 0xff : 0;
	x.iinv = x.pi->ieee_inv ? 0xff : 0;
	need = o->lock_bits ? o->lock_bits : 64 + x.pi->deg;

	if (o->pat == BERT_SSPRQ) {
		pthread_once(&ssprq_once, ssprq_init);
		x.inv = (o->flags & BERT_PRBS_INVERT) ? 0xff : 0;
		check_ssprq(&x, res);
		goto out;
	}

	while (pos < x.nbits) {
		uint32_t reg;
		uint64_t n, c0, cend, stop, werr_bs = 0, wbits_bs = 0;
		unsigned dprev = 0;
		uint64_t nchunks = len / CHUNK_BYTES;
		bool lost = false;

		if (!acquire(&x, &pos, need, &reg))
			break;
		if (!res->locks)
			res->first_lock_bit = pos + 1 - need - x.pi->deg;
		res->locks++;
		res->locked = true;

		/* Bit-serial from the lock point until `deg` whole chunks of
		 * expected bits sit in the ring, aligned to the capture. */
		c0 = (pos + 1 + CHUNK_BITS - 1) / CHUNK_BITS;
		stop = (c0 + x.pi->deg) * CHUNK_BITS;
		if (stop > x.nbits)
			stop = x.nbits;
		for (n = pos + 1; n < stop; n++) {
			unsigned e = lfsr_next(x.pi, &reg);
			unsigned d = e ^ rx_bit(&x, n);

			if (n >= c0 * CHUNK_BITS)
				put_bit(x.ring[(n / CHUNK_BITS) % RING],
					n % CHUNK_BITS, e, x.lsb);
			res->bits_checked++;
			res->bit_errors += d;
			werr_bs += d;
			wbits_bs++;
			/* a symbol counts once both its bits were compared */
			if (x.q && (n & 1) && n > pos + 1) {
				res->symbols_checked++;
				res->symbol_errors += d | dprev;
			}
			dprev = d;
		}
		if (wbits_bs && werr_bs * 4 > wbits_bs && wbits_bs >= 64) {
			res->losses++;
			res->locked = false;
			pos = stop;
			continue;
		}
		pos = stop;
		if (stop == x.nbits)
			break;

		/* Word-parallel: chunks c0 + deg onwards, a window at a time */
		n = c0 + x.pi->deg;
		cend = nchunks;
		while (n + WIN_CHUNKS <= cend) {
			size_t nwin = (size_t)((cend - n) / WIN_CHUNKS), w;
			uint64_t be, se;

			if (nwin > LIN_WINS)
				nwin = LIN_WINS;
#if PRBS_HAVE_AVX2
			if (path == BERT_SIMD_AVX2)
				win_avx2(&x, n, nwin, werr, wsym);
			else
#endif
				win_scalar(&x, n, nwin, werr, wsym);
			/* Sums in locals: res is behind a pointer the compiler
			 * must reload on every window otherwise. */
			be = se = 0;
			for (w = 0; w < nwin; w++) {
				if (werr[w] > WIN_LOSS) {
					lost = true;
					break;
				}
				be += werr[w];
				se += wsym[w];
			}
			res->bit_errors += be;
			res->symbol_errors += se;
			res->bits_checked += (uint64_t)w * WIN_CHUNKS * CHUNK_BITS;
			if (x.q)
				res->symbols_checked += (uint64_t)w * WIN_CHUNKS * CHUNK_BITS / 2;
			if (lost) {
				res->losses++;
				res->locked = false;
				pos = (n + w * WIN_CHUNKS) * CHUNK_BITS;
				break;
			}
			n += nwin * WIN_CHUNKS;
		}
		if (lost)
			continue;
		/* Tail, shorter than a window: bit-serial off the ring */
		{
			uint64_t c;

			for (c = n; c * CHUNK_BITS < x.nbits; c++) {
				uint64_t b, end = (c + 1) * CHUNK_BITS;

				chunk_next_scalar(x.ring, x.pi->taps, x.pi->ntaps, c);
				if (end > x.nbits)
					end = x.nbits;
				for (b = c * CHUNK_BITS; b < end; b++) {
					unsigned e = get_bit(x.ring[c % RING],
							     b - c * CHUNK_BITS, x.lsb);
					unsigned d = e ^ rx_bit(&x, b);

					res->bits_checked++;
					res->bit_errors += d;
					if (x.q && (b & 1)) {
						res->symbols_checked++;
						res->symbol_errors += d | dprev;
					}
					dprev = d;
				}
			}
		}
		break;
	}
out:
	if (!res->locks)
		return bert_fail(BERT_ERR_PROTOCOL,
				 "no %s lock in %zu bytes", x.pi->name, len);
	return BERT_OK;
}
