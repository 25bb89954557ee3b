/* Reading back what the archive action wrote (see restore.h). Never logs. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "fileio.h"
#include "util/restore.h"

#define RESTORE_HASH_CHUNK (1u << 20)

static int
fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- checksum ---------------------------------------------------------- */

static int
sha256_file(const char *path, char hex[65])
{
	_cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_(freep) unsigned char *buf = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	EVP_MD_CTX *ctx;
	int r = 0;

	if (fd < 0)
		return -errno;
	buf = malloc(RESTORE_HASH_CHUNK);
	ctx = EVP_MD_CTX_new();
	if (buf == NULL || ctx == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf, RESTORE_HASH_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (r == 0 && (EVP_DigestFinal_ex(ctx, md, &md_len) != 1 ||
		       md_len != 32))
		r = -EIO;
	EVP_MD_CTX_free(ctx);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < md_len; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	return 0;
}

int
restore_verify_checksum(const char *archive, char *err, size_t errlen)
{
	_cleanup_(freep) char *path = NULL, *text = NULL;
	char hex[65];
	int r;

	if (asprintf(&path, "%s.sha256", archive) < 0)
		return -ENOMEM;
	r = read_file(path, 4096, &text, NULL);
	if (r == -ENOENT)
		return fail(err, errlen, r, "no checksum file %s", path);
	if (r < 0)
		return fail(err, errlen, r, "cannot read %s: %s", path,
			    strerror(-r));
	/* "HEX  NAME\n": the name may differ (a renamed archive), the sum
	 * may not. */
	for (int i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)text[i]) ||
		    isupper((unsigned char)text[i]))
			return fail(err, errlen, -EBADMSG, "%s is not a "
				    "SHA-256 checksum file", path);
	if (text[64] != ' ')
		return fail(err, errlen, -EBADMSG, "%s is not a SHA-256 "
			    "checksum file", path);
	r = sha256_file(archive, hex);
	if (r < 0)
		return fail(err, errlen, r, "cannot read %s: %s", archive,
			    strerror(-r));
	if (strncmp(hex, text, 64) != 0)
		return fail(err, errlen, -EBADMSG, "%s does not match its "
			    "checksum file (SHA-256 %s, expected %.64s): "
			    "damaged or changed", archive, hex, text);
	return 0;
}

/* ---- the map of images ------------------------------------------------- */

void
restore_map_done(struct restore_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->images[i].orig);
		free(m->images[i].dest);
	}
	free(m->images);
	*m = (struct restore_map){ 0 };
}

const char *
restore_map_dest(const struct restore_map *m, const char *orig)
{
	for (size_t i = 0; i < m->n; i++)
		if (streq(m->images[i].orig, orig))
			return m->images[i].dest;
	return NULL;
}

int
restore_map_add(struct restore_map *m, const char *dir, const char *orig,
		char *err, size_t errlen)
{
	const char *base = strrchr(orig, '/');
	_cleanup_(freep) char *dest = NULL, *o = NULL;
	struct restore_image *v;

	if (restore_map_dest(m, orig) != NULL)
		return 0;
	base = base != NULL ? base + 1 : orig;
	if (*base == '\0' || streq(base, ".") || streq(base, "..") ||
	    *base == '.')
		return fail(err, errlen, -EINVAL, "cannot restore '%s': "
			    "unusable file name", orig);
	if (asprintf(&dest, "%s/%s", dir, base) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++)
		if (streq(m->images[i].dest, dest))
			return fail(err, errlen, -EEXIST, "images %s and %s "
				    "would both be restored as %s",
				    m->images[i].orig, orig, dest);
	o = strdup(orig);
	v = reallocarray(m->images, m->n + 1, sizeof(*v));
	if (o == NULL || v == NULL)
		return -ENOMEM;
	m->images = v;
	v[m->n++] = (struct restore_image){ TAKE_PTR(o), TAKE_PTR(dest) };
	return 0;
}

bool
restore_member_path_ok(const char *p)
{
	if (*p == '/' || *p == '\0')
		return false;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
		else
			break;
	}
	return p[-1] != '/';
}

int
restore_backing_orig(const char *orig, const char *backing, char **ret)
{
	const char *slash = strrchr(orig, '/');
	char *s;

	if (backing[0] == '/')
		s = strdup(backing);
	else if (asprintf(&s, "%.*s/%s", (int)(slash - orig), orig,
			  backing) < 0)
		s = NULL;
	if (s == NULL)
		return -ENOMEM;
	*ret = s;
	return 0;
}

/* ---- the definition ---------------------------------------------------- */

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n != NULL ? n->children : NULL; c != NULL;
	     c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(c->name, BAD_CAST name) == 0)
			return c;
	return NULL;
}

static bool
is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static xmlDocPtr
parse(const char *xml)
{
	return xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR |
			     XML_PARSE_NOWARNING);
}

static char *
node_text(xmlNodePtr n)
{
	xmlChar *t = n != NULL ? xmlNodeGetContent(n) : NULL;
	char *s;

	if (t == NULL)
		return NULL;
	s = strdup((const char *)t);
	xmlFree(t);
	return s;
}

void
restore_def_done(struct restore_def *d)
{
	free(d->name);
	free(d->uuid);
	for (size_t i = 0; i < d->n_files; i++)
		free(d->files[i]);
	free(d->files);
	free(d->writable);
	*d = (struct restore_def){ 0 };
}

static int
def_add_file(struct restore_def *d, const char *file, bool writable)
{
	char **f = reallocarray(d->files, d->n_files + 1, sizeof(*f));
	bool *w;

	if (f == NULL)
		return -ENOMEM;
	d->files = f;
	w = reallocarray(d->writable, d->n_files + 1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	d->writable = w;
	f[d->n_files] = strdup(file);
	if (f[d->n_files] == NULL)
		return -ENOMEM;
	w[d->n_files++] = writable;
	return 0;
}

int
restore_def_parse(const char *xml, struct restore_def *ret, char *err,
		  size_t errlen)
{
	xmlDocPtr doc = parse(xml);
	xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	struct restore_def d = { 0 };
	int r = 0;

	if (root == NULL || !is(root, "domain")) {
		xmlFreeDoc(doc);
		return fail(err, errlen, -EINVAL, "the archived definition "
			    "is not a libvirt domain");
	}
	d.name = node_text(child(root, "name"));
	d.uuid = node_text(child(root, "uuid"));
	if (d.name == NULL || *d.name == '\0')
		r = fail(err, errlen, -EINVAL, "the archived definition "
			 "has no <name>");
	for (xmlNodePtr n = child(child(root, "devices"), "disk");
	     n != NULL && r >= 0; n = n->next) {
		xmlChar *type, *dev, *file;
		bool writable;

		if (!is(n, "disk"))
			continue;
		type = xmlGetProp(n, BAD_CAST "type");
		dev = xmlGetProp(n, BAD_CAST "device");
		file = xmlGetProp(child(n, "source"), BAD_CAST "file");
		writable = (dev == NULL || xmlStrcmp(dev, BAD_CAST "disk") == 0)
			   && child(n, "readonly") == NULL &&
			   child(n, "shareable") == NULL;
		if (type != NULL && xmlStrcmp(type, BAD_CAST "file") == 0 &&
		    file != NULL)
			r = def_add_file(&d, (const char *)file, writable);
		xmlFree(type);
		xmlFree(dev);
		xmlFree(file);
	}
	xmlFreeDoc(doc);
	if (r < 0) {
		restore_def_done(&d);
		return r;
	}
	*ret = d;
	return 0;
}

/* Points <source file=> of disk n (and of its backing stores) at the
 * restored images. */
static int
rewrite_sources(xmlNodePtr n, const struct restore_map *m)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (is(c, "source")) {
			xmlChar *file = xmlGetProp(c, BAD_CAST "file");
			const char *dest = file != NULL ?
				restore_map_dest(m, (const char *)file) : NULL;

			xmlFree(file);
			if (dest != NULL &&
			    xmlSetProp(c, BAD_CAST "file", BAD_CAST dest) == NULL)
				return -ENOMEM;
		} else if (is(c, "backingStore")) {
			int r = rewrite_sources(c, m);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

static void
remove_node(xmlNodePtr n)
{
	if (n == NULL)
		return;
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

int
restore_rewrite_xml(const char *xml, const char *name, bool new_identity,
		    const struct restore_map *m, char **ret, char *err,
		    size_t errlen)
{
	xmlDocPtr doc = parse(xml);
	xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr devices, nn;
	xmlChar *out = NULL;
	int len = 0, r = 0;
	char *s;

	if (root == NULL || !is(root, "domain") ||
	    (nn = child(root, "name")) == NULL) {
		xmlFreeDoc(doc);
		return fail(err, errlen, -EINVAL, "the archived definition "
			    "is not a libvirt domain");
	}
	xmlNodeSetContent(nn, NULL);
	xmlNodeAddContent(nn, BAD_CAST name);
	if (new_identity)
		remove_node(child(root, "uuid"));
	devices = child(root, "devices");
	for (xmlNodePtr n = devices != NULL ? devices->children : NULL;
	     n != NULL && r >= 0; n = n->next) {
		if (is(n, "disk"))
			r = rewrite_sources(n, m);
		else if (is(n, "interface") && new_identity)
			remove_node(child(n, "mac"));
	}
	if (r >= 0) {
		xmlDocDumpMemory(doc, &out, &len);
		if (out == NULL)
			r = -ENOMEM;
	}
	xmlFreeDoc(doc);
	if (r < 0)
		return r;
	s = strndup((const char *)out, (size_t)len);
	xmlFree(out);
	if (s == NULL)
		return -ENOMEM;
	*ret = s;
	return 0;
}
