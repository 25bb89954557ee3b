/* Finding an event in the journal by who wrote it (see journal-find.h). */
#include <errno.h>
#include <stdio.h>

#include "event.h"
#include "journal-find.h"
#include "macro.h"

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
journal_find_event(sd_journal *j, uid_t uid, const char *sender,
		   const char *uuid)
{
	char u[32];
	int r;

	snprintf(u, sizeof(u), "%u", (unsigned)uid);
	sd_journal_flush_matches(j);
	r = add_match(j, EVENT_FIELD_UUID, uuid);
	if (r >= 0)
		r = add_match(j, EVENT_FIELD_SENDER, sender);
	if (r >= 0)
		r = add_match(j, "_UID", u);
	if (r >= 0)
		r = sd_journal_seek_head(j);
	if (r >= 0)
		r = sd_journal_next(j);
	sd_journal_flush_matches(j);
	if (r < 0)
		return r;
	return r > 0;
}
