/* Writing events to the journal or syslog (see writer.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "journal-send.h"
#include "writer.h"

static const char *
target_name(enum evc_target t)
{
	return t == EVC_TARGET_SYSLOG ? "syslog" : "the journal";
}

static int
open_syslog(struct evc_writer *w, const char *path)
{
	int r;

	w->target = EVC_TARGET_SYSLOG;
	w->path = path;
	r = syslog_open(path, &w->fd);
	if (r < 0)
		return r;
	if (gethostname(w->hostname, sizeof(w->hostname)) < 0 ||
	    w->hostname[0] == '\0')
		strcpy(w->hostname, "-");
	w->hostname[sizeof(w->hostname) - 1] = '\0';
	return 0;
}

int
evc_writer_open(struct evc_writer *w, const struct evc_args *a,
		char **ret_msg)
{
	const char *sock = a->socket_path != NULL ? a->socket_path
						  : SYSLOG_SOCKET;
	int r;

	*w = (struct evc_writer){ .fd = -1, .format = a->syslog_format,
				  .pid = getpid() };
	switch (a->target) {
	case EVC_TARGET_AUTO:
		if (journal_available() == 0) {
			w->target = EVC_TARGET_JOURNAL;
			w->path = JOURNAL_SOCKET;
			return EVC_EXIT_OK;
		}
		r = open_syslog(w, sock);
		if (r == -ENOENT) {
			if (asprintf(ret_msg, "no log target: neither %s nor "
				     "%s exists", JOURNAL_SOCKET, sock) < 0)
				*ret_msg = NULL;
			return EVC_EXIT_UNAVAILABLE;
		}
		break;
	case EVC_TARGET_JOURNAL:
		w->target = EVC_TARGET_JOURNAL;
		w->path = JOURNAL_SOCKET;
		r = journal_available();
		break;
	case EVC_TARGET_SYSLOG:
		r = open_syslog(w, sock);
		break;
	default:
		r = -EINVAL;
	}
	if (r < 0) {
		if (asprintf(ret_msg, "%s is not available: %s: %s",
			     target_name(w->target), w->path,
			     strerror(-r)) < 0)
			*ret_msg = NULL;
		return EVC_EXIT_UNAVAILABLE;
	}
	return EVC_EXIT_OK;
}

void
evc_writer_close(struct evc_writer *w)
{
	closep(&w->fd);
	w->fd = -1;
}

int
evc_writer_check(const struct evc_writer *w, const struct event *e,
		 char **ret_msg)
{
	if (w->target != EVC_TARGET_SYSLOG)
		return EVC_EXIT_OK;
	/* APP-NAME (and the classic form's tag) holds no blank. */
	if (e->source != NULL && strchr(e->source, ' ') != NULL) {
		if (asprintf(ret_msg, "invalid source '%s' for syslog: a "
			     "syslog name holds no blanks (the journal "
			     "target keeps them)", e->source) < 0)
			*ret_msg = NULL;
		return EVC_EXIT_INVALID;
	}
	/* The classic form ends the tag at '[' or ':'. */
	if (w->format == SYSLOG_RFC3164 && e->source != NULL &&
	    strpbrk(e->source, "[]:") != NULL) {
		if (asprintf(ret_msg, "invalid source '%s' for rfc3164: must "
			     "not contain '[', ']' or ':'", e->source) < 0)
			*ret_msg = NULL;
		return EVC_EXIT_INVALID;
	}
	/* Extra fields travel as structured-data parameters. */
	for (size_t i = 0; i < e->n_extra; i++)
		if (strlen(e->extra[i].name) > SYSLOG_SD_NAME_MAX) {
			if (asprintf(ret_msg, "invalid field name '%s' for "
				     "syslog: longer than %d bytes",
				     e->extra[i].name, SYSLOG_SD_NAME_MAX) < 0)
				*ret_msg = NULL;
			return EVC_EXIT_INVALID;
		}
	return EVC_EXIT_OK;
}

int
evc_writer_write(struct evc_writer *w, const struct event *e)
{
	_cleanup_(freep) char *msg = NULL;
	size_t len;
	int r;

	if (w->target == EVC_TARGET_JOURNAL)
		return journal_send_event(e, NULL, 0);
	r = syslog_format_event(e, w->format,
				w->format == SYSLOG_RFC5424 ? w->hostname
							    : NULL,
				NULL, w->pid, &msg, &len);
	if (r < 0)
		return r;
	return syslog_send(w->fd, msg, len);
}

bool
evc_writer_error_is_fatal(int r)
{
	return r == -ENOENT || r == -ECONNREFUSED || r == -ENOTCONN ||
	       r == -EPIPE || r == -EBADF || r == -ENOMEM;
}

int
evc_writer_error(const struct evc_writer *w, int r, char **ret_msg)
{
	bool gone = r == -ENOENT || r == -ECONNREFUSED || r == -ENOTCONN;

	if (asprintf(ret_msg, "cannot write to %s: %s: %s",
		     target_name(w->target), w->path, strerror(-r)) < 0)
		*ret_msg = NULL;
	return gone ? EVC_EXIT_UNAVAILABLE : EVC_EXIT_WRITE;
}
