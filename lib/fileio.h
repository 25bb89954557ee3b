/* Small file helpers for durable state: whole-file reads, and atomic
 * replacement (write beside, fsync, rename, fsync the directory). Never logs. */
#ifndef EVT_FILEIO_H
#define EVT_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Replaces path with the len bytes of data, atomically and durably: the data
 * goes to a temporary file beside path, which is fsynced and renamed over
 * path, and the directory is fsynced. After a crash, path holds either its
 * old or its new content, never a mix; a leftover temporary file has a name
 * starting with ".#". mode applies to a newly created file. Returns 0 or
 * -errno; on error path is unchanged and no temporary file is left. */
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);

/* Reads all of path (at most max bytes) into a malloc'd NUL-terminated
 * buffer. Returns 0 with *ret (and *ret_len if not NULL), -ENOENT if there
 * is no such file, -EFBIG if longer than max, or another -errno. */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len);

#endif
