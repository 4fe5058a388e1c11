// SPDX-License-Identifier: MIT
/* Results store on SQLite: schema, step-by-step journaling, recovery of runs
 * whose process died, and the queries behind `bert results`. */
#define LOG_PREFIX "store"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/store/store.h"

struct store {
	sqlite3 *db;
	char path[1024];
	char journal[16];
	char host[QUAL_STR_MAX];
	char boot_id[64];
};

/* Version 1. Times: wall_* UTC seconds, *_ns station nanoseconds. NaN
 * values are NULL; infinities are stored as SQLite's infinite REALs. */
static const char schema_v1[] =
	"CREATE TABLE schema_version (version INTEGER NOT NULL,"
	"  applied_at INTEGER NOT NULL);"
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  record_schema INTEGER NOT NULL,"
	"  bert_version TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL CHECK (status IN"
	"    ('running', 'complete', 'aborted', 'error')),"
	"  verdict TEXT NOT NULL DEFAULT 'none',"
	"  message TEXT NOT NULL DEFAULT '',"
	"  profile TEXT NOT NULL DEFAULT '', profile_hash TEXT NOT NULL DEFAULT '',"
	"  lanes INTEGER NOT NULL DEFAULT 0, lanes_per_link INTEGER NOT NULL DEFAULT 0,"
	"  vendor TEXT, pn TEXT, sn TEXT, rev TEXT, firmware TEXT,"
	"  station TEXT, site INTEGER, fixture TEXT,"
	"  wall_start INTEGER NOT NULL, wall_end INTEGER,"
	"  station_ns INTEGER NOT NULL DEFAULT 0,"
	"  host TEXT, boot_id TEXT, pid INTEGER, pid_start INTEGER,"
	"  changed INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX runs_wall_start ON runs (wall_start);"
	"CREATE INDEX runs_sn ON runs (sn);"
	"CREATE INDEX runs_status ON runs (status);"
	"CREATE INDEX runs_changed ON runs (changed);"
	"CREATE TABLE steps ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL, status TEXT NOT NULL, verdict TEXT NOT NULL,"
	"  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,"
	"  message TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (run_id, seq));"
	"CREATE TABLE measurements ("
	"  id INTEGER PRIMARY KEY,"
	"  step_id INTEGER NOT NULL REFERENCES steps (id) ON DELETE CASCADE,"
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL, lane INTEGER NOT NULL,"
	"  value REAL, unit TEXT NOT NULL DEFAULT '',"
	"  low REAL, high REAL, marginal REAL, uncertainty REAL,"
	"  guard TEXT NOT NULL, scale TEXT NOT NULL,"
	"  method TEXT NOT NULL DEFAULT '', verdict TEXT NOT NULL,"
	"  message TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX measurements_step ON measurements (step_id);"
	"CREATE INDEX measurements_run ON measurements (run_id);"
	"CREATE INDEX measurements_name ON measurements (name, lane);"
	"CREATE TABLE sweep_points ("
	"  id INTEGER PRIMARY KEY,"
	"  step_id INTEGER NOT NULL REFERENCES steps (id) ON DELETE CASCADE,"
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL, lane INTEGER NOT NULL,"
	"  atten_db REAL, power_dbm REAL, oma_dbm REAL, ber REAL,"
	"  bits INTEGER NOT NULL, errors INTEGER NOT NULL, t_ns INTEGER NOT NULL);"
	"CREATE INDEX sweep_points_step ON sweep_points (step_id);";

/* SQLite's result codes in words for people; its own message (table and
 * constraint names, SQL) goes to the debug log only. */
static const char *db_words(int src, int *err)
{
	*err = BERT_ERR_IO;
	switch (src & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		*err = BERT_ERR_AGAIN;
		return "the database is busy (another process is writing)";
	case SQLITE_CONSTRAINT:
		*err = BERT_ERR_CONFIG;
		return "conflicts with what is already stored";
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		*err = BERT_ERR_CONFIG;
		return "not a bert results database, or damaged";
	case SQLITE_CANTOPEN:
		*err = BERT_ERR_CONFIG;
		return "cannot open or create the database file";
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		*err = BERT_ERR_CONFIG;
		return "the database cannot be written (permissions)";
	case SQLITE_FULL:
		return "the disk is full";
	case SQLITE_IOERR:
		return "the disk failed to read or write";
	case SQLITE_NOMEM:
		*err = BERT_ERR_NOMEM;
		return "out of memory";
	}
	return "database error";
}
/* Version 2: the uncertainty budget of each measurement (record.h, struct
 * qual_ucomp). Applied on top of version 1. */
static const char schema_v2[] =
	"CREATE TABLE uncertainty_components ("
	"  id INTEGER PRIMARY KEY,"
	"  measurement_id INTEGER NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,"
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL, source TEXT NOT NULL, u REAL,"
	"  type TEXT NOT NULL DEFAULT 'B', note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX uncertainty_components_m ON uncertainty_components (measurement_id);";

/* Version 3: traceability of a run (record.h, struct qual_trace): the
 * operator, work order and lot as columns the fleet views select on, the
 * module's date code, and the whole trace object (instruments with their
 * *IDN? and calibration dates, the station calibration) as its JSON. */
static const char schema_v3[] =
	"ALTER TABLE runs ADD COLUMN operator TEXT;"
	"ALTER TABLE runs ADD COLUMN work_order TEXT;"
	"ALTER TABLE runs ADD COLUMN lot TEXT;"
	"ALTER TABLE runs ADD COLUMN date_code TEXT;"
	"ALTER TABLE runs ADD COLUMN trace TEXT;"
	"CREATE INDEX runs_lot ON runs (lot);";

static int db_fail(struct store *st, int src, const char *what)
{
	int err;
	const char *words = db_words(src, &err);

	log_dbg("%s: %s: SQLite %d: %s", st->path, what, src,
		st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(src));
	return bert_fail(err, "%s: %s: %s", st->path, what, words);
}

static int exec(struct store *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? BERT_OK : db_fail(st, rc, what);
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	return rc == SQLITE_OK ? BERT_OK : db_fail(st, rc, "prepare");
}

static void rollback(struct store *st)
{
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

static double col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN
							: sqlite3_column_double(s, i);
}

static void col_text(sqlite3_stmt *s, int i, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, size, "%s", t ? (const char *)t : "");
}

static void read_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)size, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* Start time (field 22 of /proc/PID/stat, clock ticks since boot) of a
 * live process, 0 when unknown; *zombie (may be NULL) is set for a process
 * that has exited and waits for its parent to reap it (state Z or X,
 * proc(5)): it holds the pid but will never write again. The start time
 * tells a live process from a later one with its pid. */
static long long proc_start_state(int pid, bool *zombie)
{
	char path[64], buf[1024], *p;
	long long start = 0;
	FILE *f;
	int field;

	if (zombie)
		*zombie = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');	/* the command name may hold spaces */
	if (!p)
		return 0;
	p++;
	if (zombie && (p[1] == 'Z' || p[1] == 'X'))
		*zombie = true;
	for (field = 3; *p && field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (field == 22) {
			start = strtoll(p, NULL, 10);
			break;
		}
		while (*p && *p != ' ')
			p++;
	}
	return start;
}

int store_default_path(char *out, size_t size)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(out, size, "%s/bert/results.db", xdg);
	else if (home && home[0])
		n = snprintf(out, size, "%s/.local/share/bert/results.db", home);
	else
		return bert_fail(BERT_ERR_CONFIG, "no results database: neither "
				 "XDG_DATA_HOME nor HOME is set (use --db PATH)");
	if (n < 0 || (size_t)n >= size)
		return bert_fail(BERT_ERR_CONFIG, "results database path too long");
	return BERT_OK;
}

static int mkdirs(const char *path)
{
	char dir[1024], *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return BERT_OK;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return bert_fail(BERT_ERR_CONFIG, "%s: %s", dir, strerror(errno));
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return bert_fail(BERT_ERR_CONFIG, "%s: %s", dir, strerror(errno));
	return BERT_OK;
}

/* The operator-entered serial (qual_dut.operator_serial) in its own column,
 * added to databases made before it existed. */
static int operator_sn_column(struct store *st)
{
	sqlite3_stmt *s;
	bool have = false;
	int rc = prepare(st, "SELECT COUNT(*) FROM pragma_table_info('runs') "
			 "WHERE name = 'operator_sn'", &s);

	if (rc)
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW)
		have = sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	return have ? BERT_OK : exec(st, "ALTER TABLE runs ADD COLUMN operator_sn TEXT",
				     "adding operator_sn");
}

static int schema_setup(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int rc, version = 0, have, v;

	rc = exec(st, "BEGIN IMMEDIATE", "begin");
	if (rc)
		return rc;
	rc = prepare(st, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
		     "AND name = 'schema_version'", &s);
	if (rc)
		goto out;
	sqlite3_step(s);
	have = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (have) {
		rc = prepare(st, "SELECT MAX(version) FROM schema_version", &s);
		if (rc)
			goto out;
		if (sqlite3_step(s) == SQLITE_ROW)
			version = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		s = NULL;
	}
	if (version > STORE_SCHEMA_VERSION) {
		rc = bert_fail(BERT_ERR_UNSUPPORTED, "%s: schema version %d is newer "
			       "than this bert (%d)", st->path, version,
			       STORE_SCHEMA_VERSION);
		goto out;
	}
	if (version == 0) {
		rc = exec(st, schema_v1, "creating the schema");
		if (rc)
			goto out;
	}
	/* one step at a time (version < N); operator_sn is a column any
	 * version may lack (added beside version 2) */
	rc = operator_sn_column(st);
	if (rc)
		goto out;
	for (v = version + 1; v <= STORE_SCHEMA_VERSION; v++) {
		if (v == 1)
			continue;	/* schema_v1 above */
		rc = exec(st, v == 2 ? schema_v2 : schema_v3, "migrating the schema");
		if (rc)
			goto out;
		rc = prepare(st, "INSERT INTO schema_version VALUES (?, ?)", &s);
		if (rc)
			goto out;
		sqlite3_bind_int(s, 1, v);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_fail(st, sqlite3_errcode(st->db), "schema version");
		sqlite3_finalize(s);
		s = NULL;
		if (rc)
			goto out;
	}
	return exec(st, "COMMIT", "commit");
out:
	rollback(st);
	return rc;
}

/* A database this process may only read (a read-only file or folder, a
 * read-only mount): opened read-only, without the schema transaction, so
 * `bert results` still reads it; a write then fails as "cannot be written".
 * The schema must already be this version's (migrating needs a writer). */
static int schema_check_ro(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int rc, version = 0;

	rc = prepare(st, "SELECT MAX(version) FROM schema_version", &s);
	if (rc)
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > STORE_SCHEMA_VERSION)
		return bert_fail(BERT_ERR_UNSUPPORTED, "%s: schema version %d is newer "
				 "than this bert (%d)", st->path, version,
				 STORE_SCHEMA_VERSION);
	if (version < STORE_SCHEMA_VERSION)
		return bert_fail(BERT_ERR_CONFIG, "%s: schema version %d needs an "
				 "update, and the database cannot be written "
				 "(permissions)", st->path, version);
	return BERT_OK;
}

static int open_impl(const char *path, bool readonly, struct store **out);

/* file:PATH?immutable=1 with the characters a URI path reserves escaped */
static void uri_path(char *out, size_t size, const char *path)
{
	size_t n = 0;
	const unsigned char *p;

	n += (size_t)snprintf(out, size, "file:");
	for (p = (const unsigned char *)path; *p && n + 4 < size; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
			n += (size_t)snprintf(out + n, size - n, "%%%02X", *p);
		else
			out[n++] = (char)*p;
	}
	out[n] = 0;
	snprintf(out + n, size - n, "?immutable=1");
}

static bool dir_writable(const char *path)
{
	char dir[1024];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return access(".", W_OK) == 0;
	if (slash == dir)
		slash[1] = 0;
	else
		*slash = 0;
	return access(dir, W_OK) == 0;
}

int store_open(const char *path, struct store **out)
{
	return open_impl(path, false, out);
}

static int open_impl(const char *path, bool readonly, struct store **out)
{
	char def[1024];
	sqlite3_stmt *s;
	struct store *st;
	int rc;

	*out = NULL;
	if (!path) {
		rc = store_default_path(def, sizeof(def));
		if (rc)
			return rc;
		path = def;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return bert_fail(BERT_ERR_NOMEM, "store: out of memory");
	snprintf(st->path, sizeof(st->path), "%s", path);
	if (gethostname(st->host, sizeof(st->host) - 1) != 0)
		snprintf(st->host, sizeof(st->host), "localhost");
	read_line("/proc/sys/kernel/random/boot_id", st->boot_id, sizeof(st->boot_id));
	if (!readonly) {
		rc = mkdirs(path);
		if (rc)
			goto fail;
	}
	if (readonly) {
		/* WAL needs its index (-shm) beside the file; in a folder we
		 * cannot write, a file with no -wal (every writer closed it,
		 * the log checkpointed) is read as immutable: an archive or a
		 * read-only mount (SQLite, "URI filenames", immutable) */
		char wal[1100], uri[1200];

		snprintf(wal, sizeof(wal), "%s-wal", path);
		if (!dir_writable(path) && access(wal, F_OK) != 0) {
			uri_path(uri, sizeof(uri), path);
			rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY |
					     SQLITE_OPEN_URI, NULL);
		} else {
			rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY, NULL);
		}
	} else {
		rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
				     SQLITE_OPEN_CREATE, NULL);
	}
	if (rc != SQLITE_OK) {
		rc = db_fail(st, rc, "open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 0);
	if (readonly) {
		snprintf(st->journal, sizeof(st->journal), "read-only");
		rc = schema_check_ro(st);
		if (rc)
			goto fail;
		*out = st;
		return BERT_OK;
	}
	/* WAL: readers never block the writer and the writer never blocks
	 * readers; FULL: a committed step survives power loss too. */
	rc = prepare(st, "PRAGMA journal_mode = WAL", &s);
	if (rc)
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW)
		col_text(s, 0, st->journal, sizeof(st->journal));
	sqlite3_finalize(s);
	if (strcmp(st->journal, "wal"))
		log_warn("%s: journal mode is '%s', not WAL", path, st->journal);
	rc = exec(st, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
		  "pragmas");
	if (rc)
		goto fail;
	rc = schema_setup(st);
	if (rc)
		goto fail;
	*out = st;
	return BERT_OK;
fail:
	store_close(st);
	return rc;
}

int store_open_existing(const char *path, struct store **out)
{
	char def[1024];
	struct stat sb;
	int rc;

	*out = NULL;
	if (!path) {
		rc = store_default_path(def, sizeof(def));
		if (rc)
			return rc;
		path = def;
	}
	if (stat(path, &sb) != 0)
		return bert_fail(BERT_ERR_CONFIG, "%s: no results database (nothing "
				 "stored yet, or give --db PATH)", path);
	if (!S_ISREG(sb.st_mode))
		return bert_fail(BERT_ERR_CONFIG, "%s: not a database file", path);
	/* a reader of a file it may not write (nor its folder, where the WAL
	 * index lives) reads it read-only */
	return open_impl(path, access(path, W_OK) != 0 || !dir_writable(path), out);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->db)
		sqlite3_close(st->db);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

struct sqlite3 *store_sqlite(struct store *st)
{
	return st->db;
}

const char *store_journal_mode(struct store *st)
{
	return st->journal;
}

/* Inside a write transaction: the next change counter. */
#define NEXT_CHANGE "(SELECT COALESCE(MAX(changed), 0) + 1 FROM runs)"

/* The operator serial and the traceability columns (version 3). */
static void bind_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v[0])
		bind_text(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static int put_operator_sn(struct store *st, const struct qual_record *rec)
{
	json_t *j = qual_trace_to_json(&rec->trace);
	char *trace = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	sqlite3_stmt *s;
	int rc;

	json_decref(j);
	if (!trace)
		return bert_fail(BERT_ERR_NOMEM, "store: trace");
	rc = prepare(st, "UPDATE runs SET operator_sn = ?, operator = ?, work_order = ?, "
		     "lot = ?, date_code = ?, trace = ? WHERE id = ?", &s);
	if (rc) {
		free(trace);
		return rc;
	}
	bind_or_null(s, 1, rec->dut.operator_serial);
	bind_or_null(s, 2, rec->trace.operator_name);
	bind_or_null(s, 3, rec->trace.work_order);
	bind_or_null(s, 4, rec->trace.lot);
	bind_or_null(s, 5, rec->dut.date_code);
	bind_text(s, 6, trace);
	sqlite3_bind_int64(s, 7, rec->id);
	rc = sqlite3_step(s) == SQLITE_DONE ? BERT_OK :
		db_fail(st, sqlite3_errcode(st->db), "operator serial and trace");
	sqlite3_finalize(s);
	free(trace);
	return rc;
}

static int get_operator_sn(struct store *st, struct qual_record *rec)
{
	sqlite3_stmt *s;
	int rc = prepare(st, "SELECT operator_sn, date_code, trace FROM runs WHERE id = ?",
			 &s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, rec->id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 2);

		col_text(s, 0, rec->dut.operator_serial, sizeof(rec->dut.operator_serial));
		col_text(s, 1, rec->dut.date_code, sizeof(rec->dut.date_code));
		if (t) {
			json_t *j = json_loads((const char *)t, 0, NULL);

			rc = j ? qual_trace_from_json(j, &rec->trace) :
			     bert_fail(BERT_ERR_PROTOCOL, "runs.trace: not JSON");
			json_decref(j);
			if (rc)
				rc = bert_fail_ctx(rc, "runs.trace of run %lld",
						   (long long)rec->id);
		}
	}
	sqlite3_finalize(s);
	return rc;
}

int store_run_begin(struct store *st, struct qual_record *rec)
{
	static const char sql[] =
		"INSERT INTO runs (uuid, record_schema, bert_version, status, "
		"verdict, message, profile, profile_hash, lanes, lanes_per_link, "
		"vendor, pn, sn, rev, firmware, station, site, fixture, wall_start, "
		"station_ns, host, boot_id, pid, pid_start, changed) VALUES "
		"(?, ?, ?, 'running', 'none', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, 0, ?, ?, ?, ?, " NEXT_CHANGE ")";
	sqlite3_stmt *s;
	int rc, i = 1;

	rc = exec(st, "BEGIN IMMEDIATE", "begin run");
	if (rc)
		return rc;
	rc = prepare(st, sql, &s);
	if (rc) {
		rollback(st);
		return rc;
	}
	bind_text(s, i++, rec->uuid);
	sqlite3_bind_int(s, i++, rec->schema);
	bind_text(s, i++, rec->bert_version);
	bind_text(s, i++, rec->profile);
	bind_text(s, i++, rec->profile_hash);
	sqlite3_bind_int(s, i++, (int)rec->lanes);
	sqlite3_bind_int(s, i++, (int)rec->lanes_per_link);
	bind_text(s, i++, rec->dut.vendor);
	bind_text(s, i++, rec->dut.pn);
	bind_text(s, i++, rec->dut.sn);
	bind_text(s, i++, rec->dut.rev);
	bind_text(s, i++, rec->dut.firmware);
	bind_text(s, i++, rec->station);
	sqlite3_bind_int(s, i++, (int)rec->site);
	bind_text(s, i++, rec->fixture);
	sqlite3_bind_int64(s, i++, rec->wall_start);
	bind_text(s, i++, st->host);
	bind_text(s, i++, st->boot_id);
	sqlite3_bind_int(s, i++, (int)getpid());
	sqlite3_bind_int64(s, i++, proc_start_state((int)getpid(), NULL));
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = db_fail(st, sqlite3_errcode(st->db), "begin run");
		sqlite3_finalize(s);
		rollback(st);
		return rc;
	}
	sqlite3_finalize(s);
	rec->id = sqlite3_last_insert_rowid(st->db);
	rc = put_operator_sn(st, rec);
	if (rc) {
		rollback(st);
		return rc;
	}
	return exec(st, "COMMIT", "begin run");
}

static int step_seq(const struct qual_record *rec, const struct qual_step *step)
{
	size_t i;

	for (i = 0; i < rec->nsteps; i++)
		if (rec->steps[i] == step)
			return (int)i;
	return -1;
}

static int ucomp_insert(struct store *st, const struct qual_record *rec,
			const struct qual_measurement *m, sqlite3_int64 mid)
{
	sqlite3_stmt *s = NULL;
	unsigned i;
	int rc;

	rc = prepare(st, "INSERT INTO uncertainty_components (measurement_id, run_id, "
		     "seq, source, u, type, note) VALUES (?, ?, ?, ?, ?, ?, ?)", &s);
	if (rc)
		return rc;
	for (i = 0; i < m->nucomp && i < QUAL_UCOMP_MAX; i++) {
		const struct qual_ucomp *c = &m->ucomp[i];
		char t[2] = { c->type == 'A' ? 'A' : 'B', 0 };

		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, mid);
		sqlite3_bind_int64(s, 2, rec->id);
		sqlite3_bind_int(s, 3, (int)i);
		bind_text(s, 4, c->source);
		bind_real(s, 5, c->u);
		bind_text(s, 6, t);
		bind_text(s, 7, c->note);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = db_fail(st, sqlite3_errcode(st->db), "writing an uncertainty budget");
			break;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

static int step_insert(struct store *st, const struct qual_record *rec,
		       const struct qual_step *step, int seq)
{
	enum qual_verdict so_far = QUAL_NONE;
	sqlite3_stmt *s = NULL;
	sqlite3_int64 step_id;
	size_t i;
	int rc;

	rc = prepare(st, "DELETE FROM steps WHERE run_id = ? AND seq = ?", &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, rec->id);
	sqlite3_bind_int(s, 2, seq);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);

	rc = prepare(st, "INSERT INTO steps (run_id, seq, name, status, verdict, "
		     "start_ns, end_ns, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, rec->id);
	sqlite3_bind_int(s, 2, seq);
	bind_text(s, 3, step->name);
	bind_text(s, 4, qual_step_status_name(step->status));
	bind_text(s, 5, qual_verdict_name(step->verdict));
	sqlite3_bind_int64(s, 6, (sqlite3_int64)step->start_ns);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)step->end_ns);
	bind_text(s, 8, step->message);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	step_id = sqlite3_last_insert_rowid(st->db);

	rc = prepare(st, "INSERT INTO measurements (step_id, run_id, seq, name, "
		     "lane, value, unit, low, high, marginal, uncertainty, guard, "
		     "scale, method, verdict, message) VALUES (?, ?, ?, ?, ?, ?, ?, "
		     "?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
	if (rc)
		return rc;
	for (i = 0; i < step->nm; i++) {
		const struct qual_measurement *m = &step->m[i];

		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, step_id);
		sqlite3_bind_int64(s, 2, rec->id);
		sqlite3_bind_int(s, 3, (int)i);
		bind_text(s, 4, m->name);
		sqlite3_bind_int(s, 5, (int)m->lane);
		bind_real(s, 6, m->value);
		bind_text(s, 7, m->unit);
		bind_real(s, 8, m->lim.low);
		bind_real(s, 9, m->lim.high);
		bind_real(s, 10, m->lim.marginal);
		bind_real(s, 11, m->uncertainty);
		bind_text(s, 12, qual_guard_name(m->lim.guard));
		bind_text(s, 13, qual_scale_name(m->lim.scale));
		bind_text(s, 14, m->method);
		bind_text(s, 15, qual_verdict_name(m->verdict));
		bind_text(s, 16, m->message);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		if (m->nucomp && (rc = ucomp_insert(st, rec, m,
						    sqlite3_last_insert_rowid(st->db)))) {
			sqlite3_finalize(s);
			return rc;
		}
	}
	sqlite3_finalize(s);

	rc = prepare(st, "INSERT INTO sweep_points (step_id, run_id, seq, lane, "
		     "atten_db, power_dbm, oma_dbm, ber, bits, errors, t_ns) VALUES "
		     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
	if (rc)
		return rc;
	for (i = 0; i < step->npts; i++) {
		const struct qual_point *p = &step->pts[i];

		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, step_id);
		sqlite3_bind_int64(s, 2, rec->id);
		sqlite3_bind_int(s, 3, (int)i);
		sqlite3_bind_int(s, 4, (int)p->lane);
		bind_real(s, 5, p->atten_db);
		bind_real(s, 6, p->power_dbm);
		bind_real(s, 7, p->oma_dbm);
		bind_real(s, 8, p->ber);
		sqlite3_bind_int64(s, 9, (sqlite3_int64)p->bits);
		sqlite3_bind_int64(s, 10, (sqlite3_int64)p->errors);
		sqlite3_bind_int64(s, 11, (sqlite3_int64)p->t_ns);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(s);

	/* the run's verdict so far, over the committed steps */
	rc = prepare(st, "SELECT verdict FROM steps WHERE run_id = ?", &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, rec->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char buf[16];
		enum qual_verdict sv = QUAL_NONE;

		col_text(s, 0, buf, sizeof(buf));
		qual_verdict_parse(buf, &sv);
		so_far = qual_verdict_worst(so_far, sv);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	/* a run in progress never reads pass: only a verdict no later step
	 * can improve (fail, error) is shown before the run's end */
	if (so_far == QUAL_PASS || so_far == QUAL_MARGINAL)
		so_far = QUAL_NONE;

	/* the identity is known after the first step: keep the row current so
	 * a run that dies later still names its module */
	rc = prepare(st, "UPDATE runs SET changed = " NEXT_CHANGE ", verdict = ?, "
		     "vendor = ?, pn = ?, sn = ?, rev = ?, firmware = ? WHERE id = ?",
		     &s);
	if (rc)
		return rc;
	bind_text(s, 1, qual_verdict_name(so_far));
	bind_text(s, 2, rec->dut.vendor);
	bind_text(s, 3, rec->dut.pn);
	bind_text(s, 4, rec->dut.sn);
	bind_text(s, 5, rec->dut.rev);
	bind_text(s, 6, rec->dut.firmware);
	sqlite3_bind_int64(s, 7, rec->id);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	return put_operator_sn(st, rec);	/* the date code comes with the identity */
fail:
	rc = db_fail(st, sqlite3_errcode(st->db), "writing step");
	sqlite3_finalize(s);
	return rc;
}

int store_step_commit(struct store *st, const struct qual_record *rec,
		      const struct qual_step *step)
{
	int seq = step_seq(rec, step), rc;

	if (seq < 0 || rec->id <= 0)
		return bert_fail(BERT_ERR_ARG, "store_step_commit: step %s is not "
				 "part of a stored run", step->name);
	rc = exec(st, "BEGIN IMMEDIATE", "begin step");
	if (rc)
		return rc;
	rc = step_insert(st, rec, step, seq);
	if (rc) {
		rollback(st);
		return bert_fail_ctx(rc, "run %lld step %s", (long long)rec->id,
				     step->name);
	}
	return exec(st, "COMMIT", "commit step");
}

int store_run_finish(struct store *st, const struct qual_record *rec)
{
	sqlite3_stmt *s;
	int rc;

	if (rec->id <= 0)
		return bert_fail(BERT_ERR_ARG, "store_run_finish: run not stored");
	rc = exec(st, "BEGIN IMMEDIATE", "begin finish");
	if (rc)
		return rc;
	rc = prepare(st, "UPDATE runs SET status = ?, verdict = ?, message = ?, "
		     "wall_end = ?, station_ns = ?, vendor = ?, pn = ?, sn = ?, "
		     "rev = ?, firmware = ?, changed = " NEXT_CHANGE " WHERE id = ?", &s);
	if (rc) {
		rollback(st);
		return rc;
	}
	bind_text(s, 1, qual_run_status_name(rec->status));
	bind_text(s, 2, qual_verdict_name(rec->verdict));
	bind_text(s, 3, rec->message);
	sqlite3_bind_int64(s, 4, rec->wall_end ? rec->wall_end : (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(s, 5, (sqlite3_int64)rec->station_ns);
	bind_text(s, 6, rec->dut.vendor);
	bind_text(s, 7, rec->dut.pn);
	bind_text(s, 8, rec->dut.sn);
	bind_text(s, 9, rec->dut.rev);
	bind_text(s, 10, rec->dut.firmware);
	sqlite3_bind_int64(s, 11, rec->id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = db_fail(st, sqlite3_errcode(st->db), "finish run");
		sqlite3_finalize(s);
		rollback(st);
		return rc;
	}
	sqlite3_finalize(s);
	if (sqlite3_changes(st->db) != 1) {
		rollback(st);
		return bert_fail(BERT_ERR_RANGE, "%s: no run %lld", st->path,
				 (long long)rec->id);
	}
	return exec(st, "COMMIT", "finish run");
}

/* Is the writer of a running run certainly gone? Only a run of this host
 * can be judged; one of another host is left alone. */
static bool writer_dead(struct store *st, const char *host, const char *boot,
			int pid, long long start)
{
	long long now;
	bool zombie;

	if (strcmp(host, st->host))
		return false;
	if (boot[0] && st->boot_id[0] && strcmp(boot, st->boot_id))
		return true;	/* rebooted since */
	if (pid <= 0)
		return true;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	now = proc_start_state(pid, &zombie);
	if (zombie)
		return true;	/* killed, its parent has not reaped it yet */
	if (start && now && now != start)
		return true;	/* the pid belongs to a newer process */
	return false;
}

int store_recover(struct store *st, unsigned *n_aborted)
{
	sqlite3_stmt *s = NULL, *u = NULL;
	char host[QUAL_STR_MAX], boot[64];
	unsigned n = 0;
	int rc, step;

	if (n_aborted)
		*n_aborted = 0;
	rc = exec(st, "BEGIN IMMEDIATE", "begin recover");
	if (rc)
		return rc;
	rc = prepare(st, "SELECT id, host, boot_id, pid, pid_start FROM runs "
		     "WHERE status = 'running'", &s);
	if (rc)
		goto out;
	rc = prepare(st, "UPDATE runs SET status = 'aborted', "
		     "verdict = CASE verdict WHEN 'fail' THEN 'fail' ELSE 'error' END, "
		     "message = 'aborted: the process writing the run died', "
		     "wall_end = ?, changed = " NEXT_CHANGE " WHERE id = ?", &u);
	if (rc)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 1, host, sizeof(host));
		col_text(s, 2, boot, sizeof(boot));
		if (!writer_dead(st, host, boot, sqlite3_column_int(s, 3),
				 sqlite3_column_int64(s, 4)))
			continue;
		sqlite3_reset(u);
		sqlite3_bind_int64(u, 1, (sqlite3_int64)time(NULL));
		sqlite3_bind_int64(u, 2, sqlite3_column_int64(s, 0));
		if (sqlite3_step(u) != SQLITE_DONE) {
			rc = db_fail(st, sqlite3_errcode(st->db), "recover");
			goto out;
		}
		log_info("run %lld aborted: its process %d is gone",
			 (long long)sqlite3_column_int64(s, 0), sqlite3_column_int(s, 3));
		n++;
	}
	if (step != SQLITE_DONE) {
		rc = db_fail(st, step, "recover");
		goto out;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	if (n_aborted)
		*n_aborted = n;
	return exec(st, "COMMIT", "commit recover");
out:
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	rollback(st);
	return rc;
}

int store_run_list(struct store *st, const struct store_filter *f,
		   struct store_run_summary **out, size_t *n)
{
	char sql[1024];
	struct store_run_summary *v = NULL, *nv;
	size_t cap = 0, cnt = 0;
	sqlite3_stmt *s;
	int rc, i = 1, step;

	*out = NULL;
	*n = 0;
	snprintf(sql, sizeof(sql),
		 "SELECT id, uuid, status, verdict, profile, vendor, pn, sn, station, "
		 "site, wall_start, wall_end, station_ns, (SELECT COUNT(*) FROM "
		 "steps WHERE steps.run_id = runs.id) FROM runs WHERE 1 %s%s%s%s "
		 "ORDER BY id DESC %s",
		 f && f->since_id ? "AND id > ? " : "",
		 f && f->since_time ? "AND wall_start >= ? " : "",
		 f && f->changed_since ? "AND changed > ? " : "",
		 f && f->sn ? "AND sn = ? " : "",
		 f && f->limit ? "LIMIT ?" : "");
	rc = prepare(st, sql, &s);
	if (rc)
		return rc;
	if (f && f->since_id)
		sqlite3_bind_int64(s, i++, f->since_id);
	if (f && f->since_time)
		sqlite3_bind_int64(s, i++, f->since_time);
	if (f && f->changed_since)
		sqlite3_bind_int64(s, i++, f->changed_since);
	if (f && f->sn)
		bind_text(s, i++, f->sn);
	if (f && f->limit)
		sqlite3_bind_int(s, i++, (int)f->limit);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_run_summary *r;
		char buf[16];

		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				sqlite3_finalize(s);
				return bert_fail(BERT_ERR_NOMEM, "store: out of memory");
			}
			v = nv;
		}
		r = &v[cnt++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(s, 0);
		col_text(s, 1, r->uuid, sizeof(r->uuid));
		col_text(s, 2, buf, sizeof(buf));
		qual_run_status_parse(buf, &r->status);
		col_text(s, 3, buf, sizeof(buf));
		qual_verdict_parse(buf, &r->verdict);
		col_text(s, 4, r->profile, sizeof(r->profile));
		col_text(s, 5, r->vendor, sizeof(r->vendor));
		col_text(s, 6, r->pn, sizeof(r->pn));
		col_text(s, 7, r->sn, sizeof(r->sn));
		col_text(s, 8, r->station, sizeof(r->station));
		r->site = (unsigned)sqlite3_column_int(s, 9);
		r->wall_start = sqlite3_column_int64(s, 10);
		r->wall_end = sqlite3_column_int64(s, 11);
		r->station_ns = (uint64_t)sqlite3_column_int64(s, 12);
		r->steps = (unsigned)sqlite3_column_int(s, 13);
	}
	if (step != SQLITE_DONE) {
		rc = db_fail(st, step, "listing runs");
		free(v);
		sqlite3_finalize(s);
		return rc;
	}
	sqlite3_finalize(s);
	bert_error_clear();
	*out = v;
	*n = cnt;
	return BERT_OK;
}

int store_last_change(struct store *st, int64_t *out)
{
	sqlite3_stmt *s;
	int rc = prepare(st, "SELECT COALESCE(MAX(changed), 0) FROM runs", &s);

	if (rc)
		return rc;
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = db_fail(st, sqlite3_errcode(st->db), "last change");
		sqlite3_finalize(s);
		return rc;
	}
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return BERT_OK;
}

static int resolve_query(struct store *st, const char *sql, const char *run,
			 int mode, int64_t *id, int *count)
{
	sqlite3_stmt *s;
	int rc = prepare(st, sql, &s);

	if (rc)
		return rc;
	if (mode == 1)
		sqlite3_bind_int64(s, 1, strtoll(run, NULL, 10));
	else if (mode == 2) {
		sqlite3_bind_int(s, 1, (int)strlen(run));
		bind_text(s, 2, run);
	}
	*count = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		(*count)++;
	}
	sqlite3_finalize(s);
	return BERT_OK;
}

int store_run_resolve(struct store *st, const char *run, int64_t *id)
{
	static const char by_prefix[] =
		"SELECT id FROM runs WHERE substr(uuid, 1, ?) = ? LIMIT 2";
	size_t len = run ? strlen(run) : 0, i;
	bool digits = len > 0 && len < 19;
	int rc, count = 0;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)run[i]))
			digits = false;
	if (!len)
		return bert_fail(BERT_ERR_ARG, "no run given");
	if (!strcmp(run, "last"))
		rc = resolve_query(st, "SELECT id FROM runs ORDER BY id DESC LIMIT 1",
				   run, 0, id, &count);
	else if (digits)
		rc = resolve_query(st, "SELECT id FROM runs WHERE id = ?", run, 1, id,
				   &count);
	else if (len < 4 || len >= QUAL_UUID_MAX)
		return bert_fail(BERT_ERR_ARG, "'%s' is not a run (an id, 'last', "
				 "or 4 or more characters of a UUID)", run);
	else
		rc = resolve_query(st, by_prefix, run, 2, id, &count);
	/* "1234" may also be the start of a UUID */
	if (!rc && digits && !count && len >= 4 && len < QUAL_UUID_MAX)
		rc = resolve_query(st, by_prefix, run, 2, id, &count);
	if (rc)
		return rc;
	if (count == 0)
		return bert_fail(BERT_ERR_RANGE, "no run '%s' in %s", run, st->path);
	if (count > 1)
		return bert_fail(BERT_ERR_ARG, "'%s' matches more than one run", run);
	return BERT_OK;
}

static int load_run_row(struct store *st, int64_t id, struct qual_record *r)
{
	sqlite3_stmt *s;
	char buf[32];
	int rc, step;

	rc = prepare(st, "SELECT uuid, record_schema, bert_version, status, verdict, "
		     "message, profile, profile_hash, lanes, lanes_per_link, vendor, "
		     "pn, sn, rev, firmware, station, site, fixture, wall_start, "
		     "wall_end, station_ns, host, pid FROM runs WHERE id = ?", &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ?
			bert_fail(BERT_ERR_RANGE, "no run %lld in %s", (long long)id,
				  st->path) :
			db_fail(st, step, "loading run");
		sqlite3_finalize(s);
		return rc;
	}
	r->id = id;
	col_text(s, 0, r->uuid, sizeof(r->uuid));
	r->schema = sqlite3_column_int(s, 1);
	col_text(s, 2, r->bert_version, sizeof(r->bert_version));
	col_text(s, 3, buf, sizeof(buf));
	qual_run_status_parse(buf, &r->status);
	col_text(s, 4, buf, sizeof(buf));
	qual_verdict_parse(buf, &r->verdict);
	col_text(s, 5, r->message, sizeof(r->message));
	col_text(s, 6, r->profile, sizeof(r->profile));
	col_text(s, 7, r->profile_hash, sizeof(r->profile_hash));
	r->lanes = (unsigned)sqlite3_column_int(s, 8);
	r->lanes_per_link = (unsigned)sqlite3_column_int(s, 9);
	col_text(s, 10, r->dut.vendor, sizeof(r->dut.vendor));
	col_text(s, 11, r->dut.pn, sizeof(r->dut.pn));
	col_text(s, 12, r->dut.sn, sizeof(r->dut.sn));
	col_text(s, 13, r->dut.rev, sizeof(r->dut.rev));
	col_text(s, 14, r->dut.firmware, sizeof(r->dut.firmware));
	col_text(s, 15, r->station, sizeof(r->station));
	r->site = (unsigned)sqlite3_column_int(s, 16);
	col_text(s, 17, r->fixture, sizeof(r->fixture));
	r->wall_start = sqlite3_column_int64(s, 18);
	r->wall_end = sqlite3_column_int64(s, 19);
	r->station_ns = (uint64_t)sqlite3_column_int64(s, 20);
	col_text(s, 21, r->host, sizeof(r->host));
	r->pid = sqlite3_column_int(s, 22);
	sqlite3_finalize(s);
	return BERT_OK;
}

static int load_steps(struct store *st, struct qual_record *r)
{
	sqlite3_stmt *s = NULL, *ms = NULL, *ps = NULL, *us = NULL;
	char buf[32];
	int rc, step;

	rc = prepare(st, "SELECT id, name, status, verdict, start_ns, end_ns, "
		     "message FROM steps WHERE run_id = ? ORDER BY seq", &s);
	if (!rc)
		rc = prepare(st, "SELECT name, lane, value, unit, low, high, marginal, "
			     "uncertainty, guard, scale, method, verdict, message, id FROM "
			     "measurements WHERE step_id = ? ORDER BY seq", &ms);
	if (!rc)
		rc = prepare(st, "SELECT source, u, type, note FROM uncertainty_components "
			     "WHERE measurement_id = ? ORDER BY seq", &us);
	if (!rc)
		rc = prepare(st, "SELECT lane, atten_db, power_dbm, oma_dbm, ber, "
			     "bits, errors, t_ns FROM sweep_points WHERE step_id = ? "
			     "ORDER BY seq", &ps);
	if (rc)
		goto out;
	sqlite3_bind_int64(s, 1, r->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct qual_step *q;
		enum qual_verdict v = QUAL_NONE;
		char name[QUAL_STEP_NAME_MAX];

		col_text(s, 1, name, sizeof(name));
		q = qual_record_step_begin(r, name, (uint64_t)sqlite3_column_int64(s, 4));
		if (!q) {
			rc = BERT_ERR_NOMEM;
			goto out;
		}
		col_text(s, 2, buf, sizeof(buf));
		qual_step_status_parse(buf, &q->status);
		col_text(s, 3, buf, sizeof(buf));
		qual_verdict_parse(buf, &v);
		q->end_ns = (uint64_t)sqlite3_column_int64(s, 5);
		col_text(s, 6, q->message, sizeof(q->message));

		sqlite3_reset(ms);
		sqlite3_bind_int64(ms, 1, sqlite3_column_int64(s, 0));
		while (sqlite3_step(ms) == SQLITE_ROW) {
			struct qual_measurement m;

			memset(&m, 0, sizeof(m));
			col_text(ms, 0, m.name, sizeof(m.name));
			m.lane = (unsigned)sqlite3_column_int(ms, 1);
			m.value = col_real(ms, 2);
			col_text(ms, 3, m.unit, sizeof(m.unit));
			m.lim.low = col_real(ms, 4);
			m.lim.high = col_real(ms, 5);
			m.lim.marginal = col_real(ms, 6);
			if (isnan(m.lim.marginal))
				m.lim.marginal = 0;
			m.uncertainty = col_real(ms, 7);
			col_text(ms, 8, buf, sizeof(buf));
			qual_guard_parse(buf, &m.lim.guard);
			col_text(ms, 9, buf, sizeof(buf));
			qual_scale_parse(buf, &m.lim.scale);
			col_text(ms, 10, m.method, sizeof(m.method));
			col_text(ms, 11, buf, sizeof(buf));
			qual_verdict_parse(buf, &m.verdict);
			col_text(ms, 12, m.message, sizeof(m.message));
			sqlite3_reset(us);
			sqlite3_bind_int64(us, 1, sqlite3_column_int64(ms, 13));
			while (m.nucomp < QUAL_UCOMP_MAX && sqlite3_step(us) == SQLITE_ROW) {
				struct qual_ucomp *c = &m.ucomp[m.nucomp++];

				col_text(us, 0, c->source, sizeof(c->source));
				c->u = col_real(us, 1);
				col_text(us, 2, buf, sizeof(buf));
				c->type = buf[0] == 'A' ? 'A' : 'B';
				col_text(us, 3, c->note, sizeof(c->note));
			}
			rc = qual_step_add(q, &m);
			if (rc)
				goto out;
		}
		sqlite3_reset(ps);
		sqlite3_bind_int64(ps, 1, sqlite3_column_int64(s, 0));
		while (sqlite3_step(ps) == SQLITE_ROW) {
			struct qual_point p = {
				.lane = (unsigned)sqlite3_column_int(ps, 0),
				.atten_db = col_real(ps, 1),
				.power_dbm = col_real(ps, 2),
				.oma_dbm = col_real(ps, 3),
				.ber = col_real(ps, 4),
				.bits = (uint64_t)sqlite3_column_int64(ps, 5),
				.errors = (uint64_t)sqlite3_column_int64(ps, 6),
				.t_ns = (uint64_t)sqlite3_column_int64(ps, 7),
			};

			rc = qual_step_add_point(q, &p);
			if (rc)
				goto out;
		}
		q->verdict = v;	/* as stored, not recomputed */
	}
	if (step != SQLITE_DONE)
		rc = db_fail(st, step, "loading steps");
out:
	sqlite3_finalize(s);
	sqlite3_finalize(ms);
	sqlite3_finalize(ps);
	sqlite3_finalize(us);
	return rc;
}

int store_run_load(struct store *st, int64_t id, struct qual_record *rec)
{
	int rc;

	memset(rec, 0, sizeof(*rec));
	/* one read transaction: a consistent snapshot while a writer commits */
	rc = exec(st, "BEGIN", "begin read");
	if (rc)
		return rc;
	rc = load_run_row(st, id, rec);
	if (!rc)
		rc = get_operator_sn(st, rec);
	if (!rc)
		rc = load_steps(st, rec);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc) {
		qual_record_free(rec);
		bert_fail_ctx(rc, "run %lld", (long long)id);
	}
	return rc;
}

static int journal_begin(void *user, struct qual_record *rec)
{
	return store_run_begin(user, rec);
}

static int journal_step(void *user, const struct qual_record *rec,
			const struct qual_step *step)
{
	return store_step_commit(user, rec, step);
}

static int journal_finish(void *user, const struct qual_record *rec)
{
	return store_run_finish(user, rec);
}

static const struct qual_journal_ops journal_ops = {
	.run_begin = journal_begin,
	.step_commit = journal_step,
	.run_finish = journal_finish,
};

struct qual_journal store_journal(struct store *st)
{
	return (struct qual_journal){ st ? &journal_ops : NULL, st };
}
