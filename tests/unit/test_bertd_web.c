// SPDX-License-Identifier: MIT
/* bertd's web front (bert/daemon/bertd_web.h) without sockets: which
 * Host names count as loopback, the Origin/CSRF and token checks, the API
 * going through the protocol's parser (its replies and their HTTP status),
 * the body and argument limits and the asset table. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bert/daemon/bertd_web.h"

static const char CSRF[] = "00112233445566778899aabbccddeeff";
static const unsigned char page[] = "<html>";
static const struct bertd_web_asset assets[] = { { "/", "text/html", page, 6 } };
static unsigned calls;

static json_t *call(void *user, const struct bertd_request *r)
{
	(void)user;
	calls++;
	if (r->cmd == BERTD_CMD_START && r->site == 2)
		return bertd_reply_error(r, BERTD_E_BUSY, "site 2 is running");
	return bertd_reply_ok(r);
}

static struct bertd_web_conf conf(const char *token)
{
	return (struct bertd_web_conf){ .token = token, .csrf = CSRF, .assets = assets,
					.nassets = 1, .call = call };
}

/* Handles one request; returns the status, *body the reply (freed by the
 * next call). */
static unsigned req(const struct bertd_web_conf *c, const char *method, const char *path,
		    const char *host, const char *origin, const char *csrf, const char *body,
		    const char **reply)
{
	static struct bertd_web_resp r;
	struct bertd_web_req q = {
		.method = method, .path = path, .host = host, .origin = origin, .csrf = csrf,
		.content_type = body ? "application/json" : NULL,
		.body = body, .body_len = body ? strlen(body) : 0,
	};

	free(r.body);
	bertd_web_handle(c, &q, &r);
	if (reply)
		*reply = r.body ? r.body : (const char *)r.data;
	return r.status;
}

START_TEST(test_host_loopback)
{
	struct bertd_web_conf c = conf("");
	static const char *const ok[] = { "127.0.0.1", "127.0.0.1:8080", "localhost:1",
					  "[::1]:8080", "127.1.2.3:65535", "[::1]" };
	static const char *const bad[] = { "evil.example", "127.0.0.1.evil.example:80",
					   "localhost.evil:80", "128.0.0.1:80", "", "127.0.0.1:",
					   "127.0.0.1:80x", "[::2]:80", "127.0.0.256", "0x7f.0.0.1",
					   "127.0.0.1:123456" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(req(&c, "GET", "/", ok[i], NULL, NULL, NULL, NULL) == 200, "%s",
			      ok[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(req(&c, "GET", "/", bad[i], NULL, NULL, NULL, NULL) == 403, "%s",
			      bad[i]);
	ck_assert_uint_eq(req(&c, "GET", "/", NULL, NULL, NULL, NULL, NULL), 403);
}
END_TEST

START_TEST(test_post_origin_csrf)
{
	struct bertd_web_conf c = conf(NULL);
	const char *h = "127.0.0.1:8080", *o = "http://127.0.0.1:8080", *rep;

	calls = 0;
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, NULL, CSRF, "{\"site\":1}", &rep), 403);
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, "http://evil", CSRF, "{\"site\":1}",
			      &rep), 403);
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, "http://localhost:8080", CSRF,
			      "{\"site\":1}", &rep), 403);
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, o, NULL, "{\"site\":1}", &rep), 403);
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, o, "00112233445566778899aabbccddeefe",
			      "{\"site\":1}", &rep), 403);
	ck_assert_uint_eq(calls, 0);
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, o, CSRF, "{\"site\":1}", &rep), 200);
	ck_assert_str_eq(rep, "{\"ok\":true,\"cmd\":\"start\"}\n");
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, o, CSRF, "{\"site\":2}", &rep), 409);
	ck_assert_ptr_nonnull(strstr(rep, "\"code\":\"busy\""));
	ck_assert_uint_eq(calls, 2);
	/* the protocol's validation */
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, o, CSRF, "{\"site\":0}", &rep), 400);
	ck_assert_uint_eq(req(&c, "POST", "/api/abort", h, o, CSRF, "{\"serial\":\"x\"}", &rep),
			  400);
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, o, CSRF, "{\"site\":1", &rep), 400);
	ck_assert_ptr_nonnull(strstr(rep, "byte 9"));
	ck_assert_uint_eq(req(&c, "POST", "/api/start", h, o, CSRF, "{\"cmd\":\"sim\"}", &rep),
			  400);
	ck_assert_uint_eq(calls, 2);
	/* methods and paths */
	ck_assert_uint_eq(req(&c, "GET", "/api/start", h, NULL, NULL, NULL, &rep), 405);
	ck_assert_uint_eq(req(&c, "DELETE", "/api/status", h, NULL, NULL, NULL, &rep), 405);
	ck_assert_uint_eq(req(&c, "GET", "/api/reload", h, NULL, NULL, NULL, &rep), 404);
	ck_assert_uint_eq(req(&c, "GET", "/api/sim", h, NULL, NULL, NULL, &rep), 404);
	ck_assert_uint_eq(req(&c, "GET", "/../etc/passwd", h, NULL, NULL, NULL, &rep), 404);
	ck_assert_uint_eq(req(&c, "GET", "//", h, NULL, NULL, NULL, &rep), 404);
	ck_assert_uint_eq(req(&c, "GET", "/api/events", h, NULL, NULL, NULL, &rep), 200);
	/* no id; and no report callback here */
	ck_assert_uint_eq(req(&c, "GET", "/api/report", h, NULL, NULL, NULL, &rep), 400);
}
END_TEST

START_TEST(test_token)
{
	struct bertd_web_conf c = conf("tok-0123456789abcdef");
	struct bertd_web_arg a = { "token", "tok-0123456789abcdef" };
	struct bertd_web_req q = { .method = "GET", .path = "/api/status", .host = "x" };
	struct bertd_web_resp r;

	bertd_web_handle(&c, &q, &r);
	ck_assert_uint_eq(r.status, 401);
	ck_assert(r.auth_challenge);
	free(r.body);
	q.authorization = "Bearer tok-0123456789abcdeX";
	bertd_web_handle(&c, &q, &r);
	ck_assert_uint_eq(r.status, 401);
	free(r.body);
	q.authorization = "Bearer tok-0123456789abcdef";
	bertd_web_handle(&c, &q, &r);
	ck_assert_uint_eq(r.status, 200);
	free(r.body);
	/* the query token is for the event stream (and reports) only */
	q.authorization = NULL;
	q.args = &a;
	q.nargs = 1;
	bertd_web_handle(&c, &q, &r);
	ck_assert_uint_eq(r.status, 401);
	free(r.body);
	q.path = "/api/events";
	bertd_web_handle(&c, &q, &r);
	ck_assert_uint_eq(r.status, 200);
	ck_assert(r.events);
	/* a POST with the token needs no CSRF token */
	q = (struct bertd_web_req){ .method = "POST", .path = "/api/abort", .host = "h",
				    .authorization = "Bearer tok-0123456789abcdef",
				    .content_type = "application/json; charset=utf-8",
				    .body = "{\"site\":1}", .body_len = 10 };
	bertd_web_handle(&c, &q, &r);
	ck_assert_uint_eq(r.status, 200);
	free(r.body);
	q.body_too_long = true;
	bertd_web_handle(&c, &q, &r);
	ck_assert_uint_eq(r.status, 413);
	free(r.body);
	q.body_too_long = false;
	q.content_type = "application/jsonx";
	bertd_web_handle(&c, &q, &r);
	ck_assert_uint_eq(r.status, 400);
	free(r.body);
}
END_TEST

START_TEST(test_status_codes)
{
	ck_assert_uint_eq(bertd_web_status(NULL), 200);
	ck_assert_uint_eq(bertd_web_status(BERTD_E_NO_SITE), 404);
	ck_assert_uint_eq(bertd_web_status(BERTD_E_IDLE), 409);
	ck_assert_uint_eq(bertd_web_status(BERTD_E_TOO_LONG), 413);
	ck_assert_uint_eq(bertd_web_status(BERTD_E_INTERNAL), 500);
	ck_assert_uint_eq(bertd_web_status("whatever"), 500);
	ck_assert(bertd_web_secret_eq("abc", "abc"));
	ck_assert(!bertd_web_secret_eq("abc", "abcd"));
	ck_assert(!bertd_web_secret_eq("abc", NULL));
}
END_TEST

Suite *suite_bertd_web(void);
Suite *suite_bertd_web(void)
{
	Suite *s = suite_create("bertd_web");
	TCase *tc = tcase_create("web");

	tcase_add_test(tc, test_host_loopback);
	tcase_add_test(tc, test_post_origin_csrf);
	tcase_add_test(tc, test_token);
	tcase_add_test(tc, test_status_codes);
	suite_add_tcase(s, tc);
	return s;
}
