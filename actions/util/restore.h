/* Reading back what the archive action wrote: the checksum file, the
 * definition NAME.xml, the images (stored under their absolute path minus
 * the leading '/', as pax sparse entries), and the definition rewritten for
 * where and under which name the images are restored. Used by the restore
 * action module (and so by `evtrigger restore`, which runs it). Never logs:
 * a failure returns -errno with a one-line reason in err. */
#ifndef EVT_RESTORE_H
#define EVT_RESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* Checks archive against archive.sha256 ("HEX  NAME", as sha256sum writes
 * it): reads the whole archive. 0; -ENOENT if there is no checksum file;
 * -EBADMSG if it is malformed or the sum differs; other -errno. */
int restore_verify_checksum(const char *archive, char *err, size_t errlen);

/* An image of the archive: where it was (absolute) and where it goes. */
struct restore_image {
	char *orig;             /* "/var/lib/libvirt/images/vdc.qcow2" */
	char *dest;             /* "DIR/vdc.qcow2" */
};

struct restore_map {
	struct restore_image *images;
	size_t n;
};

void restore_map_done(struct restore_map *m);

/* Adds orig -> dir/basename(orig). -EEXIST with a reason in err if another
 * image already goes to that file (two disks of one base name); -EINVAL for
 * an unusable name. 0 if orig was already there. */
int restore_map_add(struct restore_map *m, const char *dir, const char *orig,
		    char *err, size_t errlen);
/* The destination of orig, or NULL. */
const char *restore_map_dest(const struct restore_map *m, const char *orig);

/* What the definition says, for planning: its name, its UUID (or NULL), and
 * the file sources of its <disk>s with whether each is a writable image
 * (device 'disk', not readonly, not shareable). */
struct restore_def {
	char *name, *uuid;
	char **files;
	bool *writable;
	size_t n_files;
};

void restore_def_done(struct restore_def *d);
int restore_def_parse(const char *xml, struct restore_def *ret, char *err,
		      size_t errlen);

/* The definition rewritten: <name> set to name; each <source file=> (in
 * <disk> and its <backingStore>s) that m maps, pointed at its destination;
 * with new_identity, <uuid> and every interface's <mac> removed so that
 * libvirt gives the new VM its own. *ret malloc'd. 0, -EINVAL, -ENOMEM. */
int restore_rewrite_xml(const char *xml, const char *name, bool new_identity,
			const struct restore_map *m, char **ret, char *err,
			size_t errlen);

/* Where a backing reference recorded in an image that was at orig points:
 * an absolute reference as is, a relative one against orig's directory.
 * *ret malloc'd. */
int restore_backing_orig(const char *orig, const char *backing, char **ret);

/* Whether an archive member's path (no leading '/') is safe to treat as an
 * image: no "." or ".." component, no empty component, not absolute. */
bool restore_member_path_ok(const char *p);

#endif
