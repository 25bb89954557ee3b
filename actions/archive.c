/* archive: the VM's libvirt definition and its disk images (with their
 * backing files) into one dated archive: pax with sparse entries, so only
 * the data regions of an image are read and compressed; zstd with threads
 * by default. Written beside its final name, fsynced, renamed; a SHA-256
 * file (sha256sum -c) beside it; the oldest archives beyond `keep` removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <pthread.h>

#include "evt-ids.h"
#include "evtrigger-action.h"
#include "fileio.h"
#include "time.h"
#include "util/diskfile.h"
#include "util/diskstep.h"
#include "util/qemuimg.h"
#include "util/vm.h"

#define ARCHIVE_TAG "archive"
#define ARCHIVE_CHUNK (1u << 20)
#define ARCHIVE_DEFAULT_NAME "%Y-%m-%d {vm}.tar.zst"
#define ARCHIVE_HASH_QUEUE 8
/* Start writeback every this many bytes, so the final fsync has little
 * left to wait for. */
#define ARCHIVE_WRITEBACK (16u << 20)

static const struct evt_option archive_options[] = {
	{ "dir", EVT_OPT_STRING, NULL,
	  "directory the archives are written to (absolute; required)" },
	{ "name", EVT_OPT_STRING, ARCHIVE_DEFAULT_NAME,
	  "archive file name: strftime(3) conversions, {vm} for the VM's name" },
	{ "compression", EVT_OPT_STRING, "zstd", "zstd, gzip, xz or none" },
	{ "level", EVT_OPT_INT, NULL,
	  "compression level (zstd 1-19, gzip and xz 0-9); the "
	  "compressor's default if unset" },
	{ "threads", EVT_OPT_INT, "0",
	  "compression threads for zstd and xz; 0: one per CPU" },
	{ "keep", EVT_OPT_INT, "0",
	  "keep the newest N archives of this VM made by this name pattern, "
	  "remove older ones; 0 keeps all" },
	{ "skip", EVT_OPT_LIST, NULL,
	  "disks not archived: globs matched against the image's file name, "
	  "its path and its target (vda)" },
	{ NULL },
};

/* SHA-256 of the archive, computed in a thread of its own while the main
 * thread reads, packs and writes: the checksum costs little wall time. The
 * queue's buffers are allocated once and reused (a fresh 1 MiB malloc per
 * block would cost an mmap and page faults each time). */
struct hasher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct {
		void *data;
		size_t n, size;
	} queue[ARCHIVE_HASH_QUEUE];
	size_t head, count;
	bool done, started;
	EVP_MD_CTX *ctx;
};

static void *
hasher_main(void *userdata)
{
	struct hasher *h = userdata;

	for (;;) {
		pthread_mutex_lock(&h->lock);
		while (h->count == 0 && !h->done)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->count == 0) {
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		pthread_mutex_unlock(&h->lock);
		/* The slot at head is ours until count goes down. */
		EVP_DigestUpdate(h->ctx, h->queue[h->head].data,
				 h->queue[h->head].n);
		pthread_mutex_lock(&h->lock);
		h->head = (h->head + 1) % ARCHIVE_HASH_QUEUE;
		h->count--;
		pthread_cond_broadcast(&h->cond);
		pthread_mutex_unlock(&h->lock);
	}
}

static int
hasher_start(struct hasher *h)
{
	*h = (struct hasher){ .ctx = EVP_MD_CTX_new() };
	if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		return -ENOMEM;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	if (pthread_create(&h->thread, NULL, hasher_main, h) != 0)
		return -EAGAIN;
	h->started = true;
	return 0;
}

static int
hasher_push(struct hasher *h, const void *buf, size_t n)
{
	size_t tail;

	pthread_mutex_lock(&h->lock);
	while (h->count == ARCHIVE_HASH_QUEUE)
		pthread_cond_wait(&h->cond, &h->lock);
	tail = (h->head + h->count) % ARCHIVE_HASH_QUEUE;
	pthread_mutex_unlock(&h->lock);
	/* The slot at tail is ours until count goes up. */
	if (h->queue[tail].size < n) {
		void *d = realloc(h->queue[tail].data, n);

		if (d == NULL)
			return -ENOMEM;
		h->queue[tail].data = d;
		h->queue[tail].size = n;
	}
	memcpy(h->queue[tail].data, buf, n);
	h->queue[tail].n = n;
	pthread_mutex_lock(&h->lock);
	h->count++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

/* Waits for the thread to hash what is queued; then h->ctx is complete. */
static void
hasher_stop(struct hasher *h)
{
	if (!h->started)
		return;
	pthread_mutex_lock(&h->lock);
	h->done = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	h->started = false;
}

static void
hasher_free(struct hasher *h)
{
	hasher_stop(h);
	for (size_t i = 0; i < ARCHIVE_HASH_QUEUE; i++)
		free(h->queue[i].data);
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

/* One image file to archive. */
struct item {
	char *path;
	int fd;
	struct stat st;
	struct disk_extent *map;
	size_t n_map;
};

struct arch {
	const struct evt_host *host;
	struct evt_job *job;
	struct vm *vm;
	struct item *items;
	size_t n_items;
	uint64_t total, done;           /* data bytes, for progress */
	int fd;                         /* the temporary archive */
	struct hasher sha;
	uint64_t written, flushed;
	int write_errno;
};

static void
arch_done(struct arch *a)
{
	for (size_t i = 0; i < a->n_items; i++) {
		free(a->items[i].path);
		free(a->items[i].map);
		if (a->items[i].fd >= 0)
			close(a->items[i].fd);
	}
	free(a->items);
	hasher_free(&a->sha);
}

static int
get_level(const struct evt_host *host, struct evt_job *job, const char *comp,
	  int64_t *ret)
{
	int64_t v;
	int r = host->option_int(job, "level", &v);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (streq(comp, "zstd") ? v < 1 || v > 19 : v < 0 || v > 9)
		return -ERANGE;
	*ret = v;
	return 1;
}

/* Every mistake of the section, each through host->set_error() (at check
 * time each call is one mistake), so that `evtrigger check` reports them
 * all at once. */
/* Under `evtrigger check` (host->warn set): the directory is there and
 * this process may write it, and the VM's disks can be read. */
static int
archive_check_probe(const struct evt_host *host, struct evt_job *job,
		    const char *dir)
{
	struct stat st;
	int r;

	if (host->warn == NULL)
		return 0;
	if (stat(dir, &st) < 0) {
		host->set_error(job, "archive dir '%s': %s", dir,
				errno == ENOENT ? "does not exist" :
				strerror(errno));
		return -ENOENT;
	}
	if (!S_ISDIR(st.st_mode)) {
		host->set_error(job, "archive dir '%s' is not a directory",
				dir);
		return -ENOTDIR;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		host->set_error(job, "archive dir '%s' cannot be written: %s",
				dir, strerror(errno));
		return -EACCES;
	}
	r = vm_check_probe(host, job, VM_PROBE_DISKS_READ);
	return r;
}

static int
archive_check(const struct evt_host *host, struct evt_job *job, char *err,
	      size_t errlen)
{
	const char *dir = host->option(job, "dir");
	const char *name = host->option(job, "name");
	const char *comp = host->option(job, "compression");
	_cleanup_(freep) char *sample = NULL;
	struct tm tm = { .tm_year = 126, .tm_mday = 1 };
	bool comp_ok, name_ok;
	int64_t v;
	int bad = 0;

	if (dir == NULL || dir[0] != '/') {
		host->set_error(job, "archive needs 'dir', an absolute path");
		bad++;
	}
	name_ok = disk_expand_name(name != NULL ? name : ARCHIVE_DEFAULT_NAME,
				   &tm, "vm", &sample) >= 0;
	if (!name_ok) {
		host->set_error(job, "invalid archive name '%s': it must give "
				"a file name without '/', not starting with "
				"'.'", name);
		bad++;
	}
	comp_ok = comp != NULL && (streq(comp, "zstd") || streq(comp, "gzip") ||
				   streq(comp, "xz") || streq(comp, "none"));
	if (!comp_ok) {
		host->set_error(job, "invalid compression '%s': must be zstd, "
				"gzip, xz or none", comp != NULL ? comp : "");
		bad++;
	} else if (get_level(host, job, comp, &v) < 0) {
		host->set_error(job, "invalid level '%s' for %s",
				host->option(job, "level"), comp);
		bad++;
	}
	if (host->option_int(job, "threads", &v) == 0 && (v < 0 || v > 256)) {
		host->set_error(job, "invalid threads '%" PRId64 "': must be "
				"0..256", v);
		bad++;
	}
	if (host->option_int(job, "keep", &v) == 0 && v < 0) {
		host->set_error(job, "invalid keep '%" PRId64 "': must be 0 or "
				"more", v);
		bad++;
	}
	if (name_ok && host->option_int(job, "keep", &v) == 0 && v > 0) {
		const char *unsafe = disk_name_unmatchable(
			name != NULL ? name : ARCHIVE_DEFAULT_NAME);

		/* keep finds old archives by the name pattern: a conversion
		 * that may give any text could match another VM's. */
		if (unsafe != NULL) {
			host->set_error(job, "archive name '%s' cannot be used "
					"with keep: its conversion '%.2s' may "
					"match other VMs' archives; use only %%Y "
					"%%m %%d %%H %%M %%S %%y %%F %%T", name,
					unsafe);
			bad++;
		} else if (strstr(name != NULL ? name : ARCHIVE_DEFAULT_NAME,
				  "{vm}") == NULL) {
			host->set_error(job, "archive name '%s' cannot be used "
					"with keep without {vm}: another VM's "
					"rule archiving into the same dir "
					"would make names that keep counts and "
					"removes as this VM's", name);
			bad++;
		}
	}
	if (bad > 0)
		return -EINVAL;
	return archive_check_probe(host, job, dir);
}

static int
add_item(struct arch *a, const char *path)
{
	struct item *v;

	for (size_t i = 0; i < a->n_items; i++)
		if (streq(a->items[i].path, path))
			return 0;
	v = reallocarray(a->items, a->n_items + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	a->items = v;
	v[a->n_items] = (struct item){ .path = strdup(path), .fd = -1 };
	if (v[a->n_items].path == NULL)
		return -ENOMEM;
	a->n_items++;
	return 0;
}

/* Collects the images of the selected disks and their backing chains: an
 * overlay without its base could not be restored. */
static int
collect(struct arch *a, const struct vm_disk_list *disks)
{
	for (size_t i = 0; i < disks->n; i++) {
		const struct vm_disk *d = &disks->disks[i];
		struct qemuimg_info *chain = NULL;
		_cleanup_(freep) char *err = NULL;
		size_t n = 0;
		int r;

		if (!disk_selected(a->host, a->job, d))
			continue;
		r = qemuimg_chain(d->source, disk_format(d), &chain, &n, &err);
		if (r < 0) {
			a->host->set_error(a->job, "cannot archive %s: %s",
					   d->source,
					   err != NULL ? err : strerror(-r));
			return r;
		}
		for (size_t k = 0; k < n && r >= 0; k++) {
			const char *p = k == 0 ? d->source :
					chain[k - 1].full_backing_filename;

			if (p == NULL || p[0] != '/') {
				a->host->set_error(a->job, "cannot archive %s: "
						   "backing file of %s is not a "
						   "local file", d->source,
						   chain[k - 1].filename);
				r = -EINVAL;
			} else
				r = add_item(a, p);
		}
		qemuimg_chain_free(chain, n);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Opens and locks every image (no QEMU can start on them while they are
 * read) and maps their data regions. */
static int
open_items(struct arch *a)
{
	for (size_t i = 0; i < a->n_items; i++) {
		struct item *it = &a->items[i];
		int r;

		/* Stored under the name the VM uses, read from the file a
		 * symbolic link there points to. */
		it->fd = open(it->path, O_RDONLY | O_CLOEXEC);
		if (it->fd < 0 || fstat(it->fd, &it->st) < 0) {
			a->host->set_error(a->job, "cannot open %s: %m",
					   it->path);
			return -errno;
		}
		if (!S_ISREG(it->st.st_mode)) {
			a->host->set_error(a->job, "cannot archive %s: not a "
					   "regular file", it->path);
			return -EINVAL;
		}
		r = disk_lock_image(it->fd, false);
		if (r < 0) {
			a->host->set_error(a->job, "cannot archive %s: %s",
					   it->path, r == -EBUSY ?
					   "the image is in use" : strerror(-r));
			return r;
		}
		r = disk_data_map(it->fd, (uint64_t)it->st.st_size, &it->map,
				  &it->n_map);
		if (r < 0) {
			a->host->set_error(a->job, "cannot map the data of %s: "
					   "%s", it->path, strerror(-r));
			return r;
		}
		for (size_t k = 0; k < it->n_map; k++)
			a->total += it->map[k].length;
	}
	return 0;
}

/* libarchive's output: the temporary file, and the checksum on the way. */
static la_ssize_t
write_cb(struct archive *ar, void *userdata, const void *buf, size_t n)
{
	struct arch *a = userdata;
	const char *p = buf;
	size_t left = n;

	while (left > 0) {
		ssize_t k = write(a->fd, p, left);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			a->write_errno = errno;
			archive_set_error(ar, errno, "write: %s",
					  strerror(errno));
			return -1;
		}
		p += k;
		left -= (size_t)k;
	}
	if (hasher_push(&a->sha, buf, n) < 0) {
		archive_set_error(ar, ENOMEM, "out of memory");
		return -1;
	}
	a->written += n;
	if (a->written - a->flushed >= ARCHIVE_WRITEBACK) {
		(void)sync_file_range(a->fd, (off_t)a->flushed,
				      (off_t)(a->written - a->flushed),
				      SYNC_FILE_RANGE_WRITE);
		a->flushed = a->written;
	}
	return (la_ssize_t)n;
}

static int
set_filter(struct arch *a, struct archive *ar)
{
	const char *comp = a->host->option(a->job, "compression");
	char buf[32];
	int64_t level = 0, threads = 0;
	int r, has_level;

	if (comp == NULL)
		comp = "zstd";
	has_level = get_level(a->host, a->job, comp, &level);
	if (a->host->option_int(a->job, "threads", &threads) < 0 ||
	    threads <= 0)
		threads = sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	if (streq(comp, "zstd"))
		r = archive_write_add_filter_zstd(ar);
	else if (streq(comp, "gzip"))
		r = archive_write_add_filter_gzip(ar);
	else if (streq(comp, "xz"))
		r = archive_write_add_filter_xz(ar);
	else
		return streq(comp, "none") ? 0 : -EINVAL;
	if (r != ARCHIVE_OK)
		return -EINVAL;
	if (has_level > 0) {
		snprintf(buf, sizeof(buf), "%" PRId64, level);
		if (archive_write_set_filter_option(ar, comp,
						    "compression-level",
						    buf) != ARCHIVE_OK)
			return -EINVAL;
	}
	if (streq(comp, "zstd") || streq(comp, "xz")) {
		snprintf(buf, sizeof(buf), "%" PRId64, threads);
		if (archive_write_set_filter_option(ar, comp, "threads",
						    buf) != ARCHIVE_OK)
			return -EINVAL;
	}
	return 0;
}

static int
write_xml(struct arch *a, struct archive *ar, const char *xml)
{
	struct archive_entry *e = archive_entry_new();
	_cleanup_(freep) char *name = NULL;
	size_t n = strlen(xml);
	int r = 0;

	if (e == NULL || asprintf(&name, "%s.xml", a->vm->name) < 0) {
		archive_entry_free(e);
		return -ENOMEM;
	}
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(ar, e) != ARCHIVE_OK ||
	    archive_write_data(ar, xml, n) != (la_ssize_t)n)
		r = -EIO;
	archive_entry_free(e);
	return r;
}

/* Feeds len bytes of a hole: the pax writer skips them, given a sparse
 * map; nothing is read or compressed. */
static int
write_hole(struct archive *ar, uint64_t len)
{
	static const char zeros[1u << 16];

	while (len > 0) {
		size_t k = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);

		if (archive_write_data(ar, zeros, k) != (la_ssize_t)k)
			return -EIO;
		len -= k;
	}
	return 0;
}

static int
write_item(struct arch *a, struct archive *ar, struct item *it, void *buf)
{
	struct archive_entry *e = archive_entry_new();
	uint64_t pos = 0;
	int r = 0;

	if (e == NULL)
		return -ENOMEM;
	/* The path without its leading '/': where it is restored from. */
	archive_entry_set_pathname(e, it->path + 1);
	archive_entry_copy_stat(e, &it->st);
	archive_entry_set_size(e, it->st.st_size);
	for (size_t k = 0; k < it->n_map; k++)
		archive_entry_sparse_add_entry(e, (la_int64_t)it->map[k].offset,
					       (la_int64_t)it->map[k].length);
	if (archive_write_header(ar, e) != ARCHIVE_OK) {
		archive_entry_free(e);
		return -EIO;
	}
	archive_entry_free(e);
	for (size_t k = 0; k < it->n_map && r >= 0; k++) {
		uint64_t off = it->map[k].offset, end = off + it->map[k].length;

		r = write_hole(ar, off - pos);
		while (r >= 0 && off < end) {
			size_t len = end - off < ARCHIVE_CHUNK ?
				     (size_t)(end - off) : ARCHIVE_CHUNK;
			ssize_t got;

			if (a->host->cancelled(a->job))
				return -ECANCELED;
			got = pread(it->fd, buf, len, (off_t)off);
			if (got <= 0) {
				a->host->set_error(a->job, "cannot read %s: %s",
						   it->path, got == 0 ?
						   "file shrank" : strerror(errno));
				return got == 0 ? -EIO : -errno;
			}
			if (archive_write_data(ar, buf, (size_t)got) != got)
				return -EIO;
			off += (uint64_t)got;
			a->done += (uint64_t)got;
			/* The whole archive's percent; the image being read
			 * as the item, for `evtrigger jobs`. */
			a->host->progress(a->job, it->path, a->total > 0 ?
					  (unsigned)(a->done * 99 / a->total) :
					  99);
		}
		pos = end;
	}
	if (r >= 0)
		r = write_hole(ar, (uint64_t)it->st.st_size - pos);
	return r;
}

/* Writes the whole archive to a->fd. */
static int
write_archive(struct arch *a, const char *xml)
{
	struct archive *ar = archive_write_new();
	_cleanup_(freep) void *buf = NULL;
	int r;

	if (ar == NULL || (buf = malloc(ARCHIVE_CHUNK)) == NULL) {
		archive_write_free(ar);
		return -ENOMEM;
	}
	/* Large writes (few system calls); no padding of the last block. */
	if (archive_write_set_format_pax(ar) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(ar, ARCHIVE_CHUNK) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(ar, 1) != ARCHIVE_OK) {
		r = -EINVAL;
		goto out;
	}
	r = set_filter(a, ar);
	if (r < 0) {
		a->host->set_error(a->job, "cannot set up compression: %s",
				   archive_error_string(ar) ?: "unsupported");
		goto out;
	}
	if (archive_write_open2(ar, a, NULL, write_cb, NULL, NULL) !=
	    ARCHIVE_OK) {
		r = -EIO;
		goto out;
	}
	r = write_xml(a, ar, xml);
	for (size_t i = 0; i < a->n_items && r >= 0; i++)
		r = write_item(a, ar, &a->items[i], buf);
	if (r >= 0 && archive_write_close(ar) != ARCHIVE_OK)
		r = -EIO;
out:
	if (r == -EIO) {
		if (a->write_errno != 0)
			r = -a->write_errno;
		a->host->set_error(a->job, "cannot write the archive: %s",
				   archive_error_string(ar) ?: strerror(-r));
	}
	archive_write_free(ar);
	return r;
}

struct checksum_file {
	struct arch *a;
	const char *line;
	size_t len;
};

static int
fill_checksum(int fd, const char *tmp, void *userdata)
{
	const struct checksum_file *s = userdata;
	int r;

	/* Noted before anything is written, so recover() finds it. */
	s->a->host->set_note(s->a->job, "archive-sum-temp", tmp);
	r = write_all(fd, s->line, s->len);
	if (r < 0)
		return r;
	if (fchmod(fd, 0644) < 0)
		return -errno;
	return 0;
}

/* Writes "HEX  NAME\n" to final.sha256, the atomic way. */
static int
write_checksum(struct arch *a, const char *final, const char *name,
	       char *ret_hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	_cleanup_(freep) char *path = NULL, *line = NULL;
	int r, len;

	hasher_stop(&a->sha);
	if (EVP_DigestFinal_ex(a->sha.ctx, md, &md_len) != 1)
		return -EIO;
	for (unsigned i = 0; i < md_len; i++)
		sprintf(ret_hex + 2 * i, "%02x", md[i]);
	if (asprintf(&path, "%s.sha256", final) < 0)
		return -ENOMEM;
	len = asprintf(&line, "%s  %s\n", ret_hex, name);
	if (len < 0)
		return -ENOMEM;
	r = file_commit_beside(path, ARCHIVE_TAG, fill_checksum,
			       &(struct checksum_file){ a, line, (size_t)len });
	/* Committed, or the temporary file is gone: nothing to recover. */
	a->host->set_note(a->job, "archive-sum-temp", NULL);
	return r;
}

struct old {
	char *name;
	struct timespec mtime;
};

static int
old_cmp(const void *x, const void *y)
{
	const struct old *a = x, *b = y;

	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec < b->mtime.tv_sec ? 1 : -1;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec < b->mtime.tv_nsec ? 1 : -1;
	return -strcmp(a->name, b->name);
}

/* Removes this VM's archives (by this rule's name pattern) beyond the
 * newest keep, and their checksum files. Nothing else is touched. */
static int
prune(struct arch *a, const char *dir, const char *pattern, int64_t keep)
{
	_cleanup_(freep) struct old *v = NULL;
	DIR *d;
	struct dirent *de;
	size_t n = 0, cap = 0;
	int r = 0;

	/* archive_check refused it: never prune by an ambiguous pattern. */
	if (disk_name_unmatchable(pattern) != NULL)
		return -EINVAL;
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.' ||
		    !disk_name_matches(pattern, a->vm->name, de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			struct old *nv;

			cap = cap == 0 ? 16 : cap * 2;
			nv = reallocarray(v, cap, sizeof(*v));
			if (nv == NULL) {
				r = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[n].name = strdup(de->d_name);
		if (v[n].name == NULL) {
			r = -ENOMEM;
			break;
		}
		v[n++].mtime = st.st_mtim;
	}
	if (r == 0 && n > 0)
		qsort(v, n, sizeof(*v), old_cmp);
	for (size_t i = 0; i < n; i++) {
		if (r == 0 && (int64_t)i >= keep) {
			_cleanup_(freep) char *sum = NULL;

			if (unlinkat(dirfd(d), v[i].name, 0) < 0)
				r = -errno;
			else {
				disk_log(a->host, a->job, EVT_STEP_NOTICE, NULL,
					 NULL, "removed old archive %s/%s (keep "
					 "= %" PRId64 ")", dir, v[i].name, keep);
				if (asprintf(&sum, "%s.sha256", v[i].name) >= 0)
					(void)unlinkat(dirfd(d), sum, 0);
			}
		}
		free(v[i].name);
	}
	closedir(d);
	return r;
}

static int
archive_run(const struct evt_host *host, struct evt_job *job)
{
	_cleanup_(vm_closep) struct vm *vm = NULL;
	_cleanup_(vm_disk_list_freep) struct vm_disk_list *disks = NULL;
	_cleanup_(freep) char *xml = NULL, *name = NULL, *final = NULL,
			     *f_arch = NULL, *f_size = NULL, *f_data = NULL,
			     *f_dur = NULL, *f_sum = NULL;
	_cleanup_(file_beside_discard) struct file_beside b = FILE_BESIDE_INIT;
	const char *dir = host->option(job, "dir");
	const char *pattern = host->option(job, "name");
	struct arch a = { host, job };
	char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
	uint64_t t0 = now_usec(CLOCK_MONOTONIC), usec;
	char took[32];
	int64_t keep = 0;
	struct tm tm;
	time_t now = time(NULL);
	int r;

	if (pattern == NULL)
		pattern = ARCHIVE_DEFAULT_NAME;
	if (dir == NULL || dir[0] != '/') {
		host->set_error(job, "archive needs 'dir', an absolute path");
		return -EINVAL;
	}
	r = vm_open(host, job, &vm);
	if (r < 0)
		return r;
	a.vm = vm;
	r = disk_require_off(host, job, vm, "archive");
	if (r < 0)
		return r;
	/* The definition as defined, without secrets (no XML_SECURE). */
	r = vm_xml(vm, VIR_DOMAIN_XML_INACTIVE, &xml);
	if (r < 0)
		return r;
	r = vm_disks(vm, VIR_DOMAIN_XML_INACTIVE, &disks);
	if (r < 0)
		return r;
	localtime_r(&now, &tm);
	/* The VM's name comes from the rule, never from the event. */
	r = disk_expand_name(pattern, &tm, vm->name, &name);
	if (r < 0) {
		host->set_error(job, "archive name pattern '%s' for VM '%s' does "
				"not give a valid file name", pattern, vm->name);
		return r;
	}
	if (asprintf(&final, "%s/%s", dir, name) < 0)
		return -ENOMEM;

	r = collect(&a, disks);
	if (r < 0)
		goto out;
	r = open_items(&a);
	if (r < 0)
		goto out;
	r = hasher_start(&a.sha);
	if (r < 0) {
		host->set_error(job, "cannot start the checksum thread: %s",
				strerror(-r));
		goto out;
	}
	r = file_beside_open(final, ARCHIVE_TAG, &b);
	if (r < 0) {
		host->set_error(job, "cannot create a file in %s: %s", dir,
				strerror(-r));
		goto out;
	}
	a.fd = b.fd;
	r = host->set_note(job, "archive-temp", b.path);
	if (r < 0) {
		host->set_error(job, "cannot record job note: %s", strerror(-r));
		goto out_unlink;
	}
	disk_log(host, job, EVT_STEP_NOTICE, NULL, NULL,
		 "archiving VM '%s' (%zu image files, %" PRIu64 " bytes of "
		 "data) into %s", vm->name, a.n_items, a.total, final);
	host->progress(job, NULL, 0);
	r = write_archive(&a, xml);
	if (r < 0)
		goto out_unlink;
	r = file_beside_commit(&b, final, true);
	if (r < 0) {
		host->set_error(job, "cannot put the archive in place as %s: %s",
				final, strerror(-r));
		goto out_unlink;
	}
	host->set_note(job, "archive-temp", NULL);
	r = write_checksum(&a, final, name, hex);
	if (r < 0) {
		host->set_error(job, "archive %s written, but not its checksum "
				"file: %s", final, strerror(-r));
		goto out;
	}
	if (host->option_int(job, "keep", &keep) == 0 && keep > 0) {
		r = prune(&a, dir, pattern, keep);
		if (r < 0) {
			host->set_error(job, "archive %s written, but removing "
					"old archives failed: %s", final,
					strerror(-r));
			goto out;
		}
	}
	host->progress(job, NULL, 100);
	usec = now_usec(CLOCK_MONOTONIC) - t0;
	if (asprintf(&f_arch, EVT_FIELD_ARCHIVE "=%s", final) < 0 ||
	    asprintf(&f_size, EVT_FIELD_SIZE_AFTER "=%" PRIu64, a.written) < 0 ||
	    asprintf(&f_data, EVT_FIELD_SIZE_BEFORE "=%" PRIu64, a.total) < 0 ||
	    asprintf(&f_dur, EVT_FIELD_DURATION_USEC "=%" PRIu64, usec) < 0 ||
	    asprintf(&f_sum, EVT_FIELD_SHA256 "=%s", hex) < 0) {
		r = -ENOMEM;
		goto out;
	}
	host->log(job, EVT_STEP_FINISHED,
		  (const char *const[]){ f_arch, f_data, f_size, f_dur, f_sum,
					 NULL },
		  "archived VM '%s' into %s: %" PRIu64 " bytes of data, %"
		  PRIu64 " bytes written in %s",
		  vm->name, final, a.total, a.written,
		  format_seconds(usec, took, sizeof(took)));
	r = 0;
	goto out;

out_unlink:
	file_beside_discard(&b);        /* before the note that names it */
	host->set_note(job, "archive-temp", NULL);
	if (r == -ECANCELED)
		disk_log(host, job, EVT_STEP_WARNING, NULL, NULL,
			 "archive of VM '%s' cancelled; the partial archive "
			 "was removed", vm->name);
out:
	arch_done(&a);
	return r;
}

static int
remove_temp(const struct evt_host *host, struct evt_job *job, const char *key)
{
	const char *tmp = host->get_note(job, key);
	const char *base;

	if (tmp == NULL)
		return 0;
	base = strrchr(tmp, '/');
	base = base != NULL ? base + 1 : tmp;
	if (file_is_beside_name(base, ARCHIVE_TAG)) {
		if (unlink(tmp) < 0 && errno != ENOENT) {
			host->set_error(job, "cannot remove %s left by an "
					"interrupted archive: %m", tmp);
			return -errno;
		}
		disk_log(host, job, EVT_STEP_NOTICE, NULL, NULL,
			 "removed the partial archive %s left by an "
			 "interrupted run", tmp);
	}
	host->set_note(job, key, NULL);
	return 0;
}

/* An archive cut short leaves only a temporary file: remove it. */
static int
archive_recover(const struct evt_host *host, struct evt_job *job)
{
	int r = remove_temp(host, job, "archive-temp");

	if (r < 0)
		return r;
	return remove_temp(host, job, "archive-sum-temp");
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "archive",
	.summary = "write the VM's definition and disk images into a dated, "
		   "compressed, sparse pax archive; the VM must be off",
	.options = archive_options,
	.check = archive_check,
	.run = archive_run,
	.recover = archive_recover,
};
