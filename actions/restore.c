/* restore: the other half of archive. Verifies an archive against its
 * .sha256 file, extracts its images sparsely (holes stay holes) into a
 * directory, points the qcow2 backing references and the definition at
 * them, and defines the VM under its own name or another one (then with a
 * new UUID and new MAC addresses). It never replaces anything: a VM of that
 * name (or UUID) or a file that exists stops it before anything is written
 * under a final name, and a failure removes what it wrote. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "evt-ids.h"
#include "evt-fields.h"
#include "evtrigger-action.h"
#include "fileio.h"
#include "util/diskstep.h"
#include "util/qemuimg.h"
#include "util/restore.h"

#define RESTORE_TAG "restore"
#define RESTORE_XML_MAX (4u << 20)

static const struct evt_option restore_options[] = {
	{ "archive", EVT_OPT_STRING, NULL,
	  "the archive to restore (absolute; required); a glob such as "
	  "/var/backups/vms/*_vdc.tar.zst takes the newest match" },
	{ "dir", EVT_OPT_STRING, NULL,
	  "directory the images are restored into (absolute; required; "
	  "created if missing)" },
	{ "as", EVT_OPT_STRING, NULL,
	  "name of the restored VM; default the rule's vm, else the "
	  "archived name. Another name gets a new UUID and MAC addresses" },
	{ NULL },
};

static bool
is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int
restore_check(const struct evt_host *host, struct evt_job *job, char *err,
	      size_t errlen)
{
	const char *archive = host->option(job, "archive");
	const char *dir = host->option(job, "dir");
	const char *as = host->option(job, "as");

	if (archive == NULL || archive[0] != '/')
		host->set_error(job, "restore needs 'archive', an absolute "
				"path");
	if (dir == NULL || dir[0] != '/')
		host->set_error(job, "restore needs 'dir', an absolute path");
	if (as != NULL && (*as == '\0' || strchr(as, '/') != NULL))
		host->set_error(job, "invalid 'as' name '%s'", as);
	return archive == NULL || archive[0] != '/' || dir == NULL ||
	       dir[0] != '/' ||
	       (as != NULL && (*as == '\0' || strchr(as, '/') != NULL)) ?
	       -EINVAL : 0;
}

/* The archive named, or the newest (by mtime) that the glob matches. */
static int
pick_archive(const struct evt_host *host, struct evt_job *job,
	     const char *pattern, char **ret)
{
	glob_t g = { 0 };
	const char *best = NULL;
	struct timespec best_t = { 0 };
	int r = 0;

	if (!is_glob(pattern)) {
		*ret = strdup(pattern);
		return *ret != NULL ? 0 : -ENOMEM;
	}
	if (glob(pattern, 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *p = g.gl_pathv[i];
			size_t l = strlen(p);
			struct stat st;

			if (l > 7 && streq(p + l - 7, ".sha256"))
				continue;
			if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			if (best == NULL || st.st_mtim.tv_sec > best_t.tv_sec ||
			    (st.st_mtim.tv_sec == best_t.tv_sec &&
			     st.st_mtim.tv_nsec > best_t.tv_nsec)) {
				best = p;
				best_t = st.st_mtim;
			}
		}
	if (best == NULL) {
		host->set_error(job, "no archive matches '%s'", pattern);
		r = -ENOENT;
	} else if ((*ret = strdup(best)) == NULL)
		r = -ENOMEM;
	globfree(&g);
	return r;
}

static void
quiet_error(void *userdata, virErrorPtr e)
{
}

static const char *
virt_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m != NULL ? m : "unknown error";
}

/* What one run holds, released by run_done(). */
struct run {
	const struct evt_host *host;
	struct evt_job *job;
	const char *dir;
	struct archive *ar;
	virConnectPtr conn;
	struct restore_def def;
	struct restore_map map;
	struct file_beside *tmp;        /* by map index */
	size_t n_tmp;
	bool *committed;                /* by map index */
	char *xml;
	uint64_t archive_size;
};

static void
run_done(struct run *r, bool remove_committed)
{
	for (size_t i = 0; i < r->map.n; i++) {
		if (r->committed != NULL && r->committed[i] && remove_committed)
			(void)unlink(r->map.images[i].dest);
		if (i < r->n_tmp)
			file_beside_discard(&r->tmp[i]);
	}
	free(r->tmp);
	free(r->committed);
	restore_def_done(&r->def);
	restore_map_done(&r->map);
	free(r->xml);
	if (r->ar != NULL)
		archive_read_free(r->ar);
	if (r->conn != NULL)
		virConnectClose(r->conn);
}

/* Refuses a name or UUID libvirt already has. */
static int
refuse_existing_vm(struct run *r, const char *name, bool same_uuid)
{
	virDomainPtr d = virDomainLookupByName(r->conn, name);

	if (d != NULL) {
		virDomainFree(d);
		r->host->set_error(r->job, "vm '%s' exists: not replaced "
				   "(restore it under another name with "
				   "'as')", name);
		return -EEXIST;
	}
	if (same_uuid && r->def.uuid != NULL) {
		d = virDomainLookupByUUIDString(r->conn, r->def.uuid);
		if (d != NULL) {
			r->host->set_error(r->job, "vm '%s' has the archived "
					   "UUID %s: not replaced (restore "
					   "under another name with 'as')",
					   virDomainGetName(d), r->def.uuid);
			virDomainFree(d);
			return -EEXIST;
		}
	}
	return 0;
}

/* Reads the first member, NAME.xml: the definition. */
static int
read_definition(struct run *r)
{
	struct archive_entry *e;
	const char *p;
	la_int64_t size;
	char err[512];
	int k;

	if (archive_read_next_header(r->ar, &e) != ARCHIVE_OK) {
		r->host->set_error(r->job, "cannot read the archive: %s",
				   archive_error_string(r->ar) ?: "empty");
		return -EIO;
	}
	p = archive_entry_pathname(e);
	size = archive_entry_size(e);
	if (p == NULL || strchr(p, '/') != NULL || strlen(p) < 5 ||
	    !streq(p + strlen(p) - 4, ".xml") || size <= 0 ||
	    (uint64_t)size > RESTORE_XML_MAX) {
		r->host->set_error(r->job, "not an archive of a VM: its first "
				   "member '%s' is not NAME.xml", p ?: "");
		return -EINVAL;
	}
	r->xml = calloc(1, (size_t)size + 1);
	if (r->xml == NULL)
		return -ENOMEM;
	if (archive_read_data(r->ar, r->xml, (size_t)size) != size) {
		r->host->set_error(r->job, "cannot read %s from the archive: "
				   "%s", p, archive_error_string(r->ar) ?: "");
		return -EIO;
	}
	k = restore_def_parse(r->xml, &r->def, err, sizeof(err));
	if (k < 0)
		r->host->set_error(r->job, "%s", err);
	return k;
}

/* Writes the member's data at its offsets: the holes of a sparse entry
 * are never written, and the size is set at the end. */
static int
extract_sparse(struct run *r, int fd, const char *dest, la_int64_t size)
{
	for (;;) {
		const void *buf;
		size_t n;
		la_int64_t off;
		int k = archive_read_data_block(r->ar, &buf, &n, &off);

		if (k == ARCHIVE_EOF)
			break;
		if (k != ARCHIVE_OK) {
			r->host->set_error(r->job, "cannot read %s from the "
					   "archive: %s", dest,
					   archive_error_string(r->ar) ?: "");
			return -EIO;
		}
		if (r->host->cancelled(r->job))
			return -ECANCELED;
		for (size_t done = 0; done < n;) {
			ssize_t w = pwrite(fd, (const char *)buf + done,
					   n - done, (off_t)off + (off_t)done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				r->host->set_error(r->job, "cannot write %s: "
						   "%m", dest);
				return -errno;
			}
			done += (size_t)w;
		}
		r->host->progress(r->job, dest, r->archive_size > 0 ?
				  (unsigned)((uint64_t)archive_filter_bytes(
					  r->ar, -1) * 95 / r->archive_size) :
				  0);
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		r->host->set_error(r->job, "cannot size %s: %m", dest);
		return -errno;
	}
	return 0;
}

static int
extract_images(struct run *r)
{
	struct archive_entry *e;
	char err[512];
	int k;

	while ((k = archive_read_next_header(r->ar, &e)) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);
		_cleanup_(freep) char *orig = NULL;
		struct file_beside *t;
		const char *dest;
		size_t i;
		int q;

		if (p == NULL || !restore_member_path_ok(p) ||
		    archive_entry_filetype(e) != AE_IFREG) {
			r->host->set_error(r->job, "refusing archive member "
					   "'%s': not an image file", p ?: "");
			return -EINVAL;
		}
		if (asprintf(&orig, "/%s", p) < 0)
			return -ENOMEM;
		i = r->map.n;
		q = restore_map_add(&r->map, r->dir, orig, err, sizeof(err));
		if (q < 0 || i == r->map.n) {
			r->host->set_error(r->job, "%s", q < 0 ? err :
					   "an image is in the archive twice");
			return q < 0 ? q : -EINVAL;
		}
		dest = r->map.images[i].dest;
		if (access(dest, F_OK) == 0 || errno != ENOENT) {
			r->host->set_error(r->job, "%s exists: not replaced",
					   dest);
			return -EEXIST;
		}
		t = reallocarray(r->tmp, r->map.n, sizeof(*t));
		if (t == NULL)
			return -ENOMEM;
		r->tmp = t;
		t[i] = (struct file_beside)FILE_BESIDE_INIT;
		r->n_tmp = i + 1;
		q = file_beside_open(dest, RESTORE_TAG, &t[i]);
		if (q < 0) {
			r->host->set_error(r->job, "cannot create a file in "
					   "%s: %s", r->dir, strerror(-q));
			return q;
		}
		q = extract_sparse(r, t[i].fd, dest, archive_entry_size(e));
		if (q < 0)
			return q;
		(void)fchmod(t[i].fd, archive_entry_perm(e) & 0777);
		(void)fchown(t[i].fd, (uid_t)archive_entry_uid(e),
			     (gid_t)archive_entry_gid(e));
	}
	if (k != ARCHIVE_EOF) {
		r->host->set_error(r->job, "cannot read the archive: %s",
				   archive_error_string(r->ar) ?: "");
		return -EIO;
	}
	return 0;
}

/* With a new identity, every writable disk must come from the archive: a
 * disk left out (archive's skip) would be the original VM's own file. */
static int
check_disks(struct run *r, bool new_identity)
{
	for (size_t i = 0; i < r->def.n_files; i++)
		if (new_identity && r->def.writable[i] &&
		    restore_map_dest(&r->map, r->def.files[i]) == NULL) {
			r->host->set_error(r->job, "disk %s is not in the "
					   "archive: a VM restored under "
					   "another name would share it with "
					   "'%s'", r->def.files[i],
					   r->def.name);
			return -ENOENT;
		}
	return 0;
}

static int
commit_images(struct run *r)
{
	r->committed = calloc(r->map.n + 1, sizeof(bool));
	if (r->committed == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < r->map.n; i++) {
		int q = file_beside_commit(&r->tmp[i], r->map.images[i].dest,
					   false);

		if (q < 0) {
			r->host->set_error(r->job, "cannot put %s in place: "
					   "%s", r->map.images[i].dest,
					   q == -EEXIST ? "it exists (not "
					   "replaced)" : strerror(-q));
			return q;
		}
		r->committed[i] = true;
	}
	return 0;
}

/* A qcow2 overlay names its backing file inside the image. Where that
 * name, read from the restored place, would not find the restored backing
 * image, it is rewritten (qemu-img rebase -u: only the header changes). A
 * backing file that is not in the archive is refused. */
static int
rebase_images(struct run *r)
{
	for (size_t i = 0; i < r->map.n; i++) {
		const struct restore_image *im = &r->map.images[i];
		struct qemuimg_info info = { 0 };
		_cleanup_(freep) char *qerr = NULL, *borig = NULL,
				     *now = NULL, *out = NULL;
		const char *want;
		int q;

		q = qemuimg_info(im->dest, &info, &qerr);
		if (q < 0) {
			r->host->set_error(r->job, "cannot read %s: %s",
					   im->dest, qerr ?: strerror(-q));
			return q;
		}
		if (info.backing_filename == NULL) {
			qemuimg_info_done(&info);
			continue;
		}
		q = restore_backing_orig(im->orig, info.backing_filename,
					 &borig);
		if (q >= 0)
			q = restore_backing_orig(im->dest,
						 info.backing_filename, &now);
		if (q < 0) {
			qemuimg_info_done(&info);
			return q;
		}
		want = restore_map_dest(&r->map, borig);
		if (want == NULL || info.backing_format == NULL) {
			r->host->set_error(r->job, want == NULL ?
					   "backing file %s of %s is not in "
					   "the archive" : "%s: %s does not "
					   "record its backing file's format",
					   want == NULL ? borig : im->dest,
					   want == NULL ? im->orig :
					   info.backing_filename);
			qemuimg_info_done(&info);
			return -ENOENT;
		}
		if (!streq(want, now)) {
			const char *args[] = { "rebase", "-u", "-b", want,
					       "-F", info.backing_format,
					       "-f", info.format, im->dest,
					       NULL };
			free(qerr);
			qerr = NULL;
			q = qemuimg_run(args, NULL, &out, &qerr);
			if (q != 0) {
				r->host->set_error(r->job, "cannot point %s "
						   "at %s: %s", im->dest, want,
						   q < 0 ? strerror(-q) :
						   qerr ?: "qemu-img failed");
				qemuimg_info_done(&info);
				return q < 0 ? q : -EIO;
			}
		}
		qemuimg_info_done(&info);
	}
	return 0;
}

static int
define_vm(struct run *r, const char *name, bool new_identity)
{
	_cleanup_(freep) char *xml = NULL;
	char err[512];
	virDomainPtr d;
	int q;

	q = restore_rewrite_xml(r->xml, name, new_identity, &r->map, &xml,
				err, sizeof(err));
	if (q < 0) {
		r->host->set_error(r->job, "%s", q == -ENOMEM ?
				   "out of memory" : err);
		return q;
	}
	/* Checked again just before: nothing defined in between is
	 * replaced (libvirt itself refuses a name with another UUID). */
	q = refuse_existing_vm(r, name, !new_identity);
	if (q < 0)
		return q;
	d = virDomainDefineXML(r->conn, xml);
	if (d == NULL) {
		r->host->set_error(r->job, "libvirt refused the definition "
				   "of '%s': %s", name, virt_error());
		return -EIO;
	}
	virDomainFree(d);
	return 0;
}

static int
restore_run(const struct evt_host *host, struct evt_job *job)
{
	const char *pattern = host->option(job, "archive");
	const char *as = host->option(job, "as");
	const char *uri = host->connect(job);
	_cleanup_(freep) char *archive = NULL, *f_arch = NULL;
	struct run r = { host, job, host->option(job, "dir") };
	char err[512];
	const char *name;
	bool new_identity;
	struct stat st;
	int q;

	q = restore_check(host, job, err, sizeof(err));
	if (q < 0)
		return q;
	q = pick_archive(host, job, pattern, &archive);
	if (q < 0)
		return q;
	if (stat(archive, &st) < 0) {
		host->set_error(job, "cannot restore %s: %m", archive);
		return -errno;
	}
	r.archive_size = (uint64_t)st.st_size;
	disk_log(host, job, EVT_STEP_NOTICE, NULL, NULL,
		 "verifying %s against %s.sha256", archive, archive);
	q = restore_verify_checksum(archive, err, sizeof(err));
	if (q < 0) {
		host->set_error(job, "%s: not restored", err);
		return q;
	}
	virSetErrorFunc(NULL, quiet_error);
	r.conn = virConnectOpen(uri);
	if (r.conn == NULL) {
		host->set_error(job, "cannot connect to libvirt (%s): %s",
				uri ?: "default", virt_error());
		return -ECONNREFUSED;
	}
	r.ar = archive_read_new();
	if (r.ar == NULL) {
		q = -ENOMEM;
		goto out;
	}
	archive_read_support_filter_all(r.ar);
	archive_read_support_format_tar(r.ar);
	if (archive_read_open_filename(r.ar, archive, 1u << 20) !=
	    ARCHIVE_OK) {
		host->set_error(job, "cannot open %s: %s", archive,
				archive_error_string(r.ar) ?: "");
		q = -EIO;
		goto out;
	}
	q = read_definition(&r);
	if (q < 0)
		goto out;
	name = as != NULL ? as : host->vm(job) != NULL ? host->vm(job) :
	       r.def.name;
	new_identity = !streq(name, r.def.name);
	q = refuse_existing_vm(&r, name, !new_identity);
	if (q < 0)
		goto out;
	if (mkdir(r.dir, 0755) < 0 && errno != EEXIST) {
		host->set_error(job, "cannot create %s: %m", r.dir);
		q = -errno;
		goto out;
	}
	q = host->set_note(job, "restore-dir", r.dir);
	if (q < 0)
		goto out;
	host->progress(job, NULL, 0);
	q = extract_images(&r);
	if (q >= 0)
		q = check_disks(&r, new_identity);
	if (q >= 0)
		q = commit_images(&r);
	if (q >= 0)
		q = rebase_images(&r);
	if (q >= 0)
		q = define_vm(&r, name, new_identity);
	host->set_note(job, "restore-dir", NULL);
	if (q < 0)
		goto out;
	host->progress(job, NULL, 100);
	if (asprintf(&f_arch, EVT_FIELD_ARCHIVE "=%s", archive) < 0)
		f_arch = NULL;
	host->log(job, EVT_STEP_FINISHED,
		  (const char *const[]){ f_arch, NULL },
		  "restored VM '%s' from %s as '%s': %zu image files in %s%s",
		  r.def.name, archive, name, r.map.n, r.dir,
		  new_identity ? " (new UUID and MAC addresses)" : "");
out:
	if (q == -ECANCELED)
		disk_log(host, job, EVT_STEP_WARNING, NULL, NULL,
			 "restore of %s cancelled; what it wrote was removed",
			 archive);
	run_done(&r, q < 0);
	return q < 0 ? q : 0;
}

/* A restore cut short leaves temporary files beside the images: remove
 * them. (Images already put in place are left, and said so: whether the
 * VM was defined decides whether they are wanted.) */
static int
restore_recover(const struct evt_host *host, struct evt_job *job)
{
	const char *dir = host->get_note(job, "restore-dir");
	struct dirent *de;
	DIR *d;

	if (dir == NULL)
		return 0;
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL)
		if (file_is_beside_name(de->d_name, RESTORE_TAG) &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			disk_log(host, job, EVT_STEP_NOTICE, NULL, NULL,
				 "removed %s/%s left by an interrupted "
				 "restore", dir, de->d_name);
	if (d != NULL)
		closedir(d);
	disk_log(host, job, EVT_STEP_WARNING, NULL, NULL,
		 "an interrupted restore may have left images in %s without "
		 "a VM defined on them", dir);
	host->set_note(job, "restore-dir", NULL);
	return 0;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "restore",
	.summary = "verify an archive, extract its images sparsely into a "
		   "directory and define its VM (never replacing one)",
	.options = restore_options,
	.check = restore_check,
	.run = restore_run,
	.recover = restore_recover,
};
