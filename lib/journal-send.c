/* Writing events to the local journal (see journal-send.h). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
/* Without this, sd_journal_sendv() adds CODE_FILE, CODE_LINE and CODE_FUNC
 * of this file to every event: noise that says nothing about the event. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "journal-send.h"

/* NAME=value into a malloc'd string stored in strs[*n], and its iovec. */
static int
push(struct iovec *iov, char **strs, size_t *n, const char *name,
     const char *value)
{
	if (asprintf(&strs[*n], "%s=%s", name, value) < 0)
		return -ENOMEM;
	iov[*n].iov_base = strs[*n];
	iov[*n].iov_len = strlen(strs[*n]);
	(*n)++;
	return 0;
}

int
journal_send_event(const struct event *e, const char *const *more,
		   size_t n_more)
{
	size_t cap = 8 + e->n_extra + n_more, n = 0;
	_cleanup_(freep) struct iovec *iov = NULL;
	char **strs = NULL;
	char num[16], pri[4], fac[4];
	int r;

	r = event_check_complete(e);
	if (r < 0)
		return r;
	iov = calloc(cap, sizeof(*iov));
	strs = calloc(cap, sizeof(*strs));
	if (iov == NULL || strs == NULL) {
		free(strs);
		return -ENOMEM;
	}
	snprintf(num, sizeof(num), "%u", e->id);
	snprintf(pri, sizeof(pri), "%d", event_type_priority(e->type));
	snprintf(fac, sizeof(fac), "%d", event_log_facility(e->log));

	r = push(iov, strs, &n, EVENT_FIELD_MESSAGE, e->description);
	if (r >= 0)
		r = push(iov, strs, &n, EVENT_FIELD_PRIORITY, pri);
	if (r >= 0)
		r = push(iov, strs, &n, EVENT_FIELD_FACILITY, fac);
	if (r >= 0 && e->source != NULL)
		r = push(iov, strs, &n, EVENT_FIELD_IDENTIFIER, e->source);
	if (r >= 0)
		r = push(iov, strs, &n, EVENT_FIELD_ID, num);
	if (r >= 0)
		r = push(iov, strs, &n, EVENT_FIELD_TYPE,
			 event_type_name(e->type));
	if (r >= 0 && e->source != NULL)
		r = push(iov, strs, &n, EVENT_FIELD_SOURCE, e->source);
	if (r >= 0)
		r = push(iov, strs, &n, EVENT_FIELD_LOG, e->log);
	for (size_t i = 0; r >= 0 && i < e->n_extra; i++)
		r = push(iov, strs, &n, e->extra[i].name, e->extra[i].value);
	for (size_t i = 0; r >= 0 && i < n_more; i++) {
		strs[n] = strdup(more[i]);
		if (strs[n] == NULL) {
			r = -ENOMEM;
			break;
		}
		iov[n].iov_base = strs[n];
		iov[n].iov_len = strlen(strs[n]);
		n++;
	}
	if (r >= 0)
		r = sd_journal_sendv(iov, (int)n);
	for (size_t i = 0; i < n; i++)
		free(strs[i]);
	free(strs);
	return r;
}

int
journal_available(void)
{
	struct stat st;

	if (stat(JOURNAL_SOCKET, &st) < 0)
		return -errno;
	return S_ISSOCK(st.st_mode) ? 0 : -ENOTSOCK;
}
