// SPDX-License-Identifier: MIT
/* The emulated i2c-dev adapter; see i2cdev_dev.h. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/clock.h"
#include "fixtures/i2c.h"
#include "tests/i2cdev/i2cdev_dev.h"

/* The uapi numbers and layouts (linux/i2c-dev.h, linux/i2c.h), mirrored:
 * the kernel's struct i2c_msg would clash with bert's. */
#define K_I2C_RETRIES 0x0701
#define K_I2C_TIMEOUT 0x0702
#define K_I2C_SLAVE 0x0703
#define K_I2C_TENBIT 0x0704
#define K_I2C_FUNCS 0x0705
#define K_I2C_SLAVE_FORCE 0x0706
#define K_I2C_RDWR 0x0707
#define K_I2C_M_RD 0x0001
#define K_I2C_FUNC_I2C 0x00000001ul

struct k_i2c_msg {
	uint16_t addr, flags, len;
	uint8_t *buf;
};

struct k_i2c_rdwr {
	struct k_i2c_msg *msgs;
	uint32_t nmsgs;
};

struct i2cdev_dev {
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	struct bert_clock *clock;
	char node[32], syspath[96];
	struct i2c_target tg[I2CDEV_MAX_TARGETS];
	bool absent[I2CDEV_MAX_TARGETS];
	unsigned ntg;
	pthread_mutex_t lock;
	bool jitter;
	uint64_t rng;
	void (*on_xfer)(void *user, int after);
	void *user;
	struct i2cdev_stats st;
};

static const struct i2c_target *find_target(struct i2cdev_dev *d, unsigned addr)
{
	unsigned i;

	for (i = 0; i < d->ntg; i++)
		if (d->tg[i].addr == addr && !d->absent[i])
			return &d->tg[i];
	return NULL;
}

/* splitmix64: a small seeded generator, the same sequence for a seed */
static uint64_t next_rand(struct i2cdev_dev *d)
{
	uint64_t z = (d->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The wire: the messages in one go, repeated START between them, one STOP
 * at the end or at the first NACK. Returns 0 or the errno an adapter driver
 * reports. Read data lands in bufs[i]. */
static int run_msgs(struct i2cdev_dev *d, const struct k_i2c_msg *km, uint8_t **bufs, unsigned n,
		    uint64_t *stretched)
{
	const struct i2c_target *cur = NULL;
	unsigned i, j;
	int e = 0;

	*stretched = 0;
	for (i = 0; i < n && !e; i++) {
		bool rd = km[i].flags & K_I2C_M_RD;
		const struct i2c_target *tg = find_target(d, km[i].addr);

		if (cur && cur != tg)
			cur->ops->stop(cur->dev);
		cur = tg;
		if (!tg || !tg->ops->start(tg->dev, rd)) {
			d->st.addr_nacks++;
			e = ENXIO;
			break;
		}
		for (j = 0; j < km[i].len; j++) {
			if (rd) {
				bufs[i][j] = tg->ops->read(tg->dev);
				d->st.bytes_read++;
			} else if (!tg->ops->write(tg->dev, bufs[i][j])) {
				d->st.data_nacks++;
				e = EREMOTEIO;
				break;
			} else {
				d->st.bytes_written++;
			}
		}
		if (tg->ops->stretch_ns)
			*stretched += tg->ops->stretch_ns(tg->dev);
	}
	if (cur)
		cur->ops->stop(cur->dev);
	return e;
}

/* Bus time of the transaction plus, with jitter, the driver round trip. */
static void charge_time(struct i2cdev_dev *d, const struct k_i2c_msg *km, unsigned n,
			uint64_t stretched)
{
	struct i2c_msg m[I2CDEV_MAX_MSGS];
	uint64_t t;
	unsigned i;

	for (i = 0; i < n; i++)
		m[i] = (struct i2c_msg){ .addr = (uint8_t)km[i].addr, .len = km[i].len,
					 .flags = i + 1 == n ? I2C_MSG_STOP : 0 };
	t = i2c_batch_bus_time_ns(m, n, 400000) + stretched;
	d->st.stretch_ns += stretched;
	if (d->jitter) {
		uint64_t l = 50 * BERT_NS_PER_US + next_rand(d) % (200 * BERT_NS_PER_US + 1);

		d->st.latency_ns += l;
		t += l;
	}
	bert_clock_sleep(d->clock, t);
}

static void do_rdwr(struct i2cdev_dev *d, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *rd, *md = NULL, *bd[I2CDEV_MAX_MSGS] = { 0 };
	struct k_i2c_msg km[I2CDEV_MAX_MSGS];
	uint8_t *bufs[I2CDEV_MAX_MSGS];
	uint64_t stretched = 0;
	unsigned n, i;
	int e = 0;

	d->st.ioctl_rdwr++;
	rd = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct k_i2c_rdwr), NULL);
	if (!rd) {
		umockdev_ioctl_client_complete(c, -1, EFAULT);
		return;
	}
	n = ((struct k_i2c_rdwr *)rd->data)->nmsgs;
	/* i2c-dev.c: no messages or more than I2C_RDWR_IOCTL_MAX_MSGS */
	if (!((struct k_i2c_rdwr *)rd->data)->msgs || n == 0 || n > I2CDEV_MAX_MSGS) {
		e = EINVAL;
		goto refuse;
	}
	md = umockdev_ioctl_data_resolve(rd, offsetof(struct k_i2c_rdwr, msgs),
					 n * sizeof(struct k_i2c_msg), NULL);
	if (!md) {
		e = EFAULT;
		goto done;
	}
	memcpy(km, md->data, n * sizeof(*km));
	for (i = 0; i < n; i++) {
		if (km[i].len > I2CDEV_MAX_MSG_LEN || km[i].addr > 0x7f) {
			e = EINVAL;
			goto refuse;
		}
		if (km[i].flags & ~K_I2C_M_RD) {
			e = EOPNOTSUPP;
			goto refuse;
		}
		if (!km[i].len) {
			bufs[i] = NULL;
			continue;
		}
		bd[i] = umockdev_ioctl_data_resolve(md, i * sizeof(struct k_i2c_msg) +
						    offsetof(struct k_i2c_msg, buf), km[i].len, NULL);
		if (!bd[i]) {
			e = EFAULT;
			goto done;
		}
		bufs[i] = bd[i]->data;
	}
	d->st.msgs += n;
	if (d->on_xfer)
		d->on_xfer(d->user, 0);
	e = run_msgs(d, km, bufs, n, &stretched);
	charge_time(d, km, n, stretched);
	if (d->on_xfer)
		d->on_xfer(d->user, 1);
	goto done;
refuse:
	d->st.refused++;
done:
	for (i = 0; i < I2CDEV_MAX_MSGS; i++)
		if (bd[i])
			g_object_unref(bd[i]);
	if (md)
		g_object_unref(md);
	g_object_unref(rd);
	/* success returns the number of messages transferred (i2c_transfer()) */
	umockdev_ioctl_client_complete(c, e ? -1 : (glong)n, e);
}

static gboolean on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer user)
{
	struct i2cdev_dev *d = user;
	unsigned long req = umockdev_ioctl_client_get_request(c);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c);

	(void)h;
	pthread_mutex_lock(&d->lock);
	switch (req) {
	case K_I2C_FUNCS: {
		UMockdevIoctlData *p = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned long), NULL);

		d->st.ioctl_funcs++;
		if (!p) {
			umockdev_ioctl_client_complete(c, -1, EFAULT);
			break;
		}
		*(unsigned long *)p->data = K_I2C_FUNC_I2C;
		g_object_unref(p);
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	}
	case K_I2C_SLAVE:
	case K_I2C_SLAVE_FORCE: {
		/* the argument is the address itself, not a pointer */
		unsigned long a = *(unsigned long *)arg->data;

		d->st.ioctl_slave++;
		if (a > 0x7f) {
			d->st.refused++;
			umockdev_ioctl_client_complete(c, -1, EINVAL);
			break;
		}
		g_object_set_data(G_OBJECT(c), "i2c-slave", GUINT_TO_POINTER((unsigned)a + 1));
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	}
	case K_I2C_TENBIT:
		/* no I2C_FUNC_10BIT_ADDR */
		if (*(unsigned long *)arg->data) {
			d->st.refused++;
			umockdev_ioctl_client_complete(c, -1, EINVAL);
		} else {
			umockdev_ioctl_client_complete(c, 0, 0);
		}
		break;
	case K_I2C_RETRIES:
	case K_I2C_TIMEOUT:
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	case K_I2C_RDWR:
		do_rdwr(d, c, arg);
		break;
	default:
		d->st.refused++;
		umockdev_ioctl_client_complete(c, -1, ENOTTY);
		break;
	}
	pthread_mutex_unlock(&d->lock);
	return TRUE;
}

static void on_connected(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer user)
{
	struct i2cdev_dev *d = user;

	(void)h;
	(void)c;
	pthread_mutex_lock(&d->lock);
	d->st.opens++;
	pthread_mutex_unlock(&d->lock);
}

struct i2cdev_dev *i2cdev_dev_new(UMockdevTestbed *tb, unsigned nr, struct bert_clock *clock,
				  const struct i2c_target *targets, unsigned n)
{
	struct i2cdev_dev *d;
	GError *err = NULL;
	char rec[1024];

	if (n > I2CDEV_MAX_TARGETS)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->tb = tb;
	d->clock = clock;
	memcpy(d->tg, targets, n * sizeof(*targets));
	d->ntg = n;
	pthread_mutex_init(&d->lock, NULL);
	snprintf(d->node, sizeof(d->node), "/dev/i2c-%u", nr);
	snprintf(d->syspath, sizeof(d->syspath), "/sys/devices/platform/i2c-bert.0/i2c-%u", nr);
	d->handler = umockdev_ioctl_base_new();
	g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(on_ioctl), d);
	g_signal_connect(d->handler, "client-connected", G_CALLBACK(on_connected), d);
	/* attach first, so an open right after the add is answered */
	if (!umockdev_testbed_attach_ioctl(tb, d->node, d->handler, &err))
		goto fail;
	/* the adapter (subsystem i2c, class i2c-adapter) and its i2c-dev
	 * character device (major 89, minor = adapter number) */
	snprintf(rec, sizeof(rec),
		 "P: /devices/platform/i2c-bert.0/i2c-%u\n"
		 "E: SUBSYSTEM=i2c\n"
		 "E: DEVTYPE=i2c_adapter\n"
		 "A: name=bert emulated I2C adapter\n"
		 "\n"
		 "P: /devices/platform/i2c-bert.0/i2c-%u/i2c-dev/i2c-%u\n"
		 "N: i2c-%u\n"
		 "E: SUBSYSTEM=i2c-dev\n"
		 "E: DEVNAME=/dev/i2c-%u\n"
		 "E: MAJOR=89\n"
		 "E: MINOR=%u\n"
		 "A: dev=89:%u\n"
		 "A: name=bert emulated I2C adapter\n",
		 nr, nr, nr, nr, nr, nr, nr);
	if (!umockdev_testbed_add_from_string(tb, rec, &err))
		goto fail;
	return d;
fail:
	fprintf(stderr, "i2cdev_dev: %s: %s\n", d->node, err ? err->message : "failed");
	g_clear_error(&err);
	i2cdev_dev_free(d);
	return NULL;
}

void i2cdev_dev_free(struct i2cdev_dev *d)
{
	if (!d)
		return;
	if (d->handler) {
		g_signal_handlers_disconnect_by_data(d->handler, d);
		g_object_unref(d->handler);
	}
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void i2cdev_dev_set_jitter(struct i2cdev_dev *d, uint32_t seed)
{
	pthread_mutex_lock(&d->lock);
	d->jitter = true;
	d->rng = seed;
	pthread_mutex_unlock(&d->lock);
}

void i2cdev_dev_set_present(struct i2cdev_dev *d, unsigned addr, bool present)
{
	unsigned i;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->ntg; i++)
		if (d->tg[i].addr == addr)
			d->absent[i] = !present;
	pthread_mutex_unlock(&d->lock);
}

void i2cdev_dev_on_xfer(struct i2cdev_dev *d, void (*fn)(void *user, int after), void *user)
{
	pthread_mutex_lock(&d->lock);
	d->on_xfer = fn;
	d->user = user;
	pthread_mutex_unlock(&d->lock);
}

void i2cdev_dev_lock(struct i2cdev_dev *d)
{
	pthread_mutex_lock(&d->lock);
}

void i2cdev_dev_unlock(struct i2cdev_dev *d)
{
	pthread_mutex_unlock(&d->lock);
}

void i2cdev_dev_stats(struct i2cdev_dev *d, struct i2cdev_stats *out)
{
	pthread_mutex_lock(&d->lock);
	*out = d->st;
	pthread_mutex_unlock(&d->lock);
}
