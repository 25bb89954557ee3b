/* evcreate's command line, in both syntaxes (see args.h). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errmsg.h"
#include "args.h"
#include "eventline.h"
#include "options.h"
#include "quote.h"

/* The options of sending to a host (remote_opts below). */
enum remote_opt {
	RO_CHANNEL, RO_TIMEOUT, RO_UUID, RO_SERVER, RO_CERT, RO_KEY, RO_CA,
	RO_PSK_IDENTITY, RO_PSK_FILE, RO_SPOOL, RO_FLUSH, RO_NO_ANSWER, RO_N
};

/* What the command line gave, before any of it is validated: both syntaxes
 * fill this, then one function checks it in a fixed order. */
struct raw_args {
	const char *value[5];           /* indexed by enum raw_key */
	const char **fields;
	size_t n_fields;
	bool given[RO_N];               /* the options of remote_opts */
	bool target;            /* --target, --socket or --syslog-format */
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

/* The exit code for what eventline_set_value or eventline_add_field
 * returned. */
static int
eventline_code(int r)
{
	switch (r) {
	case 0:
		return EVC_EXIT_OK;
	case -EINVAL:
	case -EPERM:
		return EVC_EXIT_INVALID;
	case -ENOKEY:
		return EVC_EXIT_USAGE;
	default:
		return EVC_EXIT_WRITE;
	}
}

int
evc_set_value(struct event *e, const char *key, const char *s, char **ret_msg)
{
	struct eventline_meta meta = {};

	return eventline_code(eventline_set_value(e, &meta, key, s, ret_msg));
}

int
evc_add_field(struct event *e, const char *assignment, char **ret_msg)
{
	return eventline_code(eventline_add_field(e, assignment, ret_msg));
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

/* The options of sending to a host, in either syntax: the eventcreate
 * syntax takes those marked so anywhere on its line (/S, /U and /P stand
 * for --server, --psk-identity and --psk-file there). */

enum ro_arg { RO_ARG_NONE, RO_ARG_REQUIRED, RO_ARG_ATTACHED };

static const struct {
	const char *name;
	enum ro_arg arg;
	bool eventcreate;
} remote_opts[RO_N] = {
	[RO_CHANNEL] = { "channel", RO_ARG_ATTACHED, true },
	[RO_TIMEOUT] = { "timeout", RO_ARG_REQUIRED, true },
	[RO_UUID] = { "uuid", RO_ARG_REQUIRED, true },
	[RO_SERVER] = { "server", RO_ARG_REQUIRED, false },
	[RO_CERT] = { "cert", RO_ARG_REQUIRED, true },
	[RO_KEY] = { "key", RO_ARG_REQUIRED, true },
	[RO_CA] = { "ca", RO_ARG_REQUIRED, true },
	[RO_PSK_IDENTITY] = { "psk-identity", RO_ARG_REQUIRED, false },
	[RO_PSK_FILE] = { "psk-file", RO_ARG_REQUIRED, false },
	[RO_SPOOL] = { "spool", RO_ARG_REQUIRED, true },
	[RO_FLUSH] = { "flush", RO_ARG_NONE, false },
	[RO_NO_ANSWER] = { "no-answer", RO_ARG_NONE, true },
};

int
evc_parse_server(const char *s, char ret_host[EVC_HOST_MAX + 1],
		 char ret_port[6])
{
	const char *host = s, *port = NULL, *colon;
	size_t hlen;
	unsigned long p;
	char *end;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return -EINVAL;
		host = s + 1;
		hlen = (size_t)(close - host);
		if (close[1] == ':')
			port = close + 2;
	} else if ((colon = strchr(s, ':')) != NULL &&
		   strchr(colon + 1, ':') == NULL) {
		hlen = (size_t)(colon - s);
		port = colon + 1;
	} else                          /* a name, or a bare IPv6 address */
		hlen = strlen(s);
	if (hlen == 0 || hlen > EVC_HOST_MAX)
		return -EINVAL;
	for (size_t i = 0; i < hlen; i++)
		if (host[i] <= ' ' || host[i] >= 0x7f || host[i] == '/' ||
		    host[i] == '[' || host[i] == ']')
			return -EINVAL;
	if (port != NULL) {
		if (port[0] < '1' || port[0] > '9')
			return -EINVAL;
		errno = 0;
		p = strtoul(port, &end, 10);
		if (errno != 0 || *end != '\0' || p < 1 || p > 65535)
			return -EINVAL;
	}
	memcpy(ret_host, host, hlen);
	ret_host[hlen] = '\0';
	snprintf(ret_port, 6, "%s", port != NULL ? port : EVC_SERVER_PORT);
	return 0;
}

/* A sender name of the listener's senders file: [A-Za-z0-9._@+-]{1,64}. */
static bool
psk_identity_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EVC_PSK_IDENTITY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr("._@+-", s[i])))
			return false;
	return true;
}

/* The value of one option of remote_opts, in either syntax. value NULL for
 * --channel means the default device. */
static int
set_remote_option(struct evc_args *a, struct raw_args *raw,
		  enum remote_opt k, const char *value, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	const char *name = remote_opts[k].name;
	uint64_t usec;

	if (raw->given[k])
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "option '--%s' given twice", name);
	raw->given[k] = true;
	switch (k) {
	case RO_CHANNEL:
		if (value != NULL && value[0] == '\0')
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "invalid channel device '': must not be "
				    "empty");
		a->channel_path = value != NULL ? value : EVC_CHANNEL_DEVICE;
		break;
	case RO_TIMEOUT:
		if (parse_duration(value, &usec) < 0 || usec == 0)
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "invalid timeout '%s': must be seconds, or "
				    "a duration such as 500ms or 2m, more than 0",
				    evc_quote(value, q));
		a->timeout_usec = usec;
		break;
	case RO_UUID:
		if (evc_uuid_normalize(value, a->uuid) < 0)
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "invalid uuid '%s': must be 8-4-4-4-12 "
				    "hexadecimal digits", evc_quote(value, q));
		break;
	case RO_SERVER:
		if (evc_parse_server(value, a->server_host, a->server_port) < 0)
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "invalid server '%s': must be HOST, "
				    "HOST:PORT or [ADDRESS]:PORT, port "
				    "1..65535", evc_quote(value, q));
		break;
	case RO_PSK_IDENTITY:
		if (!psk_identity_valid(value))
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "invalid PSK identity '%s': must be 1..%d "
				    "of A-Z, a-z, 0-9, '.', '_', '@', '+' and "
				    "'-'", evc_quote(value, q),
				    EVC_PSK_IDENTITY_MAX);
		a->psk_identity = value;
		break;
	case RO_CERT:
	case RO_KEY:
	case RO_CA:
	case RO_PSK_FILE:
	case RO_SPOOL:
		if (value[0] == '\0')
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "invalid value of --%s '': must not be "
				    "empty", name);
		if (k == RO_CERT)
			a->cert = value;
		else if (k == RO_KEY)
			a->key = value;
		else if (k == RO_CA)
			a->ca = value;
		else if (k == RO_SPOOL)
			a->spool_dir = value;
		else {
			a->psk_from = streq(value, "-") ? EVC_PSK_STDIN
							: EVC_PSK_FILE;
			a->psk_value = value;
		}
		break;
	case RO_FLUSH:
		a->action = EVC_FLUSH;
		break;
	case RO_NO_ANSWER:
		a->no_answer = true;
		break;
	case RO_N:
		break;
	}
	return EVC_EXIT_OK;
}

/* How many arguments from argv[i] an option of remote_opts allowed in the
 * eventcreate syntax takes (0: argv[i] is none): --channel, --channel=DEV,
 * --timeout S, --timeout=S, --no-answer... *ret_k and *ret_value (NULL if
 * missing) say what it is. */
static int
remote_option_at(int argc, char *argv[], int i, enum remote_opt *ret_k,
		 const char **ret_value)
{
	const char *arg = argv[i];

	if (strncmp(arg, "--", 2) != 0)
		return 0;
	for (size_t k = 0; k < RO_N; k++) {
		size_t len = strlen(remote_opts[k].name);

		if (!remote_opts[k].eventcreate ||
		    strncmp(arg + 2, remote_opts[k].name, len) != 0)
			continue;
		if (arg[2 + len] == '=' &&
		    remote_opts[k].arg != RO_ARG_NONE) {
			*ret_k = (enum remote_opt)k;
			*ret_value = arg + 3 + len;
			return 1;
		}
		if (arg[2 + len] != '\0')
			continue;
		*ret_k = (enum remote_opt)k;
		if (remote_opts[k].arg != RO_ARG_REQUIRED) {
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
		return failf(EVC_EXIT_WRITE, ret_msg, "out of memory");
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
		return failf(EVC_EXIT_WRITE, ret_msg, "out of memory");
	if (need_complete && e->id == 0)
		return failf(EVC_EXIT_INVALID, ret_msg,
			    "no event id given (--id or /ID)");
	if (need_complete && e->description == NULL)
		return failf(EVC_EXIT_INVALID, ret_msg,
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
	OPT_REMOTE,             /* OPT_REMOTE + enum remote_opt */
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
	{ "channel", optional_argument, NULL, OPT_REMOTE + RO_CHANNEL },
	{ "timeout", required_argument, NULL, OPT_REMOTE + RO_TIMEOUT },
	{ "uuid", required_argument, NULL, OPT_REMOTE + RO_UUID },
	{ "server", required_argument, NULL, OPT_REMOTE + RO_SERVER },
	{ "cert", required_argument, NULL, OPT_REMOTE + RO_CERT },
	{ "key", required_argument, NULL, OPT_REMOTE + RO_KEY },
	{ "ca", required_argument, NULL, OPT_REMOTE + RO_CA },
	{ "psk-identity", required_argument, NULL,
	  OPT_REMOTE + RO_PSK_IDENTITY },
	{ "psk-file", required_argument, NULL, OPT_REMOTE + RO_PSK_FILE },
	{ "spool", required_argument, NULL, OPT_REMOTE + RO_SPOOL },
	{ "flush", no_argument, NULL, OPT_REMOTE + RO_FLUSH },
	{ "no-answer", no_argument, NULL, OPT_REMOTE + RO_NO_ANSWER },
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
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "ambiguous option '%s': %s", evc_quote(arg, q),
			    names);
	return failf(EVC_EXIT_USAGE, ret_msg, "unknown option '%s'",
		    evc_quote(arg, q));
}

static int
parse_gnu(int argc, char *argv[], struct evc_args *a, struct raw_args *raw,
	  char **ret_msg)
{
	char q[EVC_QUOTE_MAX], name[64];
	bool seen[0x200] = { false };
	bool target_given = false, format_given = false;
	enum remote_opt k;
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
				return failf(EVC_EXIT_USAGE, ret_msg,
					    "unknown option '-%c'", optopt);
			return unknown_long_option(argv[optind - 1], ret_msg);
		}
		if (c == ':')
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "option '%s' needs a value",
				    evc_quote(argv[optind - 1], q));
		if (c != 'f' && seen[c])
			return failf(EVC_EXIT_USAGE, ret_msg,
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
				return failf(EVC_EXIT_WRITE, ret_msg,
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
				return failf(EVC_EXIT_USAGE, ret_msg,
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
				return failf(EVC_EXIT_USAGE, ret_msg,
					    "invalid syslog format '%s': must "
					    "be rfc5424 or rfc3164",
					    evc_quote(optarg, q));
			break;
		case OPT_SOCKET:
			if (optarg[0] == '\0')
				return failf(EVC_EXIT_USAGE, ret_msg,
					    "invalid socket path '': must not "
					    "be empty");
			a->socket_path = optarg;
			break;
		default:
			if (c < OPT_REMOTE || c >= OPT_REMOTE + RO_N)
				break;
			k = (enum remote_opt)(c - OPT_REMOTE);
			code = set_remote_option(a, raw, k, optarg, ret_msg);
			if (code != EVC_EXIT_OK)
				return code;
			break;
		}
		if (slot != NULL)
			*slot = optarg;
	}
	if (optind < argc && raw->given[RO_CHANNEL] && argv[optind][0] == '/' &&
	    ec_lookup(argv[optind]) < 0)
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "unexpected argument '%s': give the device as "
			    "--channel=DEV", evc_quote(argv[optind], q));
	if (optind < argc)
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "unexpected argument '%s'%s",
			    evc_quote(argv[optind], q),
			    argv[optind][0] == '/'
				    ? ": eventcreate switches (/T, /ID, ...) "
				      "cannot be mixed with --options"
				    : "");
	raw->target = target_given || seen[OPT_SOCKET] || format_given;
	if ((raw->given[RO_CHANNEL] || raw->given[RO_SERVER]) && raw->target)
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "option --%s cannot be combined with "
			    "--target, --socket or --syslog-format",
			    raw->given[RO_CHANNEL] ? "channel" : "server");
	/* --socket and --syslog-format choose syslog unless told otherwise. */
	if ((seen[OPT_SOCKET] || format_given) && !target_given)
		a->target = EVC_TARGET_SYSLOG;
	if ((seen[OPT_SOCKET] || format_given) &&
	    a->target == EVC_TARGET_JOURNAL)
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "options --socket and --syslog-format apply to "
			    "--target syslog only");
	return EVC_EXIT_OK;
}

/* Windows eventcreate's switches. Values follow as the next argument. /F
 * NAME=VALUE (an extra field, repeatable) is evcreate's own: eventcreate
 * has no /F, so nothing clashes. */
enum ec_switch { EC_T, EC_ID, EC_SO, EC_L, EC_D, EC_S, EC_U, EC_P, EC_F,
		 EC_HELP };

static const char *const ec_names[] = {
	[EC_T] = "/T", [EC_ID] = "/ID", [EC_SO] = "/SO", [EC_L] = "/L",
	[EC_D] = "/D", [EC_S] = "/S", [EC_U] = "/U", [EC_P] = "/P",
	[EC_F] = "/F", [EC_HELP] = "/?",
};

static int
ec_lookup(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(ec_names); i++)
		if (strcaseeq(s, ec_names[i]))
			return (int)i;
	return -1;
}

/* /P's value: @FILE, - (standard input) or the secret itself. */
static int
set_psk_secret(struct evc_args *a, const char *value, char **ret_msg)
{
	if (value[0] == '\0' || streq(value, "@"))
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "switch /P needs a secret: /P @FILE, /P - or "
			    "/P SECRET");
	if (value[0] == '@') {
		a->psk_from = EVC_PSK_FILE;
		a->psk_value = value + 1;
	} else if (streq(value, "-")) {
		a->psk_from = EVC_PSK_STDIN;
		a->psk_value = value;
	} else {
		a->psk_from = EVC_PSK_LITERAL;
		a->psk_value = value;
	}
	return EVC_EXIT_OK;
}

static int
parse_eventcreate(int argc, char *argv[], struct evc_args *a,
		  struct raw_args *raw, char **ret_msg)
{
	static const enum raw_key keys[] = {
		[EC_T] = RAW_TYPE, [EC_ID] = RAW_ID, [EC_SO] = RAW_SOURCE,
		[EC_L] = RAW_LOG, [EC_D] = RAW_DESCRIPTION,
	};
	static const enum remote_opt remote[] = {
		[EC_S] = RO_SERVER, [EC_U] = RO_PSK_IDENTITY,
		[EC_P] = RO_PSK_FILE,
	};
	char q[EVC_QUOTE_MAX];
	int i;

	for (i = 1; i < argc; i++)
		if (ec_lookup(argv[i]) == EC_HELP) {
			a->action = EVC_HELP;
			return EVC_EXIT_OK;
		}
	for (i = 1; i < argc; i++) {
		int sw = ec_lookup(argv[i]), n, code;
		enum remote_opt k;
		const char *value;

		n = remote_option_at(argc, argv, i, &k, &value);
		if (n == 2 && value == NULL)
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "option '--%s' needs a value",
				    remote_opts[k].name);
		if (n > 0) {
			code = set_remote_option(a, raw, k, value, ret_msg);
			if (code != EVC_EXIT_OK)
				return code;
			i += n - 1;
			continue;
		}
		if (sw < 0)
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "unknown switch '%s': must be /T, /ID, "
				    "/SO, /L, /D, /F, /S, /U, /P or /?",
				    evc_quote(argv[i], q));
		if (i + 1 >= argc)
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "switch %s needs a value", ec_names[sw]);
		if (sw == EC_F) {
			if (raw_push_field(raw, argv[++i]) < 0)
				return failf(EVC_EXIT_WRITE, ret_msg,
					    "out of memory");
			continue;
		}
		if (sw == EC_S || sw == EC_U || sw == EC_P) {
			if (raw->given[remote[sw]])
				return failf(EVC_EXIT_USAGE, ret_msg,
					    "switch %s given twice",
					    ec_names[sw]);
			i++;
			if (sw == EC_P) {
				raw->given[RO_PSK_FILE] = true;
				code = set_psk_secret(a, argv[i], ret_msg);
			} else
				code = set_remote_option(a, raw, remote[sw],
							 argv[i], ret_msg);
			if (code != EVC_EXIT_OK)
				return code;
			continue;
		}
		if (raw->value[keys[sw]] != NULL)
			return failf(EVC_EXIT_USAGE, ret_msg,
				    "switch %s given twice", ec_names[sw]);
		raw->value[keys[sw]] = argv[++i];
	}
	if ((raw->given[RO_PSK_IDENTITY] || raw->given[RO_PSK_FILE]) &&
	    !raw->given[RO_SERVER])
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "switches /U and /P need /S HOST");
	if (raw->given[RO_PSK_IDENTITY] != raw->given[RO_PSK_FILE])
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "switches /U and /P go together: /U NAME /P @FILE, "
			    "/P - or /P SECRET");
	/* /S alone: the certificate files of the configuration, if any. */
	a->conf_files = raw->given[RO_SERVER] && !raw->given[RO_PSK_IDENTITY] &&
			!raw->given[RO_CERT] && !raw->given[RO_KEY] &&
			!raw->given[RO_CA];
	return EVC_EXIT_OK;
}

/* eventcreate syntax when the first argument, after any options it allows
 * (--channel, --timeout...), is one of its switches. */
static bool
is_eventcreate_syntax(int argc, char *argv[])
{
	enum remote_opt k;
	const char *value;
	int i = 1, n;

	while (i < argc && (n = remote_option_at(argc, argv, i, &k,
						 &value)) > 0)
		i += n;
	return i < argc && argv[i][0] == '/' && ec_lookup(argv[i]) >= 0;
}

/* The combinations of the options of sending to a host. */
static int
check_remote(const struct evc_args *a, const struct raw_args *raw,
	     char **ret_msg)
{
	const bool *g = raw->given;
	bool server = g[RO_SERVER], psk = g[RO_PSK_IDENTITY] || g[RO_PSK_FILE];
	bool event_options = raw->n_fields > 0;

	for (size_t k = 0; k < ELEMENTSOF(raw->value); k++)
		event_options |= raw->value[k] != NULL;
	if (g[RO_CHANNEL] && server)
		return failf(EVC_EXIT_USAGE, ret_msg, "options --channel and "
			    "--server (/S) cannot be combined");
	if ((g[RO_TIMEOUT] || g[RO_UUID]) && !g[RO_CHANNEL] && !server)
		return failf(EVC_EXIT_USAGE, ret_msg, "options --timeout and "
			    "--uuid apply to --channel and --server only");
	if ((g[RO_CERT] || g[RO_KEY] || g[RO_CA] || psk || g[RO_SPOOL] ||
	     g[RO_FLUSH] || g[RO_NO_ANSWER]) && !server)
		return failf(EVC_EXIT_USAGE, ret_msg, "options --cert, --key, "
			    "--ca, --psk-identity, --psk-file, --spool, "
			    "--flush and --no-answer apply to --server only");
	if (g[RO_CHANNEL] && a->action == EVC_BATCH)
		return failf(EVC_EXIT_USAGE, ret_msg, "options --channel and "
			    "--batch cannot be combined: --channel sends one "
			    "event");
	if (g[RO_FLUSH] && !g[RO_SPOOL])
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "option --flush needs --spool DIR");
	if (g[RO_FLUSH] && a->batch_path != NULL)
		return failf(EVC_EXIT_USAGE, ret_msg, "options --flush and "
			    "--batch cannot be combined");
	if (g[RO_FLUSH] && event_options)
		return failf(EVC_EXIT_USAGE, ret_msg, "option --flush sends "
			    "the spooled events as they are: no event options");
	if (g[RO_UUID] && (a->batch_path != NULL || g[RO_FLUSH]))
		return failf(EVC_EXIT_USAGE, ret_msg, "option --uuid names one "
			    "event: not with --batch or --flush");
	if (g[RO_CERT] != g[RO_KEY])
		return failf(EVC_EXIT_USAGE, ret_msg,
			    "options --cert and --key go together");
	if (g[RO_PSK_IDENTITY] != g[RO_PSK_FILE])
		return failf(EVC_EXIT_USAGE, ret_msg, "options --psk-identity "
			    "and --psk-file go together");
	if (psk && (g[RO_CERT] || g[RO_CA]))
		return failf(EVC_EXIT_USAGE, ret_msg, "a PSK (--psk-identity, "
			    "/U) cannot be combined with --cert, --key or "
			    "--ca: the PSK authenticates both sides");
	if (a->psk_from == EVC_PSK_STDIN && a->batch_path != NULL &&
	    streq(a->batch_path, "-"))
		return failf(EVC_EXIT_USAGE, ret_msg, "the PSK secret and "
			    "--batch cannot both come from standard input");
	return EVC_EXIT_OK;
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
		code = failf(EVC_EXIT_USAGE, ret_msg,
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
	if (a.action == EVC_HELP || a.action == EVC_VERSION)
		goto done;
	code = check_remote(&a, &raw, ret_msg);
	if (code != EVC_EXIT_OK)
		goto out;
	if (raw.given[RO_CHANNEL])
		a.target = EVC_TARGET_CHANNEL;
	if (raw.given[RO_SERVER])
		a.target = EVC_TARGET_SERVER;
	if (a.action != EVC_FLUSH) {
		code = raw_apply(&raw, a.action == EVC_WRITE, &a.event,
				 ret_msg);
		if (code != EVC_EXIT_OK)
			goto out;
	}
done:
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
"       evcreate --server HOST[:PORT] [--cert F --key F] [--ca F]\n"
"                [--psk-identity NAME --psk-file F] [--spool DIR]\n"
"                [--timeout S] [--uuid U] EVENT | --batch FILE\n"
"       evcreate /S HOST [/U NAME /P @FILE|-|SECRET] /T TYPE /ID ID ... /D TEXT\n"
"       evcreate --flush --spool DIR --server HOST[:PORT] ...\n"
"\n"
"Write a typed event (Windows eventcreate's fields) to the journal or syslog,\n"
"send it to another machine's evtrigger-listen over TLS, or, inside a VM,\n"
"send it to the host's journal through a virtio-serial port.\n"
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
"      --server HOST[:PORT]\n"
"                          send to evtrigger-listen on HOST over TLS (RFC 5425,\n"
"                          port " EVC_SERVER_PORT "; [ADDRESS]:PORT for IPv6) and wait\n"
"                          until it has the event in its journal\n"
"      --cert F, --key F   --server: the client certificate and its key (PEM)\n"
"      --ca F              --server: the CA that signed the server's\n"
"                          certificate (default: the system's store)\n"
"      --psk-identity NAME, --psk-file F\n"
"                          --server: authenticate with a TLS 1.3 pre-shared key\n"
"                          instead: the sender name and the file holding its\n"
"                          secret ('-': standard input)\n"
"      --spool DIR         --server: keep each event in DIR until the host has\n"
"                          it; --flush sends what DIR holds\n"
"      --no-answer         --server: accept a host that does not answer\n"
"                          (plain RFC 5425: sent, not acknowledged)\n"
"      --timeout S         --channel, --server: give up after S seconds (or\n"
"                          500ms, 2m; default 30), resending until then\n"
"      --uuid U            --channel, --server: the event's uuid (default: a\n"
"                          new one); a resend with the same uuid is stored\n"
"                          only once\n"
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
"      --flush             with --spool and --server: send every event DIR\n"
"                          holds, oldest first, each with its own uuid\n"
"\n"
"  -h, --help              this text\n"
"  -V, --version           the version\n"
"\n"
"eventcreate syntax (switches in any case): /T type, /ID id, /SO source,\n"
"/L log, /D description, /? help; /S HOST sends to HOST as --server (with\n"
EVC_CONF_CERT ", key.pem and ca.pem when present),\n"
"/U NAME /P @FILE|-|SECRET with a pre-shared key (a SECRET on the command line\n"
"is visible to other users); --channel, --timeout, --uuid, --cert, --key, --ca,\n"
"--spool and --no-answer may be added.\n"
"\n"
"exit status: 0 written, 1 write failed, 2 usage, 3 invalid event (nothing\n"
"written), 4 target unavailable or cannot connect, 5 some batch lines failed,\n"
"6 not built with TLS, 7 not acknowledged within --timeout (with --spool:\n"
"kept there; resend with the same --uuid or --flush), 8 the host refused the\n"
"event.\n"
"See evcreate(1).\n", f);
}
