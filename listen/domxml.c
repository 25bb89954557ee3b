/* A domain's event channel in its live XML (see domxml.h). */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "macro.h"

static bool
name_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && streq((const char *)n->name, name);
}

/* Whether attribute attr of n is value. */
static bool
attr_is(xmlNode *n, const char *attr, const char *value)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	bool eq = v != NULL && streq((const char *)v, value);

	xmlFree(v);
	return eq;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (name_is(c, name))
			return c;
	return NULL;
}

/* The source path of one <channel>, 1 if it is ours, 0 if not. */
static int
channel_path(xmlNode *ch, const char *channel, char **ret_path)
{
	xmlNode *target = child(ch, "target"), *source;
	xmlChar *path;

	if (!attr_is(ch, "type", "unix") || target == NULL ||
	    !attr_is(target, "type", "virtio") ||
	    !attr_is(target, "name", channel))
		return 0;
	source = child(ch, "source");
	path = source != NULL ? xmlGetProp(source, (const xmlChar *)"path")
			      : NULL;
	if (path == NULL || path[0] != '/') {
		xmlFree(path);
		return -ENODATA;
	}
	*ret_path = strdup((const char *)path);
	xmlFree(path);
	return *ret_path != NULL ? 1 : -ENOMEM;
}

int
domxml_channel_path(const char *xml, size_t len, const char *channel,
		    char **ret_path)
{
	xmlDoc *doc;
	xmlNode *root, *devices;
	int r = -ENOENT;

	if (len > INT32_MAX)
		return -EINVAL;
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (doc == NULL)
		return -EINVAL;
	root = xmlDocGetRootElement(doc);
	devices = root != NULL && name_is(root, "domain") ? child(root, "devices")
							  : NULL;
	for (xmlNode *c = devices != NULL ? devices->children : NULL; c != NULL;
	     c = c->next) {
		int k;

		if (!name_is(c, "channel"))
			continue;
		k = channel_path(c, channel, ret_path);
		if (k != 0) {
			r = k > 0 ? 0 : k;
			break;
		}
	}
	xmlFreeDoc(doc);
	return r;
}
