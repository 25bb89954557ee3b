/* Syslog messages: RFC 5424 and RFC 3164 formatting, parsing and local
 * sending (see syslog.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "syslog.h"

#define SYSLOG_PRIVAL_MAX 191
#define SYSLOG_3164_TAG_MAX 48  /* RFC 3164 says 32; APP-NAME allows 48 */

static const char bom[] = "\xef\xbb\xbf";
static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

void
syslog_msg_free(struct syslog_msg *m)
{
	if (m == NULL)
		return;
	free(m->timestamp);
	free(m->hostname);
	free(m->app_name);
	free(m->procid);
	free(m->msgid);
	fields_free(m->sd);
	free(m->msg);
	free(m);
}

/* ---- formatting ---------------------------------------------------------- */

static bool
is_printusascii(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (*s < 33 || *s > 126)
			return false;
	return true;
}

/* PARAM-VALUE: '"', '\' and ']' are escaped with a backslash (RFC 5424
 * 6.3.3). */
static void
put_param(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == ']')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static int
check_sd_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SYSLOG_SD_NAME_MAX)
		return -EINVAL;
	for (const char *p = name; *p; p++)
		if (*p < 33 || *p > 126 || *p == '=' || *p == ']' || *p == '"')
			return -EINVAL;
	return 0;
}

static int
put_sd_element(FILE *f, const struct event *e, bool with_id)
{
	char id[16];

	fputs("[" SYSLOG_SD_ID, f);
	if (with_id) {
		snprintf(id, sizeof(id), "%u", e->id);
		put_param(f, SYSLOG_SD_PARAM_ID, id);
	}
	put_param(f, SYSLOG_SD_PARAM_LOG, e->log);
	for (size_t i = 0; i < e->n_extra; i++) {
		if (check_sd_name(e->extra[i].name) < 0)
			return -EINVAL;
		put_param(f, e->extra[i].name, e->extra[i].value);
	}
	fputc(']', f);
	return 0;
}

/* 2026-11-22T03:04:05.123456+01:00 in local time (RFC 5424 6.2.3). */
static void
put_timestamp_5424(FILE *f, const struct timespec *ts)
{
	struct tm tm;
	long off;

	localtime_r(&ts->tv_sec, &tm);
	off = tm.tm_gmtoff / 60;
	fprintf(f, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld%c%02ld:%02ld",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000, off < 0 ? '-' : '+',
		labs(off) / 60, labs(off) % 60);
}

/* "Nov  2 03:04:05" in local time (RFC 3164 4.1.2), independent of the
 * locale. */
static void
put_timestamp_3164(FILE *f, const struct timespec *ts)
{
	struct tm tm;

	localtime_r(&ts->tv_sec, &tm);
	fprintf(f, "%s %2d %02d:%02d:%02d", months[tm.tm_mon], tm.tm_mday,
		tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
format_5424(FILE *f, const struct event *e, const char *hostname,
	    const struct timespec *ts, pid_t pid, int pri)
{
	fprintf(f, "<%d>1 ", pri);
	put_timestamp_5424(f, ts);
	fprintf(f, " %s %s ", hostname ? hostname : "-",
		e->source ? e->source : "-");
	if (pid > 0)
		fprintf(f, "%ld", (long)pid);
	else
		fputc('-', f);
	fprintf(f, " %u ", e->id);
	if (put_sd_element(f, e, false) < 0)
		return -EINVAL;
	fprintf(f, " %s%s", bom, e->description);
	return 0;
}

static int
format_3164(FILE *f, const struct event *e, const char *hostname,
	    const struct timespec *ts, pid_t pid, int pri)
{
	/* Either would be read back as (part of) TAG[PID]: */
	if ((e->source != NULL && strpbrk(e->source, "[]:") != NULL) ||
	    (hostname != NULL && strpbrk(hostname, "[]:") != NULL))
		return -EINVAL;
	fprintf(f, "<%d>", pri);
	put_timestamp_3164(f, ts);
	if (hostname != NULL)
		fprintf(f, " %s", hostname);
	if (e->source != NULL) {
		fprintf(f, " %s", e->source);
		if (pid > 0)
			fprintf(f, "[%ld]", (long)pid);
		fputc(':', f);
	}
	fputc(' ', f);
	if (put_sd_element(f, e, true) < 0)
		return -EINVAL;
	fprintf(f, " %s", e->description);
	return 0;
}

int
syslog_format_event(const struct event *e, enum syslog_format fmt,
		    const char *hostname, const struct timespec *ts, pid_t pid,
		    char **ret, size_t *ret_len)
{
	_cleanup_(freep) char *buf = NULL;
	struct timespec now;
	size_t len = 0;
	FILE *f;
	int r, pri;

	r = event_check_complete(e);
	if (r < 0)
		return r;
	/* "-" is the nil value: it would be read back as no source. A blank
	 * would end APP-NAME (or TAG): such a source is refused, not changed
	 * into another name a rule would not match. */
	if (e->source != NULL &&
	    (streq(e->source, "-") || strchr(e->source, ' ') != NULL))
		return -EINVAL;
	if (hostname != NULL &&
	    !is_printusascii(hostname, SYSLOG_HOSTNAME_MAX))
		return -EINVAL;
	if (ts == NULL) {
		clock_gettime(CLOCK_REALTIME, &now);
		ts = &now;
	}
	pri = event_log_facility(e->log) * 8 + event_type_priority(e->type);

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -ENOMEM;
	if (fmt == SYSLOG_RFC3164)
		r = format_3164(f, e, hostname, ts, pid, pri);
	else
		r = format_5424(f, e, hostname, ts, pid, pri);
	if (ferror(f) && r >= 0)
		r = -ENOMEM;
	if (fclose(f) != 0 && r >= 0)
		r = -ENOMEM;
	if (r < 0)
		return r;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

/* ---- parsing ------------------------------------------------------------- */

/* The unread part of the message: [p, end). */
struct cursor {
	const char *p;
	const char *end;
};

static bool
at_end(const struct cursor *c)
{
	return c->p >= c->end;
}

static bool
accept_char(struct cursor *c, char ch)
{
	if (at_end(c) || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Exactly n digits as a number, within lo..hi. */
static bool
accept_number(struct cursor *c, size_t n, int lo, int hi, int *ret)
{
	int v = 0;

	if ((size_t)(c->end - c->p) < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(c->p[i]))
			return false;
		v = v * 10 + (c->p[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	c->p += n;
	if (ret != NULL)
		*ret = v;
	return true;
}

static bool
accept_digits(struct cursor *c, size_t n, int lo, int hi)
{
	return accept_number(c, n, lo, hi, NULL);
}

static int
days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* "<PRIVAL>": 1-3 digits, no leading zero but for "0", 0..191. A missing
 * PRI returns -ENOMSG with c unchanged; a broken one -EBADMSG. */
static int
parse_pri(struct cursor *c, int *ret_facility, int *ret_severity)
{
	const char *start = c->p;
	int v = 0;
	size_t n = 0;

	if (!accept_char(c, '<'))
		return -ENOMSG;
	while (!at_end(c) && is_digit(*c->p) && n < 4) {
		v = v * 10 + (*c->p - '0');
		c->p++, n++;
	}
	if (n == 0 || n > 3 || (n > 1 && start[1] == '0') ||
	    v > SYSLOG_PRIVAL_MAX || !accept_char(c, '>'))
		return -EBADMSG;
	*ret_facility = v / 8;
	*ret_severity = v % 8;
	return 0;
}

/* One header field: up to the next space, printable US-ASCII, 1..max bytes;
 * "-" is the nil value and gives NULL. */
static int
parse_field(struct cursor *c, size_t max, char **ret)
{
	const char *start = c->p;
	char *s;

	while (!at_end(c) && *c->p != ' ') {
		if (*c->p < 33 || *c->p > 126)
			return -EBADMSG;
		c->p++;
	}
	if (c->p == start || (size_t)(c->p - start) > max)
		return -EBADMSG;
	if (c->p - start == 1 && *start == '-') {
		*ret = NULL;
		return 0;
	}
	s = strndup(start, (size_t)(c->p - start));
	if (s == NULL)
		return -ENOMEM;
	*ret = s;
	return 0;
}

/* FULL-DATE "T" FULL-TIME of RFC 5424 6.2.3 (RFC 3339 with upper-case T
 * and Z, at most 6 fraction digits, no leap second). */
static bool
accept_timestamp(struct cursor *c)
{
	size_t frac = 0;
	int year, month, day;

	if (!accept_number(c, 4, 0, 9999, &year) || !accept_char(c, '-') ||
	    !accept_number(c, 2, 1, 12, &month) || !accept_char(c, '-') ||
	    !accept_number(c, 2, 1, 31, &day) ||
	    day > days_in_month(year, month) || !accept_char(c, 'T') ||
	    !accept_digits(c, 2, 0, 23) || !accept_char(c, ':') ||
	    !accept_digits(c, 2, 0, 59) || !accept_char(c, ':') ||
	    !accept_digits(c, 2, 0, 59))
		return false;
	if (accept_char(c, '.')) {
		while (!at_end(c) && is_digit(*c->p) && frac <= 6)
			c->p++, frac++;
		if (frac == 0 || frac > 6)
			return false;
	}
	if (accept_char(c, 'Z'))
		return true;
	if (!accept_char(c, '+') && !accept_char(c, '-'))
		return false;
	return accept_digits(c, 2, 0, 23) && accept_char(c, ':') &&
	       accept_digits(c, 2, 0, 59);
}

static int
parse_timestamp(struct cursor *c, char **ret)
{
	const char *start = c->p;
	char *s;

	if (c->end - c->p >= 1 && *c->p == '-' &&
	    (c->end - c->p == 1 || c->p[1] == ' ')) {
		c->p++;
		*ret = NULL;
		return 0;
	}
	if (!accept_timestamp(c))
		return -EBADMSG;
	s = strndup(start, (size_t)(c->p - start));
	if (s == NULL)
		return -ENOMEM;
	*ret = s;
	return 0;
}

/* SD-NAME: 1..32 printable US-ASCII but '=', ']', '"' and space. */
static int
parse_sd_name(struct cursor *c, const char **ret_start, size_t *ret_len)
{
	const char *start = c->p;

	while (!at_end(c) && *c->p >= 33 && *c->p <= 126 && *c->p != '=' &&
	       *c->p != ']' && *c->p != '"')
		c->p++;
	if (c->p == start || c->p - start > SYSLOG_SD_NAME_MAX)
		return -EBADMSG;
	*ret_start = start;
	*ret_len = (size_t)(c->p - start);
	return 0;
}

/* '"' PARAM-VALUE '"' into a malloc'd string without the escapes. A
 * backslash before anything else than '"', '\' or ']' stays (RFC 5424
 * 6.3.3); an unescaped ']' is refused, as are NULs and invalid UTF-8. */
static int
parse_param_value(struct cursor *c, char **ret)
{
	const char *start;
	char *v, *q;

	if (!accept_char(c, '"'))
		return -EBADMSG;
	start = c->p;
	for (;;) {
		if (at_end(c) || *c->p == '\0' || *c->p == ']')
			return -EBADMSG;
		if (*c->p == '"')
			break;
		if (*c->p == '\\' && c->end - c->p >= 2 &&
		    (c->p[1] == '"' || c->p[1] == '\\' || c->p[1] == ']'))
			c->p++;
		c->p++;
	}
	v = malloc((size_t)(c->p - start) + 1);
	if (v == NULL)
		return -ENOMEM;
	q = v;
	for (const char *p = start; p < c->p; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == ']'))
			p++;
		*q++ = *p;
	}
	*q = '\0';
	c->p++; /* the closing '"' */
	if (!utf8_is_valid(v, (size_t)(q - v))) {
		free(v);
		return -EBADMSG;
	}
	*ret = v;
	return 0;
}

/* Whether the SD-ID [start, start+len) already came in this message. */
static bool
sd_id_seen(const struct cursor *ids, size_t n, const char *start, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if ((size_t)(ids[i].end - ids[i].p) == len &&
		    memcmp(ids[i].p, start, len) == 0)
			return true;
	return false;
}

/* STRUCTURED-DATA: "-" or one or more SD-ELEMENTs, stored in sd as
 * "SD-ID/PARAM-NAME" -> value. */
static int
parse_structured_data(struct cursor *c, struct fields *sd)
{
	struct cursor ids[SYSLOG_SD_ELEMENTS_MAX];
	size_t n_ids = 0, n_params = 0;
	int r;

	if (accept_char(c, '-'))
		return 0;
	if (at_end(c) || *c->p != '[')
		return -EBADMSG;
	while (accept_char(c, '[')) {
		const char *id, *name;
		size_t id_len, name_len;

		r = parse_sd_name(c, &id, &id_len);
		if (r < 0)
			return r;
		if (n_ids >= SYSLOG_SD_ELEMENTS_MAX ||
		    sd_id_seen(ids, n_ids, id, id_len))
			return -EBADMSG;
		ids[n_ids++] = (struct cursor){ id, id + id_len };
		while (accept_char(c, ' ')) {
			_cleanup_(freep) char *value = NULL;
			_cleanup_(freep) char *key = NULL;

			r = parse_sd_name(c, &name, &name_len);
			if (r < 0)
				return r;
			if (!accept_char(c, '='))
				return -EBADMSG;
			r = parse_param_value(c, &value);
			if (r < 0)
				return r;
			if (++n_params > SYSLOG_SD_PARAMS_MAX)
				return -EBADMSG;
			if (asprintf(&key, "%.*s/%.*s", (int)id_len, id,
				     (int)name_len, name) < 0) {
				key = NULL; /* undefined after a failure */
				return -ENOMEM;
			}
			r = fields_add(sd, key, value);
			if (r < 0)
				return r;
		}
		if (!accept_char(c, ']'))
			return -EBADMSG;
	}
	return 0;
}

/* The rest of the message as MSG: a leading BOM is removed, and then the
 * text must be UTF-8 (RFC 5424 6.4). */
static int
parse_msg_text(struct cursor *c, bool utf8_if_bom, char **ret)
{
	size_t n;
	char *s;

	if (utf8_if_bom && c->end - c->p >= 3 && memcmp(c->p, bom, 3) == 0) {
		c->p += 3;
		if (!utf8_is_valid(c->p, (size_t)(c->end - c->p)))
			return -EBADMSG;
	}
	n = (size_t)(c->end - c->p);
	s = strndup(c->p, n);
	if (s == NULL)
		return -ENOMEM;
	c->p = c->end;
	*ret = s;
	return 0;
}

static int
parse_5424(struct cursor *c, struct syslog_msg *m)
{
	int r;

	/* VERSION: only 1 is defined. */
	if (!accept_char(c, '1') || !accept_char(c, ' '))
		return -EBADMSG;
	m->version = 1;
	r = parse_timestamp(c, &m->timestamp);
	if (r >= 0)
		r = accept_char(c, ' ') ? 0 : -EBADMSG;
	if (r >= 0)
		r = parse_field(c, SYSLOG_HOSTNAME_MAX, &m->hostname);
	if (r >= 0)
		r = accept_char(c, ' ') ? 0 : -EBADMSG;
	if (r >= 0)
		r = parse_field(c, SYSLOG_APP_NAME_MAX, &m->app_name);
	if (r >= 0)
		r = accept_char(c, ' ') ? 0 : -EBADMSG;
	if (r >= 0)
		r = parse_field(c, SYSLOG_PROCID_MAX, &m->procid);
	if (r >= 0)
		r = accept_char(c, ' ') ? 0 : -EBADMSG;
	if (r >= 0)
		r = parse_field(c, SYSLOG_MSGID_MAX, &m->msgid);
	if (r >= 0)
		r = accept_char(c, ' ') ? 0 : -EBADMSG;
	if (r >= 0)
		r = parse_structured_data(c, m->sd);
	if (r < 0)
		return r;
	if (at_end(c))
		return 0;
	if (!accept_char(c, ' '))
		return -EBADMSG;
	return parse_msg_text(c, true, &m->msg);
}

/* ---- RFC 3164, best effort ------------------------------------------------ */

/* "Mmm dd hh:mm:ss" (day space- or zero-padded) followed by a space. */
static int
parse_timestamp_3164(struct cursor *c, char **ret)
{
	struct cursor t = *c;
	const char *start = c->p;
	bool month = false;
	char *s;

	if (t.end - t.p < 16)
		return -ENOMSG;
	for (size_t i = 0; i < ELEMENTSOF(months); i++)
		if (memcmp(t.p, months[i], 3) == 0)
			month = true;
	if (!month || t.p[3] != ' ')
		return -ENOMSG;
	t.p += 4;
	if (accept_char(&t, ' ')) {
		if (!accept_digits(&t, 1, 1, 9))
			return -ENOMSG;
	} else if (!accept_digits(&t, 2, 1, 31))
		return -ENOMSG;
	if (!accept_char(&t, ' ') || !accept_digits(&t, 2, 0, 23) ||
	    !accept_char(&t, ':') || !accept_digits(&t, 2, 0, 59) ||
	    !accept_char(&t, ':') || !accept_digits(&t, 2, 0, 60) ||
	    !accept_char(&t, ' '))
		return -ENOMSG;
	s = strndup(start, (size_t)(t.p - start - 1));
	if (s == NULL)
		return -ENOMEM;
	*c = t;
	*ret = s;
	return 0;
}

/* The next word [p, q): up to a space or the end. */
static const char *
word_end(const struct cursor *c)
{
	const char *q = c->p;

	while (q < c->end && *q != ' ')
		q++;
	return q;
}

/* Whether [p, q) is "TAG:" or "TAG[PID]:", and if so its parts. */
static bool
is_tag(const char *p, const char *q, const char **ret_tag_end,
       const char **ret_pid, const char **ret_pid_end)
{
	const char *t = p, *pid = NULL, *pid_end = NULL;

	if (q - p < 2 || q[-1] != ':')
		return false;
	while (t < q - 1 && *t != '[' && *t != ':')
		t++;
	if (t == p || t - p > SYSLOG_3164_TAG_MAX)
		return false;
	if (*t == '[') {
		pid = t + 1;
		pid_end = memchr(pid, ']', (size_t)(q - pid));
		if (pid_end == NULL || pid_end == pid || pid_end + 2 != q ||
		    pid_end - pid > SYSLOG_PROCID_MAX)
			return false;
	} else if (t != q - 1)
		return false;
	for (const char *s = p; s < q; s++)
		if (*s < 33 || *s > 126)
			return false;
	*ret_tag_end = t;
	*ret_pid = pid;
	*ret_pid_end = pid_end;
	return true;
}

/* Where the text starts with our SD element, takes it as structured data
 * (syslog_format_event's RFC 3164 form). Text that only looks like it stays
 * text. */
static int
parse_3164_sd(struct cursor *c, struct fields *sd)
{
	static const char prefix[] = "[" SYSLOG_SD_ID;
	size_t n = strlen(prefix);
	struct cursor t = *c;
	_cleanup_(fields_freep) struct fields *f = NULL;
	int r;

	if ((size_t)(c->end - c->p) <= n || memcmp(c->p, prefix, n) != 0 ||
	    (c->p[n] != ' ' && c->p[n] != ']'))
		return 0;
	f = fields_new();
	if (f == NULL)
		return -ENOMEM;
	r = parse_structured_data(&t, f);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || (!at_end(&t) && *t.p != ' '))
		return 0;
	for (size_t i = 0; i < f->n; i++) {
		r = fields_add(sd, f->names[i], f->values[i]);
		if (r < 0)
			return r;
	}
	accept_char(&t, ' ');
	*c = t;
	return 0;
}

/* A copy of [p, p+n) into *ret, NULL for the nil value "-". */
static int
dup_nil(const char *p, size_t n, char **ret)
{
	char *s = NULL;

	if (!(n == 1 && *p == '-')) {
		s = strndup(p, n);
		if (s == NULL)
			return -ENOMEM;
	}
	*ret = s;
	return 0;
}

/* HOSTNAME: after a timestamp, a printable word that is not the tag. */
static int
parse_3164_hostname(struct cursor *c, struct syslog_msg *m)
{
	const char *q = word_end(c), *tag_end, *pid, *pid_end;
	int r;

	if (m->timestamp == NULL || q >= c->end || q == c->p || *c->p == '[' ||
	    is_tag(c->p, q, &tag_end, &pid, &pid_end) ||
	    q - c->p > SYSLOG_HOSTNAME_MAX)
		return 0;
	for (const char *s = c->p; s < q; s++)
		if (*s < 33 || *s > 126)
			return 0;
	r = dup_nil(c->p, (size_t)(q - c->p), &m->hostname);
	if (r < 0)
		return r;
	c->p = q + 1;
	return 0;
}

/* TAG[PID]: or TAG: followed by a space. */
static int
parse_3164_tag(struct cursor *c, struct syslog_msg *m)
{
	const char *q = word_end(c), *tag_end, *pid, *pid_end;
	int r;

	if (!is_tag(c->p, q, &tag_end, &pid, &pid_end))
		return 0;
	r = dup_nil(c->p, (size_t)(tag_end - c->p), &m->app_name);
	if (r >= 0 && pid != NULL)
		r = dup_nil(pid, (size_t)(pid_end - pid), &m->procid);
	if (r < 0)
		return r;
	c->p = q;
	accept_char(c, ' ');
	return 0;
}

static int
parse_3164(struct cursor *c, struct syslog_msg *m)
{
	int r;

	m->version = 0;
	r = parse_timestamp_3164(c, &m->timestamp);
	if (r == -ENOMEM)
		return r;
	r = parse_3164_hostname(c, m);
	if (r >= 0)
		r = parse_3164_tag(c, m);
	if (r >= 0)
		r = parse_3164_sd(c, m->sd);
	if (r < 0)
		return r;
	return parse_msg_text(c, false, &m->msg);
}

/* Whether PRI is followed by VERSION (1-3 digits, not starting with 0) and a
 * space or the end: an RFC 5424 header, of a version parse_5424 judges. */
static bool
looks_like_version(const struct cursor *c)
{
	const char *p = c->p;

	if (p >= c->end || *p < '1' || *p > '9')
		return false;
	while (p < c->end && is_digit(*p) && p - c->p < 3)
		p++;
	return p == c->end || *p == ' ';
}

int
syslog_parse(const char *buf, size_t len, struct syslog_msg **ret)
{
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	struct cursor c = { buf, buf + len };
	int r;

	while (c.end > c.p && c.end[-1] == '\0')
		c.end--;
	if (c.end > c.p && c.end[-1] == '\n')
		c.end--;
	if (c.end > c.p && c.end[-1] == '\r')
		c.end--;
	if (c.end == c.p || (size_t)(c.end - c.p) > SYSLOG_MSG_MAX ||
	    memchr(c.p, '\0', (size_t)(c.end - c.p)) != NULL)
		return -EBADMSG;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	m->sd = fields_new();
	if (m->sd == NULL)
		return -ENOMEM;

	r = parse_pri(&c, &m->facility, &m->severity);
	if (r == -ENOMSG) {
		/* RFC 3164 4.3.3: no PRI means user.notice. */
		m->facility = EVENT_FACILITY_USER;
		m->severity = 5;
		r = parse_3164(&c, m);
	} else if (r >= 0) {
		if (looks_like_version(&c))
			r = parse_5424(&c, m);
		else
			r = parse_3164(&c, m);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(m);
	return 0;
}

/* ---- the event a message carries ----------------------------------------- */

static int
severity_to_type(int severity, enum event_type *ret)
{
	if (severity <= 3)
		*ret = EVENT_ERROR;
	else if (severity == 4)
		*ret = EVENT_WARNING;
	else if (severity == 5)
		*ret = EVENT_SUCCESS;
	else
		*ret = EVENT_INFORMATION;
	return 0;
}

/* The event's id: MSGID, or for RFC 3164 the id param of our element. */
static int
msg_event_id(const struct syslog_msg *m, unsigned *ret)
{
	const char *s = m->msgid;

	if (m->version == 0)
		s = fields_get(m->sd, SYSLOG_SD_ID "/" SYSLOG_SD_PARAM_ID);
	if (s == NULL)
		return -EINVAL;
	return event_parse_id(s, ret);
}

static int
set_fail(int r, const char **ret_what, const char *what)
{
	if (r != -ENOMEM && ret_what != NULL)
		*ret_what = what;
	return r;
}

static int
add_params(const struct syslog_msg *m, struct event *e, const char **ret_what)
{
	static const char prefix[] = SYSLOG_SD_ID "/";
	size_t n = strlen(prefix);
	int r;

	for (size_t i = 0; i < m->sd->n; i++) {
		const char *name = m->sd->names[i];

		if (strncmp(name, prefix, n) != 0)
			continue;
		name += n;
		if (streq(name, SYSLOG_SD_PARAM_LOG) ||
		    streq(name, SYSLOG_SD_PARAM_UUID) ||
		    streq(name, SYSLOG_SD_PARAM_TIME) ||
		    (m->version == 0 && streq(name, SYSLOG_SD_PARAM_ID)))
			continue;
		r = event_add_field(e, name, m->sd->values[i]);
		if (r == -EINVAL || r == -EEXIST)
			r = -EBADMSG;
		if (r < 0)
			return set_fail(r, ret_what, name);
	}
	return 0;
}

int
syslog_msg_to_event(const struct syslog_msg *m, struct event **ret,
		    const char **ret_what)
{
	_cleanup_(event_freep) struct event *e = NULL;
	const char *log;
	unsigned id;
	int r;

	if (msg_event_id(m, &id) < 0)
		return -EINVAL;
	e = event_new();
	if (e == NULL)
		return -ENOMEM;
	e->id = id;
	severity_to_type(m->severity, &e->type);
	if (m->app_name != NULL) {
		r = event_set_source(e, m->app_name);
		if (r < 0)
			return set_fail(r == -EINVAL ? -EBADMSG : r, ret_what,
					"APP-NAME");
	}
	log = fields_get(m->sd, SYSLOG_SD_ID "/" SYSLOG_SD_PARAM_LOG);
	if (log == NULL)
		log = m->facility == EVENT_FACILITY_DAEMON ? "System"
							   : "Application";
	r = event_set_log(e, log);
	if (r < 0)
		return set_fail(r == -ENOMEM ? r : -EBADMSG, ret_what,
				SYSLOG_SD_PARAM_LOG);
	if (m->msg == NULL || m->msg[0] == '\0')
		return set_fail(-ENODATA, ret_what, "MSG");
	r = event_set_description(e, m->msg);
	if (r < 0)
		return set_fail(r, ret_what, "MSG");
	r = add_params(m, e, ret_what);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(e);
	return 0;
}

const char *
syslog_event_strerror(int r)
{
	switch (r) {
	case -EINVAL:
		return "not an event: MSGID is not an event id 1..65535";
	case -EBADMSG:
		return "invalid field name or log name";
	case -ENODATA:
		return "no description (empty MSG)";
	default:
		return event_strerror(r);
	}
}

/* ---- RFC 6587 framing ------------------------------------------------------ */

int
syslog_frame_next(const char *buf, size_t len, size_t max,
		  const char **ret_msg, size_t *ret_msg_len, size_t *ret_used)
{
	const char *lf;
	size_t n = 0, i;

	if (max > SYSLOG_MSG_MAX)
		max = SYSLOG_MSG_MAX;
	if (len == 0)
		return 0;
	if (buf[0] >= '1' && buf[0] <= '9') {
		/* n <= max <= SYSLOG_MSG_MAX before each step: no overflow. */
		for (i = 0; i < len && is_digit(buf[i]); i++) {
			n = n * 10 + (size_t)(buf[i] - '0');
			if (n > max)
				return -EMSGSIZE;
		}
		if (i == len)
			return 0;
		if (buf[i] != ' ')
			return -EBADMSG;
		if (len - i - 1 < n)
			return 0;
		*ret_msg = buf + i + 1;
		*ret_msg_len = n;
		*ret_used = i + 1 + n;
		return 1;
	}
	if (buf[0] != '<')
		return -EBADMSG;
	lf = memchr(buf, '\n', len < max + 1 ? len : max + 1);
	if (lf == NULL)
		return len > max ? -EMSGSIZE : 0;
	*ret_msg = buf;
	*ret_msg_len = (size_t)(lf - buf);
	*ret_used = (size_t)(lf - buf) + 1;
	return 1;
}

/* ---- sending ------------------------------------------------------------- */

int
syslog_open(const char *path, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_(closep) int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int
syslog_send(int fd, const char *msg, size_t len)
{
	ssize_t n;

	do
		n = send(fd, msg, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A datagram goes whole or not at all; anything else is a bug. */
	if ((size_t)n != len)
		return -EMSGSIZE;
	return 0;
}
