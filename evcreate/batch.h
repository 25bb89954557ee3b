/* evcreate --batch: one event per line, written over one connection.
 *
 * A line is an event line as lib/eventline.h parses it (the same parser the
 * host's listener runs on the guest channel). The command line's event
 * options are defaults a line may override. The keys uuid and time are
 * refused: they belong to events sent to a host. Blank lines and lines
 * whose first non-blank character is '#' are skipped; a trailing CR is
 * ignored. */
#ifndef EVC_BATCH_H
#define EVC_BATCH_H

#include <stdio.h>

#include "event.h"
#include "writer.h"

/* Parses one line (without its newline) into a new event built on
 * defaults. Returns EVC_EXIT_OK with *ret set to the event, or to NULL for
 * a line to skip; or an EVC_EXIT_* code with a malloc'd message in
 * *ret_msg, *ret untouched. */
int evc_batch_parse_line(const char *line, const struct event *defaults,
			 struct event **ret, char **ret_msg);

/* Reads f (called name in messages) to its end and writes every good line
 * with w. Reports each bad line on err as "evcreate: NAME:LINE: message".
 * Returns EVC_EXIT_OK when every line was written, EVC_EXIT_BATCH when
 * some failed and the others were written, or the writer's code when the
 * target failed and the batch stopped. */
int evc_batch_run(FILE *f, const char *name, const struct event *defaults,
		  struct evc_writer *w, FILE *err);

#endif
