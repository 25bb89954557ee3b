/* eventtriggers' own command line (`evtrigger /Create /TR "Disk Cleanup"
 * /EID 777 ...`, `/Query /FO LIST /V /NH`, `/Delete /TID 12345`) beside the
 * GNU forms: switches in any case, in any order, each given once (only
 * /TID repeats); trigger names with blanks mapped to rule file names; the
 * numeric trigger IDs that query shows and /Delete takes. Never logs: a
 * mistake is returned with its text. */
#ifndef EVT_CMD_WINARGS_H
#define EVT_CMD_WINARGS_H

#include <stdbool.h>
#include <stddef.h>

/* One switch: its name without the slash ("TR"), whether it takes a
 * value, whether it may repeat. */
struct win_switch {
	const char *name;
	bool has_value;
	bool repeats;
};

/* Whether arg looks like a switch: '/' then letters only ("/Create",
 * "/tr"), or "/?" or "-?". A path such as /usr/bin/x is not one. */
bool win_is_switch(const char *arg);

/* Whether a subcommand's argv is in eventtriggers' form: called by its
 * Windows verb ("/Query": argv[0] starts with '/'), or by its GNU name with
 * a switch first ("query /FO LIST"). */
bool win_form(int argc, char *const argv[]);

/* Whether a GNU-form argv asks for help with "-?" (before any "--"). */
bool win_asks_help(int argc, char *const argv[]);

/* The values given, by the index of the switch in the table: for a switch
 * without a value, "" when given; a repeating switch's values in
 * `more` (all of them, in order). NULL if not given. */
struct win_args {
	const char **value;             /* [n_table] */
	const char **more;              /* values of the repeating switch */
	size_t n_more;
	bool help;                      /* /? or -? */
};

void win_args_done(struct win_args *a);

/* Parses argv[0..argc) against table[0..n). 0 with *ret filled; -EINVAL
 * with *ret_error (malloc'd, e.g. "unknown switch '/XY'") otherwise, *ret
 * untouched; -ENOMEM. */
int win_parse(int argc, char *const argv[], const struct win_switch *table,
	      size_t n, struct win_args *ret, char **ret_error);

/* A trigger name (any text, blanks allowed) as a rule file name: every
 * byte that rule names may not hold (anything but A-Z a-z 0-9 . _ @ + -)
 * becomes '_': "Disk Cleanup" -> "Disk_Cleanup". The name itself is kept in
 * the file (a "# Trigger name:" comment) so query shows it as given.
 * -EINVAL for an empty name or one that would start with '.'. */
int win_name_to_file(const char *name, char **ret);

/* The comment line that keeps a trigger name in a rule file, and reading
 * it back from the file's text (the first such line among the leading
 * comment lines): 1 with *ret malloc'd, 0 if there is none, -ENOMEM. */
#define WIN_NAME_COMMENT "# Trigger name: "
int win_name_from_text(const char *text, char **ret);

/* A rule's numeric trigger ID: from its file name alone (FNV-1a of the
 * name, into 10000..99999), so it stays the same whatever rules are added
 * or removed, and a hand-written rule has one too. Two rules may share an
 * ID (rarely); query shows both and /Delete /TID refuses it as ambiguous. */
unsigned win_trigger_id(const char *rule_name);

#endif
