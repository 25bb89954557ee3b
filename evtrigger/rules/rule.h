/* Rules: one INI file per rule in a rules directory. The model (model.c),
 * loading files with inih (parse.c; the [trigger] and [job] keys are the
 * table of keys.h) and matching journal entries (match.c). Never logs:
 * errors are collected as file:line: message for the caller to print. See
 * evtrigger.rules(5). */
#ifndef EVT_RULE_H
#define EVT_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "fields.h"
#include "macro.h"

struct evt_action;

/* A [trigger] match on one field: exact text, or a glob (fnmatch) when the
 * pattern holds * ? or [. */
struct rule_match {
	char *field;
	char *pattern;
	bool glob;
};

/* One option line of a step section, e.g. [compact] skip = *swap*. */
struct rule_option {
	char *section;          /* the step's name */
	char *key;
	char *value;
	unsigned line;
};

enum rule_on_busy {
	RULE_ON_BUSY_IGNORE,    /* a trigger while a job runs is logged, dropped */
	RULE_ON_BUSY_QUEUE,     /* it starts when the running job ends */
};

struct rule {
	char *name;             /* file name without ".rule" */
	char *path;
	/* The text this rule was loaded from (NULL if it had a NUL byte):
	 * a job's snapshot is this, not the file as it is later. */
	char *text;

	/* [trigger] */
	unsigned id;                    /* required */
	int type;                       /* enum event_type, or -1 for any */
	struct rule_match *matches;     /* source, log and any FIELD = pattern */
	size_t n_matches;
	/* Who may fire it. Local writers by journald's trusted _UID and
	 * _SYSTEMD_UNIT; remote senders by EVENT_SENDER, believed only on
	 * entries the listener wrote. With none of the three set: uid 0. */
	uid_t *uids;
	size_t n_uids;
	char **units;
	size_t n_units;
	char **senders;
	size_t n_senders;
	/* Which proofs of a sender (the listener's EVENT_AUTH) count for
	 * senders: RULE_AUTH_* bits, 0 when `sender-auth` is absent
	 * (RULE_AUTH_DEFAULT then applies). */
	unsigned sender_auth;
	uint64_t max_age_usec;          /* 0: the daemon's default */
	/* Whether evtrigger's own events (watch/entry.h) may fire it. */
	bool evtrigger_events;
	/* Several hosts: the host (its gethostname()) that owns the rule's
	 * events when their VM runs on no host (EVENT_PLACEMENT=nowhere);
	 * NULL: none. */
	char *host;

	/* [job] */
	char *vm;                       /* NULL: no VM (e.g. exec only) */
	char *connect;                  /* libvirt URI, NULL: default */
	char **steps;                   /* module names, in order */
	size_t n_steps;
	char **recovery;                /* steps run after an interrupted job */
	size_t n_recovery;
	/* Steps run when the job fails or times out. Unset
	 * (!on_failure_set): `start` if a step left the VM shut off;
	 * `on-failure = none`: set, with no steps. */
	char **on_failure;
	size_t n_on_failure;
	bool on_failure_set;
	enum rule_on_busy on_busy;
	uint64_t timeout_usec;          /* whole job; 0: none */

	/* The step sections, each option as written. */
	struct rule_option *options;
	size_t n_options;

	/* Set by the loader: the rule, its arrays and strings are one
	 * allocation (10,000 rules stay small), which rule_free() frees.
	 * Vectors (steps, recovery, on_failure, units, senders) end with NULL either way. */
	bool packed;
};

struct rule_set {
	struct rule **rules;
	size_t n;
};

/* Errors found while loading, each "file:line: message". */
struct rule_errors {
	char **lines;
	size_t n;
};

/* How the loader finds the modules that steps name, to check that they
 * exist and that their options are declared and well-formed. lookup returns
 * the module, or NULL with a one-line reason written to err (e.g. "unknown
 * action 'x': no /usr/lib/evtrigger/actions/x.so"). module_lookup() of
 * module.h is the real one: { module_lookup, NULL }. */
struct rule_modules {
	const struct evt_action *(*lookup)(void *userdata, const char *name,
					   char *err, size_t errlen);
	void *userdata;
};

/* The kinds of proof of a sender (EVENT_AUTH) a rule may accept. */
enum {
	RULE_AUTH_CHANNEL = 1 << 0,     /* a guest's virtio channel */
	RULE_AUTH_X509 = 1 << 1,        /* a listed client certificate */
	RULE_AUTH_PSK = 1 << 2,         /* a TLS 1.3 pre-shared key */
	RULE_AUTH_ADDRESS = 1 << 3,     /* plain TCP/UDP from a listed address */
	RULE_AUTH_ALL = (1 << 4) - 1,
	/* Without `sender-auth`: every proof but an address. */
	RULE_AUTH_DEFAULT = RULE_AUTH_CHANNEL | RULE_AUTH_X509 | RULE_AUTH_PSK,
};

/* The EVENT_AUTH word of one RULE_AUTH_* bit ("x509"), or NULL. */
const char *rule_auth_name(unsigned bit);
/* The RULE_AUTH_* bit of an EVENT_AUTH word, or 0 if it is none. */
unsigned rule_auth_from_name(const char *s);
/* The proofs r accepts for its senders (RULE_AUTH_DEFAULT when unset). */
unsigned rule_sender_auth(const struct rule *r);
/* The words of the bits of mask, blank-separated, into buf
 * ("channel x509 psk"); returns buf. */
const char *rule_auth_text(unsigned mask, char *buf, size_t size);

/* Who wrote an entry, as far as the watcher can tell. */
struct rule_trust {
	uid_t listener_uid;     /* the network listener's uid */
	bool have_listener;     /* false: no entry's EVENT_SENDER is believed */
	/* This host's name (gethostname()), for `host =` and EVENT_PLACEMENT;
	 * NULL: no rule is this host's. */
	const char *host;
};

/* The one constructor: an empty rule named name (type -1: any, no steps),
 * to fill with the rule_add_*() calls or the key parsers of keys.h. NULL on
 * ENOMEM. */
struct rule *rule_new(const char *name);
void rule_free(struct rule *r);
/* Add to a rule from rule_new() (not a packed one). 0 or -ENOMEM. */
int rule_add_match(struct rule *r, const char *field, const char *pattern);
int rule_add_option(struct rule *r, const char *section, const char *key,
		    const char *value, unsigned line);
int rule_add_step(struct rule *r, const char *step);
/* A copy of r in one allocation (packed), as the loader returns rules, or
 * NULL on ENOMEM. */
struct rule *rule_pack(const struct rule *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rule *, rule_free)
void rule_set_free(struct rule_set *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rule_set *, rule_set_free)
void rule_errors_clear(struct rule_errors *e);
/* Appends one line (e may be NULL: nothing is kept). 0 or -ENOMEM. */
int rule_errors_add(struct rule_errors *e, const char *fmt, ...)
	_printf_(2, 3);

/* Loads one rule file. On success *ret is set and 0 returned. On any error in
 * the file, every error found is appended to errors, *ret is untouched and
 * -EINVAL is returned (the file never half-loads); -ENOMEM, or -errno when
 * the file cannot be read (also appended to errors). mods may be NULL to skip
 * module checks. */
int rule_load_file(const char *path, const struct rule_modules *mods,
		   struct rule **ret, struct rule_errors *errors);

/* The same for text read elsewhere, as if it were the file path (which
 * names the rule and the errors); path itself is not read. */
int rule_load_string(const char *path, const char *text, size_t len,
		     const struct rule_modules *mods, struct rule **ret,
		     struct rule_errors *errors);

/* The *.rule file names of dir (not hidden ones), sorted, as a
 * NULL-terminated vector to free with strv_free(). -errno (also appended to
 * errors) if dir cannot be read. */
int rule_dir_list(const char *dir, char ***ret, size_t *ret_n,
		  struct rule_errors *errors);

/* Whether name can name a rule (its file, NAME.rule): letters, digits,
 * '.', '_', '-', '@' and '+', not starting with '.', at most 64 bytes. */
bool rule_name_is_valid(const char *name);

/* Loads every *.rule file of dir, sorted by name. Returns 0 with *ret set only
 * if no file had an error; otherwise -EINVAL with every error of every file
 * in errors. Two rules with the same name cannot occur (one file each). */
int rule_set_load_dir(const char *dir, const struct rule_modules *mods,
		      struct rule_set **ret, struct rule_errors *errors);

/* Whether entry (the fields of one journal entry, trusted _-fields
 * included) fires r: ID, type, every match, and who wrote it (for a remote
 * event: its sender and the proof of it, `sender-auth`). When the ID and
 * matches fit but the writer may not fire the rule, returns false and sets
 * *ret_reason if ret_reason is not NULL: static text, or text in a
 * thread-local buffer valid until the next call in this thread. */
bool rule_matches(const struct rule *r, const struct fields *entry,
		  const struct rule_trust *trust, const char **ret_reason);

/* What rule_explain() found. */
enum rule_verdict {
	RULE_FIRES,             /* ID, type, matches and writer all fit */
	RULE_NO_MATCH,          /* the ID, the type or a field differs */
	RULE_UNTRUSTED,         /* they fit, but the writer may not fire r */
	RULE_ELSEWHERE,         /* they fit and the writer may fire r, but the
				 * event's VM runs on no host and r's `host`
				 * is not this host (rule_placement_reason) */
};

/* rule_matches() with the reason, for `evtrigger test`: the one matching
 * code, which rule_matches() calls. *ret_reason is NULL for RULE_FIRES,
 * else why not: static text, or text written to buf (size bytes), e.g.
 * "EVENT_SOURCE is 'Bob', the rule wants 'John'". */
enum rule_verdict rule_explain(const struct rule *r,
			       const struct fields *entry,
			       const struct rule_trust *trust, char *buf,
			       size_t size, const char **ret_reason);

/* Several hosts (doc/ARCHITECTURE.md): whether entry is one the bus wrote
 * on every host because its VM runs on none (EVENT_PLACEMENT=nowhere,
 * believed only from the listener's uid). */
bool rule_entry_unplaced(const struct fields *entry,
			 const struct rule_trust *trust);

/* Why r may not fire entry on this host because of where the event
 * belongs: NULL when it may (the entry is not unplaced, or r's host is
 * trust->host), else why not, written to buf. */
const char *rule_placement_reason(const struct rule *r,
				  const struct fields *entry,
				  const struct rule_trust *trust, char *buf,
				  size_t size);

/* Whether entry was written by the listener: its trusted _UID is trust's
 * listener_uid. Only then are EVENT_SENDER, EVENT_UUID, EVENT_TIME (the
 * listener's fields, lib/event.h) believed. */
bool rule_entry_from_listener(const struct fields *entry,
			      const struct rule_trust *trust);

/* The distinct IDs the set's rules trigger on, sorted, for
 * sd_journal_add_match. *ret is malloc'd. */
int rule_set_ids(const struct rule_set *s, unsigned **ret, size_t *ret_n);

/* The option text of step section `step`, or NULL. */
const char *rule_option(const struct rule *r, const char *step,
			const char *key);

/* The pattern of r's match on field (e.g. EVENT_SOURCE for `source`), or
 * NULL. */
const char *rule_match_pattern(const struct rule *r, const char *field);

#endif
