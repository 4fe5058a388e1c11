// SPDX-License-Identifier: MIT
/* The PDF of a run's HTML certificate: headless Chromium's print-to-PDF.
 *
 * Why Chromium and not a PDF library (cairo, libharu): the certificate is
 * laid out once, in report.html and its print stylesheet; printing it with
 * the browser engine that displays it gives the PDF a person sees on
 * screen, page breaks and all, with no second renderer of text, tables and
 * plots to write and keep in step. Debian packages it (`chromium`), it is
 * only needed at run time and only for this format, and bert links nothing
 * new for it. The page is a local file with no script and no external
 * reference, so the browser needs no network.
 *
 * The browser runs with a throwaway profile in a temporary folder, its
 * output goes there too and is renamed into place after it is checked
 * (a PDF header), so a failed print leaves no half file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/report/report.h"
#include "cli/bert.h"

/* BERT_CHROMIUM, else the first of the Debian and upstream names on PATH. */
static int find_chromium(char *out, size_t size)
{
	static const char *const names[] = { "chromium", "chromium-browser",
					     "google-chrome", NULL };
	const char *env = getenv("BERT_CHROMIUM"), *path = getenv("PATH");
	unsigned i;

	if (env && env[0]) {
		if (access(env, X_OK) != 0)
			return bert_fail(BERT_ERR_CONFIG, "BERT_CHROMIUM=%s: %s", env,
					 strerror(errno));
		snprintf(out, size, "%s", env);
		return BERT_OK;
	}
	for (i = 0; names[i]; i++) {
		const char *p = path ? path : "/usr/bin:/bin";

		while (*p) {
			size_t n = strcspn(p, ":");

			snprintf(out, size, "%.*s/%s", (int)n, p, names[i]);
			if (n && access(out, X_OK) == 0)
				return BERT_OK;
			p += n;
			if (*p == ':')
				p++;
		}
	}
	return bert_fail(BERT_ERR_CONFIG, "no Chromium to print the PDF with: install "
			 "the Debian package 'chromium' (apt-get install chromium), or "
			 "set BERT_CHROMIUM to a Chromium or Chrome binary");
}

static void rm_rf_tmp(const char *dir)
{
	char cmd[1200];
	pid_t pid;
	int st;

	/* the browser profile holds nested folders: remove them with rm */
	snprintf(cmd, sizeof(cmd), "%s", dir);
	pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
}

static int last_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512];

	out[0] = '\0';
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strstr(line, "dbus") && line[0] != '\n') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, size, "%.200s", line);
		}
	fclose(f);
	return 0;
}

int bert_pdf_write(const struct qual_record *rec, const char *out)
{
	char exe[1024], tmp[1024], html[1100], pdf[1100], log[1100], prof[1100];
	char arg_pdf[1200], arg_prof[1200], url[1200], tail[300], outtmp[1200];
	char head[5] = { 0 }, buf[65536];
	const char *td = getenv("TMPDIR");
	FILE *f, *o, *in;
	int rc, st, fd;
	bool werr;
	size_t n;
	pid_t pid;

	rc = find_chromium(exe, sizeof(exe));
	if (rc)
		return rc;
	/* the output first: an unwritable one fails before the work */
	snprintf(outtmp, sizeof(outtmp), "%s.%d.tmp", out, (int)getpid());
	o = fopen(outtmp, "wb");
	if (!o)
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot create: %s", out, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/bert-pdf.XXXXXX",
		 td && td[0] && strlen(td) < 900 ? td : "/tmp");
	if (!mkdtemp(tmp)) {
		rc = bert_fail(BERT_ERR_IO, "%s: %s", tmp, strerror(errno));
		fclose(o);
		unlink(outtmp);
		return rc;
	}
	snprintf(html, sizeof(html), "%s/report.html", tmp);
	snprintf(pdf, sizeof(pdf), "%s/report.pdf", tmp);
	snprintf(log, sizeof(log), "%s/chromium.log", tmp);
	snprintf(prof, sizeof(prof), "%s/profile", tmp);
	f = fopen(html, "w");
	if (!f) {
		rc = bert_fail(BERT_ERR_IO, "%s: %s", html, strerror(errno));
		goto out;
	}
	rc = report_html(f, rec);
	if (fclose(f) != 0 && !rc)
		rc = bert_fail(BERT_ERR_IO, "%s: %s", html, strerror(errno));
	if (rc)
		goto out;
	snprintf(arg_pdf, sizeof(arg_pdf), "--print-to-pdf=%s", pdf);
	snprintf(arg_prof, sizeof(arg_prof), "--user-data-dir=%s", prof);
	snprintf(url, sizeof(url), "file://%s", html);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = bert_fail(BERT_ERR_IO, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		/* Chromium refuses its sandbox as root (a CI container) */
		if (geteuid() == 0)
			execl(exe, exe, "--headless", "--no-sandbox", "--disable-gpu",
			      "--no-first-run", "--disable-extensions", "--no-pdf-header-footer",
			      arg_prof, arg_pdf, url, (char *)NULL);
		else
			execl(exe, exe, "--headless", "--disable-gpu", "--no-first-run",
			      "--disable-extensions", "--no-pdf-header-footer", arg_prof,
			      arg_pdf, url, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0) {
		rc = bert_fail(BERT_ERR_IO, "waiting for %s: %s", exe, strerror(errno));
		goto out;
	}
	in = fopen(pdf, "rb");
	if (in && fread(head, 1, 4, in) != 4)
		head[0] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || strcmp(head, "%PDF")) {
		last_line(log, tail, sizeof(tail));
		rc = bert_fail(BERT_ERR_IO, "%s did not print the PDF (%s %d)%s%s", exe,
			       WIFEXITED(st) ? "exit" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			       tail[0] ? ": " : "", tail);
		if (in)
			fclose(in);
		goto out;
	}
	/* into place: copied beside the target, then renamed */
	rewind(in);
	werr = false;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, o) != n) {
			werr = true;
			break;
		}
	werr |= ferror(in) != 0;
	fclose(in);
	werr |= fclose(o) != 0;
	o = NULL;
	if (werr)
		rc = bert_fail(BERT_ERR_IO, "%s: write failed: %s", out, strerror(errno));
	else if (rename(outtmp, out) != 0)
		rc = bert_fail(BERT_ERR_IO, "%s: %s", out, strerror(errno));
out:
	if (o)
		fclose(o);
	if (rc)
		unlink(outtmp);
	rm_rf_tmp(tmp);
	return rc;
}
