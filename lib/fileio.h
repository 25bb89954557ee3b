/* Durable file writes: write beside, fsync, rename, fsync the directory, so a
 * crash leaves either the old file or the new one under the final name, never
 * a part of either. Never logs. */
#ifndef EVT_FILEIO_H
#define EVT_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Replaces path with len bytes of data, created with mode (before umask).
 * Writes "path.tmp-XXXXXX" beside it, fsyncs it, renames it over path and
 * fsyncs the directory. Returns 0, or -errno with path unchanged and no
 * temporary file left behind. */
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);

/* Like write_file_atomic(), but never replaces: -EEXIST, with path
 * untouched, if path exists. The new file appears under path complete. */
int write_file_atomic_new(const char *path, const void *data, size_t len,
			  mode_t mode);

/* Reads all of path into a NUL-terminated malloc'd buffer (*ret_len without
 * the NUL; ret_len may be NULL). Refuses files over max bytes with -EFBIG.
 * Returns 0, or -errno with *ret untouched. */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* fsyncs the directory holding path (for a rename or unlink to last). */
int fsync_parent_dir(const char *path);
/* fsyncs the directory dir itself. */
int fsync_dir(const char *dir);

#endif
