/* `evtrigger modules`: lists the modules of the action directory with their
 * options. */
#include <dirent.h>
#include <getopt.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "jobs/module.h"
#include "json-out.h"
#include "options.h"
#include "report.h"

static const char *
option_type_name(enum evt_option_type t)
{
	switch (t) {
	case EVT_OPT_STRING:
		return "string";
	case EVT_OPT_BOOL:
		return "bool";
	case EVT_OPT_INT:
		return "int";
	case EVT_OPT_DURATION:
		return "duration";
	case EVT_OPT_SIZE:
		return "size";
	case EVT_OPT_LIST:
		return "list";
	}
	return "?";
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
modules_print_json(FILE *f, const struct evt_action *m, bool first)
{
	fputs(first ? "[" : ",", f);
	fputc('{', f);
	json_put_key_string(f, "name", m->name);
	fputc(',', f);
	json_put_key_string(f, "summary", m->summary);
	fputs(",\"options\":[", f);
	for (const struct evt_option *o = m->options; o != NULL && o->name;
	     o++) {
		if (o != m->options)
			fputc(',', f);
		fputc('{', f);
		json_put_key_string(f, "name", o->name);
		fputc(',', f);
		json_put_key_string(f, "type", option_type_name(o->type));
		fputc(',', f);
		json_put_key_string(f, "default", o->default_value);
		fputc(',', f);
		json_put_key_string(f, "help", o->help);
		fputc('}', f);
	}
	fputs("]}", f);
}

static void
modules_print_text(FILE *f, const struct evt_action *m)
{
	fprintf(f, "%s: %s\n", m->name, m->summary != NULL ? m->summary : "");
	for (const struct evt_option *o = m->options; o != NULL && o->name;
	     o++) {
		fprintf(f, "    %-14s %-8s %s", o->name,
			option_type_name(o->type), o->help != NULL ? o->help : "");
		if (o->default_value != NULL)
			fprintf(f, " (default: %s)", o->default_value);
		fputc('\n', f);
	}
	fprintf(f, "    %-14s %-8s %s\n", "timeout", "duration",
		"time limit of the step (every step)");
}

int
cmd_modules(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(strv_freep) char **names = NULL;
	size_t n = 0, shown = 0;
	bool json = false;
	int c, ret = 0;
	DIR *d;
	struct dirent *de;

	struct cmd_dirs dirs = { 0 };

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			if (cmd_dirs_resolve(&dirs, "modules") < 0)
				return EXIT_RUNTIME;
			printf("usage: evtrigger modules [--json] "
			       "[--action-dir DIR]\n"
			       "Lists the action modules of the action "
			       "directory (%s), with their options.\n",
			       module_dir());
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			return EXIT_USAGE;
		}
	}
	if (cmd_dirs_resolve(&dirs, "modules") < 0)
		return EXIT_RUNTIME;
	if (optind != argc) {
		report_error(0, "unexpected argument '%s'",
			     argv[optind]);
		return EXIT_USAGE;
	}
	d = opendir(module_dir());
	if (d == NULL) {
		report_errno(-errno, "cannot open %s", module_dir());
		return EXIT_RUNTIME;
	}
	names = calloc(1, sizeof(char *));
	while (names != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char **nv;

		if (len <= 3 || !streq(de->d_name + len - 3, ".so"))
			continue;
		nv = reallocarray(names, n + 2, sizeof(char *));
		if (nv == NULL)
			break;
		names = nv;
		names[n] = strndup(de->d_name, len - 3);
		if (names[n] == NULL)
			break;
		names[++n] = NULL;
	}
	closedir(d);
	if (names == NULL)
		return EXIT_RUNTIME;
	qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const struct evt_action *m;
		char err[512];

		if (module_get(names[i], &m, err, sizeof(err)) < 0) {
			report_error(0, "%s", err);
			ret = EXIT_RUNTIME;
			continue;
		}
		if (json)
			modules_print_json(stdout, m, shown == 0);
		else
			modules_print_text(stdout, m);
		shown++;
	}
	if (json)
		fputs(shown == 0 ? "[]\n" : "]\n", stdout);
	return ret;
}
