/* evcreate's command line: GNU-style options and Windows eventcreate's own
 * switches, parsed into one struct evc_args. Never prints: errors come back
 * as an exit code and a message for the caller to print. */
#ifndef EVC_ARGS_H
#define EVC_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "syslog.h"

/* Exit codes (evcreate(1), EXIT STATUS). */
#define EVC_EXIT_OK             0
#define EVC_EXIT_WRITE          1       /* the target refused or failed a write */
#define EVC_EXIT_USAGE          2       /* bad command line, unreadable batch */
#define EVC_EXIT_INVALID        3       /* the event is invalid; nothing written */
#define EVC_EXIT_UNAVAILABLE    4       /* the chosen target is not there */
#define EVC_EXIT_BATCH          5       /* some batch lines failed, the rest written */
#define EVC_EXIT_UNSUPPORTED    6       /* --server in a build without TLS */
#define EVC_EXIT_NOT_ACKED      7       /* not acknowledged within --timeout;
					 * with --spool: kept there */
#define EVC_EXIT_REFUSED        8       /* the host refused the event */

/* The source evcreate writes when none is given (Windows uses "EventCreate"). */
#define EVC_DEFAULT_SOURCE      "evcreate"

/* --channel: the guest's end of the virtio-serial port org.evtrigger.0, and
 * how long evcreate tries to get the host's answer. */
#define EVC_CHANNEL_DEVICE      "/dev/virtio-ports/org.evtrigger.0"
#define EVC_CHANNEL_TIMEOUT_USEC (30 * UINT64_C(1000000))
/* --server: RFC 5425's port, and the files /S HOST alone uses when they are
 * there (a client certificate and the CA that signed the server's). */
#define EVC_SERVER_PORT         "6514"
#define EVC_CONF_CERT           EVT_SYSCONFDIR "/evcreate/cert.pem"
#define EVC_CONF_KEY            EVT_SYSCONFDIR "/evcreate/key.pem"
#define EVC_CONF_CA             EVT_SYSCONFDIR "/evcreate/ca.pem"
#define EVC_HOST_MAX            253
/* A PSK identity is a sender name of the listener's senders file. */
#define EVC_PSK_IDENTITY_MAX    64
/* RFC 4122 text: 8-4-4-4-12 hex digits. */
#define EVC_UUID_LEN            36

enum evc_action {
	EVC_WRITE,              /* write the one event of the command line */
	EVC_BATCH,              /* write one event per line of batch_path */
	EVC_FLUSH,              /* --flush: resend what --spool kept */
	EVC_HELP,
	EVC_VERSION,
};

enum evc_syntax {
	EVC_SYNTAX_GNU,
	EVC_SYNTAX_EVENTCREATE,
};

enum evc_target {
	EVC_TARGET_AUTO,        /* journal if its socket exists, else syslog */
	EVC_TARGET_JOURNAL,
	EVC_TARGET_SYSLOG,
	EVC_TARGET_CHANNEL,     /* the host, through a virtio-serial port */
	EVC_TARGET_SERVER,      /* a host's listener, over TLS (--server, /S) */
};

/* Where the PSK secret comes from (--psk-file, /P). */
enum evc_psk_from {
	EVC_PSK_NONE,
	EVC_PSK_FILE,           /* psk_value is a path */
	EVC_PSK_STDIN,          /* --psk-file -, /P - */
	EVC_PSK_LITERAL,        /* /P SECRET: visible to other users */
};

struct evc_args {
	enum evc_action action;
	enum evc_syntax syntax;
	enum evc_target target;
	enum syslog_format syslog_format;
	const char *socket_path;        /* syslog socket; points into argv */
	const char *batch_path;         /* "-" is standard input; into argv */
	/* EVC_TARGET_CHANNEL only: */
	const char *channel_path;       /* into argv, or EVC_CHANNEL_DEVICE */
	uint64_t timeout_usec;          /* > 0 */
	char uuid[EVC_UUID_LEN + 1];    /* --uuid in lower case, or "" */
	/* EVC_TARGET_SERVER only (timeout_usec and uuid too): */
	char server_host[EVC_HOST_MAX + 1];     /* no [brackets] */
	char server_port[6];
	const char *cert, *key, *ca;    /* into argv; NULL: none given */
	bool conf_files;                /* /S alone: EVC_CONF_* when there */
	const char *psk_identity;       /* into argv; NULL: x509 */
	enum evc_psk_from psk_from;
	const char *psk_value;          /* path or literal secret, into argv */
	const char *spool_dir;          /* into argv; NULL: no spool */
	bool no_answer;                 /* a host without evtrigger/1 is fine */
	/* The event of the command line; in batch mode the defaults every
	 * line starts from (id 0 and no description are then allowed). */
	struct event *event;
};

void evc_args_done(struct evc_args *a);

/* Parses argv into *ret (which the caller then releases with
 * evc_args_done). Returns EVC_EXIT_OK, or an EVC_EXIT_* code with a
 * malloc'd message in *ret_msg (lowercase, no program name, no newline),
 * in which case *ret holds nothing to release. Validates every event value;
 * for EVC_WRITE the event is complete. Uses getopt_long, so resets optind. */
int evc_args_parse(int argc, char *argv[], struct evc_args *ret,
		   char **ret_msg);

/* Sets one event value named by key ("type", "id", "source", "log",
 * "description") from s, as the options and batch lines do. Returns
 * EVC_EXIT_OK, or EVC_EXIT_INVALID (or EVC_EXIT_USAGE for an unknown key)
 * with a malloc'd message in *ret_msg naming the value. */
int evc_set_value(struct event *e, const char *key, const char *s,
		  char **ret_msg);
/* Splits "HOST", "HOST:PORT", "[V6]:PORT", "[V6]" or a bare IPv6 address
 * into host (without brackets) and port (default EVC_SERVER_PORT). Returns 0,
 * or -EINVAL (outputs untouched). */
int evc_parse_server(const char *s, char ret_host[EVC_HOST_MAX + 1],
		     char ret_port[6]);

/* Checks an RFC 4122 uuid in text form (any case) and writes it in lower
 * case to ret. Returns 0 or -EINVAL (ret untouched). */
int evc_uuid_normalize(const char *s, char ret[EVC_UUID_LEN + 1]);

/* Adds the extra field "NAME=VALUE". Returns EVC_EXIT_OK or
 * EVC_EXIT_INVALID with a message. */
int evc_add_field(struct event *e, const char *assignment, char **ret_msg);

/* Prints the help text (both syntaxes) to f. */
void evc_usage(FILE *f);

#endif
