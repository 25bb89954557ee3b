/* The watcher's durable journal position: the cursor of the last entry whose
 * jobs are recorded, kept in STATE_DIR/cursor. Never logs. */
#ifndef EVT_CURSOR_H
#define EVT_CURSOR_H

#include <stddef.h>

#define CURSOR_FILE "cursor"
#define CURSOR_MAX  1024        /* a journal cursor is ~150 bytes */

/* Reads the cursor stored in state_dir. Returns 0 with *ret (malloc'd),
 * -ENOENT if none is stored yet, -EBADMSG if the file does not hold a
 * cursor, or another -errno. */
int cursor_load(const char *state_dir, char **ret);

/* Stores cursor in state_dir atomically and durably (fsynced): after a crash
 * the file holds the old or the new cursor. Returns 0 or -errno. */
int cursor_store(const char *state_dir, const char *cursor);

/* Whether s looks like a journal cursor: printable ASCII, no newline,
 * "s=...;i=...;..." form, at most CURSOR_MAX bytes. */
int cursor_check(const char *s);

#endif
