/* The listener's side of the bus protocol (see busclient.h). */
#include <stdio.h>
#include <string.h>

#include "busclient.h"

int
bus_parse_reply(const char *buf, size_t len, const char *uuid,
		char *reason, size_t size)
{
	size_t ulen = strlen(uuid), k = 0;
	const char *p;
	bool ok;

	if (size > 0)
		reason[0] = '\0';
	if (len >= 3 && memcmp(buf, "OK ", 3) == 0) {
		ok = true;
		p = buf + 3;
	} else if (len >= 6 && memcmp(buf, "RETRY ", 6) == 0) {
		ok = false;
		p = buf + 6;
	} else
		return -EBADMSG;
	len -= (size_t)(p - buf);
	if (ulen == 0 || len < ulen || memcmp(p, uuid, ulen) != 0)
		return -EBADMSG;
	p += ulen;
	len -= ulen;
	if (ok)
		return len == 0 ? 1 : -EBADMSG;
	if (len > 0 && *p != ' ')
		return -EBADMSG;
	for (; len > 0 && *p == ' '; p++, len--)
		;
	for (; len > 0 && size > 0 && k + 1 < size; p++, len--)
		reason[k++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	if (size > 0)
		reason[k] = '\0';
	return 0;
}

void
bus_queue_init(struct bus_queue *q, size_t max)
{
	*q = (struct bus_queue){ .max = max };
}

void
bus_queue_done(struct bus_queue *q)
{
	struct bus_pending e;

	while (bus_queue_pop(q, &e))
		free(e.data);
	free(q->v);
	q->v = NULL;
	q->size = 0;
}

bool
bus_queue_full(const struct bus_queue *q)
{
	return q->n >= q->max;
}

static struct bus_pending *
at(const struct bus_queue *q, size_t i)
{
	return &q->v[(q->head + i) % q->size];
}

int
bus_queue_push(struct bus_queue *q, const struct bus_pending *e)
{
	if (bus_queue_full(q))
		return -ENOBUFS;
	if (q->n == q->size) {
		size_t size = q->size > 0 ? q->size * 2 : 16;
		struct bus_pending *v = calloc(size, sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < q->n; i++)
			v[i] = *at(q, i);
		free(q->v);
		q->v = v;
		q->size = size;
		q->head = 0;
	}
	*at(q, q->n) = *e;
	q->n++;
	return 0;
}

void
bus_queue_drop_last(struct bus_queue *q)
{
	if (q->n > 0)
		q->n--;
}

struct bus_pending *
bus_queue_back(struct bus_queue *q)
{
	return q->n > 0 ? at(q, q->n - 1) : NULL;
}

struct bus_pending *
bus_queue_front(const struct bus_queue *q)
{
	return q->n > 0 ? at(q, 0) : NULL;
}

bool
bus_queue_pop(struct bus_queue *q, struct bus_pending *ret)
{
	if (q->n == 0)
		return false;
	*ret = *at(q, 0);
	q->head = (q->head + 1) % q->size;
	q->n--;
	return true;
}

void
bus_queue_forget(struct bus_queue *q, const void *owner)
{
	for (size_t i = 0; i < q->n; i++)
		if (at(q, i)->owner == owner)
			at(q, i)->owner = NULL;
}
