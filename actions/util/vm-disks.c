/* The disks of a libvirt domain definition, parsed from its XML with libxml2. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "vm.h"

static void
vm_disk_clear(struct vm_disk *d)
{
	free(d->target);
	free(d->source);
	free(d->format);
	free(d->bus);
	memset(d, 0, sizeof(*d));
}

void
vm_disk_list_free(struct vm_disk_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		vm_disk_clear(&l->disks[i]);
	free(l->disks);
	free(l);
}

static const char *const device_names[] = {
	[VM_DISK_DISK] = "disk",
	[VM_DISK_CDROM] = "cdrom",
	[VM_DISK_FLOPPY] = "floppy",
	[VM_DISK_LUN] = "lun",
	[VM_DISK_DEVICE_OTHER] = "other",
};

static const char *const type_names[] = {
	[VM_DISK_TYPE_FILE] = "file",
	[VM_DISK_TYPE_BLOCK] = "block",
	[VM_DISK_TYPE_NETWORK] = "network",
	[VM_DISK_TYPE_VOLUME] = "volume",
	[VM_DISK_TYPE_DIR] = "dir",
	[VM_DISK_TYPE_OTHER] = "other",
};

const char *
vm_disk_device_to_string(enum vm_disk_device d)
{
	return (unsigned)d < ELEMENTSOF(device_names) ? device_names[d] : "other";
}

const char *
vm_disk_type_to_string(enum vm_disk_type t)
{
	return (unsigned)t < ELEMENTSOF(type_names) ? type_names[t] : "other";
}

/* Index of s in names[0..n-1], or other when absent or unknown. */
static int
lookup_name(const char *const *names, size_t n, const char *s, int dflt,
	    int other)
{
	if (s == NULL)
		return dflt;
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && streq(names[i], s))
			return (int)i;
	return other;
}

static bool
node_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && streq((const char *)n->name, name);
}

static const xmlNode *
child(const xmlNode *parent, const char *name)
{
	for (const xmlNode *c = parent->children; c != NULL; c = c->next)
		if (node_is(c, name))
			return c;
	return NULL;
}

/* A malloc'd copy of attribute name of n, NULL if absent. *ret_oom is set
 * when allocation failed. */
static char *
attr(const xmlNode *n, const char *name, bool *ret_oom)
{
	xmlChar *v;
	char *s;

	if (n == NULL)
		return NULL;
	v = xmlGetProp(n, (const xmlChar *)name);
	if (v == NULL)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	if (s == NULL)
		*ret_oom = true;
	return s;
}

/* The source of a disk as text: a path for file/block/dir, "pool/volume"
 * for a volume, the protocol's name for network disks. */
static char *
disk_source(const xmlNode *src, enum vm_disk_type type, bool *oom)
{
	_cleanup_(freep) char *pool = NULL, *vol = NULL;
	char *s;

	if (src == NULL)
		return NULL;
	switch (type) {
	case VM_DISK_TYPE_FILE:
		return attr(src, "file", oom);
	case VM_DISK_TYPE_BLOCK:
		return attr(src, "dev", oom);
	case VM_DISK_TYPE_DIR:
		return attr(src, "dir", oom);
	case VM_DISK_TYPE_NETWORK:
		return attr(src, "name", oom);
	case VM_DISK_TYPE_VOLUME:
		pool = attr(src, "pool", oom);
		vol = attr(src, "volume", oom);
		if (pool == NULL || vol == NULL)
			return NULL;
		if (asprintf(&s, "%s/%s", pool, vol) < 0) {
			*oom = true;
			return NULL;
		}
		return s;
	default:
		return NULL;
	}
}

static int
disk_parse(const xmlNode *n, struct vm_disk *d)
{
	_cleanup_(freep) char *type = NULL, *device = NULL;
	const xmlNode *target;
	bool oom = false;

	type = attr(n, "type", &oom);
	device = attr(n, "device", &oom);
	d->type = lookup_name(type_names, ELEMENTSOF(type_names), type,
			      VM_DISK_TYPE_FILE, VM_DISK_TYPE_OTHER);
	d->device = lookup_name(device_names, ELEMENTSOF(device_names), device,
				VM_DISK_DISK, VM_DISK_DEVICE_OTHER);
	target = child(n, "target");
	d->target = attr(target, "dev", &oom);
	d->bus = attr(target, "bus", &oom);
	d->source = disk_source(child(n, "source"), d->type, &oom);
	d->format = attr(child(n, "driver"), "type", &oom);
	d->readonly = child(n, "readonly") != NULL;
	d->shareable = child(n, "shareable") != NULL;
	d->transient = child(n, "transient") != NULL;
	if (oom)
		return -ENOMEM;
	if (d->target == NULL)
		return -EINVAL;
	return 0;
}

static void
xml_doc_freep(xmlDoc **doc)
{
	if (*doc != NULL)
		xmlFreeDoc(*doc);
}

int
vm_disks_parse_xml(const char *xml, struct vm_disk_list **ret)
{
	_cleanup_(xml_doc_freep) xmlDoc *doc = NULL;
	_cleanup_(vm_disk_list_freep) struct vm_disk_list *l = NULL;
	const xmlNode *root, *devices;
	int r;

	/* No network, no entities, no DTD: the XML is libvirt's, but a parser
	 * that fetches nothing is the only kind worth having here. */
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (doc == NULL)
		return -EINVAL;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !node_is(root, "domain"))
		return -EINVAL;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	devices = child(root, "devices");
	if (devices == NULL) {
		*ret = TAKE_PTR(l);
		return 0;
	}
	for (const xmlNode *n = devices->children; n != NULL; n = n->next) {
		struct vm_disk *more;

		if (!node_is(n, "disk"))
			continue;
		more = reallocarray(l->disks, l->n + 1, sizeof(*l->disks));
		if (more == NULL)
			return -ENOMEM;
		l->disks = more;
		memset(&l->disks[l->n], 0, sizeof(*l->disks));
		l->n++;
		r = disk_parse(n, &l->disks[l->n - 1]);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

bool
vm_disk_is_writable_image(const struct vm_disk *d)
{
	return d->device == VM_DISK_DISK && d->type == VM_DISK_TYPE_FILE &&
	       d->source != NULL && !d->readonly && !d->shareable;
}
