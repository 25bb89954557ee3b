/* eventtriggers' own command line (see winargs.h). Never logs. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/winargs.h"
#include "macro.h"

bool
win_is_switch(const char *arg)
{
	if (streq(arg, "/?") || streq(arg, "-?"))
		return true;
	if (arg[0] != '/' || arg[1] == '\0')
		return false;
	for (const char *p = arg + 1; *p != '\0'; p++)
		if (!isalpha((unsigned char)*p))
			return false;
	return true;
}

bool
win_form(int argc, char *const argv[])
{
	return argv[0][0] == '/' ||
	       (argc > 1 && argv[1][0] == '/' && win_is_switch(argv[1]));
}

bool
win_asks_help(int argc, char *const argv[])
{
	for (int i = 1; i < argc && !streq(argv[i], "--"); i++)
		if (streq(argv[i], "-?"))
			return true;
	return false;
}

void
win_args_done(struct win_args *a)
{
	free(a->value);
	free(a->more);
	*a = (struct win_args){ 0 };
}

int
win_parse(int argc, char *const argv[], const struct win_switch *table,
	  size_t n, struct win_args *ret, char **ret_error)
{
	struct win_args a = { 0 };
	char *e = NULL;
	int r = -EINVAL;

	a.value = calloc(n + 1, sizeof(*a.value));
	a.more = calloc((size_t)argc + 1, sizeof(*a.more));
	if (a.value == NULL || a.more == NULL) {
		win_args_done(&a);
		return -ENOMEM;
	}
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		size_t k;

		if (streq(arg, "/?") || streq(arg, "-?")) {
			a.help = true;
			continue;
		}
		if (!win_is_switch(arg)) {
			if (asprintf(&e, "unexpected argument '%s' (a value "
				     "goes after its switch)", arg) < 0)
				e = NULL;
			goto fail;
		}
		for (k = 0; k < n; k++)
			if (strcasecmp(arg + 1, table[k].name) == 0)
				break;
		if (k == n) {
			if (asprintf(&e, "unknown switch '%s'", arg) < 0)
				e = NULL;
			goto fail;
		}
		if (a.value[k] != NULL && !table[k].repeats) {
			if (asprintf(&e, "switch '%s' given twice", arg) < 0)
				e = NULL;
			goto fail;
		}
		if (!table[k].has_value) {
			a.value[k] = "";
			continue;
		}
		if (i + 1 >= argc) {
			if (asprintf(&e, "switch '%s' needs a value", arg) < 0)
				e = NULL;
			goto fail;
		}
		a.value[k] = argv[++i];
		if (table[k].repeats)
			a.more[a.n_more++] = argv[i];
	}
	*ret = a;
	return 0;
fail:
	win_args_done(&a);
	if (e == NULL)
		return -ENOMEM;
	*ret_error = e;
	return r;
}

static bool
name_char_ok(char c)
{
	return isalnum((unsigned char)c) || strchr("._@+-", c) != NULL;
}

int
win_name_to_file(const char *name, char **ret)
{
	char *s;

	if (*name == '\0' || *name == '.')
		return -EINVAL;
	s = strdup(name);
	if (s == NULL)
		return -ENOMEM;
	for (char *p = s; *p != '\0'; p++)
		if (!name_char_ok(*p) || (unsigned char)*p >= 0x80)
			*p = '_';
	*ret = s;
	return 0;
}

int
win_name_from_text(const char *text, char **ret)
{
	const size_t pl = strlen(WIN_NAME_COMMENT);

	for (const char *l = text; *l == '#' || *l == ';';) {
		const char *end = strchr(l, '\n');
		size_t len = end != NULL ? (size_t)(end - l) : strlen(l);

		if (len > pl && strncmp(l, WIN_NAME_COMMENT, pl) == 0) {
			char *s = strndup(l + pl, len - pl);

			if (s == NULL)
				return -ENOMEM;
			*ret = s;
			return 1;
		}
		if (end == NULL)
			break;
		l = end + 1;
	}
	return 0;
}

unsigned
win_trigger_id(const char *rule_name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)rule_name; *p;
	     p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return 10000u + h % 90000u;
}
