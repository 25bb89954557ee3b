/* Check suite for evcreate's command line (evcreate/args.c) in both syntaxes,
 * the batch line format (evcreate/batch.c), and --channel's line, uuid, time
 * and answers (evcreate/channel.c). */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "options.h"
#include "../../evcreate/args.h"
#include "../../evcreate/batch.h"
#include "../../evcreate/channel.h"
#include "quote.h"

#define MAX_ARGS 20

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
	const char *channel;            /* the device, for target CHANNEL */
	uint64_t timeout;               /* usec; 0: the default, 30s */
	const char *uuid;               /* NULL: none given */
	/* --server, /S: "host port" when given. */
	const char *server;
	const char *cert, *key, *ca, *spool;
	bool conf_files, no_answer;
	const char *psk_identity;
	enum evc_psk_from psk_from;
	const char *psk_value;
};

#define UUID_A "6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f"
#define CHAN EVC_TARGET_CHANNEL
#define SRV EVC_TARGET_SERVER
#define EC EVC_SYNTAX_EVENTCREATE
#define DEV EVC_CHANNEL_DEVICE

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
	  "ambiguous option '--s=x': --source, --syslog-format, --socket, "
	  "--server, --spool",
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
	  "unknown switch '/X': must be /T, /ID, /SO, /L, /D, /S, /U, /P or /?", { 0 } },
	{ { "/T", "error", "--id", "1" }, EVC_EXIT_USAGE,
	  "unknown switch '--id': must be /T, /ID, /SO, /L, /D, /S, /U, /P or "
	  "/?", { 0 } },
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

	/* --channel, in both syntaxes. */
	{ { "--channel", "-t", "warning", "-i", "777", "-s", "John", "-d",
	    "VDC Ready for compaction" }, EVC_EXIT_OK, NULL,
	  { .target = CHAN, .channel = DEV, .type = EVENT_WARNING, .id = 777,
	    .source = "John", .description = "VDC Ready for compaction" } },
	{ { "-i", "1", "-d", "x", "--channel=/dev/vport1p1", "--timeout", "5",
	    "--uuid", "6F1C2A4E-9B3D-4C5E-8F70-1A2B3C4D5E6F" }, EVC_EXIT_OK, NULL,
	  { .target = CHAN, .channel = "/dev/vport1p1", .timeout = 5000000,
	    .uuid = UUID_A, .id = 1, .type = EVENT_INFORMATION } },
	{ { "-i", "1", "-d", "x", "--channel", "--timeout=500ms",
	    "--uuid=" UUID_A }, EVC_EXIT_OK, NULL,
	  { .target = CHAN, .channel = DEV, .timeout = 500000, .uuid = UUID_A,
	    .id = 1, .type = EVENT_INFORMATION } },
	{ { "/T", "WARNING", "/ID", "777", "/SO", "John", "/D", "VDC Ready",
	    "--channel" }, EVC_EXIT_OK, NULL,
	  { .syntax = EVC_SYNTAX_EVENTCREATE, .target = CHAN, .channel = DEV,
	    .type = EVENT_WARNING, .id = 777, .source = "John",
	    .description = "VDC Ready" } },
	{ { "--channel", "/T", "ERROR", "/ID", "9", "/D", "x" }, EVC_EXIT_OK,
	  NULL, { .syntax = EVC_SYNTAX_EVENTCREATE, .target = CHAN,
		  .channel = DEV, .type = EVENT_ERROR, .id = 9 } },
	{ { "--timeout", "2m", "--channel=/dev/p", "/ID", "9", "/D", "x",
	    "--uuid", UUID_A }, EVC_EXIT_OK, NULL,
	  { .syntax = EVC_SYNTAX_EVENTCREATE, .target = CHAN, .channel = "/dev/p",
	    .timeout = 120000000, .uuid = UUID_A, .id = 9,
	    .type = EVENT_INFORMATION } },
	{ { "-i", "1", "-d", "x", "--channel=" }, EVC_EXIT_USAGE,
	  "invalid channel device '': must not be empty", { 0 } },
	{ { "-i", "1", "-d", "x", "--channel", "/dev/p" }, EVC_EXIT_USAGE,
	  "unexpected argument '/dev/p': give the device as --channel=DEV",
	  { 0 } },
	{ { "-i", "1", "-d", "x", "--channel", "--channel" }, EVC_EXIT_USAGE,
	  "option '--channel' given twice", { 0 } },
	{ { "-i", "1", "-d", "x", "--channel", "--timeout", "0" },
	  EVC_EXIT_USAGE, "invalid timeout '0': must be seconds, or a duration "
	  "such as 500ms or 2m, more than 0", { 0 } },
	{ { "-i", "1", "-d", "x", "--channel", "--timeout", "soon" },
	  EVC_EXIT_USAGE, "invalid timeout 'soon': must be seconds, or a "
	  "duration such as 500ms or 2m, more than 0", { 0 } },
	{ { "-i", "1", "-d", "x", "--channel", "--uuid", "6f1c2a4e" },
	  EVC_EXIT_USAGE, "invalid uuid '6f1c2a4e': must be 8-4-4-4-12 "
	  "hexadecimal digits", { 0 } },
	{ { "-i", "1", "-d", "x", "--channel", "--uuid",
	    "6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6g" }, EVC_EXIT_USAGE,
	  "invalid uuid '6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6g': must be "
	  "8-4-4-4-12 hexadecimal digits", { 0 } },
	{ { "-i", "1", "-d", "x", "--channel", "--uuid",
	    "6f1c2a4e9b3d-4c5e-8f70-1a2b3c4d5e6f0" }, EVC_EXIT_USAGE,
	  "invalid uuid '6f1c2a4e9b3d-4c5e-8f70-1a2b3c4d5e6f0': must be "
	  "8-4-4-4-12 hexadecimal digits", { 0 } },
	{ { "-i", "1", "-d", "x", "--timeout", "5" }, EVC_EXIT_USAGE,
	  "options --timeout and --uuid apply to --channel and --server only", { 0 } },
	{ { "/ID", "1", "/D", "x", "--uuid", UUID_A }, EVC_EXIT_USAGE,
	  "options --timeout and --uuid apply to --channel and --server only", { 0 } },
	{ { "-i", "1", "-d", "x", "--channel", "--target", "journal" },
	  EVC_EXIT_USAGE, "option --channel cannot be combined with --target, "
	  "--socket or --syslog-format", { 0 } },
	{ { "-i", "1", "-d", "x", "--socket", "/s", "--channel" },
	  EVC_EXIT_USAGE, "option --channel cannot be combined with --target, "
	  "--socket or --syslog-format", { 0 } },
	{ { "--batch", "-", "--channel" }, EVC_EXIT_USAGE,
	  "options --channel and --batch cannot be combined: --channel sends "
	  "one event", { 0 } },
	{ { "/ID", "1", "/D", "x", "--channel", "--channel=/dev/p" },
	  EVC_EXIT_USAGE, "option '--channel' given twice", { 0 } },
	{ { "/ID", "1", "/D", "x", "--channel", "--timeout" }, EVC_EXIT_USAGE,
	  "option '--timeout' needs a value", { 0 } },
	{ { "/ID", "1", "/D", "x", "--chan" }, EVC_EXIT_USAGE,
	  "unknown switch '--chan': must be /T, /ID, /SO, /L, /D, /S, /U, /P "
	  "or /?",
	  { 0 } },
	/* The event is checked as without --channel. */
	{ { "/ID", "0", "/D", "x", "--channel" }, EVC_EXIT_INVALID,
	  "invalid event id '0': must be 1..65535", { 0 } },
	{ { "--channel", "-i", "1" }, EVC_EXIT_INVALID,
	  "no description given (--description or /D)", { 0 } },
	{ { "--channel", "-i", "1", "-d", "x", "-f", "EVENT_UUID=" UUID_A },
	  EVC_EXIT_INVALID, "reserved field name 'EVENT_UUID': not allowed as "
	  "an extra field", { 0 } },

	/* --server, GNU syntax. */
	{ { "--server", "logs.example.org", "-i", "777", "-d", "x" },
	  EVC_EXIT_OK, NULL, { .target = SRV, .server = "logs.example.org 6514",
			       .id = 777, .type = EVENT_INFORMATION } },
	{ { "--server=192.0.2.7:10514", "--cert", "c.pem", "--key", "k.pem",
	    "--ca", "ca.pem", "--timeout", "5", "--uuid", UUID_A, "-i", "1",
	    "-d", "x" }, EVC_EXIT_OK, NULL,
	  { .target = SRV, .server = "192.0.2.7 10514", .cert = "c.pem",
	    .key = "k.pem", .ca = "ca.pem", .timeout = 5000000,
	    .uuid = UUID_A, .id = 1, .type = EVENT_INFORMATION } },
	{ { "--server", "[2001:db8::7]:6515", "-i", "1", "-d", "x" },
	  EVC_EXIT_OK, NULL, { .target = SRV, .server = "2001:db8::7 6515",
			       .id = 1, .type = EVENT_INFORMATION } },
	{ { "--server", "2001:db8::7", "-i", "1", "-d", "x" },
	  EVC_EXIT_OK, NULL, { .target = SRV, .server = "2001:db8::7 6514",
			       .id = 1, .type = EVENT_INFORMATION } },
	{ { "--server", "[::1]", "-i", "1", "-d", "x", "--no-answer" },
	  EVC_EXIT_OK, NULL, { .target = SRV, .server = "::1 6514",
			       .no_answer = true, .id = 1,
			       .type = EVENT_INFORMATION } },
	{ { "--server", "h", "--psk-identity", "backup01", "--psk-file",
	    "/etc/k", "--spool", "/var/spool/ev", "-i", "1", "-d", "x" },
	  EVC_EXIT_OK, NULL, { .target = SRV, .server = "h 6514",
			       .psk_identity = "backup01",
			       .psk_from = EVC_PSK_FILE, .psk_value = "/etc/k",
			       .spool = "/var/spool/ev", .id = 1,
			       .type = EVENT_INFORMATION } },
	{ { "--server", "h", "--psk-identity", "a.b_c@d+e-f", "--psk-file",
	    "-", "-i", "1", "-d", "x" }, EVC_EXIT_OK, NULL,
	  { .target = SRV, .server = "h 6514", .psk_identity = "a.b_c@d+e-f",
	    .psk_from = EVC_PSK_STDIN, .psk_value = "-", .id = 1,
	    .type = EVENT_INFORMATION } },
	{ { "--server", "h", "--batch", "ev.txt", "-s", "John" }, EVC_EXIT_OK,
	  NULL, { .action = EVC_BATCH, .target = SRV, .server = "h 6514",
		  .batch = "ev.txt", .source = "John", .description = "",
		  .type = EVENT_INFORMATION } },
	{ { "--flush", "--spool", "/s", "--server", "h:1" }, EVC_EXIT_OK, NULL,
	  { .action = EVC_FLUSH, .target = SRV, .server = "h 1", .spool = "/s" } },
	/* --server, eventcreate syntax: /S alone uses the configuration's
	 * certificate files; /U /P a PSK. */
	{ { "/S", "logs", "/T", "WARNING", "/ID", "777", "/SO", "John", "/D",
	    "VDC Ready" }, EVC_EXIT_OK, NULL,
	  { .syntax = EC, .target = SRV, .server = "logs 6514",
	    .conf_files = true, .type = EVENT_WARNING, .id = 777,
	    .source = "John", .description = "VDC Ready" } },
	{ { "/s", "logs:7000", "/u", "backup01", "/p", "@/etc/evcreate/psk",
	    "/ID", "1", "/D", "x" }, EVC_EXIT_OK, NULL,
	  { .syntax = EC, .target = SRV, .server = "logs 7000",
	    .psk_identity = "backup01", .psk_from = EVC_PSK_FILE,
	    .psk_value = "/etc/evcreate/psk", .id = 1,
	    .type = EVENT_INFORMATION } },
	{ { "/ID", "1", "/D", "x", "/S", "[fd00::1]:6514", "/U", "n", "/P", "-" },
	  EVC_EXIT_OK, NULL,
	  { .syntax = EC, .target = SRV, .server = "fd00::1 6514",
	    .psk_identity = "n", .psk_from = EVC_PSK_STDIN, .psk_value = "-",
	    .id = 1, .type = EVENT_INFORMATION } },
	{ { "/S", "h", "/U", "n", "/P", "s3cret word", "/ID", "1", "/D", "x" },
	  EVC_EXIT_OK, NULL,
	  { .syntax = EC, .target = SRV, .server = "h 6514",
	    .psk_identity = "n", .psk_from = EVC_PSK_LITERAL,
	    .psk_value = "s3cret word", .id = 1, .type = EVENT_INFORMATION } },
	{ { "--spool", "/sp", "--timeout", "3", "/S", "h", "/ID", "1", "/D",
	    "x", "--ca", "my-ca.pem", "--no-answer" }, EVC_EXIT_OK, NULL,
	  { .syntax = EC, .target = SRV, .server = "h 6514", .spool = "/sp",
	    .timeout = 3000000, .ca = "my-ca.pem", .no_answer = true, .id = 1,
	    .type = EVENT_INFORMATION } },
	/* What --server and /S /U /P refuse. */
	{ { "--server", "h:0", "-i", "1", "-d", "x" }, EVC_EXIT_USAGE,
	  "invalid server 'h:0': must be HOST, HOST:PORT or [ADDRESS]:PORT, "
	  "port 1..65535", { 0 } },
	{ { "--server", "h:65536", "-i", "1", "-d", "x" }, EVC_EXIT_USAGE,
	  "invalid server 'h:65536': must be HOST, HOST:PORT or "
	  "[ADDRESS]:PORT, port 1..65535", { 0 } },
	{ { "--server", "[::1", "-i", "1", "-d", "x" }, EVC_EXIT_USAGE,
	  "invalid server '[::1': must be HOST, HOST:PORT or [ADDRESS]:PORT, "
	  "port 1..65535", { 0 } },
	{ { "--server", ":6514", "-i", "1", "-d", "x" }, EVC_EXIT_USAGE,
	  "invalid server ':6514': must be HOST, HOST:PORT or "
	  "[ADDRESS]:PORT, port 1..65535", { 0 } },
	{ { "--server", "h", "--psk-identity", "bad name", "--psk-file", "f",
	    "-i", "1", "-d", "x" }, EVC_EXIT_USAGE,
	  "invalid PSK identity 'bad name': must be 1..64 of A-Z, a-z, 0-9, "
	  "'.', '_', '@', '+' and '-'", { 0 } },
	{ { "--server", "h", "--psk-identity", "n", "-i", "1", "-d", "x" },
	  EVC_EXIT_USAGE, "options --psk-identity and --psk-file go together",
	  { 0 } },
	{ { "--server", "h", "--cert", "c", "-i", "1", "-d", "x" },
	  EVC_EXIT_USAGE, "options --cert and --key go together", { 0 } },
	{ { "--server", "h", "--psk-identity", "n", "--psk-file", "f",
	    "--ca", "ca", "-i", "1", "-d", "x" }, EVC_EXIT_USAGE,
	  "a PSK (--psk-identity, /U) cannot be combined with --cert, --key "
	  "or --ca: the PSK authenticates both sides", { 0 } },
	{ { "--cert", "c", "--key", "k", "-i", "1", "-d", "x" },
	  EVC_EXIT_USAGE, "options --cert, --key, --ca, --psk-identity, "
	  "--psk-file, --spool, --flush and --no-answer apply to --server "
	  "only", { 0 } },
	{ { "--spool", "/s", "-i", "1", "-d", "x", "--channel" },
	  EVC_EXIT_USAGE, "options --cert, --key, --ca, --psk-identity, "
	  "--psk-file, --spool, --flush and --no-answer apply to --server "
	  "only", { 0 } },
	{ { "--server", "h", "--channel", "-i", "1", "-d", "x" },
	  EVC_EXIT_USAGE, "options --channel and --server (/S) cannot be "
	  "combined", { 0 } },
	{ { "--server", "h", "--target", "journal", "-i", "1", "-d", "x" },
	  EVC_EXIT_USAGE, "option --server cannot be combined with --target, "
	  "--socket or --syslog-format", { 0 } },
	{ { "--flush", "--server", "h" }, EVC_EXIT_USAGE,
	  "option --flush needs --spool DIR", { 0 } },
	{ { "--flush", "--spool", "/s", "--server", "h", "-i", "1" },
	  EVC_EXIT_USAGE, "option --flush sends the spooled events as they "
	  "are: no event options", { 0 } },
	{ { "--server", "h", "--batch", "-", "--uuid", UUID_A },
	  EVC_EXIT_USAGE, "option --uuid names one event: not with --batch or "
	  "--flush", { 0 } },
	{ { "--server", "h", "--batch", "-", "--psk-identity", "n",
	    "--psk-file", "-" }, EVC_EXIT_USAGE, "the PSK secret and --batch "
	  "cannot both come from standard input", { 0 } },
	{ { "--server", "h", "--server", "g", "-i", "1", "-d", "x" },
	  EVC_EXIT_USAGE, "option '--server' given twice", { 0 } },
	{ { "/S", "host", "/ID", "1", "/D", "x", "/S", "other" },
	  EVC_EXIT_USAGE, "switch /S given twice", { 0 } },
	{ { "/ID", "1", "/D", "x", "/U", "admin", "/P", "s" }, EVC_EXIT_USAGE,
	  "switches /U and /P need /S HOST", { 0 } },
	{ { "/S", "h", "/ID", "1", "/D", "x", "/U", "admin" }, EVC_EXIT_USAGE,
	  "switches /U and /P go together: /U NAME /P @FILE, /P - or "
	  "/P SECRET", { 0 } },
	{ { "/S", "h", "/ID", "1", "/D", "x", "/P", "@f" }, EVC_EXIT_USAGE,
	  "switches /U and /P go together: /U NAME /P @FILE, /P - or "
	  "/P SECRET", { 0 } },
	{ { "/S", "h", "/U", "n", "/P", "@", "/ID", "1", "/D", "x" },
	  EVC_EXIT_USAGE, "switch /P needs a secret: /P @FILE, /P - or "
	  "/P SECRET", { 0 } },
	{ { "/S", "h", "/U", "n", "/P", "", "/ID", "1", "/D", "x" },
	  EVC_EXIT_USAGE, "switch /P needs a secret: /P @FILE, /P - or "
	  "/P SECRET", { 0 } },
	{ { "/ID", "1", "/D", "x", "/P" }, EVC_EXIT_USAGE,
	  "switch /P needs a value", { 0 } },
	{ { "/S", "h", "/U", "bad/name", "/P", "-", "/ID", "1", "/D", "x" },
	  EVC_EXIT_USAGE, "invalid PSK identity 'bad/name': must be 1..64 of "
	  "A-Z, a-z, 0-9, '.', '_', '@', '+' and '-'", { 0 } },
	{ { "/S", "h", "/U", "n", "/P", "@k", "/ID", "1", "/D", "x", "--cert",
	    "c", "--key", "k" }, EVC_EXIT_USAGE, "a PSK (--psk-identity, /U) "
	  "cannot be combined with --cert, --key or --ca: the PSK "
	  "authenticates both sides", { 0 } },
	{ { "/S", "h", "/ID", "1", "/D", "x", "--channel" }, EVC_EXIT_USAGE,
	  "options --channel and --server (/S) cannot be combined", { 0 } },
	/* The event is checked as for any target, before any connection. */
	{ { "/S", "h", "/U", "n", "/P", "s", "/ID", "0", "/D", "x" },
	  EVC_EXIT_INVALID, "invalid event id '0': must be 1..65535", { 0 } },
	{ { "--server", "h", "-i", "1", "-d", "x", "-f", "EVENT_AUTH=x509" },
	  EVC_EXIT_INVALID, "reserved field name 'EVENT_AUTH': not allowed as "
	  "an extra field", { 0 } },
};

static void
check_str(const char *got, const char *want)
{
	if (want == NULL)
		ck_assert_ptr_null(got);
	else {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
	}
}

/* Checks the --server values while argv is still there. */
static void
check_server(const struct evc_args *a, const struct want *w)
{
	char got[300];

	if (w->server != NULL) {
		snprintf(got, sizeof(got), "%s %s", a->server_host,
			 a->server_port);
		ck_assert_str_eq(got, w->server);
	}
	check_str(a->cert, w->cert);
	check_str(a->key, w->key);
	check_str(a->ca, w->ca);
	check_str(a->spool_dir, w->spool);
	check_str(a->psk_identity, w->psk_identity);
	check_str(a->psk_value, w->psk_value);
	ck_assert_int_eq(a->psk_from, w->psk_from);
	ck_assert_int_eq(a->conf_files, w->conf_files);
	ck_assert_int_eq(a->no_answer, w->no_answer);
}

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
		if (a->channel_path != NULL)
			ck_assert_str_eq(a->channel_path, cases[i].w.channel);
		ck_assert_int_eq(!!a->channel_path, !!cases[i].w.channel);
		check_server(a, &cases[i].w);
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
	if (w->action == EVC_FLUSH) {
		ck_assert_ptr_null(a.event);
		return;
	}
	ck_assert_int_eq(a.syslog_format,
			 w->rfc5424 ? SYSLOG_RFC5424 : SYSLOG_RFC3164);
	ck_assert_int_eq(!!a.socket_path, !!w->socket);
	ck_assert_int_eq(!!a.batch_path, !!w->batch);
	ck_assert_uint_eq(a.timeout_usec,
			  w->timeout ? w->timeout : EVC_CHANNEL_TIMEOUT_USEC);
	ck_assert_str_eq(a.uuid, w->uuid ? w->uuid : "");
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

/* The channel's line: every value reads back with parse_words. */
static const struct {
	const char *argv[MAX_ARGS];     /* the event, GNU syntax */
	int r;
	const char *line;               /* without the "\n" */
	const char *words[12];          /* parse_words of line */
} line_fmt_cases[] = {
	{ { "-t", "warning", "-i", "777", "-s", "John", "-d",
	    "VDC Ready for compaction" }, 0,
	  "type=warning id=777 source=John log=Application "
	  "description=\"VDC Ready for compaction\" uuid=" UUID_A " "
	  "time=2026-12-01T15:31:37.123456Z",
	  { "type=warning", "id=777", "source=John", "log=Application",
	    "description=VDC Ready for compaction", "uuid=" UUID_A,
	    "time=2026-12-01T15:31:37.123456Z" } },
	{ { "-t", "success", "-i", "1", "-l", "system", "-d", "done",
	    "-f", "VM=vdc", "-f", "EMPTY=", "-f", "NOTE=a b" }, 0,
	  "type=success id=1 source=evcreate log=System description=done "
	  "uuid=" UUID_A " time=2026-12-01T15:31:37.123456Z VM=vdc EMPTY=\"\" "
	  "NOTE=\"a b\"",
	  { "type=success", "id=1", "source=evcreate", "log=System",
	    "description=done", "uuid=" UUID_A,
	    "time=2026-12-01T15:31:37.123456Z", "VM=vdc", "EMPTY=",
	    "NOTE=a b" } },
	{ { "-i", "2", "-d", "say \"hi\" \\ back\tslash", "-f",
	    "Q=\"", "-f", "B=\\" }, 0,
	  "type=information id=2 source=evcreate log=Application "
	  "description=\"say \\\"hi\\\" \\\\ back\tslash\" uuid=" UUID_A
	  " time=2026-12-01T15:31:37.123456Z Q=\"\\\"\" B=\"\\\\\"",
	  { "type=information", "id=2", "source=evcreate", "log=Application",
	    "description=say \"hi\" \\ back\tslash", "uuid=" UUID_A,
	    "time=2026-12-01T15:31:37.123456Z", "Q=\"", "B=\\" } },
	{ { "-i", "3", "-d", "caf\xc3\xa9 #1 a=b" }, 0,
	  "type=information id=3 source=evcreate log=Application "
	  "description=\"caf\xc3\xa9 #1 a=b\" uuid=" UUID_A
	  " time=2026-12-01T15:31:37.123456Z",
	  { "type=information", "id=3", "source=evcreate", "log=Application",
	    "description=caf\xc3\xa9 #1 a=b", "uuid=" UUID_A,
	    "time=2026-12-01T15:31:37.123456Z" } },
	/* A line cannot carry a line break. */
	{ { "-i", "4", "-d", "two\nlines" }, -EBADMSG, NULL, { NULL } },
	{ { "-i", "4", "-d", "x", "-f", "CR=a\rb" }, -EBADMSG, NULL, { NULL } },
};

START_TEST(test_channel_line)
{
	char *argv[MAX_ARGS + 2] = { (char *)"evcreate" };
	_cleanup_(strv_freep) char **words = NULL;
	_cleanup_(freep) char *line = NULL, *msg = NULL;
	struct evc_args a;
	size_t len = 0, n;
	int argc = 1, r;

	for (int k = 0; line_fmt_cases[_i].argv[k] != NULL; k++)
		argv[argc++] = (char *)line_fmt_cases[_i].argv[k];
	ck_assert_int_eq(evc_args_parse(argc, argv, &a, &msg), EVC_EXIT_OK);
	r = evc_channel_format_line(a.event, UUID_A,
				    "2026-12-01T15:31:37.123456Z", &line, &len);
	evc_args_done(&a);
	ck_assert_int_eq(r, line_fmt_cases[_i].r);
	if (r < 0) {
		ck_assert_ptr_null(line);
		return;
	}
	ck_assert_uint_eq(len, strlen(line));
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(line[len - 1], '\n');
	line[len - 1] = '\0';
	ck_assert_str_eq(line, line_fmt_cases[_i].line);
	ck_assert_int_eq(parse_words(line, &words, &n), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(line_fmt_cases[_i].words[i]);
		ck_assert_str_eq(words[i], line_fmt_cases[_i].words[i]);
	}
	ck_assert_ptr_null(line_fmt_cases[_i].words[n]);
}
END_TEST

/* The limit is on the line: the largest event evcreate takes is larger. */
START_TEST(test_channel_line_too_long)
{
	static char value[EVENT_FIELD_VALUE_MAX + 1];
	_cleanup_(event_freep) struct event *e = event_new();
	char *line = NULL, name[16];
	size_t len = 0;

	memset(value, 'v', EVENT_FIELD_VALUE_MAX);
	ck_assert_int_eq(event_set_description(e, "x"), 0);
	e->id = 1;
	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "F%d", i);
		ck_assert_int_eq(event_add_field(e, name, value), 0);
	}
	ck_assert_int_eq(evc_channel_format_line(e, UUID_A, "t", &line, &len),
			 0);
	ck_assert_uint_lt(len, EVC_CHANNEL_LINE_MAX);
	free(line);
	line = NULL;
	ck_assert_int_eq(event_add_field(e, "F7", value), 0);
	ck_assert_int_eq(evc_channel_format_line(e, UUID_A, "t", &line, &len),
			 -EMSGSIZE);
	ck_assert_ptr_null(line);
}
END_TEST

static const struct {
	const char *line;
	enum evc_answer want;
	unsigned code;
	const char *reason;
} answer_cases[] = {
	{ "OK " UUID_A, EVC_ANSWER_OK },
	{ "OK " UUID_A "\r", EVC_ANSWER_OK },
	{ "OK 6F1C2A4E-9B3D-4C5E-8F70-1A2B3C4D5E6F", EVC_ANSWER_OK },
	{ "OK 00000000-9b3d-4c5e-8f70-1a2b3c4d5e6f", EVC_ANSWER_OTHER },
	{ "OK " UUID_A " extra", EVC_ANSWER_UNKNOWN },
	{ "OK", EVC_ANSWER_UNKNOWN },
	{ "OK ", EVC_ANSWER_UNKNOWN },
	{ "ok " UUID_A, EVC_ANSWER_UNKNOWN },
	{ "ERR 400 bad event id", EVC_ANSWER_REFUSED, 400, "bad event id" },
	{ "ERR 403 refused field EVENT_SENDER\r", EVC_ANSWER_REFUSED, 403,
	  "refused field EVENT_SENDER" },
	{ "ERR 413 too large", EVC_ANSWER_REFUSED, 413, "too large" },
	{ "ERR 400", EVC_ANSWER_REFUSED, 400, "" },
	{ "ERR 429 rate limited", EVC_ANSWER_RETRY, 429, "rate limited" },
	{ "ERR 503 cannot store now", EVC_ANSWER_RETRY, 503,
	  "cannot store now" },
	{ "ERR 500 internal", EVC_ANSWER_RETRY, 500, "internal" },
	{ "ERR 4000 x", EVC_ANSWER_UNKNOWN },
	{ "ERR 40", EVC_ANSWER_UNKNOWN },
	{ "ERR abc x", EVC_ANSWER_UNKNOWN },
	{ "ERR 099 x", EVC_ANSWER_UNKNOWN },
	{ "", EVC_ANSWER_UNKNOWN },
	{ "rsp 777 OK", EVC_ANSWER_UNKNOWN },
};

START_TEST(test_channel_answer)
{
	unsigned code = 1;
	const char *reason = "untouched";
	char line[128];
	enum evc_answer got;

	snprintf(line, sizeof(line), "%s", answer_cases[_i].line);
	got = evc_channel_parse_answer(line, UUID_A, &code, &reason);
	ck_assert_msg(got == answer_cases[_i].want, "'%s': %d, want %d",
		      answer_cases[_i].line, got, answer_cases[_i].want);
	if (answer_cases[_i].code == 0) {
		ck_assert_uint_eq(code, 1);
		ck_assert_str_eq(reason, "untouched");
		return;
	}
	ck_assert_uint_eq(code, answer_cases[_i].code);
	ck_assert_str_eq(reason, answer_cases[_i].reason);
}
END_TEST

START_TEST(test_uuid_random)
{
	char a[EVC_UUID_LEN + 1], b[EVC_UUID_LEN + 1], n[EVC_UUID_LEN + 1];

	ck_assert_int_eq(evc_uuid_random(a), 0);
	ck_assert_int_eq(evc_uuid_random(b), 0);
	ck_assert_str_ne(a, b);
	/* Valid and already in the normal (lower-case) form. */
	ck_assert_int_eq(evc_uuid_normalize(a, n), 0);
	ck_assert_str_eq(n, a);
	ck_assert_int_eq(a[14], '4');                   /* version 4 */
	ck_assert_ptr_nonnull(strchr("89ab", a[19]));   /* RFC 4122 variant */
}
END_TEST

static const struct {
	uint64_t usec;
	const char *text;
} time_cases[] = {
	{ 0, "1970-01-01T00:00:00.000000Z" },
	{ UINT64_C(1796139097123456), "2026-12-01T15:31:37.123456Z" },
	{ UINT64_C(951782400000001), "2000-02-29T00:00:00.000001Z" },
	{ UINT64_C(253402300799999999), "9999-12-31T23:59:59.999999Z" },
	{ UINT64_C(253402300800000000), NULL },
};

START_TEST(test_format_time)
{
	char buf[EVC_TIME_MAX];
	const char *got = evc_format_time(time_cases[_i].usec, buf);

	if (time_cases[_i].text == NULL) {
		ck_assert_ptr_null(got);
		return;
	}
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, time_cases[_i].text);
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
	tcase_add_loop_test(tc, test_channel_line, 0,
			    ELEMENTSOF(line_fmt_cases));
	tcase_add_test(tc, test_channel_line_too_long);
	tcase_add_loop_test(tc, test_channel_answer, 0,
			    ELEMENTSOF(answer_cases));
	tcase_add_test(tc, test_uuid_random);
	tcase_add_loop_test(tc, test_format_time, 0, ELEMENTSOF(time_cases));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
