/* compact: makes the VM's disk images small again. qcow2 images are
 * rewritten by qemu-img convert into a file beside them (keeping their
 * backing file), verified, and renamed over the original; raw images get
 * holes punched where whole 4 KiB blocks are zero. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "evt-ids.h"
#include "evtrigger-action.h"
#include "fileio.h"
#include "time.h"
#include "util/diskfile.h"
#include "util/diskstep.h"
#include "util/qemuimg.h"
#include "util/vm.h"

#define COMPACT_BLOCK 4096u
#define COMPACT_CHUNK (1u << 20)
#define COMPACT_TAG "compact"

static const struct evt_option compact_options[] = {
	{ "skip", EVT_OPT_LIST, NULL,
	  "disks to leave alone: globs matched against the image's file name, "
	  "its path and its target (vda)" },
	{ NULL },
};

struct compact {
	const struct evt_host *host;
	struct evt_job *job;
	const struct vm_disk *disk;
	const char *path;
	struct stat st;                 /* of the image before */
	uint64_t virtual_size;
};

/* Whether the directory of the image has room for need more bytes. */
static int
check_free_space(struct compact *c, uint64_t need)
{
	_cleanup_(freep) char *dir = strdup(c->path);
	struct statvfs sv;
	char *slash;
	uint64_t avail;

	if (dir == NULL)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (statvfs(dir, &sv) < 0) {
		c->host->set_error(c->job, "cannot read free space of %s: %m",
				   dir);
		return -errno;
	}
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	if (avail < need) {
		c->host->set_error(c->job, "not enough free space in %s to "
				   "compact %s: %" PRIu64 " bytes needed, %"
				   PRIu64 " free", dir, c->path, need, avail);
		return -ENOSPC;
	}
	return 0;
}

static int
measure(struct compact *c, uint64_t *ret)
{
	const char *args[] = { "measure", "--output=json", "-f", "qcow2",
			       "-O", "qcow2", "--", c->path, NULL };
	_cleanup_(freep) char *out = NULL, *err = NULL;
	int r;

	r = qemuimg_run(args, NULL, &out, &err);
	if (r != 0 || qemuimg_measure_from_json(out, ret) < 0) {
		c->host->set_error(c->job, "qemu-img measure of %s failed: %s",
				   c->path, r < 0 && r != -EINTR ? strerror(-r) :
				   err != NULL && *err != '\0' ? err :
				   "unreadable output");
		return r < 0 ? r : -EIO;
	}
	return 0;
}

/* Converts into tmp, checks and compares it; the caller renames it. */
static int
convert_verify(struct compact *c, const struct qemuimg_info *chain,
	       size_t n_chain, const char *tmp, int fd)
{
	struct disk_progress p = { c->host, c->job, c->path, 0, 2 };
	const struct qemuimg_info *top = &chain[0];
	_cleanup_(freep) char *opts = NULL;
	const char *conv[24];
	const char *check[] = { "check", "-q", "-f", "qcow2", "--", tmp, NULL };
	const char *cmp[] = { "compare", "-p", "-f", "qcow2", "-F", "qcow2",
			      "--", c->path, tmp, NULL };
	size_t k = 0;
	int r;

	/* Keep what the admin chose when creating the image. */
	if (asprintf(&opts, "compat=%s,cluster_size=%" PRIu64,
		     top->compat != NULL ? top->compat : "1.1",
		     top->cluster_size > 0 ? top->cluster_size : 65536) < 0)
		return -ENOMEM;
	conv[k++] = "convert";
	conv[k++] = "-p";
	conv[k++] = "-f";
	conv[k++] = "qcow2";
	conv[k++] = "-O";
	conv[k++] = "qcow2";
	conv[k++] = "-o";
	conv[k++] = opts;
	if (top->backing_filename != NULL) {
		/* Only the top layer is rewritten; it keeps pointing at the
		 * same backing file, named as before (a relative name stays
		 * relative: the new file is in the same directory). */
		conv[k++] = "-B";
		conv[k++] = top->backing_filename;
		conv[k++] = "-F";
		conv[k++] = top->backing_format != NULL ? top->backing_format :
			    n_chain > 1 ? chain[1].format : "raw";
	}
	if (top->has_bitmaps)
		conv[k++] = "--bitmaps";
	conv[k++] = "--";
	conv[k++] = c->path;
	conv[k++] = tmp;
	conv[k] = NULL;

	r = disk_run_qemuimg(c->host, c->job, conv, "qemu-img convert", c->path,
			     &p);
	if (r < 0)
		return r;
	if (c->host->cancelled(c->job))
		return -ECANCELED;
	/* Start writing the copy back to disk now, so that the writeback
	 * overlaps the checks (which read it from the page cache) and the
	 * final fsync has little left to wait for. */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	r = disk_run_qemuimg(c->host, c->job, check,
			     "qemu-img check of the new image", c->path, NULL);
	if (r < 0)
		return r;
	p.phase = 1;
	r = disk_run_qemuimg(c->host, c->job, cmp,
			     "comparing the new image with the old", c->path,
			     &p);
	if (r < 0 && r != -EIO)
		return r;
	if (r == -EIO) {
		c->host->set_error(c->job, "the compacted copy of %s does not "
				   "read the same as the original; the original "
				   "was kept", c->path);
		return -EIO;
	}
	return 0;
}

static int
compact_qcow2(struct compact *c, const struct qemuimg_info *chain,
	      size_t n_chain)
{
	const struct qemuimg_info *top = &chain[0];
	_cleanup_(file_beside_discard) struct file_beside b = FILE_BESIDE_INIT;
	_cleanup_(closep) int lock_fd = -1;
	struct stat st;
	uint64_t need;
	int r;

	/* Held from before the first read until after the rename: a reader
	 * lock as qemu-img's own (qemu-img measure, convert, check and
	 * compare still open it), which keeps any QEMU from opening the
	 * original for writing. Without it, a VM started between the
	 * comparison and the rename would write into the old file, which
	 * the rename then unlinks: its writes would be lost. */
	lock_fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (lock_fd < 0) {
		r = -errno;
		c->host->set_error(c->job, "cannot open %s: %s", c->path,
				   strerror(-r));
		return r;
	}
	r = disk_lock_image(lock_fd, false);
	if (r < 0) {
		c->host->set_error(c->job, "cannot compact %s: %s", c->path,
				   r == -EBUSY ? "the image is in use" :
				   strerror(-r));
		return r;
	}
	if (fstat(lock_fd, &st) < 0 || st.st_dev != c->st.st_dev ||
	    st.st_ino != c->st.st_ino) {
		c->host->set_error(c->job, "cannot compact %s: it was replaced "
				   "meanwhile", c->path);
		return -EBUSY;
	}
	r = measure(c, &need);
	if (r < 0)
		return r;
	/* measure counts the whole chain flattened; the rewritten top layer
	 * never holds more than the top layer does now. A margin covers
	 * metadata laid out anew. */
	if (top->backing_filename != NULL && top->actual_size < need)
		need = top->actual_size;
	need += need / 100 + (1u << 20);
	r = check_free_space(c, need);
	if (r < 0)
		return r;

	r = file_beside_open(c->path, COMPACT_TAG, &b);
	if (r < 0) {
		c->host->set_error(c->job, "cannot create a file beside %s: %s",
				   c->path, strerror(-r));
		return r;
	}
	/* Noted before anything is written, so recover() finds it. */
	r = c->host->set_note(c->job, "compact-temp", b.path);
	if (r < 0) {
		c->host->set_error(c->job, "cannot record job note: %s",
				   strerror(-r));
		goto out_unlink;
	}
	r = convert_verify(c, chain, n_chain, b.path, b.fd);
	if (r < 0)
		goto out_unlink;
	r = disk_copy_attrs(b.fd, &c->st, c->path);
	if (r < 0) {
		c->host->set_error(c->job, "cannot give the compacted copy of %s "
				   "its owner, mode and label: %s", c->path,
				   strerror(-r));
		goto out_unlink;
	}
	if (c->host->cancelled(c->job)) {
		r = -ECANCELED;
		goto out_unlink;
	}
	r = file_beside_commit(&b, c->path, true);
	if (r < 0) {
		c->host->set_error(c->job, "cannot replace %s by its compacted "
				   "copy: %s", c->path, strerror(-r));
		goto out_unlink;
	}
	c->host->set_note(c->job, "compact-temp", NULL);
	return 0;

out_unlink:
	file_beside_discard(&b);        /* before the note that names it */
	c->host->set_note(c->job, "compact-temp", NULL);
	return r;
}

struct punch {
	int fd;
	int error;
	uint64_t punched;
};

static void
punch_run(uint64_t off, uint64_t len, void *userdata)
{
	struct punch *p = userdata;

	if (p->error != 0)
		return;
	if (fallocate(p->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		p->error = errno;
	else
		p->punched += len;
}

/* Punching holes is done in place, unlike the qcow2 rewrite: a punched
 * range reads as zeros, and only ranges just read as all zeros are punched,
 * so the image reads the same after every single fallocate() call. A crash
 * or a cancel at any point leaves an image with the same content, only some
 * of it sparse. No one else can write in between: the image is locked the
 * way QEMU locks it (no QEMU can open it), and the VM is off. A checksum
 * before and after would double the reading for no more certainty than
 * fallocate's contract gives; the scenario test compares a copy. */
static int
compact_raw(struct compact *c)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) struct disk_extent *map = NULL;
	_cleanup_(freep) void *buf = NULL;
	struct punch p = {};
	uint64_t total = 0, done = 0;
	size_t n_map = 0;
	int r;

	fd = open(c->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		c->host->set_error(c->job, "cannot open %s: %m", c->path);
		return -errno;
	}
	r = disk_lock_image(fd, true);
	if (r < 0) {
		c->host->set_error(c->job, "cannot compact %s: %s", c->path,
				   r == -EBUSY ? "the image is in use" :
				   strerror(-r));
		return r;
	}
	r = disk_data_map(fd, (uint64_t)c->st.st_size, &map, &n_map);
	if (r < 0) {
		c->host->set_error(c->job, "cannot map the data of %s: %s",
				   c->path, strerror(-r));
		return r;
	}
	if (posix_memalign(&buf, COMPACT_BLOCK, COMPACT_CHUNK) != 0)
		return -ENOMEM;
	p.fd = fd;
	for (size_t i = 0; i < n_map; i++)
		total += map[i].length;
	for (size_t i = 0; i < n_map; i++) {
		uint64_t off = (map[i].offset + COMPACT_BLOCK - 1) &
			       ~(uint64_t)(COMPACT_BLOCK - 1);
		uint64_t end = (map[i].offset + map[i].length) &
			       ~(uint64_t)(COMPACT_BLOCK - 1);

		while (off < end) {
			size_t len = end - off < COMPACT_CHUNK ?
				     (size_t)(end - off) : COMPACT_CHUNK;
			ssize_t k;

			if (c->host->cancelled(c->job))
				return -ECANCELED;
			k = pread(fd, buf, len, (off_t)off);
			if (k < 0) {
				c->host->set_error(c->job, "cannot read %s: %m",
						   c->path);
				return -errno;
			}
			if (k == 0)
				break;
			len = (size_t)k & ~(size_t)(COMPACT_BLOCK - 1);
			if (len == 0)
				break;
			disk_zero_runs(buf, len, COMPACT_BLOCK, off, punch_run,
				       &p);
			if (p.error != 0) {
				c->host->set_error(c->job, "cannot punch holes "
						   "in %s: %s", c->path,
						   strerror(p.error));
				return -p.error;
			}
			off += len;
			done += len;
			c->host->progress(c->job, c->path, total > 0 ?
					  (unsigned)(done * 100 / total) : 100);
		}
	}
	if (fsync(fd) < 0) {
		c->host->set_error(c->job, "cannot sync %s: %m", c->path);
		return -errno;
	}
	return 0;
}

static int
compact_disk(const struct evt_host *host, struct evt_job *job,
	     const struct vm_disk *d)
{
	_cleanup_(freep) char *real = NULL;
	struct compact c = { host, job, d, d->source };
	_cleanup_(freep) char *err = NULL, *f_vsize = NULL, *f_before = NULL,
			     *f_after = NULL, *f_dur = NULL, *f_reason = NULL;
	struct qemuimg_info *chain = NULL;
	size_t n_chain = 0;
	struct stat after;
	uint64_t t0 = now_usec(CLOCK_MONOTONIC), usec;
	char took[32];
	const char *why = NULL;
	int r;

	/* Work on the file itself: a rename over a symbolic link would
	 * replace the link, not the image. */
	real = realpath(d->source, NULL);
	if (real == NULL) {
		host->set_error(job, "cannot compact %s (%s): %m", d->source,
				d->target);
		return -errno;
	}
	c.path = real;
	if (stat(c.path, &c.st) < 0) {
		host->set_error(job, "cannot compact %s (%s): %m", c.path,
				d->target);
		return -errno;
	}
	if (!S_ISREG(c.st.st_mode)) {
		host->set_error(job, "cannot compact %s (%s): not a regular "
				"file", c.path, d->target);
		return -EINVAL;
	}
	/* Without -U: qemu-img fails on an image that a QEMU holds open. */
	r = qemuimg_chain(c.path, disk_format(d), &chain, &n_chain, &err);
	if (r < 0) {
		host->set_error(job, "cannot compact %s: %s", c.path,
				err != NULL ? err : strerror(-r));
		return r;
	}
	c.virtual_size = chain[0].virtual_size;
	if (!streq(disk_format(d), chain[0].format)) {
		host->set_error(job, "cannot compact %s: the VM says it is %s "
				"but it is %s", c.path, disk_format(d),
				chain[0].format);
		r = -EINVAL;
		goto out;
	}
	if (!streq(chain[0].format, "qcow2") && !streq(chain[0].format, "raw"))
		why = "only qcow2 and raw images are compacted";
	else if (chain[0].encrypted)
		why = "encrypted images are not compacted";
	else if (chain[0].has_data_file)
		why = "images with an external data file are not compacted";
	else if (chain[0].has_snapshots)
		why = "the image holds internal snapshots, which a rewrite "
		      "would lose";
	if (why != NULL) {
		if (asprintf(&f_reason, EVT_FIELD_REASON "=%s", why) >= 0)
			disk_log(host, job, EVT_STEP_SKIPPED, c.path,
				 (const char *const[]){ f_reason, NULL },
				 "disk %s (%s) skipped: %s", d->target, c.path,
				 why);
		r = 0;
		goto out;
	}
	if (asprintf(&f_vsize, EVT_FIELD_VIRTUAL_SIZE "=%" PRIu64, c.virtual_size) < 0 ||
	    asprintf(&f_before, EVT_FIELD_SIZE_BEFORE "=%" PRIu64,
		     disk_allocated(&c.st)) < 0) {
		r = -ENOMEM;
		goto out;
	}
	disk_log(host, job, EVT_STEP_NOTICE, c.path,
		 (const char *const[]){ f_before, f_vsize, NULL },
		 "compacting disk %s (%s, %s): %" PRIu64 " bytes on the host, "
		 "virtual size %" PRIu64, d->target, c.path, chain[0].format,
		 disk_allocated(&c.st), c.virtual_size);
	host->progress(job, c.path, 0);
	r = streq(chain[0].format, "qcow2") ? compact_qcow2(&c, chain, n_chain) :
					      compact_raw(&c);
	if (r < 0)
		goto out;
	host->progress(job, c.path, 100);
	if (stat(c.path, &after) < 0)
		after = c.st;
	usec = now_usec(CLOCK_MONOTONIC) - t0;
	if (asprintf(&f_after, EVT_FIELD_SIZE_AFTER "=%" PRIu64,
		     disk_allocated(&after)) < 0 ||
	    asprintf(&f_dur, EVT_FIELD_DURATION_USEC "=%" PRIu64, usec) < 0) {
		r = -ENOMEM;
		goto out;
	}
	disk_log(host, job, EVT_STEP_FINISHED, c.path,
		 (const char *const[]){ f_before, f_after, f_dur, f_vsize, NULL },
		 "compacted disk %s (%s): %" PRIu64 " -> %" PRIu64 " bytes on "
		 "the host in %s", d->target, c.path,
		 disk_allocated(&c.st), disk_allocated(&after),
		 format_seconds(usec, took, sizeof(took)));
out:
	qemuimg_chain_free(chain, n_chain);
	return r;
}

static int
compact_run(const struct evt_host *host, struct evt_job *job)
{
	_cleanup_(vm_closep) struct vm *vm = NULL;
	_cleanup_(vm_disk_list_freep) struct vm_disk_list *disks = NULL;
	int r;

	r = vm_open(host, job, &vm);
	if (r < 0)
		return r;
	r = disk_require_off(host, job, vm, "compact");
	if (r < 0)
		return r;
	r = vm_disks(vm, VIR_DOMAIN_XML_INACTIVE, &disks);
	if (r < 0)
		return r;
	for (size_t i = 0; i < disks->n; i++) {
		if (!disk_selected(host, job, &disks->disks[i]))
			continue;
		r = compact_disk(host, job, &disks->disks[i]);
		if (r == -ECANCELED)
			disk_log(host, job, EVT_STEP_WARNING,
				 disks->disks[i].source, NULL,
				 "compaction of %s cancelled; the image was not "
				 "changed", disks->disks[i].source);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A compaction cut short leaves at most a temporary file beside the image;
 * the image itself was either not yet replaced or replaced whole. */
static int
compact_recover(const struct evt_host *host, struct evt_job *job)
{
	const char *tmp = host->get_note(job, "compact-temp");
	const char *base;

	if (tmp == NULL)
		return 0;
	base = strrchr(tmp, '/');
	base = base != NULL ? base + 1 : tmp;
	if (!file_is_beside_name(base, COMPACT_TAG))
		return 0;
	if (unlink(tmp) < 0 && errno != ENOENT) {
		host->set_error(job, "cannot remove %s left by an interrupted "
				"compaction: %m", tmp);
		return -errno;
	}
	disk_log(host, job, EVT_STEP_NOTICE, NULL, NULL,
		 "removed %s left by an interrupted compaction; the image it "
		 "was made from was not changed", tmp);
	host->set_note(job, "compact-temp", NULL);
	return 0;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "compact",
	.summary = "shrink the VM's disk images (qcow2 rewrite, raw hole "
		   "punching); the VM must be off",
	.options = compact_options,
	.check = vm_check_disks_rw,
	.run = compact_run,
	.recover = compact_recover,
};
