/* evcreate --server's frame of one event (see frame.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "frame.h"
#include "syslog.h"

int
evc_remote_frame(const struct event *e, const char *uuid, uint64_t time_usec,
		 const char *hostname, pid_t pid, char **ret, size_t *ret_len)
{
	static const char sd[] = "[" SYSLOG_SD_ID " ";
	_cleanup_(freep) char *msg = NULL, *frame = NULL;
	struct timespec ts = {
		.tv_sec = (time_t)(time_usec / 1000000),
		.tv_nsec = (long)(time_usec % 1000000) * 1000,
	};
	size_t len;
	char *at;
	int r, n;

	for (size_t i = 0; i < e->n_extra; i++)
		if (strlen(e->extra[i].name) > SYSLOG_SD_NAME_MAX)
			return -EINVAL;
	r = syslog_format_event(e, SYSLOG_RFC5424, hostname, &ts, pid, &msg,
				&len);
	if (r < 0)
		return r;
	/* The element always leads with log=: the uuid goes before it. */
	at = strstr(msg, sd);
	if (at == NULL)
		return -EINVAL;
	at += sizeof(sd) - 1;
	len += strlen(SYSLOG_SD_PARAM_UUID "=\"\" ") + EVENT_UUID_LEN;
	if (len > EVC_FRAME_MAX)
		return -EMSGSIZE;
	n = asprintf(&frame, "%zu %.*s" SYSLOG_SD_PARAM_UUID "=\"%s\" %s", len,
		     (int)(at - msg), msg, uuid, at);
	if (n < 0)
		return -ENOMEM;
	*ret_len = (size_t)n;
	*ret = TAKE_PTR(frame);
	return 0;
}
