/* One guest channel's state machine (see channel.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "channel.h"

#define REASON_MAX 200

struct channel *
channel_new(int fd, const char *name, const char *uuid,
	    const struct channel_limits *limits, uint64_t now_usec)
{
	struct channel *ch;

	if (strlen(name) > CHANNEL_NAME_MAX || strlen(uuid) > EVENT_UUID_LEN)
		return NULL;
	/* Everything zeroed but the input buffer, whose pages stay untouched
	 * (not resident) until a sender sends: idle sessions cost little. */
	ch = malloc(sizeof(*ch));
	if (ch == NULL)
		return NULL;
	memset(ch, 0, offsetof(struct channel, in));
	memset((char *)ch + offsetof(struct channel, in) + sizeof(ch->in), 0,
	       sizeof(*ch) - offsetof(struct channel, in) - sizeof(ch->in));
	ch->fd = fd;
	strcpy(ch->name, name);
	strcpy(ch->uuid, uuid);
	ch->limits = limits;
	ch->wire.max = limits->max_frame;
	ratelimit_init(&ch->bucket, limits->rate, limits->burst, now_usec);
	return ch;
}

void
channel_free(struct channel *ch)
{
	if (ch == NULL)
		return;
	wire_request_done(&ch->req);
	for (size_t i = 0; i < ch->n_flights; i++)
		free(ch->flights[i].line);
	free(ch->flights);
	free(ch->out);
	free(ch->last_reason);
	free(ch);
}

/* Whether the FIFO of answers behind written events is full. */
static bool
flights_full(const struct channel *ch)
{
	return ch->n_flights > 0 && ch->n_flights >= ch->limits->max_inflight;
}

bool
channel_wants_read(const struct channel *ch, uint64_t now_usec)
{
	return !ch->pending && !ch->failed && now_usec >= ch->resume_usec &&
	       !flights_full(ch) &&
	       ch->in_len < CHANNEL_IN_MAX && ch->out_len < CHANNEL_OUT_MAX;
}

char *
channel_in_space(struct channel *ch, size_t *ret_room)
{
	*ret_room = CHANNEL_IN_MAX - ch->in_len;
	return ch->in + ch->in_len;
}

void
channel_in_added(struct channel *ch, size_t n)
{
	ch->in_len += n;
}

static void
in_consume(struct channel *ch, size_t n)
{
	if (n == 0)
		return;
	memmove(ch->in, ch->in + n, ch->in_len - n);
	ch->in_len -= n;
}

static int
out_append(struct channel *ch, const char *l)
{
	size_t n;
	char *p;

	n = strlen(l);
	p = realloc(ch->out, ch->out_len + n);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p + ch->out_len, l, n);
	ch->out = p;
	ch->out_len += n;
	return 0;
}

static int
flight_push(struct channel *ch, const char *uuid, uint64_t deadline,
	    char *line)
{
	struct channel_flight *v = reallocarray(ch->flights, ch->n_flights + 1,
						sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	ch->flights = v;
	v[ch->n_flights] = (struct channel_flight){ .deadline = deadline,
						    .line = line };
	snprintf(v[ch->n_flights].uuid, sizeof(v->uuid), "%s", uuid);
	ch->n_flights++;
	return 0;
}

/* Queues an answer line (taking it): behind the written events awaiting
 * their read-back, if any, else straight out. */
static int
out_queue(struct channel *ch, char *line)
{
	_cleanup_(freep) char *l = line;
	int r;

	if (l == NULL)
		return -ENOMEM;
	if (ch->n_flights > 0) {
		r = flight_push(ch, "", 0, l);
		if (r == 0)
			TAKE_PTR(l);
		return r;
	}
	return out_append(ch, l);
}

/* Moves the answers at the head of the FIFO that are ready out. */
static int
flights_release(struct channel *ch)
{
	size_t n = 0;
	int r = 0;

	while (n < ch->n_flights && ch->flights[n].line != NULL) {
		r = out_append(ch, ch->flights[n].line);
		if (r < 0)
			break;
		free(ch->flights[n].line);
		n++;
	}
	memmove(ch->flights, ch->flights + n,
		(ch->n_flights - n) * sizeof(*ch->flights));
	ch->n_flights -= n;
	return r;
}

int
channel_written(struct channel *ch, uint64_t deadline)
{
	int r = flight_push(ch, ch->req.uuid, deadline, NULL);

	if (r < 0)
		return r;
	ch->pending = false;
	wire_request_done(&ch->req);
	return 0;
}

const struct channel_flight *
channel_awaited(const struct channel *ch)
{
	for (size_t i = 0; i < ch->n_flights; i++)
		if (ch->flights[i].line == NULL)
			return &ch->flights[i];
	return NULL;
}

int
channel_confirm(struct channel *ch, int r, const char *reason)
{
	struct channel_flight *f = (struct channel_flight *)channel_awaited(ch);
	char *line;

	if (f == NULL)
		return 0;
	line = r >= 0 ? channel_format_ok(f->uuid)
		      : channel_format_err(WIRE_UNAVAILABLE, reason);
	if (line == NULL)
		return -ENOMEM;
	f->line = line;
	return flights_release(ch);
}

const char *
channel_out(const struct channel *ch, size_t *ret_len)
{
	*ret_len = ch->out_len;
	return ch->out;
}

void
channel_out_sent(struct channel *ch, size_t n)
{
	if (n == 0)
		return;
	memmove(ch->out, ch->out + n, ch->out_len - n);
	ch->out_len -= n;
}

char *
channel_format_ok(const char *uuid)
{
	char *s;

	return asprintf(&s, "OK %s\n", uuid) < 0 ? NULL : s;
}

char *
channel_format_err(enum wire_code code, const char *reason)
{
	char clean[REASON_MAX + 1];
	size_t n = 0;
	char *s;

	for (; reason != NULL && reason[n] != '\0' && n < REASON_MAX; n++)
		clean[n] = reason[n] >= 0x20 && reason[n] < 0x7f ? reason[n]
								 : '?';
	clean[n] = '\0';
	return asprintf(&s, "ERR %d %s\n", (int)code,
			n > 0 ? clean : "refused") < 0 ? NULL : s;
}

int
channel_new_uuid(char ret[EVENT_UUID_LEN + 1])
{
	unsigned char b[16];
	ssize_t n;

	do
		n = getrandom(b, sizeof(b), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(b))
		return -EIO;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(ret, EVENT_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
		 b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
	return 0;
}

/* Queues ERR code reason and remembers it for the caller's report. */
static int
refuse(struct channel *ch, enum wire_code code, char *reason)
{
	int r = out_queue(ch, channel_format_err(code, reason));

	free(ch->last_reason);
	ch->last_reason = reason;
	ch->last_code = code;
	return r < 0 ? r : CHANNEL_REFUSED;
}

int
channel_step(struct channel *ch, uint64_t now_usec)
{
	struct wire_request req;
	struct wire_item item;
	enum wire_code code;
	struct wire saved = ch->wire;
	char *reason = NULL;
	size_t used;
	uint64_t wait;
	int r;

	if (ch->pending || ch->failed || now_usec < ch->resume_usec ||
	    ch->out_len >= CHANNEL_OUT_MAX || flights_full(ch))
		return CHANNEL_IDLE;
	r = wire_next(&ch->wire, ch->in, ch->in_len, &item, &used);
	if (r == 0) {
		in_consume(ch, used);
		return CHANNEL_IDLE;
	}
	if (item.kind == WIRE_ITEM_ERROR) {
		in_consume(ch, used);
		if (ch->limits->fail_on_frame_error) {
			ch->failed = true;
			ch->in_len = 0;
		}
		reason = strdup(item.reason);
		if (reason == NULL)
			return -ENOMEM;
		return refuse(ch, item.code, reason);
	}
	r = wire_parse_flags(&item, ch->limits->defaults,
			     ch->limits->max_event, ch->limits->wire_flags,
			     &req, &code, &reason);
	if (r == -ENOMEM && code == WIRE_UNAVAILABLE) {
		/* Try this item again later. */
		ch->wire = saved;
		free(reason);
		return -ENOMEM;
	}
	in_consume(ch, used);
	if (r == 1)
		return CHANNEL_SKIPPED;
	/* Every event, good or bad, takes a token: a sender cannot flood
	 * the host's journal with refusals either. */
	wait = ratelimit_take(ch->shared != NULL ? ch->shared : &ch->bucket,
			      now_usec);
	if (wait > 0) {
		if (r == 0)
			wire_request_done(&req);
		free(reason);
		ch->resume_usec = now_usec + wait;
		ch->limited++;
		r = out_queue(ch, channel_format_err(WIRE_RATE_LIMITED,
						     "rate limited: retry "
						     "later with the same "
						     "uuid"));
		return r < 0 ? r : CHANNEL_LIMITED;
	}
	if (r < 0)
		return refuse(ch, code, reason);
	if (req.uuid[0] == '\0' && channel_new_uuid(req.uuid) < 0) {
		wire_request_done(&req);
		return refuse(ch, WIRE_UNAVAILABLE,
			      strdup("cannot make a uuid"));
	}
	ch->req = req;
	ch->pending = true;
	return CHANNEL_STORE;
}

int
channel_stored(struct channel *ch, int r, const char *reason)
{
	char *line;

	if (r >= 0)
		line = channel_format_ok(ch->req.uuid);
	else
		line = channel_format_err(WIRE_UNAVAILABLE, reason);
	if (line == NULL)
		return -ENOMEM;
	ch->pending = false;
	wire_request_done(&ch->req);
	return out_queue(ch, line);
}
