// SPDX-License-Identifier: MIT
/* usbtmc_client: what the USBTMC tests run under usbtmc_host, besides the
 * bert programs themselves.
 *
 *   usbtmc_client timeout URI   bert's usbtmc transport: the first *IDN?
 *                               times out (the host loses that reply), the
 *                               transport aborts the Bulk-IN transfer and
 *                               clears the device, and the next *IDN?
 *                               answers
 *   usbtmc_client probe VID PID raw libusb, a host that breaks the rules on
 *                               purpose: a second claim while bert holds the
 *                               interface, a Bulk-OUT header with a bad
 *                               bTagInverse (halted until CLEAR_FEATURE), a
 *                               class request with a wrong wLength (stalled),
 *                               then GET_CAPABILITIES and READ_STATUS_BYTE
 *                               with its interrupt-IN notification, and a
 *                               Bulk-OUT transfer cut short and aborted
 *                               (INITIATE_ABORT_BULK_OUT, CHECK_ABORT_...)
 *
 * Prints what it checked; exits 0 when every check held, 1 otherwise. */
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "instruments/scpi.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (cond) { \
		printf("ok: "); \
	} else { \
		printf("FAIL: "); \
		failures++; \
	} \
	printf(__VA_ARGS__); \
	printf("\n"); \
} while (0)

static int cmd_timeout(const char *uri)
{
	struct scpi_dev *d;
	char buf[256];
	int rc;

	rc = scpi_open(uri, NULL, &d);
	CHECK(rc == BERT_OK, "open %s: %s", uri, rc ? bert_error_detail() : "");
	if (rc)
		return 1;
	d->timeout_ns = 300 * BERT_NS_PER_MS;
	rc = scpi_query(d, buf, sizeof(buf), "*IDN?");
	CHECK(rc == BERT_ERR_TIMEOUT, "first *IDN? times out: %s",
	      rc < 0 ? bert_error_detail() : buf);
	/* the lost reply times out whatever the bound; the next ones get a
	 * generous one on a loaded machine */
	d->timeout_ns = 10 * BERT_NS_PER_S;
	rc = scpi_query(d, buf, sizeof(buf), "*IDN?");
	CHECK(rc >= 0 && !strncmp(buf, "THORLABS,PM100D,", 16),
	      "the next *IDN? answers: %s", rc < 0 ? bert_error_detail() : buf);
	rc = scpi_query(d, buf, sizeof(buf), "SYST:ERR?");
	CHECK(rc >= 0 && (!strncmp(buf, "0,", 2) || !strncmp(buf, "+0,", 3)),
	      "no instrument error: %s", rc < 0 ? bert_error_detail() : buf);
	scpi_close(d);
	return failures ? 1 : 0;
}

static int cmd_stall(const char *uri)
{
	struct scpi_dev *d;
	char buf[256];
	int rc;

	rc = scpi_open(uri, NULL, &d);
	CHECK(rc == BERT_OK, "open %s: %s", uri, rc ? bert_error_detail() : "");
	if (rc)
		return 1;
	rc = scpi_query(d, buf, sizeof(buf), "*IDN?");
	CHECK(rc == BERT_ERR_PROTOCOL && strstr(bert_error_detail(), "halt cleared"),
	      "the refused *IDN? fails: %s", rc < 0 ? bert_error_detail() : buf);
	rc = scpi_query(d, buf, sizeof(buf), "*IDN?");
	CHECK(rc >= 0 && !strncmp(buf, "THORLABS,PM100D,", 16),
	      "the next *IDN? answers: %s", rc < 0 ? bert_error_detail() : buf);
	scpi_close(d);
	return failures ? 1 : 0;
}

static void out_header(uint8_t *h, uint8_t msgid, uint8_t btag, uint8_t inv, uint32_t size,
		       uint8_t attr)
{
	memset(h, 0, 12);
	h[0] = msgid;
	h[1] = btag;
	h[2] = inv;
	h[4] = (uint8_t)size;
	h[5] = (uint8_t)(size >> 8);
	h[8] = attr;
}

static int cmd_probe(unsigned vid, unsigned pid)
{
	libusb_context *ctx;
	libusb_device_handle *h;
	struct scpi_dev *d;
	uint8_t b[256], caps[0x18], stb[2] = { 0, 0 };
	char uri[64];
	int r, n = 0, i;
	uint8_t btag = 10;

	if (libusb_init(&ctx))
		return 1;
	h = libusb_open_device_with_vid_pid(ctx, (uint16_t)vid, (uint16_t)pid);
	CHECK(h != NULL, "libusb opens %04x:%04x", vid, pid);
	if (!h)
		return 1;
	r = libusb_claim_interface(h, 0);
	CHECK(r == 0, "the first claim: %s", libusb_error_name(r));

	/* the interface is claimed: bert's transport cannot have it */
	snprintf(uri, sizeof(uri), "usbtmc:%04x:%04x", vid, pid);
	r = scpi_open(uri, NULL, &d);
	CHECK(r != BERT_OK && strstr(bert_error_detail(), "claiming"),
	      "a second claim is refused: %s", r ? bert_error_detail() : "opened");
	if (!r)
		scpi_close(d);

	/* USBTMC 4.2.1.8 GET_CAPABILITIES, USB488 4.2.2 */
	r = libusb_control_transfer(h, 0xa1, 7, 0, 0, caps, sizeof(caps), 1000);
	CHECK(r == 0x18 && caps[0] == 1 && caps[2] == 0 && caps[3] == 1 && caps[13] == 1 &&
	      (caps[14] & 0x04) && (caps[15] & 0x08),
	      "GET_CAPABILITIES: %d bytes, bcdUSBTMC %02x%02x, USB488 %02x %02x", r, caps[3],
	      caps[2], caps[14], caps[15]);
	/* a wrong wLength is stalled */
	r = libusb_control_transfer(h, 0xa1, 7, 0, 0, caps, 8, 1000);
	CHECK(r == LIBUSB_ERROR_PIPE, "GET_CAPABILITIES with wLength 8: %s",
	      libusb_error_name(r));

	/* a bad bTagInverse halts Bulk-OUT (USBTMC 1.0, Bulk-OUT, section 3.2) */
	out_header(b, 1, btag, 0x00, 6, 0x01);
	memcpy(b + 12, "*IDN?\n", 6);
	r = libusb_bulk_transfer(h, 0x02, b, 20, &n, 1000);
	CHECK(r == LIBUSB_ERROR_PIPE, "bad bTagInverse refused: %s", libusb_error_name(r));
	out_header(b, 1, btag, (uint8_t)~btag, 6, 0x01);
	r = libusb_bulk_transfer(h, 0x02, b, 20, &n, 1000);
	CHECK(r == LIBUSB_ERROR_PIPE, "still halted before CLEAR_FEATURE: %s",
	      libusb_error_name(r));
	r = libusb_clear_halt(h, 0x02);
	CHECK(r == 0, "clear halt: %s", libusb_error_name(r));
	r = libusb_bulk_transfer(h, 0x02, b, 20, &n, 1000);
	CHECK(r == 0 && n == 20, "a good DEV_DEP_MSG_OUT: %s, %d bytes", libusb_error_name(r),
	      n);
	btag++;
	out_header(b, 2, btag, (uint8_t)~btag, 200, 0x00);
	r = libusb_bulk_transfer(h, 0x02, b, 12, &n, 1000);
	CHECK(r == 0, "REQUEST_DEV_DEP_MSG_IN: %s", libusb_error_name(r));

	/* USB488 4.3.1 READ_STATUS_BYTE: the STB comes on interrupt-IN. The
	 * instrument answers *IDN? on its own time: poll the STB until MAV
	 * (bounded by a count, not a clock). */
	for (i = 0; i < 1000; i++) {
		r = libusb_control_transfer(h, 0xa1, 128, 2, 0, b, 3, 1000);
		if (r != 3 || b[0] != 1 || b[1] != 2)
			break;
		r = libusb_interrupt_transfer(h, 0x83, stb, 2, &n, 1000);
		if (r || n != 2 || stb[0] != 0x82 || (stb[1] & 0x10))
			break;
	}
	CHECK(r == 0 && b[0] == 1 && b[1] == 2, "READ_STATUS_BYTE: status %u, bTag %u", b[0],
	      b[1]);
	CHECK(r == 0 && n == 2 && stb[0] == 0x82 && (stb[1] & 0x10),
	      "interrupt-IN notification %02x %02x (bTag 2, MAV) after %d reads", stb[0], stb[1],
	      i + 1);
	r = libusb_control_transfer(h, 0xa1, 128, 1, 0, b, 3, 1000);
	CHECK(r == LIBUSB_ERROR_PIPE, "READ_STATUS_BYTE bTag 1 is refused: %s",
	      libusb_error_name(r));

	r = libusb_bulk_transfer(h, 0x81, b, 192, &n, 1000);
	CHECK(r == 0 && n >= 12 && b[0] == 2 && b[1] == btag && b[1] + b[2] == 0xff &&
	      (b[8] & 1) && !memcmp(b + 12, "THORLABS,PM100D,", 16),
	      "DEV_DEP_MSG_IN: %s, %d bytes, '%.*s'", libusb_error_name(r), n,
	      n > 12 ? (int)(b[4] > 0 ? b[4] - 1 : 0) : 0, (const char *)b + 12);
	/* USBTMC 4.2.1.2 / 4.2.1.3: a Bulk-OUT transfer cut short (the header
	 * announces 100 bytes, 20 come) is aborted by its bTag */
	btag++;
	out_header(b, 1, btag, (uint8_t)~btag, 100, 0x01);
	memset(b + 12, ' ', 20);
	r = libusb_bulk_transfer(h, 0x02, b, 32, &n, 1000);
	CHECK(r == 0 && n == 32, "a partial DEV_DEP_MSG_OUT: %s", libusb_error_name(r));
	r = libusb_control_transfer(h, 0xa2, 3, btag, 0x81, caps, 2, 1000);
	CHECK(r == 2 && caps[0] == 0x80, "INITIATE_ABORT_BULK_IN with nothing in progress: "
	      "status 0x%02x", caps[0]);
	r = libusb_control_transfer(h, 0xa2, 1, (uint8_t)(btag + 1), 0x02, caps, 2, 1000);
	CHECK(r == 2 && caps[0] == 0x81, "INITIATE_ABORT_BULK_OUT with another bTag: status "
	      "0x%02x", caps[0]);
	r = libusb_control_transfer(h, 0xa2, 1, btag, 0x02, caps, 2, 1000);
	CHECK(r == 2 && caps[0] == 0x01 && caps[1] == btag, "INITIATE_ABORT_BULK_OUT: status "
	      "0x%02x bTag %u", caps[0], caps[1]);
	r = libusb_control_transfer(h, 0xa2, 2, 0, 0x02, caps, 8, 1000);
	CHECK(r == 8 && caps[0] == 0x01 && caps[4] == 20, "CHECK_ABORT_BULK_OUT_STATUS: "
	      "status 0x%02x, %u bytes received", caps[0], caps[4]);
	r = libusb_clear_halt(h, 0x02);
	CHECK(r == 0, "clear halt after the abort: %s", libusb_error_name(r));
	btag++;
	out_header(b, 1, btag, (uint8_t)~btag, 6, 0x01);
	memcpy(b + 12, "*IDN?\n", 6);
	r = libusb_bulk_transfer(h, 0x02, b, 20, &n, 1000);
	CHECK(r == 0, "the next message after the abort: %s", libusb_error_name(r));
	btag++;
	out_header(b, 2, btag, (uint8_t)~btag, 200, 0x00);
	r = libusb_bulk_transfer(h, 0x02, b, 12, &n, 1000);
	if (!r)
		r = libusb_bulk_transfer(h, 0x81, b, 192, &n, 1000);
	CHECK(r == 0 && n >= 28 && !memcmp(b + 12, "THORLABS,PM100D,", 16),
	      "and its reply: %s, %d bytes", libusb_error_name(r), n);

	libusb_release_interface(h, 0);
	libusb_close(h);
	libusb_exit(ctx);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "timeout"))
		return cmd_timeout(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "stall"))
		return cmd_stall(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "probe"))
		return cmd_probe((unsigned)strtoul(argv[2], NULL, 16),
				 (unsigned)strtoul(argv[3], NULL, 16));
	fprintf(stderr, "usage: usbtmc_client timeout URI | stall URI | probe VID PID\n");
	return 2;
}
