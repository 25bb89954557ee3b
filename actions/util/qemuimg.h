/* Running qemu-img: fork + execvp of an argument vector (never a shell),
 * progress read from its -p output, cancellation, its error text captured,
 * and the JSON of info/measure read into structs. Never logs. */
#ifndef EVT_QEMUIMG_H
#define EVT_QEMUIMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* Called with 0..100 whenever qemu-img prints a new percentage. */
typedef void (*qemuimg_progress_fn)(unsigned percent, void *userdata);

struct qemuimg_opts {
	qemuimg_progress_fn progress;   /* NULL: no progress wanted */
	void *userdata;
	int cancel_fd;                  /* readable = cancel; -1 for none */
};

/* Runs "qemu-img args[0] args[1] ..." (args NULL-terminated, without the
 * program name). qemu-img is found in $PATH, or $QEMU_IMG if set (tests).
 * It gets /dev/null as stdin, and SIGTERM if this process dies.
 *
 * Returns qemu-img's exit status (0..255) with *ret_stdout (may be NULL: not
 * kept) and *ret_error (its stderr, trailing newlines removed, "" if none)
 * set; -ECANCELED if cancel_fd became readable (qemu-img was sent SIGTERM
 * and waited for); -EINTR if it was killed by a signal we did not send
 * (*ret_error says which); other -errno if it could not be run. On a
 * negative return other than -EINTR, *ret_stdout and *ret_error are
 * untouched. */
int qemuimg_run(const char *const *args, const struct qemuimg_opts *opts,
		char **ret_stdout, char **ret_error);

/* Finds the last complete "(NN.NN/100%)" in text[0..n) and returns 0 with
 * *ret the whole percent (0..100, rounded down), or -ENOENT. */
int qemuimg_parse_progress(const char *text, size_t n, unsigned *ret);

struct qemuimg_info {
	char *filename;
	char *format;                   /* "qcow2", "raw", ... */
	uint64_t virtual_size;
	uint64_t actual_size;           /* bytes allocated on the host */
	char *backing_filename;         /* as recorded in the image, or NULL */
	char *full_backing_filename;    /* resolved, or NULL */
	char *backing_format;           /* or NULL */
	uint64_t cluster_size;          /* 0 if not applicable */
	char *compat;                   /* qcow2 "0.10"/"1.1", or NULL */
	bool encrypted;
	bool has_snapshots;             /* internal snapshots */
	bool has_data_file;             /* qcow2 external data file */
	bool has_bitmaps;               /* persistent dirty bitmaps */
};

void qemuimg_info_done(struct qemuimg_info *i);

/* Reads one image's object of `qemu-img info --output=json` into *ret
 * (which is zeroed first). 0, -EINVAL if a required member (format,
 * virtual-size) is missing, -ENOMEM. */
int qemuimg_info_from_json(const char *json, struct qemuimg_info *ret);

/* Reads `qemu-img info --output=json --backing-chain` (an array, top
 * first) into *ret, an array of *ret_n infos (free with
 * qemuimg_chain_free). 0, -EINVAL, -ENOMEM. */
int qemuimg_chain_from_json(const char *json, struct qemuimg_info **ret,
			    size_t *ret_n);
void qemuimg_chain_free(struct qemuimg_info *chain, size_t n);

/* Reads "required" of `qemu-img measure --output=json`. */
int qemuimg_measure_from_json(const char *json, uint64_t *ret_required);

/* qemu-img info [--backing-chain] --output=json path (not -U: an image in
 * use by a running QEMU fails with its lock error, which is what callers
 * want). path should be absolute, so that qemu-img never reads a "proto:"
 * prefix from it. 0 with *ret filled; -EIO with *ret_error (malloc'd) set if
 * qemu-img failed; other -errno. */
int qemuimg_info(const char *path, struct qemuimg_info *ret,
		 char **ret_error);

/* The backing chain of an image whose format is known (the VM's definition
 * says it; libvirt's own default is raw). The format is never probed: a
 * guest can write anything at the start of a raw disk, a qcow2 header
 * naming a host file as backing file included. For the same reason a chain
 * is refused (-EMEDIUMTYPE, *ret_error set) where an image does not record
 * its backing file's format. Errors as qemuimg_info(). */
int qemuimg_chain(const char *path, const char *format,
		  struct qemuimg_info **ret, size_t *ret_n, char **ret_error);
/* The same with -U (force share): reads the chain of an image that a
 * running QEMU holds open, without its lock. Only for reading metadata. */
int qemuimg_chain_shared(const char *path, const char *format,
			 struct qemuimg_info **ret, size_t *ret_n,
			 char **ret_error);
/* 0, or -EMEDIUMTYPE (with *ret_error, if not NULL) if an image of chain
 * other than the last does not record its backing file's format. */
int qemuimg_chain_check(const struct qemuimg_info *chain, size_t n,
			char **ret_error);

/* For _cleanup_(qemuimg_info_donep) on a struct qemuimg_info. */
static inline void
qemuimg_info_donep(struct qemuimg_info *i)
{
	qemuimg_info_done(i);
}

#endif
