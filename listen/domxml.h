/* Reading a domain's live XML: the host socket of its event channel, as
 * libvirt chose it. The path is read, never built (libvirt moved it between
 * versions). Never logs. */
#ifndef LISTEN_DOMXML_H
#define LISTEN_DOMXML_H

#include <stddef.h>

/* The channel the listener looks for by default, in the domain's
 * <devices>: <channel type='unix'><target type='virtio' name='...'/>. */
#define DOMXML_CHANNEL_NAME "org.evtrigger.0"

/* Finds in xml (len bytes) the <channel type='unix'> whose <target> has
 * type='virtio' and name=channel, and its <source path='...'>. Returns 0
 * with a malloc'd path in *ret_path; -ENOENT if the domain has no such
 * channel; -ENODATA if it has one without a source path (not running);
 * -EINVAL for XML that does not parse; -ENOMEM. */
int domxml_channel_path(const char *xml, size_t len, const char *channel,
			char **ret_path);

#endif
