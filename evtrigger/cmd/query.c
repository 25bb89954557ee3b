/* `evtrigger query` (and eventtriggers' `/Query [/FO TABLE|LIST|CSV] [/V]
 * [/NH]`): lists the rules as a table, list, CSV or JSON. Each mode shows a
 * set of columns; /V and --verbose add the trigger ID, who may fire the rule
 * (trust) and what it does. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/winargs.h"
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
		"  --format FORMAT   table (default), list, csv or json (any case)\n"
		"  -v, --verbose     also the trigger ID (for /Delete /TID), who may\n"
		"                    fire it (uid, unit, sender) and the description\n"
		"  --no-header       no header line (table and csv)\n"
		"  --rules-dir DIR   the rules directory (default $EVTRIGGER_RULES_DIR\n"
		"                    or " RULES_DIR_DEFAULT ")\n"
		"  -h, --help        this text\n\n"
		"Invalid rule files are reported on stderr and left out.\n"
		"Exit status: 0, 3 some rule files are invalid, 4 a NAME has no\n"
		"rule, 5 the directory cannot be read, 2 usage.\n");
}

enum query_format { FORMAT_TABLE, FORMAT_LIST, FORMAT_CSV, FORMAT_JSON };

enum { COL_NAME, COL_ID, COL_TYPE, COL_SOURCE, COL_LOG, COL_VM, COL_STEPS,
       COL_FILE, COL_TID, COL_TRUST, COL_DESCRIPTION, COL_TRIGGER, COL_TASK,
       _COL_MAX };

/* The columns that show a key are named after it (rules/keys.c). */
static const char *const col_names[_COL_MAX] = {
	[COL_NAME] = "name",
	[COL_FILE] = "file",
	[COL_TID] = "tid",
	[COL_TRUST] = "trust",
	[COL_DESCRIPTION] = "description",
	[COL_TRIGGER] = "trigger",
	[COL_TASK] = "task",
};
/* eventtriggers' headers, for the /Query form. */
static const char *const win_names[_COL_MAX] = {
	[COL_NAME] = "Rule", [COL_ID] = "Event ID", [COL_TYPE] = "Type",
	[COL_SOURCE] = "Source", [COL_LOG] = "Log", [COL_VM] = "VM",
	[COL_STEPS] = "Steps", [COL_FILE] = "File", [COL_TID] = "Trigger ID",
	[COL_TRUST] = "Trust", [COL_DESCRIPTION] = "Description",
	[COL_TRIGGER] = "Event Trigger Name", [COL_TASK] = "Task",
};

/* Which columns each form shows, in order; -1 ends a set. */
static const int cols_gnu[] = { COL_NAME, COL_ID, COL_TYPE, COL_SOURCE,
	COL_LOG, COL_VM, COL_STEPS, COL_FILE, -1 };
static const int cols_gnu_verbose[] = { COL_TID, COL_NAME, COL_ID, COL_TYPE,
	COL_SOURCE, COL_LOG, COL_VM, COL_STEPS, COL_TRUST, COL_DESCRIPTION,
	COL_FILE, -1 };
static const int cols_win[] = { COL_TID, COL_TRIGGER, COL_TASK, -1 };
static const int cols_win_verbose[] = { COL_TID, COL_TRIGGER, COL_TASK,
	COL_ID, COL_TYPE, COL_SOURCE, COL_LOG, COL_VM, COL_STEPS, COL_TRUST,
	COL_DESCRIPTION, COL_FILE, -1 };

struct view {
	const int *cols;
	bool windows, header;
};
static const int col_keys[_COL_MAX] = {
	[COL_NAME] = -1, [COL_ID] = RULE_KEY_ID, [COL_TYPE] = RULE_KEY_TYPE,
	[COL_SOURCE] = RULE_KEY_SOURCE, [COL_LOG] = RULE_KEY_LOG,
	[COL_VM] = RULE_KEY_VM, [COL_STEPS] = RULE_KEY_STEPS, [COL_FILE] = -1,
	[COL_TID] = -1, [COL_TRUST] = -1, [COL_DESCRIPTION] = -1,
	[COL_TRIGGER] = -1, [COL_TASK] = -1,
};

static const char *
col_name(int c)
{
	return col_keys[c] >= 0 ? rule_keys[col_keys[c]].name : col_names[c];
}

static const char *
col_title(const struct view *v, int c)
{
	return v->windows ? win_names[c] : col_name(c);
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

/* Who may fire the rule, as its keys say it. */
static char *
trust_text(const struct rule *r)
{
	_cleanup_(freep) char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < r->n_uids; i++)
		fprintf(f, "%suid=%u", i == 0 ? "" : " ", (unsigned)r->uids[i]);
	for (size_t i = 0; i < r->n_units; i++)
		fprintf(f, "%sunit=%s", len > 0 || i > 0 || r->n_uids > 0 ?
			" " : "", r->units[i]);
	for (size_t i = 0; i < r->n_senders; i++)
		fprintf(f, "%ssender=%s", r->n_uids + r->n_units + i > 0 ?
			" " : "", r->senders[i]);
	if (r->n_senders > 0) {
		char words[64];

		/* Which proofs of those senders count (sender-auth). */
		fprintf(f, " sender-auth=%s%s",
			rule_auth_text(rule_sender_auth(r), words,
				       sizeof(words)),
			r->sender_auth == 0 ? " (default)" : "");
	}
	if (r->n_uids + r->n_units + r->n_senders == 0)
		fputs("uid=0 (default)", f);
	/* Several hosts: the host that runs it when the VM runs nowhere. */
	if (r->host != NULL)
		fprintf(f, " host=%s", r->host);
	if (fclose(f) != 0)
		return NULL;
	return TAKE_PTR(text);
}

/* The description create wrote as the title comment: "# NAME.rule: TEXT". */
static char *
description_text(const struct rule *r)
{
	_cleanup_(freep) char *prefix = NULL;
	const char *t = r->text, *end;

	if (t == NULL || asprintf(&prefix, "# %s.rule: ", r->name) < 0)
		return NULL;
	if (strncmp(t, prefix, strlen(prefix)) != 0)
		return NULL;
	t += strlen(prefix);
	end = strchr(t, '\n');
	return strndup(t, end != NULL ? (size_t)(end - t) : strlen(t));
}

/* The trigger name (kept by /Create /TR, else the rule's name), what it
 * runs (exec's command, else its steps), trust and description. */
static int
row_fill_more(struct row *row, const struct rule *r)
{
	const char *cmd = rule_option(r, "exec", "command");

	if (r->text == NULL ||
	    win_name_from_text(r->text, &row->col[COL_TRIGGER]) == 0)
		row->col[COL_TRIGGER] = strdup(r->name);
	if (r->n_steps == 1 && streq(r->steps[0], "exec") && cmd != NULL)
		row->col[COL_TASK] = strdup(cmd);
	else
		row->col[COL_TASK] = join_words(r->steps, r->n_steps);
	row->col[COL_TRUST] = trust_text(r);
	row->col[COL_DESCRIPTION] = description_text(r);
	return row->col[COL_TRIGGER] == NULL || row->col[COL_TASK] == NULL ||
	       row->col[COL_TRUST] == NULL ? -ENOMEM : 0;
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
	if (asprintf(&row->col[COL_TID], "%u", win_trigger_id(r->name)) < 0 ||
	    row_fill_more(row, r) < 0)
		return -ENOMEM;
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

static size_t
n_cols(const struct view *v)
{
	size_t n = 0;

	while (v->cols[n] >= 0)
		n++;
	return n;
}

static void
print_table(FILE *f, const struct view *v, struct row *rows, size_t n)
{
	size_t nc = n_cols(v), width[_COL_MAX];

	for (size_t k = 0; k < nc; k++) {
		int c = v->cols[k];

		width[k] = strlen(col_title(v, c));
		for (size_t i = 0; i < n; i++) {
			const char *s = rows[i].col[c];
			size_t l = s != NULL ? strlen(s) : 1;

			if (l > width[k])
				width[k] = l;
		}
	}
	if (v->header) {
		for (size_t k = 0; k < nc; k++) {
			const char *h = col_title(v, v->cols[k]);

			if (v->windows)
				fputs(h, f);
			else
				for (; *h; h++)
					fputc(toupper((unsigned char)*h), f);
			if (k + 1 < nc)
				fprintf(f, "%*s", (int)(width[k] -
					strlen(col_title(v, v->cols[k])) + 2), "");
		}
		fputc('\n', f);
		/* eventtriggers underlines its headers. */
		for (size_t k = 0; v->windows && k < nc; k++) {
			for (size_t j = 0; j < width[k]; j++)
				fputc('=', f);
			fputs(k + 1 < nc ? "  " : "\n", f);
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < nc; k++) {
			const char *s = rows[i].col[v->cols[k]];

			if (k + 1 < nc)
				fprintf(f, "%-*s  ", (int)width[k],
					s != NULL ? s : "-");
			else
				fprintf(f, "%s\n", s != NULL ? s : "-");
		}
}

static void
print_rows(FILE *f, enum query_format fmt, const struct view *v,
	   struct row *rows, size_t n, const struct rule *const *rules)
{
	size_t nc = n_cols(v);

	switch (fmt) {
	case FORMAT_TABLE:
		print_table(f, v, rows, n);
		break;
	case FORMAT_LIST:
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				fputc('\n', f);
			for (size_t k = 0; k < nc; k++) {
				int c = v->cols[k];
				const char *s = rows[i].col[c];
				char label[40];

				if (v->windows)
					snprintf(label, sizeof(label), "%s:",
						 win_names[c]);
				else
					snprintf(label, sizeof(label), "%s:",
						 c == COL_ID ? "ID" :
						 c == COL_VM ? "VM" :
						 c == COL_TID ? "TID" :
						 c == COL_NAME ? "Name" :
						 win_names[c]);
				fprintf(f, "%-*s %s\n", v->windows ? 20 : 7,
					label, s != NULL ? s : "-");
			}
		}
		break;
	case FORMAT_CSV:
		for (size_t k = 0; v->header && k < nc; k++) {
			put_csv(f, col_title(v, v->cols[k]));
			fputc(k + 1 < nc ? ',' : '\n', f);
		}
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < nc; k++) {
				put_csv(f, rows[i].col[v->cols[k]]);
				fputc(k + 1 < nc ? ',' : '\n', f);
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
			if (v->cols != cols_gnu) {
				fputs(", ", f);
				json_put_key_uint(f, "tid",
						  win_trigger_id(r->name));
				fputs(", ", f);
				json_put_key_string(f, "trigger",
						    rows[i].col[COL_TRIGGER]);
				fputs(", ", f);
				json_put_key_string(f, "trust",
						    rows[i].col[COL_TRUST]);
				fputs(", ", f);
				json_put_key_string(f, "description",
						    rows[i].col[COL_DESCRIPTION]);
			}
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

/* "table", "LIST", ...: the format, any case. */
static int
parse_format(const char *s, enum query_format *ret)
{
	static const char *const names[] = {
		[FORMAT_TABLE] = "table", [FORMAT_LIST] = "list",
		[FORMAT_CSV] = "csv", [FORMAT_JSON] = "json",
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (strcasecmp(s, names[i]) == 0) {
			*ret = (enum query_format)i;
			return 0;
		}
	return -EINVAL;
}

static void
query_usage_windows(FILE *f)
{
	fprintf(f,
		"usage: evtrigger /Query [/FO TABLE|LIST|CSV] [/V] [/NH]\n"
		"eventtriggers' syntax (switches in any case) for `evtrigger query`:\n"
		"  /FO FORMAT   TABLE (default), LIST or CSV (JSON too)\n"
		"  /V           also the event ID, type, source, log, VM, steps,\n"
		"               who may fire it (trust), description and file\n"
		"  /NH          no header (TABLE and CSV)\n"
		"  /?           this text\n"
		"Trigger IDs are made from the rule's file name, so they do not\n"
		"change when other rules come and go: /Delete /TID takes them.\n");
}

enum { WQ_FO, WQ_V, WQ_NH, WQ_S, WQ_U, WQ_P };
static const struct win_switch query_switches[] = {
	[WQ_FO] = { "FO", true, false }, [WQ_V] = { "V", false, false },
	[WQ_NH] = { "NH", false, false }, [WQ_S] = { "S", true, false },
	[WQ_U] = { "U", true, false },   [WQ_P] = { "P", true, false },
};

/* `evtrigger /Query ...`. Returns 0, 1 after help, or an exit code > 1. */
static int
query_parse_windows(int argc, char *argv[], enum query_format *fmt,
		    struct view *v)
{
	_cleanup_(freep) char *err = NULL;
	struct win_args w;
	int r = 0;

	r = win_parse(argc - 1, argv + 1, query_switches,
		      ELEMENTSOF(query_switches), &w, &err);
	if (r < 0) {
		report_error(0, "%s", r == -ENOMEM ? "out of memory" : err);
		return r == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
	}
	if (w.help) {
		query_usage_windows(stdout);
		r = 1;
	} else if (w.value[WQ_S] != NULL || w.value[WQ_U] != NULL ||
		   w.value[WQ_P] != NULL) {
		report_error(0, "remote systems (/S, /U, /P) are not "
			     "supported: run evtrigger on the host");
		r = EXIT_USAGE;
	} else if (w.value[WQ_FO] != NULL &&
		   parse_format(w.value[WQ_FO], fmt) < 0) {
		report_error(0, "invalid /FO '%s': TABLE, LIST or CSV",
			     w.value[WQ_FO]);
		r = EXIT_USAGE;
	}
	v->windows = true;
	v->cols = w.value[WQ_V] != NULL ? cols_win_verbose : cols_win;
	v->header = w.value[WQ_NH] == NULL;
	win_args_done(&w);
	return r;
}

int
cmd_query(int argc, char *argv[])
{
	enum { OPT_FORMAT = 0x100, OPT_NO_HEADER };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-header", no_argument, NULL, OPT_NO_HEADER },
		CMD_OPT_RULES_DIR,
		/* Accepted like the other commands; query loads no modules. */
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum query_format fmt = FORMAT_TABLE;
	struct view view = { cols_gnu, false, true };
	struct rule_errors errors = { 0 };
	_cleanup_(strv_freep) char **files = NULL;
	struct rule **rules = NULL;
	struct row *rows = NULL;
	struct cmd_dirs dirs = { 0 };
	const char *dir;
	size_t n_files = 0, n = 0;
	int c, r, exit_code = 0;

	if (win_form(argc, argv)) {
		r = query_parse_windows(argc, argv, &fmt, &view);
		if (r != 0)
			return r == 1 ? 0 : r;
		argc = optind = 1;      /* no NAME... in this form */
	}
	if (win_asks_help(argc, argv)) {	/* -?, as on Windows */
		query_usage(stdout);
		return 0;
	}
	while (!view.windows &&
	       (c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (parse_format(optarg, &fmt) < 0) {
				report_error(0, "invalid format '%s': table, "
					     "list, csv or json", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v':
			view.cols = cols_gnu_verbose;
			break;
		case OPT_NO_HEADER:
			view.header = false;
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
	print_rows(stdout, fmt, &view, rows, n,
		   (const struct rule *const *)rules);
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
