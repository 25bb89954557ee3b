/* Files: reading one whole, and durable writes: write beside, fsync, rename,
 * fsync the directory, so a crash leaves either the old file or the new one
 * under the final name, never a part of either. Never logs. */
#ifndef EVT_FILEIO_H
#define EVT_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A new file being written beside its final name (see file_beside_open). */
struct file_beside {
	int fd;         /* O_RDWR, close-on-exec */
	char *path;     /* the temporary name; NULL once committed */
};
#define FILE_BESIDE_INIT { .fd = -1, .path = NULL }

/* Creates an empty file beside path, in the same directory (so that a rename
 * replaces path atomically), named ".BASENAME.evt-TAG.XXXXXX", mode 0600.
 * 0 with *ret filled, or -errno (-EINVAL for a path ending in '/') with *ret
 * untouched. */
int file_beside_open(const char *path, const char *tag,
		     struct file_beside *ret);
/* Whether name (a base name) is one file_beside_open() made for tag: used to
 * clean up after a crash. */
bool file_is_beside_name(const char *name, const char *tag);
/* Puts the written file in place: fsync(fd), then rename over path (replace)
 * or link to path, refused with -EEXIST if path exists (!replace), then
 * fsyncs path's directory. On 0 the temporary name is gone (b->path NULL;
 * b->fd stays open, now the file at path). On -errno the temporary file is
 * still there for file_beside_discard(). */
int file_beside_commit(struct file_beside *b, const char *path, bool replace);
/* Removes the temporary file unless committed and closes fd. For _cleanup_;
 * NULL and FILE_BESIDE_INIT are fine. Keeps errno. */
void file_beside_discard(struct file_beside *b);

/* The whole sequence: creates the file beside path, calls fill(fd, tmp_path,
 * userdata) to write and verify it (fill returns 0 or -errno), then commits
 * it over path. Returns 0, or the first -errno with path unchanged and no
 * temporary file left behind. */
int file_commit_beside(const char *path, const char *tag,
		       int (*fill)(int fd, const char *tmp_path,
				   void *userdata),
		       void *userdata);

/* Replaces path with len bytes of data, created with mode (before umask),
 * by file_commit_beside(). Returns 0, or -errno with path unchanged and no
 * temporary file left behind. */
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);
/* Like write_file_atomic(), but never replaces: -EEXIST, with path
 * untouched, if path exists. The new file appears under path complete. */
int write_file_atomic_new(const char *path, const void *data, size_t len,
			  mode_t mode);
/* Writes all of data to fd, retrying short writes. 0 or -errno. */
int write_all(int fd, const void *data, size_t len);

/* Reads all of the regular file path into a NUL-terminated malloc'd buffer
 * (*ret_len without the NUL; ret_len may be NULL). Refuses files over max
 * bytes with -EFBIG, a directory with -EISDIR, anything else that is not a
 * regular file (a FIFO, a device) with -EBADFD. Returns 0, or -errno with
 * *ret untouched. */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len);
/* read_file, and the file's mode (of what was read) in *ret_mode, which
 * may be NULL. */
int read_file_mode(const char *path, size_t max, char **ret,
		   size_t *ret_len, mode_t *ret_mode);

/* fsyncs the directory holding path (for a rename or unlink to last). */
int fsync_parent_dir(const char *path);
/* fsyncs the directory dir itself. */
int fsync_dir(const char *dir);

#endif
