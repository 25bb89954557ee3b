/* merge: commits snapshot overlays (qcow2 backing chains) into their base,
 * the way Hyper-V merges AVHDX differencing disks into their VHDX: the data
 * of the overlays goes into the base image, the VM is redefined to use the
 * base, and the overlay files are removed (unless keep-overlays). With the
 * VM off this is qemu-img commit; with it running, a libvirt active block
 * commit with pivot.
 *
 * Why a cut-short merge leaves the chain usable: a commit only copies data
 * down into the base, and every image above the base still holds all of its
 * own data, so reading through the top of the chain gives the same bytes
 * before, during and after the commit. The VM keeps using the top until the
 * commit is complete and verified (qemu-img compare top base); only then is
 * its definition switched to the base. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libvirt/virterror.h>

#include "evt-ids.h"
#include "evtrigger-action.h"
#include "fileio.h"
#include "time.h"
#include "util/diskfile.h"
#include "util/diskstep.h"
#include "util/qemuimg.h"
#include "util/vm.h"

#define MERGE_POLL_MSEC 200

static const struct evt_option merge_options[] = {
	{ "skip", EVT_OPT_LIST, NULL,
	  "disks left alone: globs matched against the image's file name, "
	  "its path and its target (vda)" },
	{ "depth", EVT_OPT_INT, "0",
	  "how many overlays to merge, from the top; 0 merges them all into "
	  "the bottom image of the chain" },
	{ "keep-overlays", EVT_OPT_BOOL, "no",
	  "keep the overlay files after their data is in the base (they are "
	  "no longer used by the VM)" },
	{ "bandwidth", EVT_OPT_SIZE, NULL,
	  "at most this many bytes per second copied by the commit (e.g. "
	  "20M), to spare the host's disks while the VM runs; unset or 0: "
	  "as fast as the disks go" },
	{ NULL },
};

struct merge {
	const struct evt_host *host;
	struct evt_job *job;
	struct vm *vm;
	const struct vm_disk *disk;
	struct qemuimg_info *chain;
	size_t n_chain;
	size_t k;                       /* chain[k] is the base */
	char **paths;                   /* paths[0..k]: top .. base */
	bool running;
	int top_lock;                   /* fd holding paths[0]'s lock, or -1 */
};

static void
merge_done(struct merge *m)
{
	if (m->paths != NULL)
		for (size_t i = 0; i <= m->k; i++)
			free(m->paths[i]);
	free(m->paths);
	qemuimg_chain_free(m->chain, m->n_chain);
	if (m->top_lock >= 0)
		close(m->top_lock);
}

static int
merge_check(const struct evt_host *host, struct evt_job *job, char *err,
	    size_t errlen)
{
	int64_t depth;
	uint64_t bw;

	if (host->option_int(job, "depth", &depth) == 0 && depth < 0) {
		snprintf(err, errlen, "invalid depth '%" PRId64 "': must be 0 "
			 "(all) or more", depth);
		return -EINVAL;
	}
	/* virDomainBlockCommit takes an unsigned long; QEMU an int64. */
	if (host->option_size(job, "bandwidth", &bw) == 0 &&
	    (bw > ULONG_MAX || bw > INT64_MAX)) {
		snprintf(err, errlen, "invalid bandwidth '%s': too large",
			 host->option(job, "bandwidth"));
		return -EINVAL;
	}
	return vm_check_probe(host, job, VM_PROBE_DISKS_READ |
					 VM_PROBE_DISKS_WRITE);
}

/* The bandwidth option in bytes per second; 0: no limit. */
static uint64_t
bandwidth(const struct evt_host *host, struct evt_job *job)
{
	uint64_t bw = 0;

	(void)host->option_size(job, "bandwidth", &bw);
	return bw;
}

static int
note(struct merge *m, const char *key, const char *value)
{
	int r = m->host->set_note(m->job, key, value);

	if (r < 0)
		m->host->set_error(m->job, "cannot record job note %s: %s", key,
				   strerror(-r));
	return r;
}

static void
clear_notes(struct merge *m)
{
	static const char *const keys[] = { "merge-disk", "merge-top",
					    "merge-base", "merge-phase" };

	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		m->host->set_note(m->job, keys[i], NULL);
}

/* Whether the file a (a real path) is the file b names. */
static int
is_file(const char *a, const char *b)
{
	_cleanup_(freep) char *rb = realpath(b, NULL);

	if (rb == NULL)
		return -errno;
	return streq(a, rb);
}

/* Whether any image of the disk's chain (the disk's file and its backing
 * files) is the file real. -errno if that cannot be told. */
static int
disk_uses(const struct vm_disk *d, const char *real, char **ret_err)
{
	struct qemuimg_info *c = NULL;
	size_t nc = 0;
	int r;

	r = is_file(real, d->source);
	if (r == -ENOENT)
		return 0;       /* a missing file rests on nothing */
	if (r != 0)
		return r;
	r = qemuimg_chain_shared(d->source, disk_format(d), &c, &nc, ret_err);
	if (r < 0)
		return r;
	for (size_t k = 0; k + 1 < nc && r == 0; k++)
		if (c[k].full_backing_filename != NULL)
			r = is_file(real, c[k].full_backing_filename);
	qemuimg_chain_free(c, nc);
	return r;
}

/* Whether path is an image of another disk, of another domain or of this
 * one (the disk itself or in its backing chain). Committing into a base
 * that other overlays rest on would change what they read. On 1,
 * *ret_user names the user ("VM 'x'" or "disk vdb of this VM"). Files are
 * compared by their real paths. It fails closed: a domain whose definition
 * or a disk whose backing chain cannot be read counts as a user, and
 * *ret_user says why. */
static int
used_elsewhere(struct merge *m, const char *path, char **ret_user)
{
	_cleanup_(freep) char *real = NULL;
	virDomainPtr *doms = NULL;
	int n, r = 0;

	real = realpath(path, NULL);
	if (real == NULL) {
		r = -errno;
		m->host->set_error(m->job, "cannot merge into %s: %s", path,
				   strerror(-r));
		return r;
	}
	n = virConnectListAllDomains(m->vm->conn, &doms, 0);
	if (n < 0) {
		m->host->set_error(m->job, "cannot list the domains of %s: %s",
				   m->vm->uri, virGetLastErrorMessage());
		return -EIO;
	}
	for (int i = 0; i < n && r == 0; i++) {
		_cleanup_(vm_disk_list_freep) struct vm_disk_list *l = NULL;
		_cleanup_(freep) char *why = NULL;
		const char *name = virDomainGetName(doms[i]);
		char *xml;
		bool self;

		if (name == NULL) {
			r = asprintf(ret_user, "a domain whose name cannot be "
				     "read (%s)", virGetLastErrorMessage()) < 0 ?
			    -ENOMEM : 1;
			break;
		}
		self = streq(name, m->vm->name);
		xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
		if (xml == NULL || vm_disks_parse_xml(xml, &l) < 0) {
			r = asprintf(ret_user, "VM '%s' for all that can be "
				     "told (its definition cannot be read: %s)",
				     name, xml == NULL ?
				     virGetLastErrorMessage() :
				     "not a domain XML") < 0 ? -ENOMEM : 1;
			free(xml);
			break;
		}
		free(xml);
		for (size_t d = 0; d < l->n && r == 0; d++) {
			const struct vm_disk *disk = &l->disks[d];
			char *err = NULL;

			if (disk->source == NULL ||
			    disk->type != VM_DISK_TYPE_FILE ||
			    (self && streq(disk->target, m->disk->target)))
				continue;
			r = disk_uses(disk, real, &err);
			if (r < 0) {
				if (asprintf(&why, " for all that can be told "
					     "(the images of its disk %s, %s, "
					     "cannot be read: %s)",
					     disk->target, disk->source,
					     err != NULL ? err :
					     strerror(-r)) < 0)
					why = NULL;
				r = 1;
			}
			free(err);
		}
		if (r == 1 && (self ? asprintf(ret_user, "another disk of VM "
					       "'%s'%s", name, why ?: "") :
				  asprintf(ret_user, "VM '%s'%s", name,
					   why ?: "")) < 0)
			r = -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	return r;
}

/* Points disk target of the persistent definition at the base image. */
static int
redefine(struct merge *m, const char *base, const char *format)
{
	_cleanup_(freep) char *xml = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, devs, disk;
	xmlChar *out = NULL;
	int size = 0, r = -ENOENT;
	virDomainPtr dom;

	/* With its secrets (graphics passwords): the definition is written
	 * back whole, and one without them would lose them. */
	r = vm_xml(m->vm, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE,
		   &xml);
	if (r < 0)
		return r;
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	r = -ENOENT;
	for (devs = root != NULL ? root->children : NULL; devs != NULL;
	     devs = devs->next)
		if (devs->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(devs->name, BAD_CAST "devices"))
			break;
	for (disk = devs != NULL ? devs->children : NULL;
	     disk != NULL && r == -ENOENT; disk = disk->next) {
		xmlNodePtr c, next, source = NULL, driver = NULL;
		bool match = false;

		if (disk->type != XML_ELEMENT_NODE ||
		    !xmlStrEqual(disk->name, BAD_CAST "disk"))
			continue;
		for (c = disk->children; c != NULL; c = c->next) {
			xmlChar *dev;

			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (xmlStrEqual(c->name, BAD_CAST "source"))
				source = c;
			else if (xmlStrEqual(c->name, BAD_CAST "driver"))
				driver = c;
			else if (xmlStrEqual(c->name, BAD_CAST "target")) {
				dev = xmlGetProp(c, BAD_CAST "dev");
				match = dev != NULL &&
					streq((char *)dev, m->disk->target);
				xmlFree(dev);
			}
		}
		if (!match || source == NULL)
			continue;
		xmlSetProp(source, BAD_CAST "file", BAD_CAST base);
		if (driver != NULL)
			xmlSetProp(driver, BAD_CAST "type", BAD_CAST format);
		/* The old chain description no longer applies. */
		for (c = disk->children; c != NULL; c = next) {
			next = c->next;
			if (c->type == XML_ELEMENT_NODE &&
			    xmlStrEqual(c->name, BAD_CAST "backingStore")) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
			}
		}
		r = 0;
	}
	if (r == 0) {
		xmlDocDumpMemory(doc, &out, &size);
		if (out == NULL)
			r = -ENOMEM;
	}
	xmlFreeDoc(doc);
	if (r < 0) {
		m->host->set_error(m->job, "cannot find disk %s in the definition "
				   "of VM '%s'", m->disk->target, m->vm->name);
		return r;
	}
	dom = virDomainDefineXML(m->vm->conn, (const char *)out);
	xmlFree(out);
	if (dom == NULL) {
		m->host->set_error(m->job, "cannot redefine VM '%s' to use %s: "
				   "%s", m->vm->name, base,
				   virGetLastErrorMessage());
		return -EIO;
	}
	virDomainFree(dom);
	return 0;
}

static void
log_cancelled(struct merge *m)
{
	disk_log(m->host, m->job, EVT_STEP_WARNING, m->paths[0], NULL,
		 "merge of disk %s cancelled: the chain %s -> ... -> %s still "
		 "reads the same data and VM '%s' still uses %s (the base may "
		 "hold leaked clusters: unused space that 'qemu-img check -r "
		 "leaks' reclaims)", m->disk->target, m->paths[0],
		 m->paths[m->k], m->vm->name, m->paths[0]);
}

/* Takes the image lock of the top (paths[0]) on m->top_lock, opened on the
 * first call. */
static int
lock_top(struct merge *m, bool exclusive)
{
	int r;

	if (m->top_lock < 0) {
		m->top_lock = open(m->paths[0],
				   O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (m->top_lock < 0) {
			r = -errno;
			m->host->set_error(m->job, "cannot open %s: %s",
					   m->paths[0], strerror(-r));
			return r;
		}
	}
	r = disk_lock_image(m->top_lock, exclusive);
	if (r < 0)
		m->host->set_error(m->job, "after committing %s into %s: %s; "
				   "VM '%s' still uses %s", m->paths[0],
				   m->paths[m->k], r == -EBUSY ?
				   "the image was opened meanwhile (was the VM "
				   "started?)" : strerror(-r), m->vm->name,
				   m->paths[0]);
	return r;
}

static int
commit_offline(struct merge *m)
{
	struct disk_progress p = { m->host, m->job, m->paths[0], 0, 2 };
	uint64_t bw = bandwidth(m->host, m->job);
	char bwbuf[24];
	/* -r: at most bw bytes per second. */
	const char *commit[] = { "commit", "-p", "-f", "qcow2", "-b",
				 m->paths[m->k],
				 bw > 0 ? "-r" : "--",
				 bw > 0 ? disk_u64(bw, bwbuf) : m->paths[0],
				 bw > 0 ? "--" : NULL,
				 bw > 0 ? m->paths[0] : NULL, NULL };
	const char *cmp[] = { "compare", "-p", "-f", "qcow2", "-F",
			      m->chain[m->k].format, "--", m->paths[0],
			      m->paths[m->k], NULL };
	int r;

	r = disk_run_qemuimg(m->host, m->job, commit, "qemu-img commit", NULL,
			     &p);
	if (r < 0)
		return r;
	/* From here until the overlays are removed, the top is locked: a VM
	 * started meanwhile (its definition still names the top) would write
	 * into files about to be removed. qemu-img commit opens the top for
	 * writing, so the lock can only be taken once it is done. First a
	 * reader lock, as qemu-img compare's own (it still opens the top);
	 * taken before its check (QEMU's order), it either keeps a QEMU
	 * from opening the top for writing or sees one that already has. A
	 * VM that started, wrote and stopped entirely between the end of the
	 * commit and this lock would make the comparison fail. */
	r = lock_top(m, false);
	if (r < 0)
		return r;
	p.phase = 1;
	r = disk_run_qemuimg(m->host, m->job, cmp,
			     "comparing the merged base with the chain", NULL,
			     &p);
	if (r == -EIO)
		m->host->set_error(m->job, "after committing %s into %s, the "
				   "base does not read the same as the chain; "
				   "VM '%s' still uses %s", m->paths[0],
				   m->paths[m->k], m->vm->name, m->paths[0]);
	if (r < 0)
		return r;
	/* Then no one at all: held until remove_overlays is done. */
	return lock_top(m, true);
}

/* Waits up to MERGE_POLL_MSEC for the job's cancellation. */
static bool
wait_cancelled(struct merge *m)
{
	struct pollfd p = { .fd = m->host->cancel_fd(m->job), .events = POLLIN };

	if (p.fd >= 0)
		(void)poll(&p, 1, MERGE_POLL_MSEC);
	else
		usleep(MERGE_POLL_MSEC * 1000);
	return m->host->cancelled(m->job);
}

/* Waits until libvirt no longer lists a block job on the disk. */
static int
wait_job_gone(struct merge *m)
{
	virDomainBlockJobInfo info;
	int r;

	for (;;) {
		r = virDomainGetBlockJobInfo(m->vm->dom, m->disk->target, &info,
					     0);
		if (r <= 0)
			return r < 0 ? -EIO : 0;
		usleep(MERGE_POLL_MSEC * 1000);
	}
}

/* The image the running VM's disk target uses now (its live definition,
 * which libvirt changes on a pivot), and its format if ret_format is not
 * NULL. The strings are malloc'd. */
static int
live_source(struct vm *vm, const char *target, char **ret,
	    char **ret_format)
{
	_cleanup_(freep) char *src = NULL, *format = NULL;
	_cleanup_(vm_disk_list_freep) struct vm_disk_list *l = NULL;
	int r;

	r = vm_disks(vm, 0, &l);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->disks[i].target, target)) {
			if (l->disks[i].source == NULL)
				return -ENOENT;
			src = strdup(l->disks[i].source);
			format = strdup(disk_format(&l->disks[i]));
			if (src == NULL || format == NULL)
				return -ENOMEM;
			*ret = TAKE_PTR(src);
			if (ret_format != NULL)
				*ret_format = TAKE_PTR(format);
			return 0;
		}
	return -ENOENT;
}

/* Whether paths a and b name the same file. */
static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (streq(a, b))
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Cancelled: stops the block job without pivot, so that the VM goes on
 * with the top of its chain, and makes sure it does. */
static int
abort_active(struct merge *m)
{
	_cleanup_(freep) char *src = NULL;
	int r;

	if (virDomainBlockJobAbort(m->vm->dom, m->disk->target, 0) < 0) {
		m->host->set_error(m->job, "cannot stop the block commit of %s "
				   "into %s: %s; VM '%s' still uses %s, the "
				   "commit may go on ('virsh blockjob %s %s "
				   "--abort' stops it)", m->paths[0],
				   m->paths[m->k], virGetLastErrorMessage(),
				   m->vm->name, m->paths[0], m->vm->name,
				   m->disk->target);
		return -EIO;
	}
	r = wait_job_gone(m);
	if (r == 0)
		r = live_source(m->vm, m->disk->target, &src, NULL);
	if (r < 0) {
		m->host->set_error(m->job, "cannot check which image VM '%s' "
				   "uses for disk %s after stopping the block "
				   "commit of %s: %s", m->vm->name,
				   m->disk->target, m->paths[0],
				   virGetLastErrorMessage());
		return -EIO;
	}
	if (!same_file(src, m->paths[0])) {
		m->host->set_error(m->job, "after stopping the block commit of "
				   "%s, VM '%s' uses %s for disk %s, not %s",
				   m->paths[0], m->vm->name, src,
				   m->disk->target, m->paths[0]);
		return -EIO;
	}
	return -ECANCELED;
}

static int
commit_active(struct merge *m)
{
	virDomainBlockJobInfo info;
	uint64_t bw = bandwidth(m->host, m->job);
	unsigned flags = VIR_DOMAIN_BLOCK_COMMIT_ACTIVE;
	bool pivoting = false;
	int r;

	if (bw > 0)
		flags |= VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES;
	if (virDomainBlockCommit(m->vm->dom, m->disk->target, m->paths[m->k],
				 NULL, (unsigned long)bw, flags) < 0) {
		m->host->set_error(m->job, "cannot start a block commit of %s "
				   "into %s: %s", m->paths[0], m->paths[m->k],
				   virGetLastErrorMessage());
		return -EIO;
	}
	for (;;) {
		r = virDomainGetBlockJobInfo(m->vm->dom, m->disk->target, &info,
					     0);
		if (r < 0) {
			m->host->set_error(m->job, "cannot follow the block "
					   "commit of %s: %s", m->paths[0],
					   virGetLastErrorMessage());
			return -EIO;
		}
		if (r == 0) {
			m->host->set_error(m->job, "the block commit of %s ended "
					   "before it could be pivoted; VM '%s' "
					   "still uses %s", m->paths[0],
					   m->vm->name, m->paths[0]);
			return -EIO;
		}
		if (info.end > 0)
			m->host->progress(m->job, m->paths[0],
					  (unsigned)(info.cur * 99 / info.end));
		/* An active commit is ready to pivot once cur reaches end.
		 * From the first attempt on, a recovery must look at which
		 * image QEMU uses: libvirtd finishes a pivot it has begun
		 * even if we die. */
		if (info.end > 0 && info.cur == info.end) {
			if (!pivoting &&
			    (r = note(m, "merge-phase", "pivot")) < 0) {
				(void)virDomainBlockJobAbort(m->vm->dom,
							     m->disk->target, 0);
				return r;
			}
			pivoting = true;
			if (virDomainBlockJobAbort(m->vm->dom, m->disk->target,
					VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) == 0)
				break;
		}
		if (wait_cancelled(m))
			return abort_active(m);
	}
	return wait_job_gone(m);
}

static int
remove_overlays(struct merge *m)
{
	int r = 0;

	for (size_t i = 0; i < m->k; i++) {
		if (unlink(m->paths[i]) < 0 && errno != ENOENT) {
			m->host->set_error(m->job, "cannot remove overlay %s "
					   "(its data is in %s, the VM uses "
					   "that): %m", m->paths[i],
					   m->paths[m->k]);
			return -errno;
		}
		disk_log(m->host, m->job, EVT_STEP_NOTICE, m->paths[i], NULL,
			 "removed overlay %s: its data is in %s", m->paths[i],
			 m->paths[m->k]);
		r = fsync_parent_dir(m->paths[i]);
	}
	return r;
}

static uint64_t
allocated(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? disk_allocated(&st) : 0;
}

/* Finds the chain of m->disk and the base to commit into; 0 if there is
 * nothing to merge (logged), 1 to go on. */
static int
plan(struct merge *m)
{
	_cleanup_(freep) char *err = NULL, *reason = NULL, *user = NULL;
	int64_t depth = 0;
	int r;

	r = m->running ? qemuimg_chain_shared(m->disk->source,
					      disk_format(m->disk), &m->chain,
					      &m->n_chain, &err) :
			 qemuimg_chain(m->disk->source, disk_format(m->disk),
				       &m->chain, &m->n_chain, &err);
	if (r < 0) {
		m->host->set_error(m->job, "cannot merge %s: %s", m->disk->source,
				   err != NULL ? err : strerror(-r));
		return r;
	}
	if (m->n_chain < 2 || !streq(m->chain[0].format, "qcow2")) {
		if (asprintf(&reason, EVT_FIELD_REASON "=%s", m->n_chain < 2 ?
			     "no snapshot overlays" : "not a qcow2 image") >= 0)
			disk_log(m->host, m->job, EVT_STEP_SKIPPED,
				 m->disk->source,
				 (const char *const[]){ reason, NULL },
				 "disk %s (%s): nothing to merge",
				 m->disk->target, m->disk->source);
		return 0;
	}
	(void)m->host->option_int(m->job, "depth", &depth);
	m->k = depth <= 0 || (uint64_t)depth >= m->n_chain ?
	       m->n_chain - 1 : (size_t)depth;
	m->paths = calloc(m->k + 1, sizeof(char *));
	if (m->paths == NULL)
		return -ENOMEM;
	/* The file itself: removing a symbolic link would leave the overlay. */
	m->paths[0] = realpath(m->disk->source, NULL);
	for (size_t i = 1; i <= m->k && m->paths[i - 1] != NULL; i++) {
		const char *p = m->chain[i - 1].full_backing_filename;

		if (p == NULL || p[0] != '/') {
			m->host->set_error(m->job, "cannot merge %s: the backing "
					   "file of %s is not a local file",
					   m->disk->source, m->paths[i - 1]);
			return -EINVAL;
		}
		m->paths[i] = strdup(p);
	}
	for (size_t i = 0; i <= m->k; i++)
		if (m->paths[i] == NULL)
			return -ENOMEM;
	for (size_t i = 1; i <= m->k; i++) {
		r = used_elsewhere(m, m->paths[i], &user);
		if (r < 0)
			return r;
		if (r > 0) {
			m->host->set_error(m->job, "cannot merge %s into %s: %s "
					   "is also used by %s",
					   m->paths[0], m->paths[m->k],
					   m->paths[i], user);
			return -EBUSY;
		}
	}
	return 1;
}

static int
merge_disk(const struct evt_host *host, struct evt_job *job, struct vm *vm,
	   const struct vm_disk *d, bool running)
{
	struct merge m = { host, job, vm, d, .running = running,
			   .top_lock = -1 };
	_cleanup_(freep) char *f_before = NULL, *f_after = NULL, *f_dur = NULL;
	uint64_t t0 = now_usec(CLOCK_MONOTONIC), before = 0, usec;
	char took[32];
	int keep = 0, r;

	r = plan(&m);
	if (r <= 0)
		goto out;
	for (size_t i = 0; i <= m.k; i++)
		before += allocated(m.paths[i]);
	disk_log(host, job, EVT_STEP_NOTICE, m.paths[0], NULL,
		 "merging disk %s: %zu overlay(s) from %s into %s (VM %s)",
		 d->target, m.k, m.paths[0], m.paths[m.k],
		 running ? "running: block commit with pivot" : "off");
	if ((r = note(&m, "merge-disk", d->target)) < 0 ||
	    (r = note(&m, "merge-top", m.paths[0])) < 0 ||
	    (r = note(&m, "merge-base", m.paths[m.k])) < 0 ||
	    (r = note(&m, "merge-phase", running ? "active" : "commit")) < 0)
		goto out;
	host->progress(job, m.paths[0], 0);
	r = running ? commit_active(&m) : commit_offline(&m);
	if (r == -ECANCELED)
		log_cancelled(&m);
	if (r < 0)
		goto out_notes;
	if ((r = note(&m, "merge-phase", "redefine")) < 0)
		goto out_notes;
	/* A pivot updated the running definition; the persistent one too,
	 * if there is one (a transient VM must not become persistent). */
	if (virDomainIsPersistent(vm->dom) != 0) {
		r = redefine(&m, m.paths[m.k], m.chain[m.k].format);
		if (r < 0)
			goto out_notes;
	}
	(void)host->option_bool(job, "keep-overlays", &keep);
	if (!keep) {
		if ((r = note(&m, "merge-phase", "remove")) < 0)
			goto out_notes;
		r = remove_overlays(&m);
		if (r < 0)
			goto out_notes;
	}
	host->progress(job, m.paths[0], 100);
	usec = now_usec(CLOCK_MONOTONIC) - t0;
	if (asprintf(&f_before, EVT_FIELD_SIZE_BEFORE "=%" PRIu64, before) < 0 ||
	    asprintf(&f_after, EVT_FIELD_SIZE_AFTER "=%" PRIu64,
		     allocated(m.paths[m.k])) < 0 ||
	    asprintf(&f_dur, EVT_FIELD_DURATION_USEC "=%" PRIu64, usec) < 0) {
		r = -ENOMEM;
		goto out_notes;
	}
	disk_log(host, job, EVT_STEP_FINISHED, m.paths[0],
		 (const char *const[]){ f_before, f_after, f_dur, NULL },
		 "merged disk %s into %s in %s; VM '%s' now uses %s%s",
		 d->target, m.paths[m.k],
		 format_seconds(usec, took, sizeof(took)), vm->name,
		 m.paths[m.k],
		 keep ? " (overlays kept)" : "");
	r = 0;
out_notes:
	clear_notes(&m);
out:
	merge_done(&m);
	return r;
}

static int
merge_run(const struct evt_host *host, struct evt_job *job)
{
	_cleanup_(vm_closep) struct vm *vm = NULL;
	_cleanup_(vm_disk_list_freep) struct vm_disk_list *disks = NULL;
	int state, r;
	bool running;

	r = vm_open(host, job, &vm);
	if (r < 0)
		return r;
	r = vm_state(vm, &state, NULL);
	if (r < 0)
		return r;
	running = !vm_state_is_off(state);
	if (running && state != VIR_DOMAIN_RUNNING &&
	    state != VIR_DOMAIN_PAUSED) {
		host->set_error(job, "cannot merge the disks of VM '%s' while it "
				"is %s", vm->name, vm_state_to_string(state));
		return -EBUSY;
	}
	if (!running) {
		r = disk_require_no_saved_state(host, job, vm, "merge");
		if (r < 0)
			return r;
	}
	/* A running VM's disks are those it runs with. */
	r = vm_disks(vm, running ? 0 : VIR_DOMAIN_XML_INACTIVE, &disks);
	if (r < 0)
		return r;
	for (size_t i = 0; i < disks->n; i++) {
		if (!disk_selected(host, job, &disks->disks[i]))
			continue;
		r = merge_disk(host, job, vm, &disks->disks[i], running);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Recovery of a live merge whose process died during the block commit
 * (phase "active") or once it had asked for the pivot ("pivot"). The block
 * job lives in QEMU and goes on without us. It is stopped WITHOUT pivot
 * rather than finished: the VM then goes on with the top image its
 * persistent definition names, so QEMU and the definition agree with
 * nothing rewritten, and the chain reads as before (a commit only copies
 * data down); merging again finishes the work. Finishing it here instead
 * would mean a pivot, a new definition and removing overlays, long after
 * the job that was asked to. But a pivot that had already happened (libvirtd
 * completes one it has begun) cannot be undone: QEMU writes only to the
 * base since, so the top is stale and the definition must follow QEMU. */
static int
recover_active(const struct evt_host *host, struct evt_job *job,
	       const char *phase, const char *disk, const char *top,
	       const char *base)
{
	_cleanup_(vm_closep) struct vm *vm = NULL;
	_cleanup_(freep) char *src = NULL, *format = NULL;
	struct vm_disk d = { .target = (char *)disk };
	struct merge m = { host, job, NULL, &d };
	virDomainBlockJobInfo info;
	uint64_t deadline = vm_deadline_min(host->deadline(job),
					    deadline_after(60 * 1000000ULL));
	bool stopped = false;
	int state, r;

	r = vm_open(host, job, &vm);
	if (r < 0)
		return r;
	m.vm = vm;
	r = vm_state(vm, &state, NULL);
	if (r < 0)
		return r;
	if (vm_state_is_off(state)) {
		/* No QEMU, no block job. */
		if (streq(phase, "pivot"))
			disk_log(host, job, EVT_STEP_WARNING, top, NULL,
				 "merge of disk %s was interrupted while VM "
				 "'%s' was being switched from %s to %s, and "
				 "the VM is now off: its definition uses %s, "
				 "but if the switch took place before the VM "
				 "stopped, the VM's newest writes are in %s; "
				 "check before starting the VM", disk,
				 vm->name, top, base, top, base);
		return streq(phase, "pivot") ? 0 : 1;
	}
	/* Stop the block job; while libvirtd is ending it (a pivot under
	 * way) it refuses, so try again until it is gone. */
	for (;;) {
		r = virDomainGetBlockJobInfo(vm->dom, disk, &info, 0);
		if (r < 0) {
			host->set_error(job, "cannot look for a block job on disk "
					"%s of VM '%s': %s", disk, vm->name,
					virGetLastErrorMessage());
			return -EIO;
		}
		if (r == 0)
			break;
		if (virDomainBlockJobAbort(vm->dom, disk, 0) == 0)
			stopped = true;
		else if (now_usec(CLOCK_MONOTONIC) >= deadline) {
			host->set_error(job, "cannot stop the block commit of %s "
					"on disk %s of VM '%s': %s", top, disk,
					vm->name, virGetLastErrorMessage());
			return -EIO;
		} else
			usleep(MERGE_POLL_MSEC * 1000);
	}
	if (stopped)
		disk_log(host, job, EVT_STEP_NOTICE, top, NULL,
			 "stopped, without pivot, the block commit of %s into "
			 "%s left running by an interrupted merge", top, base);
	r = live_source(vm, disk, &src, &format);
	if (r < 0) {
		host->set_error(job, "cannot find which image disk %s of VM "
				"'%s' uses: %s", disk, vm->name,
				r == -ENOENT ? "no such disk" : strerror(-r));
		return r;
	}
	if (same_file(src, top))
		return 1;
	if (!same_file(src, base)) {
		disk_log(host, job, EVT_STEP_WARNING, top, NULL,
			 "merge of disk %s was interrupted; VM '%s' now uses "
			 "%s, neither the top %s nor the base %s: left as it "
			 "is", disk, vm->name, src, top, base);
		return 0;
	}
	/* The pivot took place: the definition follows QEMU. */
	if (virDomainIsPersistent(vm->dom) != 0) {
		r = redefine(&m, src, format);
		if (r < 0)
			return r;
	}
	disk_log(host, job, EVT_STEP_WARNING, top, NULL,
		 "merge of disk %s was interrupted after VM '%s' was switched "
		 "from %s to %s: its definition now uses %s too; the overlays "
		 "above it were not removed (nothing uses them)", disk,
		 vm->name, top, base, base);
	return 0;
}

/* After a crash: says in what state the merge was left. A live merge's
 * block job is dealt with by recover_active(). */
static int
merge_recover(const struct evt_host *host, struct evt_job *job)
{
	const char *phase = host->get_note(job, "merge-phase");
	const char *disk = host->get_note(job, "merge-disk");
	const char *top = host->get_note(job, "merge-top");
	const char *base = host->get_note(job, "merge-base");
	int r = 1;

	if (phase == NULL || disk == NULL || top == NULL || base == NULL)
		return 0;
	if (streq(phase, "active") || streq(phase, "pivot")) {
		r = recover_active(host, job, phase, disk, top, base);
		if (r < 0)
			return r;
	}
	/* r == 1: the VM (still) uses the top. */
	if (r == 1 && (streq(phase, "commit") || streq(phase, "active") ||
		       streq(phase, "pivot")))
		disk_log(host, job, EVT_STEP_WARNING, top, NULL,
			 "merge of disk %s was interrupted while committing %s "
			 "into %s: the chain still reads the same data and the "
			 "VM still uses %s; run merge again to finish (the base "
			 "may hold leaked clusters: unused space that 'qemu-img "
			 "check -r leaks' reclaims)", disk, top, base, top);
	else if (streq(phase, "redefine"))
		disk_log(host, job, EVT_STEP_WARNING, top, NULL,
			 "merge of disk %s was interrupted after %s was "
			 "committed into %s and verified: the VM uses one of "
			 "them, and both read the same; the overlays were not "
			 "removed", disk, top, base);
	else if (streq(phase, "remove"))
		disk_log(host, job, EVT_STEP_WARNING, top, NULL,
			 "merge of disk %s was interrupted while removing the "
			 "overlays above %s, which the VM now uses; some "
			 "overlay files may remain", disk, base);
	host->set_note(job, "merge-phase", NULL);
	host->set_note(job, "merge-disk", NULL);
	host->set_note(job, "merge-top", NULL);
	host->set_note(job, "merge-base", NULL);
	return 0;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "merge",
	.summary = "merge snapshot overlays into their base image and point "
		   "the VM at it (qemu-img commit, or block commit while "
		   "running)",
	.options = merge_options,
	.check = merge_check,
	.run = merge_run,
	.recover = merge_recover,
};
