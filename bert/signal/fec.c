// SPDX-License-Identifier: MIT
/* RS(544,514) KP4 encoder and decoder (IEEE 802.3 Clauses 91 and 119).
 *
 * Decoding is syndromes, Berlekamp-Massey, root finding, Forney. The
 * syndromes are nearly all the work (544 x 30 multiply-adds), so they have a
 * SIMD kernel that runs 32 codewords side by side (fec_simd.c); the rest is
 * scalar and short-cut for the one- and two-error codewords that dominate at
 * the 2.4e-4 pre-FEC threshold (mean 1.3 symbol errors per codeword). */
#include <ctype.h>
#include <pthread.h>
#include <string.h>

#define LOG_PREFIX "fec"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/signal/fec.h"
#include "bert/signal/fec_int.h"
#include "bert/signal/simd.h"

#define GF_POLY	0x409	/* x^10 + x^3 + 1 */

struct fec_tables fec_tab;
static pthread_once_t fec_once = PTHREAD_ONCE_INIT;

static inline uint16_t gmul(uint16_t a, uint16_t b)
{
	if (!a || !b)
		return 0;
	return fec_tab.exp[fec_tab.log[a] + fec_tab.log[b]];
}

static inline uint16_t gdiv(uint16_t a, uint16_t b)
{
	if (!a)
		return 0;
	return fec_tab.exp[fec_tab.log[a] + GF_NN - fec_tab.log[b]];
}

static void nib_fill(struct fec_nib *t, uint16_t c)
{
	unsigned n;

	for (n = 0; n < 16; n++) {
		uint16_t p0 = gmul(c, (uint16_t)n);
		uint16_t p1 = gmul(c, (uint16_t)(n << 4));
		uint16_t p2 = n < 4 ? gmul(c, (uint16_t)(n << 8)) : 0;

		t->lo[0][n] = (uint8_t)p0;
		t->hi[0][n] = (uint8_t)(p0 >> 8);
		t->lo[1][n] = (uint8_t)p1;
		t->hi[1][n] = (uint8_t)(p1 >> 8);
		t->lo[2][n] = (uint8_t)p2;
		t->hi[2][n] = (uint8_t)(p2 >> 8);
	}
}

static void fec_init(void)
{
	unsigned i, j, k;
	uint16_t x = 1;
	uint16_t g[BERT_RS_NPAR + 1];

	for (i = 0; i < GF_NN; i++) {
		fec_tab.exp[i] = x;
		fec_tab.exp[i + GF_NN] = x;
		fec_tab.log[x] = (uint16_t)i;
		x <<= 1;
		if (x & 0x400)
			x ^= GF_POLY;
	}
	fec_tab.exp[2 * GF_NN] = fec_tab.exp[0];
	fec_tab.log[0] = 0;	/* never used: callers test for zero */

	/* g(x) = prod_{j=0}^{29} (x - alpha^j), ascending in g[] */
	memset(g, 0, sizeof(g));
	g[0] = 1;
	for (j = 0; j < BERT_RS_NPAR; j++) {
		uint16_t r = fec_tab.exp[j];

		for (k = j + 1; k > 0; k--)
			g[k] = (uint16_t)(g[k - 1] ^ gmul(g[k], r));
		g[0] = gmul(g[0], r);
	}
	for (k = 0; k <= BERT_RS_NPAR; k++)
		fec_tab.gen_desc[k] = g[BERT_RS_NPAR - k];
	for (i = 0; i < GF_Q; i++)
		for (k = 0; k < BERT_RS_NPAR; k++)
			fec_tab.gmul[i][k] = gmul((uint16_t)i, g[k]);

	for (j = 0; j < BERT_RS_NPAR; j++) {
		for (i = 0; i < GF_Q; i++)
			fec_tab.mulj[j][i] = gmul((uint16_t)i, fec_tab.exp[j]);
		nib_fill(&fec_tab.nib_step[j], fec_tab.exp[j]);
		nib_fill(&fec_tab.nib_half[j],
			 fec_tab.exp[(j * FEC_HALF) % GF_NN]);
	}

	/* z^2 + z = c has a solution iff Tr(c) = 0; qsolve[c] = one root + 1
	 * (0 = none), the other root is that one xor 1. */
	memset(fec_tab.qsolve, 0, sizeof(fec_tab.qsolve));
	for (i = 0; i < GF_Q; i++) {
		uint16_t c = (uint16_t)(gmul((uint16_t)i, (uint16_t)i) ^ i);

		if (!fec_tab.qsolve[c])
			fec_tab.qsolve[c] = (uint16_t)(i + 1);
	}
}

static void fec_tables_init(void)
{
	pthread_once(&fec_once, fec_init);
}

uint16_t bert_gf_mul(uint16_t a, uint16_t b)
{
	fec_tables_init();
	return gmul(a & 0x3ff, b & 0x3ff);
}

uint16_t bert_gf_div(uint16_t a, uint16_t b)
{
	fec_tables_init();
	if (!(b & 0x3ff))
		return 0;
	return gdiv(a & 0x3ff, b & 0x3ff);
}

uint16_t bert_gf_pow(int e)
{
	fec_tables_init();
	e %= (int)GF_NN;
	if (e < 0)
		e += GF_NN;
	return fec_tab.exp[e];
}

const uint16_t *bert_rs_generator(void)
{
	fec_tables_init();
	return fec_tab.gen_desc;
}

void bert_rs_encode(uint16_t cw[BERT_RS_N])
{
	uint16_t par[BERT_RS_NPAR];	/* par[k]: coefficient of x^k */
	unsigned i, k;

	fec_tables_init();
	memset(par, 0, sizeof(par));
	for (i = 0; i < BERT_RS_K; i++) {
		uint16_t fb = (uint16_t)((cw[i] & 0x3ff) ^ par[BERT_RS_NPAR - 1]);
		const uint16_t *gm = fec_tab.gmul[fb];

		for (k = BERT_RS_NPAR - 1; k > 0; k--)
			par[k] = (uint16_t)(par[k - 1] ^ gm[k]);
		par[0] = gm[0];
	}
	for (k = 0; k < BERT_RS_NPAR; k++)
		cw[BERT_RS_K + (BERT_RS_NPAR - 1 - k)] = par[k];
}

static int fec_syndromes_scalar(const uint16_t *cw, uint16_t *syn)
{
	uint16_t s[BERT_RS_NPAR];
	unsigned i, j, any = 0;

	memset(s, 0, sizeof(s));
	for (i = 0; i < BERT_RS_N; i++) {
		uint16_t r = cw[i] & 0x3ff;

		for (j = 0; j < BERT_RS_NPAR; j++)
			s[j] = fec_tab.mulj[j][s[j]] ^ r;
	}
	for (j = 0; j < BERT_RS_NPAR; j++) {
		syn[j] = s[j];
		any |= s[j];
	}
	return any != 0;
}

int bert_rs_syndromes(const uint16_t cw[BERT_RS_N], uint16_t syn[BERT_RS_NPAR])
{
	fec_tables_init();
	return fec_syndromes_scalar(cw, syn);
}

/* Roots of a degree-L locator at codeword positions: pos[] receives the
 * power of x (0 = last parity symbol). Returns the number found, or -1 when
 * the locator cannot describe a correctable pattern. */
static int find_roots(const uint16_t *lam, int L, unsigned *pos)
{
	int n = 0;

	if (L == 1) {
		/* 1 + l1 x: X = l1 */
		pos[0] = fec_tab.log[lam[1]];
		return pos[0] < BERT_RS_N ? 1 : -1;
	}
	if (L == 2) {
		/* x = (l1/l2) z turns 1 + l1 x + l2 x^2 into z^2 + z = l2/l1^2;
		 * a zero l1 is a double root, never two distinct positions. */
		uint16_t c, z, sc;

		if (!lam[1])
			return -1;
		c = gdiv(lam[2], gmul(lam[1], lam[1]));
		z = fec_tab.qsolve[c];
		if (!z)
			return -1;
		z--;
		sc = gdiv(lam[2], lam[1]);	/* X = l2 / (l1 z) */
		pos[0] = fec_tab.log[gdiv(sc, z)];
		pos[1] = fec_tab.log[gdiv(sc, z ^ 1)];
		if (pos[0] >= BERT_RS_N || pos[1] >= BERT_RS_N)
			return -1;
		return 2;
	}
	{
		/* Chien search over the 544 real positions only: a root in the
		 * shortened (virtual zero) part means more than t errors. */
		unsigned e[BERT_RS_T + 1];
		unsigned lg[BERT_RS_T + 1];
		unsigned p;
		int k;

		for (k = 1; k <= L; k++) {
			lg[k] = lam[k] ? fec_tab.log[lam[k]] : 0xffff;
			e[k] = lg[k];
		}
		for (p = 0; p < BERT_RS_N; p++) {
			uint16_t sum = 1;

			for (k = 1; k <= L; k++) {
				if (lg[k] == 0xffff)
					continue;
				sum ^= fec_tab.exp[e[k]];
				/* next position: times alpha^-k */
				e[k] += GF_NN - (unsigned)k;
				if (e[k] >= GF_NN)
					e[k] -= GF_NN;
			}
			if (!sum) {
				pos[n++] = p;
				if (n == L)
					break;
			}
		}
		return n == L ? n : -1;
	}
}

static int fec_decode_syn(uint16_t *cw, const uint16_t *syn)
{
	uint16_t lam[BERT_RS_NPAR + 1], b[BERT_RS_NPAR + 1], t[BERT_RS_NPAR + 1];
	uint16_t val[BERT_RS_T];
	unsigned pos[BERT_RS_T];
	int L = 0, m = 1, r, i, k, n, degb = 0;
	uint16_t bb = 1;

	memset(lam, 0, sizeof(lam));
	memset(b, 0, sizeof(b));
	lam[0] = b[0] = 1;
	/* Berlekamp-Massey: shortest LFSR generating S_0..S_29. Loops run
	 * to the current degrees only: with one or two errors (most
	 * codewords at 2.4e-4) this is a few dozen table lookups. */
	for (r = 0; r < BERT_RS_NPAR; r++) {
		uint16_t d = syn[r];
		unsigned lc;

		for (i = 1; i <= L; i++)
			if (lam[i] && syn[r - i])
				d ^= fec_tab.exp[fec_tab.log[lam[i]] +
						 fec_tab.log[syn[r - i]]];
		if (!d) {
			m++;
			continue;
		}
		lc = fec_tab.log[d] + GF_NN - fec_tab.log[bb];	/* log(d/bb) */
		if (2 * L <= r) {
			int nl = r + 1 - L;

			memcpy(t, lam, sizeof(uint16_t) * (size_t)(L + 1));
			for (i = 0; i <= degb && i + m <= BERT_RS_NPAR; i++)
				if (b[i])
					lam[i + m] ^= fec_tab.exp[(lc + fec_tab.log[b[i]]) % GF_NN];
			memset(b, 0, sizeof(uint16_t) * (size_t)(degb + 1));
			memcpy(b, t, sizeof(uint16_t) * (size_t)(L + 1));
			degb = L;
			L = nl;
			bb = d;
			m = 1;
		} else {
			for (i = 0; i <= degb && i + m <= BERT_RS_NPAR; i++)
				if (b[i])
					lam[i + m] ^= fec_tab.exp[(lc + fec_tab.log[b[i]]) % GF_NN];
			m++;
		}
	}
	if (L > BERT_RS_T || !lam[L])
		return BERT_RS_UNCORRECTABLE;
	for (i = L + 1; i <= BERT_RS_NPAR; i++)
		if (lam[i])
			return BERT_RS_UNCORRECTABLE;

	n = find_roots(lam, L, pos);
	if (n != L)
		return BERT_RS_UNCORRECTABLE;

	/* Forney with first root alpha^0: e = X * Omega(1/X) / Lambda'(1/X),
	 * Omega = S(x) Lambda(x) mod x^30, of which only degrees < L matter. */
	for (k = 0; k < n; k++) {
		unsigned xl = pos[k];			/* log X */
		unsigned xil = (GF_NN - xl) % GF_NN;	/* log 1/X */
		uint16_t om = 0, dl = 0;

		for (i = 0; i < L; i++) {
			uint16_t oi = 0;
			int jj;

			for (jj = 0; jj <= i; jj++)
				oi ^= gmul(syn[i - jj], lam[jj]);
			if (oi)
				om ^= fec_tab.exp[(fec_tab.log[oi] + i * xil) % GF_NN];
		}
		for (i = 1; i <= L; i += 2)
			if (lam[i])
				dl ^= fec_tab.exp[(fec_tab.log[lam[i]] +
						   (unsigned)(i - 1) * xil) % GF_NN];
		if (!om || !dl)
			return BERT_RS_UNCORRECTABLE;
		val[k] = fec_tab.exp[(xl + fec_tab.log[om] + GF_NN -
				      fec_tab.log[dl]) % GF_NN];
	}
	for (k = 0; k < n; k++)
		cw[BERT_RS_N - 1 - pos[k]] ^= val[k];
	return L;
}

int bert_rs_decode(uint16_t cw[BERT_RS_N])
{
	uint16_t syn[BERT_RS_NPAR];

	fec_tables_init();
	if (!fec_syndromes_scalar(cw, syn))
		return 0;
	return fec_decode_syn(cw, syn);
}

void bert_rs_decode_batch(uint16_t *cws, size_t n, uint8_t *result)
{
	uint16_t syn[FEC_BATCH][BERT_RS_NPAR];
	size_t i, c, cnt;
	enum bert_simd_path path;

	fec_tables_init();
	path = bert_simd_get();
	for (i = 0; i < n; i += cnt) {
		cnt = n - i < FEC_BATCH ? n - i : FEC_BATCH;
#if FEC_HAVE_AVX2
		if (path == BERT_SIMD_AVX2) {
			fec_syndromes_avx2(cws + i * BERT_RS_N, cnt, syn);
		} else
#endif
		{
			(void)path;
			for (c = 0; c < cnt; c++)
				fec_syndromes_scalar(cws + (i + c) * BERT_RS_N,
						     syn[c]);
		}
		for (c = 0; c < cnt; c++) {
			uint16_t any = 0;
			unsigned j;

			for (j = 0; j < BERT_RS_NPAR; j++)
				any |= syn[c][j];
			result[i + c] = !any ? 0 : (uint8_t)fec_decode_syn(
				cws + (i + c) * BERT_RS_N, syn[c]);
		}
	}
}

int bert_rs_hist_parse(const char *buf, size_t len, struct bert_rs_hist *h)
{
	size_t p = 0;
	unsigned n = 0;

	if (!buf || !h)
		return bert_fail(BERT_ERR_ARG, "no histogram");
	memset(h, 0, sizeof(*h));
	for (;;) {
		uint64_t v = 0;
		size_t digits = 0;

		while (p < len && (buf[p] == ' ' || buf[p] == '\t'))
			p++;
		while (p < len && isdigit((unsigned char)buf[p])) {
			unsigned d = (unsigned)(buf[p] - '0');

			if (v > (UINT64_MAX - d) / 10)
				return bert_fail(BERT_ERR_CONFIG,
						 "histogram bin %u: count too large", n);
			v = v * 10 + d;
			p++;
			digits++;
		}
		while (p < len && (buf[p] == ' ' || buf[p] == '\t'))
			p++;
		if (!digits)
			return bert_fail(BERT_ERR_CONFIG,
					 "histogram bin %u: expected a count", n);
		if (n >= BERT_RS_HIST_BINS)
			return bert_fail(BERT_ERR_CONFIG,
					 "histogram has more than %d bins (c0..c15, uncorrectable)",
					 BERT_RS_HIST_BINS);
		h->bin[n++] = v;
		if (p == len || buf[p] == '\n' || buf[p] == '\0')
			break;
		if (buf[p] != ',')
			return bert_fail(BERT_ERR_CONFIG,
					 "histogram bin %u: unexpected character", n - 1);
		p++;
	}
	if (n != BERT_RS_HIST_BINS)
		return bert_fail(BERT_ERR_CONFIG,
				 "histogram has %u bins, expected %d (c0..c15, uncorrectable)",
				 n, BERT_RS_HIST_BINS);
	return BERT_OK;
}

void bert_rs_interleave2(const uint16_t *a, const uint16_t *b, uint16_t *out)
{
	unsigned i;

	for (i = 0; i < BERT_RS_N; i++) {
		out[2 * i] = a[i];
		out[2 * i + 1] = b[i];
	}
}

void bert_rs_deinterleave2(const uint16_t *in, uint16_t *a, uint16_t *b)
{
	unsigned i;

	for (i = 0; i < BERT_RS_N; i++) {
		a[i] = in[2 * i];
		b[i] = in[2 * i + 1];
	}
}

int bert_rs_interleave2_locate(size_t bit, int *cw, unsigned *sym)
{
	size_t s = bit / BERT_RS_SYMBITS;

	if (s >= BERT_RS_IL2_SYMS)
		return bert_fail(BERT_ERR_RANGE, "bit %zu past the two codewords", bit);
	if (cw)
		*cw = (int)(s & 1);
	if (sym)
		*sym = (unsigned)(s / 2);
	return BERT_OK;
}

void bert_rs_interleave2_count(const uint8_t *errmap, unsigned count[2])
{
	unsigned s, k;

	count[0] = count[1] = 0;
	for (s = 0; s < BERT_RS_IL2_SYMS; s++) {
		unsigned bad = 0;

		for (k = 0; k < BERT_RS_SYMBITS; k++) {
			unsigned bit = s * BERT_RS_SYMBITS + k;

			bad |= (errmap[bit >> 3] >> (7 - (bit & 7))) & 1;
		}
		count[s & 1] += bad;
	}
}
