/* `evtrigger query`: lists the rules, like eventtriggers /Query, as a table,
 * list, CSV or JSON. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "event.h"
#include "json-out.h"
#include "options.h"
#include "report.h"
#include "rules/keys.h"
#include "rules/rule.h"

static void
query_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger query [OPTION]... [NAME]...\n"
		"Lists the rules (or the rules NAME...): name, event ID, type,\n"
		"source, log, VM, steps and file.\n\n"
		"  --format FORMAT   table (default), list, csv or json\n"
		"  --rules-dir DIR   the rules directory (default $EVTRIGGER_RULES_DIR\n"
		"                    or " RULES_DIR_DEFAULT ")\n"
		"  -h, --help        this text\n\n"
		"Invalid rule files are reported on stderr and left out.\n"
		"Exit status: 0, 3 some rule files are invalid, 4 a NAME has no\n"
		"rule, 5 the directory cannot be read, 2 usage.\n");
}

enum query_format { FORMAT_TABLE, FORMAT_LIST, FORMAT_CSV, FORMAT_JSON };

enum { COL_NAME, COL_ID, COL_TYPE, COL_SOURCE, COL_LOG, COL_VM, COL_STEPS,
       COL_FILE, _COL_MAX };

/* The columns that show a key are named after it (rules/keys.c). */
static const char *const col_names[_COL_MAX] = {
	[COL_NAME] = "name",
	[COL_FILE] = "file",
};
static const int col_keys[_COL_MAX] = {
	[COL_NAME] = -1, [COL_ID] = RULE_KEY_ID, [COL_TYPE] = RULE_KEY_TYPE,
	[COL_SOURCE] = RULE_KEY_SOURCE, [COL_LOG] = RULE_KEY_LOG,
	[COL_VM] = RULE_KEY_VM, [COL_STEPS] = RULE_KEY_STEPS, [COL_FILE] = -1,
};

static const char *
col_name(int c)
{
	return col_keys[c] >= 0 ? rule_keys[col_keys[c]].name : col_names[c];
}

/* The columns of one rule as text; NULL where the rule sets nothing. */
struct row {
	char *col[_COL_MAX];
};

static void
row_done(struct row *row)
{
	for (int i = 0; i < _COL_MAX; i++)
		free(row->col[i]);
}

static char *
join_words(char **w, size_t n)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	s = calloc(1, len);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, w[i]);
	}
	return s;
}

static int
row_fill(struct row *row, const struct rule *r)
{
	const char *type = r->type >= 0 ? event_type_name(r->type) : NULL;
	const char *p;

	*row = (struct row){ 0 };
	row->col[COL_NAME] = strdup(r->name);
	if (asprintf(&row->col[COL_ID], "%u", r->id) < 0)
		row->col[COL_ID] = NULL;
	if (type != NULL) {
		row->col[COL_TYPE] = strdup(type);
		for (char *t = row->col[COL_TYPE]; t != NULL && *t; t++)
			*t = (char)tolower((unsigned char)*t);
	}
	p = rule_match_pattern(r, EVENT_FIELD_SOURCE);
	row->col[COL_SOURCE] = p != NULL ? strdup(p) : NULL;
	p = rule_match_pattern(r, EVENT_FIELD_LOG);
	row->col[COL_LOG] = p != NULL ? strdup(p) : NULL;
	row->col[COL_VM] = r->vm != NULL ? strdup(r->vm) : NULL;
	row->col[COL_STEPS] = join_words(r->steps, r->n_steps);
	row->col[COL_FILE] = strdup(r->path);
	if (row->col[COL_NAME] == NULL || row->col[COL_ID] == NULL ||
	    (type != NULL && row->col[COL_TYPE] == NULL) ||
	    row->col[COL_STEPS] == NULL || row->col[COL_FILE] == NULL)
		return -ENOMEM;
	return 0;
}

static void
put_csv(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL && !isspace((unsigned char)*s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_rows(FILE *f, enum query_format fmt, struct row *rows, size_t n,
	   const struct rule *const *rules)
{
	size_t width[_COL_MAX];

	switch (fmt) {
	case FORMAT_TABLE:
		for (int c = 0; c < _COL_MAX; c++) {
			width[c] = strlen(col_name(c));
			for (size_t i = 0; i < n; i++) {
				const char *s = rows[i].col[c];
				size_t l = s != NULL ? strlen(s) : 1;

				if (l > width[c])
					width[c] = l;
			}
		}
		for (int c = 0; c < _COL_MAX; c++) {
			for (const char *h = col_name(c); *h; h++)
				fputc(toupper((unsigned char)*h), f);
			if (c + 1 < _COL_MAX)
				fprintf(f, "%*s", (int)(width[c] -
						     strlen(col_name(c)) + 2),
					"");
		}
		fputc('\n', f);
		for (size_t i = 0; i < n; i++)
			for (int c = 0; c < _COL_MAX; c++) {
				const char *s = rows[i].col[c];

				if (c + 1 < _COL_MAX)
					fprintf(f, "%-*s  ", (int)width[c],
						s != NULL ? s : "-");
				else
					fprintf(f, "%s\n", s != NULL ? s : "-");
			}
		break;
	case FORMAT_LIST:
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				fputc('\n', f);
			for (int c = 0; c < _COL_MAX; c++) {
				const char *s = rows[i].col[c];

				fprintf(f, "%-7s %s\n",
					c == COL_ID ? "ID:" :
					c == COL_VM ? "VM:" :
					c == COL_NAME ? "Name:" :
					c == COL_TYPE ? "Type:" :
					c == COL_SOURCE ? "Source:" :
					c == COL_LOG ? "Log:" :
					c == COL_STEPS ? "Steps:" : "File:",
					s != NULL ? s : "-");
			}
		}
		break;
	case FORMAT_CSV:
		for (int c = 0; c < _COL_MAX; c++)
			fprintf(f, "%s%c", col_name(c),
				c + 1 < _COL_MAX ? ',' : '\n');
		for (size_t i = 0; i < n; i++)
			for (int c = 0; c < _COL_MAX; c++) {
				put_csv(f, rows[i].col[c]);
				fputc(c + 1 < _COL_MAX ? ',' : '\n', f);
			}
		break;
	case FORMAT_JSON:
		fputc('[', f);
		for (size_t i = 0; i < n; i++) {
			const struct rule *r = rules[i];

			fputs(i > 0 ? ",\n  {" : "\n  {", f);
			json_put_key_string(f, "name", rows[i].col[COL_NAME]);
			fputs(", ", f);
			json_put_key_uint(f, "id", r->id);
			fputs(", ", f);
			json_put_key_string(f, "type", rows[i].col[COL_TYPE]);
			fputs(", ", f);
			json_put_key_string(f, "source",
					    rows[i].col[COL_SOURCE]);
			fputs(", ", f);
			json_put_key_string(f, "log", rows[i].col[COL_LOG]);
			fputs(", ", f);
			json_put_key_string(f, "vm", rows[i].col[COL_VM]);
			fputs(", \"steps\":[", f);
			for (size_t s = 0; s < r->n_steps; s++) {
				if (s > 0)
					fputs(", ", f);
				json_put_string(f, r->steps[s]);
			}
			fputs("], ", f);
			json_put_key_string(f, "file", rows[i].col[COL_FILE]);
			fputc('}', f);
		}
		fputs(n > 0 ? "\n]\n" : "]\n", f);
		break;
	}
}

static bool
name_wanted(const char *name, char **names, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

int
cmd_query(int argc, char *argv[])
{
	enum { OPT_FORMAT = 0x100 };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		CMD_OPT_RULES_DIR,
		/* Accepted like the other commands; query loads no modules. */
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum query_format fmt = FORMAT_TABLE;
	struct rule_errors errors = { 0 };
	_cleanup_(strv_freep) char **files = NULL;
	struct rule **rules = NULL;
	struct row *rows = NULL;
	struct cmd_dirs dirs = { 0 };
	const char *dir;
	size_t n_files = 0, n = 0;
	int c, r, exit_code = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0)
				fmt = FORMAT_TABLE;
			else if (strcmp(optarg, "list") == 0)
				fmt = FORMAT_LIST;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FORMAT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = FORMAT_JSON;
			else {
				report_error(0, "invalid format '%s': table, "
					     "list, csv or json", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			query_usage(stdout);
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			query_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (cmd_dirs_resolve(&dirs, "query") < 0)
		return EXIT_RUNTIME;
	dir = dirs.rules;
	r = rule_dir_list(dir, &files, &n_files, &errors);
	if (r < 0) {
		cmd_print_rule_errors(&errors);
		rule_errors_clear(&errors);
		return EXIT_RUNTIME;
	}
	rules = calloc(n_files + 1, sizeof(*rules));
	rows = calloc(n_files + 1, sizeof(*rows));
	if (rules == NULL || rows == NULL) {
		exit_code = EXIT_RUNTIME;
		goto out;
	}
	for (size_t i = 0; i < n_files; i++) {
		_cleanup_(freep) char *path = NULL;
		size_t l = strlen(files[i]) - strlen(".rule");

		files[i][l] = '\0';     /* the name, to match NAME... */
		if (!name_wanted(files[i], argv + optind, argc - optind))
			continue;
		if (asprintf(&path, "%s/%s.rule", dir, files[i]) < 0) {
			exit_code = EXIT_RUNTIME;
			goto out;
		}
		/* Modules are not loaded: query lists, check judges. */
		r = rule_load_file(path, NULL, &rules[n], &errors);
		if (r == -ENOMEM) {
			exit_code = EXIT_RUNTIME;
			goto out;
		}
		if (r < 0) {
			exit_code = EXIT_RULES;
			continue;
		}
		if (row_fill(&rows[n], rules[n]) < 0) {
			n++;
			exit_code = EXIT_RUNTIME;
			goto out;
		}
		n++;
	}
	for (int i = optind; i < argc; i++) {
		bool found = false;

		for (size_t j = 0; j < n_files && !found; j++)
			found = strcmp(files[j], argv[i]) == 0;
		if (!found) {
			report_error(0, "no rule '%s' in %s", argv[i], dir);
			if (exit_code == 0)
				exit_code = EXIT_NOTFOUND;
		}
	}
	print_rows(stdout, fmt, rows, n, (const struct rule *const *)rules);
	cmd_print_rule_errors(&errors);
	if (fflush(stdout) != 0 && exit_code == 0)
		exit_code = EXIT_RUNTIME;
out:
	for (size_t i = 0; i < n; i++) {
		row_done(&rows[i]);
		rule_free(rules[i]);
	}
	free(rows);
	free(rules);
	rule_errors_clear(&errors);
	return exit_code;
}
