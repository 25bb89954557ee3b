/* evcreate's command line, in both syntaxes (see args.h). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "options.h"
#include "quote.h"

/* What the command line gave, before any of it is validated: both syntaxes
 * fill this, then one function checks it in a fixed order. */
struct raw_args {
	const char *value[5];           /* indexed by enum raw_key */
	const char **fields;
	size_t n_fields;
	bool channel, timeout, uuid;    /* --channel, --timeout, --uuid given */
};

enum raw_key { RAW_TYPE, RAW_ID, RAW_SOURCE, RAW_LOG, RAW_DESCRIPTION };

static int ec_lookup(const char *s);

static const char *const raw_key_names[] = {
	[RAW_TYPE] = "type",
	[RAW_ID] = "id",
	[RAW_SOURCE] = "source",
	[RAW_LOG] = "log",
	[RAW_DESCRIPTION] = "description",
};

static int _printf_(3, 4)
fail(int code, char **ret_msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_msg, fmt, ap) < 0)
		*ret_msg = NULL;
	va_end(ap);
	return code;
}

int
evc_set_value(struct event *e, const char *key, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	unsigned id;
	enum event_type type;
	int r;

	if (streq(key, "type")) {
		if (event_parse_type(s, &type) < 0)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid event type '%s': must be ERROR, "
				    "WARNING, INFORMATION or SUCCESS",
				    evc_quote(s, q));
		e->type = type;
		return EVC_EXIT_OK;
	}
	if (streq(key, "id")) {
		if (event_parse_id(s, &id) < 0)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid event id '%s': must be %d..%d",
				    evc_quote(s, q), EVENT_ID_MIN, EVENT_ID_MAX);
		e->id = id;
		return EVC_EXIT_OK;
	}
	if (streq(key, "source")) {
		r = event_set_source(e, s);
		if (r == -E2BIG)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid source '%s': longer than %d bytes",
				    evc_quote(s, q), EVENT_SOURCE_MAX);
		if (r == -EINVAL)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid source '%s': must be printable "
				    "ASCII without spaces", evc_quote(s, q));
	} else if (streq(key, "log")) {
		r = event_set_log(e, s);
		if (r == -E2BIG)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid log '%s': longer than %d bytes",
				    evc_quote(s, q), EVENT_LOG_MAX);
		if (r == -EINVAL)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid log '%s': must be printable ASCII "
				    "without spaces, '=', ']' or '\"'",
				    evc_quote(s, q));
	} else if (streq(key, "description")) {
		r = event_set_description(e, s);
		if (r == -E2BIG)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid description '%s': %zu bytes, at "
				    "most %d", evc_quote(s, q), strlen(s),
				    EVENT_DESCRIPTION_MAX);
		if (r == -EINVAL)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid description '': must not be empty");
		if (r == -EILSEQ)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "invalid description '%s': not valid UTF-8",
				    evc_quote(s, q));
	} else
		return fail(EVC_EXIT_USAGE, ret_msg,
			    "unknown key '%s': must be type, id, source, log, "
			    "description or an upper-case field name",
			    evc_quote(key, q));
	if (r < 0)
		return fail(EVC_EXIT_WRITE, ret_msg, "cannot set %s: %s", key,
			    event_strerror(r));
	return EVC_EXIT_OK;
}

int
evc_add_field(struct event *e, const char *assignment, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	_cleanup_(freep) char *name = NULL;
	const char *eq = strchr(assignment, '='), *value;
	int r;

	if (eq == NULL)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "invalid field '%s': must be NAME=VALUE",
			    evc_quote(assignment, q));
	name = strndup(assignment, (size_t)(eq - assignment));
	if (name == NULL)
		return fail(EVC_EXIT_WRITE, ret_msg, "out of memory");
	value = eq + 1;
	if (event_check_field_name(name) < 0)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "invalid field name '%s': must be 1..%d of A-Z, "
			    "0-9 and '_', not starting with a digit or '_'",
			    evc_quote(name, q), EVENT_FIELD_NAME_MAX);
	if (event_field_is_reserved(name))
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "reserved field name '%s': not allowed as an extra "
			    "field", name);
	r = event_check_field_value(value);
	if (r == -E2BIG)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "invalid value of field %s: %zu bytes, at most %d",
			    name, strlen(value), EVENT_FIELD_VALUE_MAX);
	if (r == -EILSEQ)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "invalid value of field %s '%s': not valid UTF-8",
			    name, evc_quote(value, q));
	r = event_add_field(e, name, value);
	if (r == -EEXIST)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "field %s given twice", name);
	if (r == -E2BIG)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "too many fields: at most %d", EVENT_EXTRA_MAX);
	if (r < 0)
		return fail(EVC_EXIT_WRITE, ret_msg, "cannot add field %s: %s",
			    name, event_strerror(r));
	return EVC_EXIT_OK;
}

int
evc_uuid_normalize(const char *s, char ret[EVC_UUID_LEN + 1])
{
	char out[EVC_UUID_LEN + 1];

	if (strlen(s) != EVC_UUID_LEN)
		return -EINVAL;
	for (size_t i = 0; i < EVC_UUID_LEN; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return -EINVAL;
		} else if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EINVAL;
		out[i] = c;
	}
	out[EVC_UUID_LEN] = '\0';
	memcpy(ret, out, sizeof(out));
	return 0;
}

/* The values of --channel[=DEV], --timeout and --uuid, in either syntax.
 * value NULL for --channel means the default device. */
static int
set_channel_option(struct evc_args *a, struct raw_args *raw, const char *name,
		   const char *value, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	uint64_t usec;
	bool *given = streq(name, "channel") ? &raw->channel
		      : streq(name, "timeout") ? &raw->timeout : &raw->uuid;

	if (*given)
		return fail(EVC_EXIT_USAGE, ret_msg,
			    "option '--%s' given twice", name);
	*given = true;
	if (streq(name, "channel")) {
		if (value != NULL && value[0] == '\0')
			return fail(EVC_EXIT_USAGE, ret_msg,
				    "invalid channel device '': must not be "
				    "empty");
		a->channel_path = value != NULL ? value : EVC_CHANNEL_DEVICE;
	} else if (streq(name, "timeout")) {
		if (parse_duration(value, &usec) < 0 || usec == 0)
			return fail(EVC_EXIT_USAGE, ret_msg,
				    "invalid timeout '%s': must be seconds, or "
				    "a duration such as 500ms or 2m, more than 0",
				    evc_quote(value, q));
		a->timeout_usec = usec;
	} else if (evc_uuid_normalize(value, a->uuid) < 0)
		return fail(EVC_EXIT_USAGE, ret_msg,
			    "invalid uuid '%s': must be 8-4-4-4-12 hexadecimal "
			    "digits", evc_quote(value, q));
	return EVC_EXIT_OK;
}

/* How many arguments from argv[i] on a channel option takes in the
 * eventcreate syntax (0: argv[i] is none): --channel, --channel=DEV,
 * --timeout S, --timeout=S, --uuid U, --uuid=U. *ret_name and *ret_value
 * (NULL if missing) say what it is. */
static int
channel_option_at(int argc, char *argv[], int i, const char **ret_name,
		  const char **ret_value)
{
	static const char *const names[] = { "channel", "timeout", "uuid" };
	const char *arg = argv[i];

	if (strncmp(arg, "--", 2) != 0)
		return 0;
	for (size_t k = 0; k < ELEMENTSOF(names); k++) {
		size_t len = strlen(names[k]);

		if (strncmp(arg + 2, names[k], len) != 0)
			continue;
		*ret_name = names[k];
		if (arg[2 + len] == '=') {
			*ret_value = arg + 3 + len;
			return 1;
		}
		if (arg[2 + len] != '\0')
			continue;
		if (k == 0) {
			*ret_value = NULL;
			return 1;
		}
		*ret_value = i + 1 < argc ? argv[i + 1] : NULL;
		return 2;
	}
	return 0;
}

/* Checks and applies what the command line gave to a new event. */
static int
raw_apply(const struct raw_args *raw, bool need_complete, struct event **ret,
	  char **ret_msg)
{
	_cleanup_(event_freep) struct event *e = NULL;
	int code;

	e = event_new();
	if (e == NULL)
		return fail(EVC_EXIT_WRITE, ret_msg, "out of memory");
	for (size_t k = 0; k < ELEMENTSOF(raw->value); k++) {
		if (raw->value[k] == NULL)
			continue;
		code = evc_set_value(e, raw_key_names[k], raw->value[k],
				     ret_msg);
		if (code != EVC_EXIT_OK)
			return code;
	}
	for (size_t i = 0; i < raw->n_fields; i++) {
		code = evc_add_field(e, raw->fields[i], ret_msg);
		if (code != EVC_EXIT_OK)
			return code;
	}
	if (e->source == NULL && event_set_source(e, EVC_DEFAULT_SOURCE) < 0)
		return fail(EVC_EXIT_WRITE, ret_msg, "out of memory");
	if (need_complete && e->id == 0)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "no event id given (--id or /ID)");
	if (need_complete && e->description == NULL)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "no description given (--description or /D)");
	*ret = TAKE_PTR(e);
	return EVC_EXIT_OK;
}

static int
raw_push_field(struct raw_args *raw, const char *s)
{
	const char **v = reallocarray(raw->fields, raw->n_fields + 1,
				      sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	v[raw->n_fields++] = s;
	raw->fields = v;
	return 0;
}

enum {
	OPT_TARGET = 0x100,
	OPT_SYSLOG_FORMAT,
	OPT_SOCKET,
	OPT_CHANNEL,
	OPT_TIMEOUT,
	OPT_UUID,
};

static const struct option gnu_options[] = {
	{ "type", required_argument, NULL, 't' },
	{ "id", required_argument, NULL, 'i' },
	{ "source", required_argument, NULL, 's' },
	{ "log", required_argument, NULL, 'l' },
	{ "description", required_argument, NULL, 'd' },
	{ "field", required_argument, NULL, 'f' },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "syslog-format", required_argument, NULL, OPT_SYSLOG_FORMAT },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "batch", required_argument, NULL, 'b' },
	{ "channel", optional_argument, NULL, OPT_CHANNEL },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "uuid", required_argument, NULL, OPT_UUID },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The name of the option getopt just handled (or failed on), for messages. */
static const char *
gnu_option_name(int c, char *const argv[], int longindex, char *buf,
		size_t size)
{
	if (longindex >= 0)
		snprintf(buf, size, "--%s", gnu_options[longindex].name);
	else if (c > 0 && c < 0x100)
		snprintf(buf, size, "-%c", c);
	else
		snprintf(buf, size, "%s", argv[optind - 1]);
	return buf;
}

/* getopt_long says '?' both for an unknown long option and for a prefix
 * of several ("--so": --source, --socket); tell them apart. */
static int
unknown_long_option(const char *arg, char **ret_msg)
{
	char q[EVC_QUOTE_MAX], names[256] = "";
	const char *p = arg + 2;
	size_t len = strcspn(p, "="), n = 0;

	for (size_t i = 0; gnu_options[i].name != NULL; i++)
		if (strncmp(gnu_options[i].name, p, len) == 0) {
			size_t used = strlen(names);

			snprintf(names + used, sizeof(names) - used, "%s--%s",
				 n++ ? ", " : "", gnu_options[i].name);
		}
	if (strncmp(arg, "--", 2) == 0 && len > 0 && n > 1)
		return fail(EVC_EXIT_USAGE, ret_msg,
			    "ambiguous option '%s': %s", evc_quote(arg, q),
			    names);
	return fail(EVC_EXIT_USAGE, ret_msg, "unknown option '%s'",
		    evc_quote(arg, q));
}

static int
parse_gnu(int argc, char *argv[], struct evc_args *a, struct raw_args *raw,
	  char **ret_msg)
{
	char q[EVC_QUOTE_MAX], name[64];
	bool seen[0x200] = { false };
	bool target_given = false, format_given = false;
	int c, longindex, code;

	optind = 0;
	opterr = 0;
	for (;;) {
		const char **slot = NULL;

		longindex = -1;
		c = getopt_long(argc, argv, ":t:i:s:l:d:f:b:hV", gnu_options,
				&longindex);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt != 0)
				return fail(EVC_EXIT_USAGE, ret_msg,
					    "unknown option '-%c'", optopt);
			return unknown_long_option(argv[optind - 1], ret_msg);
		}
		if (c == ':')
			return fail(EVC_EXIT_USAGE, ret_msg,
				    "option '%s' needs a value",
				    evc_quote(argv[optind - 1], q));
		if (c != 'f' && seen[c])
			return fail(EVC_EXIT_USAGE, ret_msg,
				    "option '%s' given twice",
				    gnu_option_name(c, argv, longindex, name,
						    sizeof(name)));
		seen[c] = true;
		switch (c) {
		case 't': slot = &raw->value[RAW_TYPE]; break;
		case 'i': slot = &raw->value[RAW_ID]; break;
		case 's': slot = &raw->value[RAW_SOURCE]; break;
		case 'l': slot = &raw->value[RAW_LOG]; break;
		case 'd': slot = &raw->value[RAW_DESCRIPTION]; break;
		case 'f':
			if (raw_push_field(raw, optarg) < 0)
				return fail(EVC_EXIT_WRITE, ret_msg,
					    "out of memory");
			break;
		case 'b':
			a->action = EVC_BATCH;
			a->batch_path = optarg;
			break;
		case 'h':
			a->action = EVC_HELP;
			return EVC_EXIT_OK;
		case 'V':
			a->action = EVC_VERSION;
			return EVC_EXIT_OK;
		case OPT_TARGET:
			target_given = true;
			if (strcaseeq(optarg, "journal"))
				a->target = EVC_TARGET_JOURNAL;
			else if (strcaseeq(optarg, "syslog"))
				a->target = EVC_TARGET_SYSLOG;
			else
				return fail(EVC_EXIT_USAGE, ret_msg,
					    "invalid target '%s': must be "
					    "journal or syslog",
					    evc_quote(optarg, q));
			break;
		case OPT_SYSLOG_FORMAT:
			format_given = true;
			if (strcaseeq(optarg, "rfc5424"))
				a->syslog_format = SYSLOG_RFC5424;
			else if (strcaseeq(optarg, "rfc3164"))
				a->syslog_format = SYSLOG_RFC3164;
			else
				return fail(EVC_EXIT_USAGE, ret_msg,
					    "invalid syslog format '%s': must "
					    "be rfc5424 or rfc3164",
					    evc_quote(optarg, q));
			break;
		case OPT_SOCKET:
			if (optarg[0] == '\0')
				return fail(EVC_EXIT_USAGE, ret_msg,
					    "invalid socket path '': must not "
					    "be empty");
			a->socket_path = optarg;
			break;
		case OPT_CHANNEL:
		case OPT_TIMEOUT:
		case OPT_UUID:
			code = set_channel_option(
				a, raw, gnu_options[longindex].name, optarg,
				ret_msg);
			if (code != EVC_EXIT_OK)
				return code;
			break;
		}
		if (slot != NULL)
			*slot = optarg;
	}
	if (optind < argc && raw->channel && argv[optind][0] == '/' &&
	    ec_lookup(argv[optind]) < 0)
		return fail(EVC_EXIT_USAGE, ret_msg,
			    "unexpected argument '%s': give the device as "
			    "--channel=DEV", evc_quote(argv[optind], q));
	if (optind < argc)
		return fail(EVC_EXIT_USAGE, ret_msg,
			    "unexpected argument '%s'%s",
			    evc_quote(argv[optind], q),
			    argv[optind][0] == '/'
				    ? ": eventcreate switches (/T, /ID, ...) "
				      "cannot be mixed with --options"
				    : "");
	if (raw->channel && (target_given || seen[OPT_SOCKET] || format_given))
		return fail(EVC_EXIT_USAGE, ret_msg,
			    "option --channel cannot be combined with "
			    "--target, --socket or --syslog-format");
	/* --socket and --syslog-format choose syslog unless told otherwise. */
	if ((seen[OPT_SOCKET] || format_given) && !target_given)
		a->target = EVC_TARGET_SYSLOG;
	if ((seen[OPT_SOCKET] || format_given) &&
	    a->target == EVC_TARGET_JOURNAL)
		return fail(EVC_EXIT_USAGE, ret_msg,
			    "options --socket and --syslog-format apply to "
			    "--target syslog only");
	return EVC_EXIT_OK;
}

/* Windows eventcreate's switches. Values follow as the next argument. */
enum ec_switch { EC_T, EC_ID, EC_SO, EC_L, EC_D, EC_S, EC_U, EC_P, EC_HELP };

static const char *const ec_names[] = {
	[EC_T] = "/T", [EC_ID] = "/ID", [EC_SO] = "/SO", [EC_L] = "/L",
	[EC_D] = "/D", [EC_S] = "/S", [EC_U] = "/U", [EC_P] = "/P",
	[EC_HELP] = "/?",
};

static int
ec_lookup(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(ec_names); i++)
		if (strcaseeq(s, ec_names[i]))
			return (int)i;
	return -1;
}

static int
parse_eventcreate(int argc, char *argv[], struct evc_args *a,
		  struct raw_args *raw, char **ret_msg)
{
	static const enum raw_key keys[] = {
		[EC_T] = RAW_TYPE, [EC_ID] = RAW_ID, [EC_SO] = RAW_SOURCE,
		[EC_L] = RAW_LOG, [EC_D] = RAW_DESCRIPTION,
	};
	char q[EVC_QUOTE_MAX];
	bool remote = false;
	int i;

	/* /S /U /P anywhere make the whole line unsupported, whatever else
	 * is wrong with it: that is the one thing to fix first. */
	for (i = 1; i < argc; i++) {
		int sw = ec_lookup(argv[i]);

		if (sw == EC_S || sw == EC_U || sw == EC_P)
			remote = true;
		if (sw == EC_HELP) {
			a->action = EVC_HELP;
			return EVC_EXIT_OK;
		}
	}
	if (remote)
		return fail(EVC_EXIT_UNSUPPORTED, ret_msg,
			    "remote systems (/S, /U, /P) are not supported "
			    "yet: evcreate writes to the local journal or "
			    "syslog only");
	for (i = 1; i < argc; i++) {
		int sw = ec_lookup(argv[i]), n, code;
		const char *name, *value;

		n = channel_option_at(argc, argv, i, &name, &value);
		if (n == 2 && value == NULL)
			return fail(EVC_EXIT_USAGE, ret_msg,
				    "option '--%s' needs a value", name);
		if (n > 0) {
			code = set_channel_option(a, raw, name, value,
						  ret_msg);
			if (code != EVC_EXIT_OK)
				return code;
			i += n - 1;
			continue;
		}
		if (sw < 0)
			return fail(EVC_EXIT_USAGE, ret_msg,
				    "unknown switch '%s': must be /T, /ID, "
				    "/SO, /L, /D or /?",
				    evc_quote(argv[i], q));
		if (i + 1 >= argc)
			return fail(EVC_EXIT_USAGE, ret_msg,
				    "switch %s needs a value", ec_names[sw]);
		if (raw->value[keys[sw]] != NULL)
			return fail(EVC_EXIT_USAGE, ret_msg,
				    "switch %s given twice", ec_names[sw]);
		raw->value[keys[sw]] = argv[++i];
	}
	return EVC_EXIT_OK;
}

/* eventcreate syntax when the first argument, after any channel options,
 * is one of its switches. */
static bool
is_eventcreate_syntax(int argc, char *argv[])
{
	const char *name, *value;
	int i = 1, n;

	while (i < argc && (n = channel_option_at(argc, argv, i, &name,
						  &value)) > 0)
		i += n;
	return i < argc && argv[i][0] == '/' && ec_lookup(argv[i]) >= 0;
}

void
evc_args_done(struct evc_args *a)
{
	event_free(a->event);
	a->event = NULL;
}

int
evc_args_parse(int argc, char *argv[], struct evc_args *ret, char **ret_msg)
{
	struct evc_args a = {
		.action = EVC_WRITE,
		.target = EVC_TARGET_AUTO,
		.syslog_format = SYSLOG_RFC3164,
		.timeout_usec = EVC_CHANNEL_TIMEOUT_USEC,
	};
	struct raw_args raw = { .value = { NULL } };
	int code;

	if (argc < 2) {
		code = fail(EVC_EXIT_USAGE, ret_msg,
			    "no event given: see 'evcreate --help'");
		goto out;
	}
	if (is_eventcreate_syntax(argc, argv)) {
		a.syntax = EVC_SYNTAX_EVENTCREATE;
		code = parse_eventcreate(argc, argv, &a, &raw, ret_msg);
	} else {
		a.syntax = EVC_SYNTAX_GNU;
		code = parse_gnu(argc, argv, &a, &raw, ret_msg);
	}
	if (code != EVC_EXIT_OK)
		goto out;
	if (a.action == EVC_WRITE || a.action == EVC_BATCH) {
		code = EVC_EXIT_USAGE;
		if ((raw.timeout || raw.uuid) && !raw.channel) {
			fail(code, ret_msg, "options --timeout and --uuid "
			     "apply to --channel only");
			goto out;
		}
		if (raw.channel && a.action == EVC_BATCH) {
			fail(code, ret_msg, "options --channel and --batch "
			     "cannot be combined: --channel sends one event");
			goto out;
		}
		if (raw.channel)
			a.target = EVC_TARGET_CHANNEL;
		code = raw_apply(&raw, a.action == EVC_WRITE, &a.event,
				 ret_msg);
		if (code != EVC_EXIT_OK)
			goto out;
	}
	*ret = a;
out:
	free(raw.fields);
	return code;
}

void
evc_usage(FILE *f)
{
	fputs(
"usage: evcreate [OPTION]... --id ID --description TEXT\n"
"       evcreate [OPTION]... --batch FILE\n"
"       evcreate /T TYPE /ID ID [/SO SOURCE] [/L LOG] /D TEXT\n"
"       evcreate --channel[=DEV] [--timeout S] [--uuid U] EVENT (either syntax)\n"
"\n"
"Write a typed event (Windows eventcreate's fields) to the journal or syslog,\n"
"or, inside a VM, send it to the host's journal through a virtio-serial port.\n"
"\n"
"event:\n"
"  -t, --type TYPE         ERROR, WARNING, INFORMATION or SUCCESS, any case\n"
"                          (default INFORMATION)\n"
"  -i, --id ID             event id, 1..65535\n"
"  -s, --source NAME       source, also the syslog identifier (default "
EVC_DEFAULT_SOURCE ")\n"
"  -l, --log NAME          Application, System or another name\n"
"                          (default Application)\n"
"  -d, --description TEXT  the message\n"
"  -f, --field NAME=VALUE  an extra journal field; NAME is A-Z, 0-9, _\n"
"                          (repeatable)\n"
"\n"
"where to:\n"
"      --target journal|syslog\n"
"                          default: journal if /run/systemd/journal/socket\n"
"                          exists, else syslog\n"
"      --syslog-format rfc5424|rfc3164\n"
"                          message format for syslog (default rfc3164, the\n"
"                          form stock syslog daemons read on a local socket)\n"
"      --socket PATH       syslog socket (default " SYSLOG_SOCKET ")\n"
"                          --socket and --syslog-format imply --target syslog\n"
"      --channel[=DEV]     inside a VM: send the event to the host through the\n"
"                          virtio-serial port DEV (default\n"
"                          " EVC_CHANNEL_DEVICE ")\n"
"                          and wait until the host has it in its journal\n"
"      --timeout S         --channel: give up after S seconds (or 500ms, 2m;\n"
"                          default 30), resending until then\n"
"      --uuid U            --channel: the event's uuid (default: a new one);\n"
"                          a resend with the same uuid is stored only once\n"
"\n"
"many events:\n"
"  -b, --batch FILE        one event per line of FILE ('-': standard input),\n"
"                          written over one connection; the event options\n"
"                          above are defaults for every line. A line is\n"
"                          KEY=VALUE words, \"double quotes\" keep spaces:\n"
"                            type=warning id=777 source=John "
"description=\"VDC ready\" VM=vdc\n"
"                          lower-case keys are the event's values, upper-case\n"
"                          ones extra fields; blank lines and # comments are\n"
"                          skipped. Bad lines are reported as FILE:LINE and\n"
"                          skipped; the others are written.\n"
"\n"
"  -h, --help              this text\n"
"  -V, --version           the version\n"
"\n"
"eventcreate syntax (switches in any case): /T type, /ID id, /SO source,\n"
"/L log, /D description, /? help; --channel, --timeout and --uuid may be\n"
"added. /S, /U and /P (remote system) are not supported yet.\n"
"\n"
"exit status: 0 written, 1 write failed, 2 usage, 3 invalid event (nothing\n"
"written), 4 target unavailable, 5 some batch lines failed, 6 not supported,\n"
"7 no answer from the host within --timeout (resend with the same --uuid),\n"
"8 the host refused the event.\n"
"See evcreate(1).\n", f);
}
