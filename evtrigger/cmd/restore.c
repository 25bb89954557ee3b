/* `evtrigger restore`: puts an archive made by the archive action back: the
 * restore action module (actions/restore.c) run by hand, as `evtrigger
 * action restore` would, so that a rule and the command do the same. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/winargs.h"
#include "macro.h"
#include "report.h"

static void
restore_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger restore ARCHIVE [OPTION]...\n"
		"Verifies ARCHIVE against ARCHIVE.sha256, extracts its disk images\n"
		"sparsely into DIR, points the definition (and qcow2 backing\n"
		"files) at them and defines the VM. Nothing that exists is\n"
		"replaced: a VM of that name or UUID, or a file in DIR, stops it.\n\n"
		"  --dir DIR           where the images go (default: the current\n"
		"                      directory; created if missing)\n"
		"  --as NAME           define the VM as NAME, with a new UUID and\n"
		"                      new MAC addresses (default: the archived name)\n"
		"  --connect URI       libvirt URI (default: libvirt's default)\n"
		"  --state-dir DIR     where the job record is kept while it runs\n"
		"  --action-dir DIR    where action modules are found\n"
		"  -h, --help          this text\n\n"
		"Exit status: 0 restored, 1 not restored (the reason is on stderr\n"
		"and in the journal), 2 usage, 4 no restore module, 5 system error.\n");
}

/* An absolute form of a path the user typed, without resolving links in
 * its last part (that the module opens itself). */
static char *
absolute(const char *p)
{
	_cleanup_(freep) char *cwd = NULL;
	char *s;

	if (p[0] == '/')
		return strdup(p);
	cwd = getcwd(NULL, 0);
	if (cwd == NULL || asprintf(&s, "%s/%s", cwd, p) < 0)
		return NULL;
	return s;
}

int
cmd_restore(int argc, char *argv[])
{
	enum { OPT_DIR = 0x100, OPT_AS, OPT_CONNECT };
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "as", required_argument, NULL, OPT_AS },
		{ "connect", required_argument, NULL, OPT_CONNECT },
		CMD_OPT_STATE_DIR,
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(freep) char *archive = NULL, *dir = NULL, *o_arch = NULL,
			     *o_dir = NULL, *o_as = NULL;
	const char *as = NULL, *connect = NULL, *dir_arg = ".";
	struct cmd_dirs dirs = { 0 };
	char *args[16];
	int c, n = 0;

	if (win_asks_help(argc, argv)) {	/* -?, as on Windows */
		restore_usage(stdout);
		return 0;
	}
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR: dir_arg = optarg; break;
		case OPT_AS: as = optarg; break;
		case OPT_CONNECT: connect = optarg; break;
		case 'h':
			restore_usage(stdout);
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			restore_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		restore_usage(stderr);
		return EXIT_USAGE;
	}
	if (as != NULL && (*as == '\0' || strchr(as, '/') != NULL)) {
		report_error(0, "invalid VM name '%s'", as);
		return EXIT_USAGE;
	}
	archive = absolute(argv[optind]);
	dir = absolute(dir_arg);
	if (archive == NULL || dir == NULL ||
	    asprintf(&o_arch, "archive=%s", archive) < 0 ||
	    asprintf(&o_dir, "dir=%s", dir) < 0 ||
	    (as != NULL && asprintf(&o_as, "as=%s", as) < 0)) {
		report_error(0, "out of memory");
		return EXIT_RUNTIME;
	}
	/* The same run as `evtrigger action restore -o ...`. */
	args[n++] = (char *)"action";
	args[n++] = (char *)"-o";
	args[n++] = o_arch;
	args[n++] = (char *)"-o";
	args[n++] = o_dir;
	if (o_as != NULL) {
		args[n++] = (char *)"-o";
		args[n++] = o_as;
	}
	if (connect != NULL) {
		args[n++] = (char *)"--connect";
		args[n++] = (char *)connect;
	}
	if (dirs.state != NULL) {
		args[n++] = (char *)"--state-dir";
		args[n++] = (char *)dirs.state;
	}
	if (dirs.action != NULL) {
		args[n++] = (char *)"--action-dir";
		args[n++] = (char *)dirs.action;
	}
	args[n++] = (char *)"restore";
	args[n] = NULL;
	return cmd_action(n, args);
}
