/* Where evcreate writes: the journal's native socket or a syslog socket,
 * opened once so a batch of events shares one connection. */
#ifndef EVC_WRITER_H
#define EVC_WRITER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "args.h"

struct evc_writer {
	enum evc_target target;         /* JOURNAL or SYSLOG once open */
	enum syslog_format format;
	const char *path;               /* the socket written to */
	int fd;                         /* syslog only */
	char hostname[HOST_NAME_MAX + 1];
	pid_t pid;
};

/* Chooses the target a asks for (the journal if its socket exists, else
 * syslog, for EVC_TARGET_AUTO) and opens it. Returns EVC_EXIT_OK, or
 * EVC_EXIT_UNAVAILABLE with a malloc'd message naming the path. */
int evc_writer_open(struct evc_writer *w, const struct evc_args *a,
		    char **ret_msg);
void evc_writer_close(struct evc_writer *w);

/* Checks what the target cannot carry though the event is valid (syslog:
 * structured-data parameter names of at most 32 bytes). Returns EVC_EXIT_OK
 * or EVC_EXIT_INVALID with a malloc'd message. */
int evc_writer_check(const struct evc_writer *w, const struct event *e,
		     char **ret_msg);

/* Writes one complete event. Returns 0 or -errno. */
int evc_writer_write(struct evc_writer *w, const struct event *e);

/* The exit code and message for a failed write (r < 0). The message names
 * the target and path and is malloc'd into *ret_msg. */
int evc_writer_error(const struct evc_writer *w, int r, char **ret_msg);

/* Whether a write error means the target is gone (nothing more can be
 * written), rather than that this one event was refused. */
bool evc_writer_error_is_fatal(int r);

#endif
