/* evcreate --spool: events kept on disk until a host acknowledges them.
 *
 * One file per event, DIR/<uuid>.event, holding the event as one line of
 * the batch format with its uuid and time (evc_channel_format_line), mode
 * 0600, written beside, fsynced and renamed into place (lib/fileio.h) before
 * the event is sent; removed once the host acknowledged or refused it. DIR
 * is made 0700 and refused if others may read it. Never prints. */
#ifndef EVC_SPOOL_H
#define EVC_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "event.h"

#define EVC_SPOOL_SUFFIX        ".event"

/* Makes dir (0700) unless it is there. Returns 0; -ENOTDIR if it is not a
 * directory; -EPERM if group or others may use it (mode & 077) or another
 * user owns it; other -errno. */
int evc_spool_prepare(const char *dir);

/* Writes e with uuid and time (usec since the epoch) as dir/<uuid>.event,
 * replacing one of that uuid. Returns 0, -EBADMSG/-EMSGSIZE as
 * evc_channel_format_line, other -errno; nothing is left half written. */
int evc_spool_write(const char *dir, const struct event *e, const char *uuid,
		    uint64_t time_usec);

/* Removes dir/<uuid>.event and makes that last. 0 or -errno (-ENOENT is
 * 0). */
int evc_spool_remove(const char *dir, const char *uuid);

/* One spooled event, as read back. */
struct evc_spooled {
	char *path;                     /* dir/<uuid>.event */
	struct event *event;
	char uuid[EVC_UUID_LEN + 1];
	uint64_t time_usec;
};

/* Reads one spool file. Returns 0 with *ret filled (release with
 * evc_spooled_done), or -errno with a malloc'd message in *ret_msg: -EBADMSG
 * for a file that is not one event line with a uuid (the one of its name)
 * and a time. */
int evc_spool_read(const char *path, struct evc_spooled *ret, char **ret_msg);
void evc_spooled_done(struct evc_spooled *s);

/* Reads every DIR/<uuid>.event, oldest time first (then by name). Files
 * that cannot be read are reported through bad(path, message, userdata)
 * and left in place. Returns 0 with a malloc'd array in *ret (*ret_n
 * entries; release each with evc_spooled_done, then free), or -errno. */
int evc_spool_list(const char *dir, struct evc_spooled **ret, size_t *ret_n,
		   void (*bad)(const char *path, const char *msg,
			       void *userdata),
		   void *userdata);

#endif
