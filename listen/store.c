/* Storing an event in the journal and reading it back (see store.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "journal-find.h"
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

int
store_find(struct store *s, const struct store_sender *sender,
	   const char *uuid)
{
	return journal_find_event(s->j, s->uid, sender->name, uuid);
}

/* The "NAME=value" fields store_write adds to an event, owned by m. */
struct store_more {
	char *s[7];
	const char *v[7];
	size_t n;
};

static void
store_more_done(struct store_more *m)
{
	for (size_t i = 0; i < ELEMENTSOF(m->s); i++)
		free(m->s[i]);
}

static int
store_more_add(struct store_more *m, const char *name, const char *value)
{
	char *f;

	if (asprintf(&f, "%s=%s", name, value) < 0)
		return -ENOMEM;
	m->s[m->n] = f;
	m->v[m->n++] = f;
	return 0;
}

static int
store_more_make(const struct wire_request *req,
		const struct store_sender *sender, struct store_more *m)
{
	char t[32];

	*m = (struct store_more){ 0 };
	if (store_more_add(m, EVENT_FIELD_SENDER, sender->name) < 0 ||
	    (sender->uuid != NULL && sender->uuid[0] != '\0' &&
	     store_more_add(m, EVENT_FIELD_SENDER_UUID, sender->uuid) < 0) ||
	    store_more_add(m, EVENT_FIELD_AUTH, sender->auth) < 0 ||
	    store_more_add(m, EVENT_FIELD_SENDER_ADDR, sender->address) < 0 ||
	    store_more_add(m, EVENT_FIELD_UUID, req->uuid) < 0)
		goto out_free;
	if (req->has_time) {
		snprintf(t, sizeof(t), "%" PRIu64, req->time_usec);
		if (store_more_add(m, EVENT_FIELD_TIME, t) < 0)
			goto out_free;
	}
	if (req->hostname != NULL &&
	    store_more_add(m, EVENT_FIELD_HOSTNAME, req->hostname) < 0)
		goto out_free;
	return 0;
out_free:
	store_more_done(m);
	return -ENOMEM;
}

int
store_write(const struct wire_request *req, const struct store_sender *sender)
{
	struct store_more m;
	int r;

	r = store_more_make(req, sender, &m);
	if (r < 0)
		return r;
	r = journal_send_event(req->event, m.v, m.n);
	store_more_done(&m);
	return r;
}

int
store_format(const struct wire_request *req, const struct store_sender *sender,
	     const char *prefix, char **ret, size_t *ret_len)
{
	_cleanup_(freep) char *d = NULL;
	struct store_more m;
	size_t len, plen = strlen(prefix);
	char *out;
	int r;

	r = store_more_make(req, sender, &m);
	if (r < 0)
		return r;
	r = journal_format_event(req->event, m.v, m.n, &d, &len);
	store_more_done(&m);
	if (r < 0)
		return r;
	out = malloc(plen + len);
	if (out == NULL)
		return -ENOMEM;
	memcpy(out, prefix, plen);
	memcpy(out + plen, d, len);
	*ret = out;
	*ret_len = plen + len;
	return 0;
}
