/* Check suite for evcreate's command line (evcreate/args.c) in both syntaxes,
 * and the batch line format (evcreate/batch.c). */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "../../evcreate/args.h"
#include "../../evcreate/batch.h"
#include "quote.h"

#define MAX_ARGS 16

/* Expected values of a parse that succeeded; NULL strings are not checked
 * except description/source, where "" means "must be unset". */
struct want {
	enum evc_action action;
	enum evc_syntax syntax;
	enum evc_target target;
	bool rfc5424;                   /* else the default, rfc3164 */
	enum event_type type;
	unsigned id;
	const char *source, *log, *description;
	const char *field;              /* "NAME=VALUE" of the first extra */
	size_t n_extra;
	const char *socket, *batch;
};

static const struct {
	const char *argv[MAX_ARGS];
	int code;
	const char *msg;                /* exact message on failure */
	struct want w;
} cases[] = {
	/* GNU syntax. */
	{ { "--type", "warning", "--id", "777", "--source", "John", "--log",
	    "Application", "--description", "VDC Ready for compaction" },
	  EVC_EXIT_OK, NULL,
	  { .type = EVENT_WARNING, .id = 777, .source = "John",
	    .log = "Application", .description = "VDC Ready for compaction" } },
	{ { "-t", "ERROR", "-i", "1", "-s", "x", "-l", "system", "-d", "d",
	    "-f", "VM=vdc", "-f", "DISK=sda" },
	  EVC_EXIT_OK, NULL,
	  { .type = EVENT_ERROR, .id = 1, .source = "x", .log = "System",
	    .description = "d", .field = "VM=vdc", .n_extra = 2 } },
	{ { "--id=65535", "--description=x y" }, EVC_EXIT_OK, NULL,
	  { .type = EVENT_INFORMATION, .id = 65535, .source = "evcreate",
	    .log = "Application", .description = "x y" } },
	{ { "-i", "5", "-d", "x", "--type", "Success", "--log", "Security" },
	  EVC_EXIT_OK, NULL,
	  { .type = EVENT_SUCCESS, .id = 5, .log = "Security" } },
	{ { "-i", "5", "-d", "x", "--target", "journal" }, EVC_EXIT_OK, NULL,
	  { .target = EVC_TARGET_JOURNAL, .id = 5, .type = EVENT_INFORMATION } },
	{ { "-i", "5", "-d", "x", "--target", "SYSLOG" }, EVC_EXIT_OK, NULL,
	  { .target = EVC_TARGET_SYSLOG, .id = 5, .type = EVENT_INFORMATION } },
	{ { "-i", "5", "-d", "x", "--socket", "/run/x.sock" }, EVC_EXIT_OK,
	  NULL, { .target = EVC_TARGET_SYSLOG, .socket = "/run/x.sock",
		  .id = 5, .type = EVENT_INFORMATION } },
	{ { "-i", "5", "-d", "x", "--syslog-format", "rfc3164" }, EVC_EXIT_OK,
	  NULL, { .target = EVC_TARGET_SYSLOG,
		  .id = 5, .type = EVENT_INFORMATION } },
	{ { "-i", "5", "-d", "x", "--syslog-format", "RFC5424" }, EVC_EXIT_OK,
	  NULL, { .target = EVC_TARGET_SYSLOG, .rfc5424 = true,
		  .id = 5, .type = EVENT_INFORMATION } },
	{ { "--batch", "-" }, EVC_EXIT_OK, NULL,
	  { .action = EVC_BATCH, .batch = "-", .description = "",
	    .source = "evcreate", .type = EVENT_INFORMATION } },
	{ { "-b", "events.txt", "-s", "John", "-t", "error" }, EVC_EXIT_OK,
	  NULL, { .action = EVC_BATCH, .batch = "events.txt",
		  .source = "John", .type = EVENT_ERROR, .description = "" } },
	{ { "--help" }, EVC_EXIT_OK, NULL, { .action = EVC_HELP } },
	{ { "-h", "--bogus" }, EVC_EXIT_OK, NULL, { .action = EVC_HELP } },
	{ { "--version" }, EVC_EXIT_OK, NULL, { .action = EVC_VERSION } },
	{ { "-i", "5", "-d", "x", "-V" }, EVC_EXIT_OK, NULL,
	  { .action = EVC_VERSION } },
	/* eventcreate syntax. */
	{ { "/T", "WARNING", "/ID", "777", "/SO", "John", "/L", "APPLICATION",
	    "/D", "VDC Ready for compaction" },
	  EVC_EXIT_OK, NULL,
	  { .syntax = EVC_SYNTAX_EVENTCREATE, .type = EVENT_WARNING,
	    .id = 777, .source = "John", .log = "Application",
	    .description = "VDC Ready for compaction" } },
	{ { "/id", "9", "/t", "error", "/d", "x", "/so", "s", "/l", "SYSTEM" },
	  EVC_EXIT_OK, NULL,
	  { .syntax = EVC_SYNTAX_EVENTCREATE, .type = EVENT_ERROR, .id = 9,
	    .source = "s", .log = "System" } },
	{ { "/Id", "9", "/D", "x" }, EVC_EXIT_OK, NULL,
	  { .syntax = EVC_SYNTAX_EVENTCREATE, .id = 9, .source = "evcreate", .type = EVENT_INFORMATION } },
	{ { "/?" }, EVC_EXIT_OK, NULL,
	  { .syntax = EVC_SYNTAX_EVENTCREATE, .action = EVC_HELP } },
	{ { "/T", "error", "/?" }, EVC_EXIT_OK, NULL,
	  { .syntax = EVC_SYNTAX_EVENTCREATE, .action = EVC_HELP } },

	/* Usage errors. */
	{ { NULL }, EVC_EXIT_USAGE,
	  "no event given: see 'evcreate --help'", { 0 } },
	{ { "--bogus" }, EVC_EXIT_USAGE, "unknown option '--bogus'", { 0 } },
	{ { "-x" }, EVC_EXIT_USAGE, "unknown option '-x'", { 0 } },
	{ { "--so", "x" }, EVC_EXIT_USAGE,
	  "ambiguous option '--so': --source, --socket", { 0 } },
	{ { "--s=x" }, EVC_EXIT_USAGE,
	  "ambiguous option '--s=x': --source, --syslog-format, --socket",
	  { 0 } },
	{ { "--desc", "x", "--i", "5" }, EVC_EXIT_OK, NULL,
	  { .id = 5, .description = "x", .type = EVENT_INFORMATION } },
	{ { "-i", "1", "-d" }, EVC_EXIT_USAGE,
	  "option '-d' needs a value", { 0 } },
	{ { "-d", "x", "--id" }, EVC_EXIT_USAGE,
	  "option '--id' needs a value", { 0 } },
	{ { "-i", "1", "--id", "2", "-d", "x" }, EVC_EXIT_USAGE,
	  "option '--id' given twice", { 0 } },
	{ { "-i", "1", "-d", "x", "extra" }, EVC_EXIT_USAGE,
	  "unexpected argument 'extra'", { 0 } },
	{ { "-i", "1", "-d", "x", "/T", "error" }, EVC_EXIT_USAGE,
	  "unexpected argument '/T': eventcreate switches (/T, /ID, ...) "
	  "cannot be mixed with --options", { 0 } },
	{ { "-i", "1", "-d", "x", "--target", "file" }, EVC_EXIT_USAGE,
	  "invalid target 'file': must be journal or syslog", { 0 } },
	{ { "-i", "1", "-d", "x", "--syslog-format", "json" }, EVC_EXIT_USAGE,
	  "invalid syslog format 'json': must be rfc5424 or rfc3164", { 0 } },
	{ { "-i", "1", "-d", "x", "--target", "journal", "--socket", "/s" },
	  EVC_EXIT_USAGE, "options --socket and --syslog-format apply to "
	  "--target syslog only", { 0 } },
	{ { "-i", "1", "-d", "x", "--socket", "" }, EVC_EXIT_USAGE,
	  "invalid socket path '': must not be empty", { 0 } },
	{ { "/T", "error", "/ID", "1", "/D", "x", "/X", "y" }, EVC_EXIT_USAGE,
	  "unknown switch '/X': must be /T, /ID, /SO, /L, /D or /?", { 0 } },
	{ { "/T", "error", "--id", "1" }, EVC_EXIT_USAGE,
	  "unknown switch '--id': must be /T, /ID, /SO, /L, /D or /?", { 0 } },
	{ { "/ID", "1", "/D" }, EVC_EXIT_USAGE, "switch /D needs a value",
	  { 0 } },
	{ { "/ID", "1", "/id", "2", "/D", "x" }, EVC_EXIT_USAGE,
	  "switch /ID given twice", { 0 } },

	/* Invalid events. */
	{ { "-i", "0", "-d", "x" }, EVC_EXIT_INVALID,
	  "invalid event id '0': must be 1..65535", { 0 } },
	{ { "-i", "70000", "-d", "x" }, EVC_EXIT_INVALID,
	  "invalid event id '70000': must be 1..65535", { 0 } },
	{ { "/ID", "70000", "/D", "x" }, EVC_EXIT_INVALID,
	  "invalid event id '70000': must be 1..65535", { 0 } },
	{ { "-t", "warn", "-i", "1", "-d", "x" }, EVC_EXIT_INVALID,
	  "invalid event type 'warn': must be ERROR, WARNING, INFORMATION or "
	  "SUCCESS", { 0 } },
	{ { "-d", "x" }, EVC_EXIT_INVALID, "no event id given (--id or /ID)",
	  { 0 } },
	{ { "-i", "1" }, EVC_EXIT_INVALID,
	  "no description given (--description or /D)", { 0 } },
	{ { "/T", "error", "/ID", "1" }, EVC_EXIT_INVALID,
	  "no description given (--description or /D)", { 0 } },
	{ { "-i", "1", "-d", "" }, EVC_EXIT_INVALID,
	  "invalid description '': must not be empty", { 0 } },
	{ { "-i", "1", "-d", "bad \xff" }, EVC_EXIT_INVALID,
	  "invalid description 'bad \\xff': not valid UTF-8", { 0 } },
	{ { "-i", "1", "-d", "x", "-s", "John Doe" }, EVC_EXIT_INVALID,
	  "invalid source 'John Doe': must be printable ASCII without spaces",
	  { 0 } },
	{ { "-i", "1", "-d", "x", "-l", "a=b" }, EVC_EXIT_INVALID,
	  "invalid log 'a=b': must be printable ASCII without spaces, '=', "
	  "']' or '\"'", { 0 } },
	{ { "-i", "1", "-d", "x", "-f", "vm=x" }, EVC_EXIT_INVALID,
	  "invalid field name 'vm': must be 1..64 of A-Z, 0-9 and '_', not "
	  "starting with a digit or '_'", { 0 } },
	{ { "-i", "1", "-d", "x", "-f", "_UID=0" }, EVC_EXIT_INVALID,
	  "invalid field name '_UID': must be 1..64 of A-Z, 0-9 and '_', not "
	  "starting with a digit or '_'", { 0 } },
	{ { "-i", "1", "-d", "x", "-f", "VM" }, EVC_EXIT_INVALID,
	  "invalid field 'VM': must be NAME=VALUE", { 0 } },
	{ { "-i", "1", "-d", "x", "-f", "EVENT_ID=2" }, EVC_EXIT_INVALID,
	  "reserved field name 'EVENT_ID': not allowed as an extra field",
	  { 0 } },
	{ { "-i", "1", "-d", "x", "-f", "EVENT_SENDER=vdc" }, EVC_EXIT_INVALID,
	  "reserved field name 'EVENT_SENDER': not allowed as an extra field",
	  { 0 } },
	{ { "-i", "1", "-d", "x", "-f", "VM=a", "-f", "VM=b" },
	  EVC_EXIT_INVALID, "field VM given twice", { 0 } },
	{ { "-i", "1", "-d", "x", "-f", "VM=\xed\xa0\x80" }, EVC_EXIT_INVALID,
	  "invalid value of field VM '\\xed\\xa0\\x80': not valid UTF-8",
	  { 0 } },
	/* The first problem in a fixed order: type before id. */
	{ { "-i", "0", "-t", "bad", "-d", "x" }, EVC_EXIT_INVALID,
	  "invalid event type 'bad': must be ERROR, WARNING, INFORMATION or "
	  "SUCCESS", { 0 } },
	/* Values are checked in batch mode too, as defaults. */
	{ { "--batch", "-", "-i", "0" }, EVC_EXIT_INVALID,
	  "invalid event id '0': must be 1..65535", { 0 } },

	/* Remote sending: not supported, whatever else is wrong. */
	{ { "/S", "host", "/ID", "1", "/D", "x" }, EVC_EXIT_UNSUPPORTED,
	  "remote systems (/S, /U, /P) are not supported yet: evcreate writes "
	  "to the local journal or syslog only", { 0 } },
	{ { "/ID", "0", "/u", "admin" }, EVC_EXIT_UNSUPPORTED,
	  "remote systems (/S, /U, /P) are not supported yet: evcreate writes "
	  "to the local journal or syslog only", { 0 } },
	{ { "/ID", "1", "/D", "x", "/P" }, EVC_EXIT_UNSUPPORTED,
	  "remote systems (/S, /U, /P) are not supported yet: evcreate writes "
	  "to the local journal or syslog only", { 0 } },
};

static int
parse_case(int i, struct evc_args *a, char **msg)
{
	char *argv[MAX_ARGS + 2] = { NULL };
	int argc = 1, code;

	argv[0] = strdup("evcreate");
	for (int k = 0; cases[i].argv[k] != NULL; k++)
		argv[argc++] = strdup(cases[i].argv[k]);
	code = evc_args_parse(argc, argv, a, msg);
	/* Keep the pointers into argv valid for the checks: leak nothing,
	 * free after. Strings the result points to are copied below. */
	if (code == EVC_EXIT_OK) {
		if (a->socket_path != NULL)
			ck_assert_str_eq(a->socket_path, cases[i].w.socket);
		if (a->batch_path != NULL)
			ck_assert_str_eq(a->batch_path, cases[i].w.batch);
	}
	for (int k = 0; k < argc; k++)
		free(argv[k]);
	return code;
}

START_TEST(test_args)
{
	const struct want *w = &cases[_i].w;
	struct evc_args a;
	_cleanup_(freep) char *msg = NULL;
	int code = parse_case(_i, &a, &msg);

	ck_assert_msg(code == cases[_i].code, "case %d: code %d, want %d (%s)",
		      _i, code, cases[_i].code, msg ? msg : "no message");
	if (code != EVC_EXIT_OK) {
		ck_assert_ptr_nonnull(msg);
		ck_assert_str_eq(msg, cases[_i].msg);
		return;
	}
	ck_assert_ptr_null(msg);
	ck_assert_int_eq(a.action, w->action);
	ck_assert_int_eq(a.syntax, w->syntax);
	if (w->action == EVC_HELP || w->action == EVC_VERSION) {
		ck_assert_ptr_null(a.event);
		return;
	}
	ck_assert_int_eq(a.target, w->target);
	ck_assert_int_eq(a.syslog_format,
			 w->rfc5424 ? SYSLOG_RFC5424 : SYSLOG_RFC3164);
	ck_assert_int_eq(!!a.socket_path, !!w->socket);
	ck_assert_int_eq(!!a.batch_path, !!w->batch);
	ck_assert_ptr_nonnull(a.event);
	ck_assert_int_eq(a.event->type, w->type);
	ck_assert_uint_eq(a.event->id, w->id);
	if (w->source != NULL)
		ck_assert_str_eq(a.event->source, w->source);
	if (w->log != NULL)
		ck_assert_str_eq(a.event->log, w->log);
	if (w->description != NULL && w->description[0] == '\0')
		ck_assert_ptr_null(a.event->description);
	else if (w->description != NULL)
		ck_assert_str_eq(a.event->description, w->description);
	ck_assert_uint_eq(a.event->n_extra, w->n_extra);
	if (w->field != NULL) {
		char buf[256];

		snprintf(buf, sizeof(buf), "%s=%s", a.event->extra[0].name,
			 a.event->extra[0].value);
		ck_assert_str_eq(buf, w->field);
	}
	evc_args_done(&a);
}
END_TEST

START_TEST(test_too_many_fields)
{
	char *argv[4 + 2 * (EVENT_EXTRA_MAX + 1)];
	char names[EVENT_EXTRA_MAX + 1][16];
	struct evc_args a;
	_cleanup_(freep) char *msg = NULL;
	int argc = 0;

	argv[argc++] = (char *)"evcreate";
	argv[argc++] = (char *)"-i1";
	argv[argc++] = (char *)"-dx";
	for (int i = 0; i <= EVENT_EXTRA_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "F%d=v", i);
		argv[argc++] = (char *)"-f";
		argv[argc++] = names[i];
	}
	argv[argc] = NULL;
	ck_assert_int_eq(evc_args_parse(argc, argv, &a, &msg),
			 EVC_EXIT_INVALID);
	ck_assert_str_eq(msg, "too many fields: at most 64");
	/* One fewer is fine. */
	free(TAKE_PTR(msg));
	argc -= 2;
	argv[argc] = NULL;
	ck_assert_int_eq(evc_args_parse(argc, argv, &a, &msg), EVC_EXIT_OK);
	ck_assert_uint_eq(a.event->n_extra, EVENT_EXTRA_MAX);
	evc_args_done(&a);
}
END_TEST

START_TEST(test_long_values)
{
	static char big[EVENT_DESCRIPTION_MAX + 2];
	char *argv[] = { (char *)"evcreate", (char *)"-i", (char *)"1",
			 (char *)"-d", big, NULL };
	struct evc_args a;
	_cleanup_(freep) char *msg = NULL;

	memset(big, 'x', EVENT_DESCRIPTION_MAX + 1);
	ck_assert_int_eq(evc_args_parse(5, argv, &a, &msg), EVC_EXIT_INVALID);
	/* The message quotes the start of it, and gives the sizes. */
	ck_assert_ptr_nonnull(strstr(msg, "xxx...': 32769 bytes, at most "
				     "32768"));
	ck_assert_uint_lt(strlen(msg), 200);
	free(TAKE_PTR(msg));
	big[EVENT_DESCRIPTION_MAX] = '\0';
	ck_assert_int_eq(evc_args_parse(5, argv, &a, &msg), EVC_EXIT_OK);
	evc_args_done(&a);
}
END_TEST

static const struct {
	const char *in, *out;
} quote_cases[] = {
	{ "plain", "plain" },
	{ "it's", "it\\'s" },
	{ "a\\b", "a\\\\b" },
	{ "tab\there", "tab\\x09here" },
	{ "esc\x1b[31m", "esc\\x1b[31m" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "bad\xc3", "bad\\xc3" },
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
	{ "0123456789012345678901234567890123456789012345678901234567890123"
	  "4", "0123456789012345678901234567890123456789012345678901234567890123"
	  "..." },
};

START_TEST(test_quote)
{
	char buf[EVC_QUOTE_MAX];

	ck_assert_str_eq(evc_quote(quote_cases[_i].in, buf),
			 quote_cases[_i].out);
}
END_TEST

START_TEST(test_quote_worst_case)
{
	char in[EVC_QUOTE_SHOWN * 2], buf[EVC_QUOTE_MAX];

	memset(in, 0xff, sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	evc_quote(in, buf);
	ck_assert_uint_eq(strlen(buf), EVC_QUOTE_SHOWN * 4 + 3);
}
END_TEST

/* Batch lines, against defaults from "-s Def -l System -f HOST=h1". */
static const struct {
	const char *line;
	int code;
	const char *msg;
	bool skip;
	enum event_type type;
	unsigned id;
	const char *source, *log, *description;
	size_t n_extra;
	const char *extra;              /* "NAME=VALUE,NAME=VALUE" in order */
} line_cases[] = {
	{ "", EVC_EXIT_OK, NULL, true },
	{ "   \t ", EVC_EXIT_OK, NULL, true },
	{ "# a comment id=0", EVC_EXIT_OK, NULL, true },
	{ "  # indented comment", EVC_EXIT_OK, NULL, true },
	{ "id=777 description=ready", EVC_EXIT_OK, NULL, false,
	  EVENT_INFORMATION, 777, "Def", "System", "ready", 1, "HOST=h1" },
	{ "type=warning id=777 source=John log=application "
	  "description=\"VDC Ready for compaction\" VM=vdc",
	  EVC_EXIT_OK, NULL, false, EVENT_WARNING, 777, "John",
	  "Application", "VDC Ready for compaction", 2, "VM=vdc,HOST=h1" },
	{ "id=1 description=x HOST=h2", EVC_EXIT_OK, NULL, false,
	  EVENT_INFORMATION, 1, "Def", "System", "x", 1, "HOST=h2" },
	{ "\"description=a \\\"quoted\\\" word\" id=2 EMPTY=", EVC_EXIT_OK,
	  NULL, false, EVENT_INFORMATION, 2, "Def", "System",
	  "a \"quoted\" word", 2, "EMPTY=,HOST=h1" },
	{ "id=3 description=a=b", EVC_EXIT_OK, NULL, false, EVENT_INFORMATION,
	  3, "Def", "System", "a=b", 1, "HOST=h1" },
	{ "id=0 description=x", EVC_EXIT_INVALID,
	  "invalid event id '0': must be 1..65535" },
	{ "id=70000 description=x", EVC_EXIT_INVALID,
	  "invalid event id '70000': must be 1..65535" },
	{ "type=fatal id=1 description=x", EVC_EXIT_INVALID,
	  "invalid event type 'fatal': must be ERROR, WARNING, INFORMATION or "
	  "SUCCESS" },
	{ "id=1", EVC_EXIT_INVALID, "no description given (description=TEXT)" },
	{ "description=x", EVC_EXIT_INVALID, "no event id given (id=N)" },
	{ "id=1 description=", EVC_EXIT_INVALID,
	  "invalid description '': must not be empty" },
	{ "id=1 id=2 description=x", EVC_EXIT_INVALID, "key id given twice" },
	{ "id=1 description=x VM=a VM=b", EVC_EXIT_INVALID,
	  "field VM given twice" },
	{ "id=1 description=x ready", EVC_EXIT_INVALID,
	  "invalid word 'ready': must be KEY=VALUE" },
	{ "id=1 description=x =v", EVC_EXIT_INVALID,
	  "invalid word '=v': must be KEY=VALUE" },
	{ "id=1 description=\"open", EVC_EXIT_INVALID,
	  "unterminated double quote" },
	{ "Id=1 description=x", EVC_EXIT_USAGE,
	  "unknown key 'Id': must be type, id, source, log, description or an "
	  "upper-case field name" },
	{ "id=1 description=x color=red", EVC_EXIT_USAGE,
	  "unknown key 'color': must be type, id, source, log, description or "
	  "an upper-case field name" },
	{ "id=1 description=x 9LIVES=1", EVC_EXIT_INVALID,
	  "invalid field name '9LIVES': must be 1..64 of A-Z, 0-9 and '_', not "
	  "starting with a digit or '_'" },
	{ "id=1 description=x MESSAGE=y", EVC_EXIT_INVALID,
	  "reserved field name 'MESSAGE': not allowed as an extra field" },
	/* uuid and time travel only with an event sent to a host. */
	{ "id=1 description=x uuid=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c",
	  EVC_EXIT_INVALID, "key uuid: only for an event sent to a host "
	  "(--channel), not for a local one" },
	{ "id=1 description=x time=2026-12-01T15:31:37Z", EVC_EXIT_INVALID,
	  "key time: only for an event sent to a host (--channel), not for a "
	  "local one" },
	{ "id=1 description=x uuid=bad", EVC_EXIT_INVALID,
	  "invalid uuid 'bad': must be 8-4-4-4-12 hex digits" },
	{ "id=1 description=x EVENT_UUID=y", EVC_EXIT_INVALID,
	  "reserved field name 'EVENT_UUID': not allowed as an extra field" },
	{ "id=1 description=x source=\"a b\"", EVC_EXIT_INVALID,
	  "invalid source 'a b': must be printable ASCII without spaces" },
	{ "id=1 description=\xc0\x80", EVC_EXIT_INVALID,
	  "invalid description '\\xc0\\x80': not valid UTF-8" },
};

START_TEST(test_batch_line)
{
	char *argv[] = { (char *)"evcreate", (char *)"--batch", (char *)"-",
			 (char *)"-s", (char *)"Def", (char *)"-l",
			 (char *)"System", (char *)"-f", (char *)"HOST=h1",
			 NULL };
	static struct event sentinel;
	struct evc_args a;
	_cleanup_(event_freep) struct event *e = NULL;
	_cleanup_(freep) char *msg = NULL;
	struct event *out = &sentinel;
	char got[512] = "";
	int code;

	ck_assert_int_eq(evc_args_parse(9, argv, &a, &msg), EVC_EXIT_OK);
	code = evc_batch_parse_line(line_cases[_i].line, a.event, &out, &msg);
	evc_args_done(&a);
	ck_assert_msg(code == line_cases[_i].code, "'%s': code %d (%s)",
		      line_cases[_i].line, code, msg ? msg : "");
	if (code != EVC_EXIT_OK) {
		/* *ret untouched on failure. */
		ck_assert_ptr_eq(out, &sentinel);
		ck_assert_str_eq(msg, line_cases[_i].msg);
		return;
	}
	e = out;
	if (line_cases[_i].skip) {
		ck_assert_ptr_null(e);
		return;
	}
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->type, line_cases[_i].type);
	ck_assert_uint_eq(e->id, line_cases[_i].id);
	ck_assert_str_eq(e->source, line_cases[_i].source);
	ck_assert_str_eq(e->log, line_cases[_i].log);
	ck_assert_str_eq(e->description, line_cases[_i].description);
	ck_assert_uint_eq(e->n_extra, line_cases[_i].n_extra);
	for (size_t i = 0; i < e->n_extra; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s=%s",
			 i ? "," : "", e->extra[i].name, e->extra[i].value);
	ck_assert_str_eq(got, line_cases[_i].extra);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("evcreate_args");
	TCase *tc = tcase_create("args");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_args, 0, ELEMENTSOF(cases));
	tcase_add_test(tc, test_too_many_fields);
	tcase_add_test(tc, test_long_values);
	tcase_add_loop_test(tc, test_quote, 0, ELEMENTSOF(quote_cases));
	tcase_add_test(tc, test_quote_worst_case);
	tcase_add_loop_test(tc, test_batch_line, 0, ELEMENTSOF(line_cases));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
