/* The guest channel's wire format: framing and parsing (see wire.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "eventline.h"
#include "syslog.h"
#include "wire.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
item_error(struct wire *w, enum wire_code code, const char *reason,
	   struct wire_item *ret, size_t *ret_used)
{
	w->discarding = true;
	*ret = (struct wire_item){ .kind = WIRE_ITEM_ERROR, .code = code,
				   .reason = reason };
	*ret_used = 0;
	return 1;
}

/* The line at buf (LF at lf), without a CR before the LF. */
static int
item_line(const char *buf, const char *lf, size_t max, struct wire_item *ret,
	  size_t *ret_used)
{
	size_t n = (size_t)(lf - buf);

	*ret_used = n + 1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > max) {
		*ret = (struct wire_item){ .kind = WIRE_ITEM_ERROR,
					   .code = WIRE_TOO_LARGE,
					   .reason = "line too long" };
		return 1;
	}
	*ret = (struct wire_item){ .kind = WIRE_ITEM_LINE, .data = buf,
				   .len = n };
	return 1;
}

int
wire_next(struct wire *w, const char *buf, size_t len, struct wire_item *ret,
	  size_t *ret_used)
{
	const char *lf, *msg = NULL;
	size_t msg_len = 0, used = 0, max = w->max > 0 ? w->max : WIRE_LINE_MAX;
	int r;

	if (w->discarding) {
		lf = memchr(buf, '\n', len);
		if (lf == NULL) {
			*ret_used = len;
			return 0;
		}
		w->discarding = false;
		r = wire_next(w, lf + 1, len - (size_t)(lf + 1 - buf), ret,
			      &used);
		*ret_used = (size_t)(lf + 1 - buf) + used;
		return r;
	}
	*ret_used = 0;
	if (len == 0)
		return 0;
	if (is_digit(buf[0])) {
		r = syslog_frame_next(buf, len, max, &msg, &msg_len, &used);
		if (r == -EMSGSIZE)
			return item_error(w, WIRE_TOO_LARGE, "frame too long",
					  ret, ret_used);
		if (r < 0)
			return item_error(w, WIRE_BAD, "bad octet count", ret,
					  ret_used);
		if (r == 0)
			return 0;
		*ret = (struct wire_item){ .kind = WIRE_ITEM_FRAME,
					   .data = msg, .len = msg_len };
		*ret_used = used;
		return 1;
	}
	/* Room for the longest line, a CR and the LF. */
	lf = memchr(buf, '\n', len < max + 2 ? len : max + 2);
	if (lf != NULL)
		return item_line(buf, lf, max, ret, ret_used);
	if (len >= max + 2)
		return item_error(w, WIRE_TOO_LARGE, "line too long", ret,
				  ret_used);
	return 0;
}

void
wire_request_done(struct wire_request *req)
{
	event_free(req->event);
	req->event = NULL;
	free(req->hostname);
	req->hostname = NULL;
}

static int _printf_(3, 4)
refuse(int r, char **ret_reason, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	*ret_reason = s;
	return r;
}

size_t
wire_event_size(const struct event *e)
{
	size_t n = 0;

	if (e->source != NULL)
		n += strlen(e->source);
	if (e->log != NULL)
		n += strlen(e->log);
	if (e->description != NULL)
		n += strlen(e->description);
	for (size_t i = 0; i < e->n_extra; i++)
		n += strlen(e->extra[i].name) + strlen(e->extra[i].value);
	return n;
}

/* The uuid and time an RFC 5424 message carries. */
static int
syslog_meta(const struct syslog_msg *m, struct wire_request *req,
	    char **ret_reason)
{
	const char *uuid, *time;

	uuid = fields_get(m->sd, SYSLOG_SD_ID "/" SYSLOG_SD_PARAM_UUID);
	if (uuid != NULL && event_parse_uuid(uuid, req->uuid) < 0)
		return refuse(-EINVAL, ret_reason,
			      "invalid uuid param: must be 8-4-4-4-12 hex "
			      "digits");
	time = fields_get(m->sd, SYSLOG_SD_ID "/" SYSLOG_SD_PARAM_TIME);
	if (time == NULL)
		time = m->timestamp;
	if (time != NULL) {
		if (event_parse_time(time, &req->time_usec) < 0)
			return refuse(-EINVAL, ret_reason,
				      "invalid time: must be RFC 3339 with a "
				      "zone, from 1970");
		req->has_time = true;
	}
	return 0;
}

static int
parse_syslog(const struct wire_item *item, unsigned flags,
	     struct wire_request *req, enum wire_code *ret_code,
	     char **ret_reason)
{
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	const char *what = NULL;
	int r;

	*ret_code = WIRE_BAD;
	r = syslog_parse(item->data, item->len, &m);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || m->version != 1)
		return refuse(-EINVAL, ret_reason,
			      "not an RFC 5424 message (<PRI>1 ...)");
	if (m->hostname != NULL && (flags & WIRE_NETWORK)) {
		req->hostname = strdup(m->hostname);
		if (req->hostname == NULL)
			return -ENOMEM;
	} else if (m->hostname != NULL) {
		*ret_code = WIRE_REFUSED;
		return refuse(-EPERM, ret_reason,
			      "HOSTNAME refused: the host names the sender; "
			      "send -");
	}
	r = syslog_msg_to_event(m, &req->event, &what);
	if (r == -EBADMSG && what != NULL && event_field_is_reserved(what)) {
		*ret_code = WIRE_REFUSED;
		return refuse(-EPERM, ret_reason,
			      "reserved field name '%s': not allowed as an "
			      "extra field", what);
	}
	if (r == -E2BIG) {
		*ret_code = WIRE_TOO_LARGE;
		return refuse(r, ret_reason, "%s too large",
			      what != NULL ? what : "event");
	}
	if (r == -ENOMEM)
		return r;
	if (r == -EINVAL || r == -ENODATA)
		return refuse(-EINVAL, ret_reason, "%s",
			      syslog_event_strerror(r));
	if (r < 0)
		return refuse(-EINVAL, ret_reason, "invalid %s: %s",
			      what != NULL ? what : "event",
			      r == -EILSEQ ? "not valid UTF-8" :
			      "bad field name, log name or value");
	return syslog_meta(m, req, ret_reason);
}

static int
parse_line(const struct wire_item *item, const struct event *defaults,
	   struct wire_request *req, enum wire_code *ret_code,
	   char **ret_reason)
{
	_cleanup_(freep) char *line = NULL;
	struct eventline_meta meta;
	int r;

	*ret_code = WIRE_BAD;
	if (memchr(item->data, '\0', item->len) != NULL)
		return refuse(-EINVAL, ret_reason,
			      "line contains a NUL byte");
	line = strndup(item->data, item->len);
	if (line == NULL)
		return -ENOMEM;
	r = eventline_parse(line, defaults, &req->event, &meta, ret_reason);
	if (r == 1)
		return 1;
	if (r == -EPERM)
		*ret_code = WIRE_REFUSED;
	if (r == -ENOKEY)
		r = -EINVAL;
	if (r < 0)
		return r;
	memcpy(req->uuid, meta.uuid, sizeof(req->uuid));
	req->has_time = meta.has_time;
	req->time_usec = meta.time_usec;
	return 0;
}

int
wire_parse(const struct wire_item *item, const struct event *defaults,
	   size_t max_event, struct wire_request *ret,
	   enum wire_code *ret_code, char **ret_reason)
{
	return wire_parse_flags(item, defaults, max_event, 0, ret, ret_code,
				ret_reason);
}

int
wire_parse_flags(const struct wire_item *item, const struct event *defaults,
		 size_t max_event, unsigned flags, struct wire_request *ret,
		 enum wire_code *ret_code, char **ret_reason)
{
	struct wire_request req = { .uuid = "" };
	char *reason = NULL;
	enum wire_code code = WIRE_BAD;
	size_t size;
	int r;

	if (item->kind == WIRE_ITEM_FRAME ||
	    (item->len > 0 && item->data[0] == '<'))
		r = parse_syslog(item, flags, &req, &code, &reason);
	else if ((flags & WIRE_NETWORK) && item->len > 0)
		r = refuse(-EINVAL, &reason, "not an RFC 5424 message "
			   "(<PRI>1 ...)");
	else
		r = parse_line(item, defaults, &req, &code, &reason);
	if (r == 0 && (size = wire_event_size(req.event)) > max_event) {
		code = WIRE_TOO_LARGE;
		r = refuse(-E2BIG, &reason, "event too large: %zu bytes "
			   "of fields, at most %zu", size, max_event);
	}
	if (r == 0) {
		*ret = req;
		return 0;
	}
	wire_request_done(&req);
	if (r == 1)
		return 1;
	if (r == -ENOMEM) {
		free(reason);
		reason = strdup("out of memory");
		code = WIRE_UNAVAILABLE;
	}
	*ret_code = code;
	*ret_reason = reason;
	return r;
}
