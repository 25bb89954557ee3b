/* evcreate --batch: the line format and the loop (see batch.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "errmsg.h"
#include "batch.h"
#include "eventline.h"

int
evc_batch_parse_line(const char *line, const struct event *defaults,
		     struct event **ret, char **ret_msg)
{
	_cleanup_(event_freep) struct event *e = NULL;
	struct eventline_meta meta;
	int r;

	r = eventline_parse(line, defaults, &e, &meta, ret_msg);
	if (r == 1) {
		*ret = NULL;
		return EVC_EXIT_OK;
	}
	if (r == -ENOKEY)
		return EVC_EXIT_USAGE;
	if (r == -ENOMEM)
		return EVC_EXIT_WRITE;
	if (r < 0)
		return EVC_EXIT_INVALID;
	/* uuid and time travel with an event sent to a host, which writes
	 * them as fields only it may write. */
	if (meta.uuid[0] != '\0' || meta.has_time)
		return failf(EVC_EXIT_INVALID, ret_msg,
			    "key %s: only for an event sent to a host "
			    "(--channel), not for a local one",
			    meta.uuid[0] != '\0' ? "uuid" : "time");
	*ret = TAKE_PTR(e);
	return EVC_EXIT_OK;
}

static void
strip_newline(char *line, ssize_t *len)
{
	if (*len > 0 && line[*len - 1] == '\n')
		line[--*len] = '\0';
	if (*len > 0 && line[*len - 1] == '\r')
		line[--*len] = '\0';
}

int
evc_batch_run(FILE *f, const char *name, const struct event *defaults,
	      struct evc_writer *w, FILE *err)
{
	_cleanup_(freep) char *line = NULL;
	size_t cap = 0, lineno = 0, written = 0, failed = 0;
	ssize_t len;
	int code = EVC_EXIT_OK;

	while ((len = getline(&line, &cap, f)) >= 0) {
		_cleanup_(event_freep) struct event *e = NULL;
		_cleanup_(freep) char *msg = NULL;
		int r;

		lineno++;
		strip_newline(line, &len);
		if ((size_t)len != strlen(line))
			r = failf(EVC_EXIT_INVALID, &msg,
				 "line contains a NUL byte");
		else
			r = evc_batch_parse_line(line, defaults, &e, &msg);
		if (r == EVC_EXIT_OK && e == NULL)
			continue;
		if (r == EVC_EXIT_OK)
			r = evc_writer_check(w, e, &msg);
		if (r == EVC_EXIT_OK) {
			int wr = evc_writer_write(w, e);

			if (wr < 0) {
				r = evc_writer_error(w, wr, &msg);
				if (evc_writer_error_is_fatal(wr)) {
					fprintf(err, "evcreate: %s:%zu: %s; "
						"stopped after %zu events\n",
						name, lineno,
						msg ? msg : "out of memory",
						written);
					return r;
				}
			}
		}
		if (r != EVC_EXIT_OK) {
			fprintf(err, "evcreate: %s:%zu: %s\n", name, lineno,
				msg ? msg : "out of memory");
			failed++;
			continue;
		}
		written++;
	}
	if (ferror(f)) {
		fprintf(err, "evcreate: %s: read error after line %zu: %s; "
			"%zu events written\n", name, lineno,
			strerror(errno), written);
		return EVC_EXIT_WRITE;
	}
	if (failed > 0) {
		fprintf(err, "evcreate: %s: %zu of %zu lines failed, %zu "
			"events written\n", name, failed, failed + written, written);
		code = EVC_EXIT_BATCH;
	}
	return code;
}
