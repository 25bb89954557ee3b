/* evcreate: write a typed event (Windows eventcreate's fields) to the
 * journal or syslog, send it to another machine's listener over TLS
 * (--server, /S), or to the host's journal from inside a VM (--channel); see
 * evcreate(1). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "batch.h"
#include "channel.h"
#include "remote.h"
#include "writer.h"

static int
report(int code, char *msg)
{
	fprintf(stderr, "evcreate: %s\n", msg != NULL ? msg : "out of memory");
	free(msg);
	return code;
}

static int
write_one(const struct evc_args *a)
{
	struct evc_writer w;
	char *msg = NULL;
	int code, r;

	if (a->target == EVC_TARGET_SERVER)
		return evc_remote_run(a, NULL, NULL, stderr);
	if (a->target == EVC_TARGET_CHANNEL) {
		code = evc_channel_send(a, &msg);
		return code == EVC_EXIT_OK ? code : report(code, msg);
	}
	code = evc_writer_open(&w, a, &msg);
	if (code != EVC_EXIT_OK)
		return report(code, msg);
	code = evc_writer_check(&w, a->event, &msg);
	if (code == EVC_EXIT_OK) {
		r = evc_writer_write(&w, a->event);
		if (r < 0)
			code = evc_writer_error(&w, r, &msg);
	}
	evc_writer_close(&w);
	return code == EVC_EXIT_OK ? code : report(code, msg);
}

static int
write_batch(const struct evc_args *a)
{
	_cleanup_(fclosep) FILE *f = NULL;
	const char *name = a->batch_path;
	struct evc_writer w;
	char *msg = NULL;
	int code;

	if (streq(name, "-")) {
		name = "<stdin>";
	} else {
		struct stat st;

		f = fopen(name, "re");
		if (f == NULL) {
			fprintf(stderr, "evcreate: cannot open batch file "
				"'%s': %m\n", name);
			return EVC_EXIT_USAGE;
		}
		if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
			fprintf(stderr, "evcreate: cannot open batch file "
				"'%s': %s\n", name, strerror(EISDIR));
			return EVC_EXIT_USAGE;
		}
	}
	if (a->target == EVC_TARGET_SERVER)
		return evc_remote_run(a, f != NULL ? f : stdin, name, stderr);
	code = evc_writer_open(&w, a, &msg);
	if (code != EVC_EXIT_OK)
		return report(code, msg);
	code = evc_batch_run(f != NULL ? f : stdin, name, a->event, &w,
			     stderr);
	evc_writer_close(&w);
	return code;
}

int
main(int argc, char *argv[])
{
	struct evc_args a;
	char *msg = NULL;
	int code;

	code = evc_args_parse(argc, argv, &a, &msg);
	if (code != EVC_EXIT_OK) {
		code = report(code, msg);
		if (code == EVC_EXIT_USAGE)
			fprintf(stderr, "Try 'evcreate --help'.\n");
		return code;
	}
	switch (a.action) {
	case EVC_HELP:
		evc_usage(stdout);
		break;
	case EVC_VERSION:
		printf("evcreate " EVT_VERSION "\n");
		break;
	case EVC_WRITE:
		code = write_one(&a);
		break;
	case EVC_BATCH:
		code = write_batch(&a);
		break;
	case EVC_FLUSH:
		code = evc_remote_run(&a, NULL, NULL, stderr);
		break;
	}
	evc_args_done(&a);
	if (fflush(stdout) != 0 && code == EVC_EXIT_OK) {
		fprintf(stderr, "evcreate: cannot write to standard output: "
			"%m\n");
		code = EVC_EXIT_WRITE;
	}
	return code;
}
