/* SPDX-License-Identifier: MIT */
/* USBTMC (USB Test & Measurement Class 1.0) framing, as pure functions, and
 * the message engine the `usbtmc:` transport runs over libusb.
 *
 * Bulk-OUT and Bulk-IN transfers start with a 12-byte header:
 *   0 MsgID  1 bTag  2 ~bTag  3 0
 *   4..7 TransferSize (little endian)
 *   8 bmTransferAttributes (OUT msg: bit0 EOM; IN request: bit1 TermCharEnabled;
 *     IN msg: bit0 EOM, bit1 TermChar matched)
 *   9 TermChar (IN request)  10..11 0
 * followed by TransferSize payload bytes and 0-3 alignment bytes so the
 * transfer length is a multiple of 4. The device ends a Bulk-IN transfer
 * with a short packet (a zero-length one when it ends on a packet
 * boundary). bTag runs 1..255 and never takes 0. */
#ifndef BERT_INSTRUMENTS_USBTMC_H
#define BERT_INSTRUMENTS_USBTMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USBTMC_HDR_LEN 12

/* MsgID values */
#define USBTMC_DEV_DEP_MSG_OUT         1
#define USBTMC_REQUEST_DEV_DEP_MSG_IN  2
#define USBTMC_DEV_DEP_MSG_IN          2

/* Class requests (bRequest) and status values */
#define USBTMC_INITIATE_ABORT_BULK_OUT      1
#define USBTMC_CHECK_ABORT_BULK_OUT_STATUS  2
#define USBTMC_INITIATE_ABORT_BULK_IN       3
#define USBTMC_CHECK_ABORT_BULK_IN_STATUS   4
#define USBTMC_INITIATE_CLEAR               5
#define USBTMC_CHECK_CLEAR_STATUS           6
#define USBTMC_GET_CAPABILITIES             7
#define USBTMC_STATUS_SUCCESS               0x01
#define USBTMC_STATUS_PENDING               0x02
#define USBTMC_STATUS_FAILED                0x80
#define USBTMC_STATUS_TRANSFER_NOT_IN_PROGRESS 0x81

/* Interface class / subclass of a USBTMC function */
#define USBTMC_CLASS    0xfe
#define USBTMC_SUBCLASS 0x03

/* The bTag after btag (1..255, skipping 0). */
uint8_t usbtmc_btag_next(uint8_t btag);
/* Builds one DEV_DEP_MSG_OUT transfer carrying data[0..len) into out (size
 * bytes of room). Returns the transfer length (header + payload + alignment),
 * or 0 when out is too small. */
size_t usbtmc_msg_out(uint8_t *out, size_t size, uint8_t btag, const uint8_t *data,
		      size_t len, bool eom);
/* Builds the 12-byte REQUEST_DEV_DEP_MSG_IN header asking for at most max
 * bytes (term_char < 0: no TermChar). */
void usbtmc_request_in(uint8_t out[USBTMC_HDR_LEN], uint8_t btag, uint32_t max,
		       int term_char);
/* Checks a DEV_DEP_MSG_IN header against the bTag of the request. Returns
 * BERT_OK with the payload size and EOM, or BERT_ERR_PROTOCOL naming what is
 * wrong (MsgID, bTag, ~bTag, size above max). */
int usbtmc_parse_in_header(const uint8_t *hdr, size_t n, uint8_t btag, uint32_t max,
			   uint32_t *size, bool *eom);

/* Reassembly of one Bulk-IN transfer from the packets the host reads. */
struct usbtmc_in {
	uint8_t btag;
	uint32_t max;		/* what the request allowed */
	uint32_t size;		/* payload announced by the header */
	uint32_t got;		/* payload bytes delivered so far */
	size_t seen;		/* transfer bytes consumed (header included) */
	uint8_t hdr[USBTMC_HDR_LEN];	/* the header, possibly split over packets */
	bool have_hdr, eom, done;
};

void usbtmc_in_start(struct usbtmc_in *in, uint8_t btag, uint32_t max);
/* Feeds one packet (or several, as one bulk read returned them) of pkt_len
 * bytes, wmax the endpoint's wMaxPacketSize. Copies payload bytes into
 * out[*out_len...out_size) and advances *out_len. The transfer is complete
 * (in->done) at a short packet once the payload is in, or as soon as the
 * payload and alignment are in and pkt_len was a short read. Returns BERT_OK
 * or BERT_ERR_PROTOCOL (bad header, more payload than announced, a short
 * packet before the payload is complete, out overflow). */
int usbtmc_in_feed(struct usbtmc_in *in, const uint8_t *pkt, size_t pkt_len, size_t wmax,
		   uint8_t *out, size_t out_size, size_t *out_len);

/* The message engine over a bulk/control link (libusb in scpi_usbtmc.c, a
 * device emulator in the tests). Each op returns bytes moved (>= 0) or a
 * negative bert error; timeout_ms 0 is not used. */
struct usbtmc_link_ops {
	int (*bulk_out)(void *ctx, const uint8_t *buf, size_t len, unsigned timeout_ms);
	int (*bulk_in)(void *ctx, uint8_t *buf, size_t len, unsigned timeout_ms);
	/* A class request to the interface (endpoint = 0) or to an endpoint;
	 * device-to-host, data into buf. */
	int (*control_in)(void *ctx, uint8_t request, uint16_t value, uint8_t endpoint,
			  uint8_t *buf, size_t len, unsigned timeout_ms);
	/* CLEAR_FEATURE(ENDPOINT_HALT) on an endpoint. */
	int (*clear_halt)(void *ctx, uint8_t endpoint);
};

struct usbtmc_link {
	const struct usbtmc_link_ops *ops;
	void *ctx;
	uint8_t ep_in, ep_out;
	size_t wmax_in;		/* wMaxPacketSize of Bulk-IN */
	uint32_t max_transfer;	/* payload bytes per transfer we use */
	uint8_t btag;		/* last bTag used */
	uint8_t *xfer;		/* scratch for one transfer and a packet more */
	size_t xfer_size;	/* its bytes: no bulk read asks for more */
};

int usbtmc_link_init(struct usbtmc_link *l, const struct usbtmc_link_ops *ops, void *ctx,
		     uint8_t ep_in, uint8_t ep_out, size_t wmax_in, uint32_t max_transfer);
void usbtmc_link_free(struct usbtmc_link *l);
/* Sends one message, split into transfers of max_transfer payload bytes, EOM
 * on the last. */
int usbtmc_write(struct usbtmc_link *l, const uint8_t *data, size_t len, unsigned timeout_ms);
/* Reads one message (until EOM) into buf; *len its length. A timeout aborts
 * the Bulk-IN transfer (INITIATE_ABORT_BULK_IN / CHECK_ABORT_BULK_IN_STATUS)
 * before returning BERT_ERR_TIMEOUT. */
int usbtmc_read(struct usbtmc_link *l, uint8_t *buf, size_t size, size_t *len,
		unsigned timeout_ms);
/* Device clear: INITIATE_CLEAR, CHECK_CLEAR_STATUS until done, then clear
 * the Bulk-OUT halt. */
int usbtmc_clear(struct usbtmc_link *l, unsigned timeout_ms);

#endif
