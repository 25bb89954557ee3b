/* Logging evtrigger's own events (see evt-log.h). */
#include <string.h>

#include "evt-ids.h"
#include "evt-log.h"
#include "journal-send.h"

static const struct {
	unsigned id;
	enum event_type type;
	const char *name;
	const char *message_id;
} evt_table[] = {
#define EVT_ID_ROW(name, id, type, mid, summary, doc) \
	{ id, EVENT_##type, #name, "MESSAGE_ID=" mid },
	EVT_IDS(EVT_ID_ROW)
#undef EVT_ID_ROW
};

enum event_type
evt_id_type(unsigned id)
{
	for (size_t i = 0; i < ELEMENTSOF(evt_table); i++)
		if (evt_table[i].id == id)
			return evt_table[i].type;
	return EVENT_INFORMATION;
}

const char *
evt_id_name(unsigned id)
{
	for (size_t i = 0; i < ELEMENTSOF(evt_table); i++)
		if (evt_table[i].id == id)
			return evt_table[i].name;
	return NULL;
}

int
evt_log_send(unsigned id, const char *const *more, size_t n_more,
	     const char *message)
{
	_cleanup_(freep) const char **kept = NULL;
	struct event e = {
		.type = evt_id_type(id),
		.id = id,
		.source = (char *)EVT_SOURCE,
		.log = (char *)EVT_LOG_NAME,
		.description = (char *)(message != NULL && *message != '\0' ?
					message : evt_id_name(id)),
	};
	size_t n = 0;

	if (e.description == NULL)
		e.description = (char *)"evtrigger event";
	kept = calloc(n_more + 2, sizeof(char *));
	if (kept == NULL)
		return -ENOMEM;
	/* MESSAGE_ID links the entry to the journal catalog (journalctl -x). */
	for (size_t i = 0; i < ELEMENTSOF(evt_table); i++)
		if (evt_table[i].id == id)
			kept[n++] = evt_table[i].message_id;
	for (size_t i = 0; i < n_more; i++) {
		const char *eq = more[i] != NULL ? strchr(more[i], '=') : NULL;

		if (eq == NULL || eq[1] == '\0')
			continue;
		kept[n++] = more[i];
	}
	return journal_send_event(&e, kept, n);
}
