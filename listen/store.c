/* Storing an event in the journal and reading it back (see store.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "journal-send.h"
#include "store.h"

struct store {
	sd_journal *j;
	int fd;
	uid_t uid;
};

int
store_open(struct store **ret)
{
	_cleanup_(store_freep) struct store *s = calloc(1, sizeof(*s));
	int r;

	if (s == NULL)
		return -ENOMEM;
	r = sd_journal_open(&s->j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0)
		return r;
	r = sd_journal_get_fd(s->j);
	if (r < 0)
		return r;
	s->fd = r;
	s->uid = getuid();
	*ret = TAKE_PTR(s);
	return 0;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	sd_journal_close(s->j);
	free(s);
}

int
store_fd(struct store *s)
{
	return s->fd;
}

void
store_process(struct store *s)
{
	(void)sd_journal_process(s->j);
}

static int
add_match(sd_journal *j, const char *name, const char *value)
{
	_cleanup_(freep) char *m = NULL;
	int n = asprintf(&m, "%s=%s", name, value);

	if (n < 0)
		return -ENOMEM;
	return sd_journal_add_match(j, m, (size_t)n);
}

int
store_find(struct store *s, const struct store_sender *sender,
	   const char *uuid)
{
	char uid[32];
	int r;

	snprintf(uid, sizeof(uid), "%u", (unsigned)s->uid);
	sd_journal_flush_matches(s->j);
	r = add_match(s->j, EVENT_FIELD_UUID, uuid);
	if (r >= 0)
		r = add_match(s->j, EVENT_FIELD_SENDER, sender->name);
	if (r >= 0)
		r = add_match(s->j, "_UID", uid);
	if (r >= 0)
		r = sd_journal_seek_head(s->j);
	if (r >= 0)
		r = sd_journal_next(s->j);
	sd_journal_flush_matches(s->j);
	if (r < 0)
		return r;
	return r > 0;
}

int
store_write(const struct wire_request *req, const struct store_sender *sender)
{
	_cleanup_(freep) char *f_sender = NULL, *f_uuid = NULL, *f_addr = NULL,
			      *f_id = NULL, *f_time = NULL, *f_auth = NULL,
			      *f_host = NULL;
	const char *more[7];
	size_t n = 0;

	if (asprintf(&f_sender, EVENT_FIELD_SENDER "=%s", sender->name) < 0 ||
	    asprintf(&f_auth, EVENT_FIELD_AUTH "=%s", sender->auth) < 0 ||
	    asprintf(&f_addr, EVENT_FIELD_SENDER_ADDR "=%s",
		     sender->address) < 0 ||
	    asprintf(&f_id, EVENT_FIELD_UUID "=%s", req->uuid) < 0)
		return -ENOMEM;
	more[n++] = f_sender;
	if (sender->uuid != NULL && sender->uuid[0] != '\0') {
		if (asprintf(&f_uuid, EVENT_FIELD_SENDER_UUID "=%s",
			     sender->uuid) < 0)
			return -ENOMEM;
		more[n++] = f_uuid;
	}
	more[n++] = f_auth;
	more[n++] = f_addr;
	more[n++] = f_id;
	if (req->has_time) {
		if (asprintf(&f_time, EVENT_FIELD_TIME "=%" PRIu64,
			     req->time_usec) < 0)
			return -ENOMEM;
		more[n++] = f_time;
	}
	if (req->hostname != NULL) {
		if (asprintf(&f_host, EVENT_FIELD_HOSTNAME "=%s",
			     req->hostname) < 0)
			return -ENOMEM;
		more[n++] = f_host;
	}
	return journal_send_event(req->event, more, n);
}
