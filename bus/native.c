/* journald's native protocol: parsing and making datagrams (see native.h). */
#include <stdint.h>
#include <string.h>

#include "native.h"

static int
push_field(struct native_msg *m, const char *name, size_t name_len,
	   const char *value, size_t value_len)
{
	struct native_field *f;
	char *n, *v;

	n = strndup(name, name_len);
	v = malloc(value_len + 1);
	f = reallocarray(m->fields, m->n_fields + 1, sizeof(*f));
	if (f != NULL)
		m->fields = f;
	if (n == NULL || v == NULL || f == NULL) {
		free(n);
		free(v);
		return -ENOMEM;
	}
	memcpy(v, value, value_len);
	v[value_len] = '\0';
	m->fields[m->n_fields++] = (struct native_field){ n, v, value_len };
	return 0;
}

static int
bad(const char **ret_error, const char *why)
{
	*ret_error = why;
	return -EBADMSG;
}

int
native_parse(const char *data, size_t len, size_t max_fields,
	     struct native_msg *ret, const char **ret_error)
{
	_cleanup_(native_msg_clear) struct native_msg m = { NULL, 0 };
	size_t pos = 0;
	int r;

	if (len == 0)
		return bad(ret_error, "empty message");
	while (pos < len) {
		const char *name = data + pos, *value;
		size_t name_len = 0, value_len;

		while (pos + name_len < len && data[pos + name_len] != '=' &&
		       data[pos + name_len] != '\n') {
			if (data[pos + name_len] == '\0')
				return bad(ret_error, "NUL in a field name");
			name_len++;
		}
		if (pos + name_len == len)
			return bad(ret_error, "field without '=' or newline");
		if (name_len == 0)
			return bad(ret_error, "empty field name");
		if (m.n_fields == max_fields)
			return bad(ret_error, "too many fields");
		if (data[pos + name_len] == '=') {
			const char *nl;

			value = name + name_len + 1;
			nl = memchr(value, '\n', len - (size_t)(value - data));
			if (nl == NULL)
				return bad(ret_error, "last field without newline");
			value_len = (size_t)(nl - value);
			pos = (size_t)(nl - data) + 1;
		} else {
			uint64_t l = 0;
			size_t at = pos + name_len + 1;

			if (len - at < 8)
				return bad(ret_error, "binary field without length");
			for (int i = 7; i >= 0; i--)
				l = (l << 8) | (unsigned char)data[at + (size_t)i];
			at += 8;
			if (l > len - at || len - at - l < 1)
				return bad(ret_error, "binary field longer than the message");
			if (data[at + l] != '\n')
				return bad(ret_error, "binary field without newline");
			value = data + at;
			value_len = (size_t)l;
			pos = at + (size_t)l + 1;
		}
		if (memchr(value, '\0', value_len) != NULL)
			return bad(ret_error, "NUL in a value");
		r = push_field(&m, name, name_len, value, value_len);
		if (r < 0)
			return r;
	}
	*ret = m;
	m = (struct native_msg){ NULL, 0 };
	return 0;
}

void
native_msg_clear(struct native_msg *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		free(m->fields[i].name);
		free(m->fields[i].value);
	}
	free(m->fields);
	*m = (struct native_msg){ NULL, 0 };
}

const char *
native_get(const struct native_msg *m, const char *name)
{
	for (size_t i = 0; i < m->n_fields; i++)
		if (streq(m->fields[i].name, name))
			return m->fields[i].value;
	return NULL;
}

int
native_name_check(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NATIVE_NAME_MAX || name[0] == '_' ||
	    (name[0] >= '0' && name[0] <= '9'))
		return -EINVAL;
	if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != n)
		return -EINVAL;
	return 0;
}

int
native_append(char **buf, size_t *len, const char *name, const char *value,
	      size_t value_len)
{
	size_t name_len = strlen(name), need = name_len + 1 + 8 + value_len + 1;
	bool binary = memchr(value, '\n', value_len) != NULL;
	char *b, *p;

	b = realloc(*buf, *len + need);
	if (b == NULL)
		return -ENOMEM;
	*buf = b;
	p = b + *len;
	memcpy(p, name, name_len);
	p += name_len;
	if (binary) {
		*p++ = '\n';
		for (int i = 0; i < 8; i++)
			*p++ = (char)((uint64_t)value_len >> (8 * i));
	} else
		*p++ = '=';
	memcpy(p, value, value_len);
	p += value_len;
	*p++ = '\n';
	*len = (size_t)(p - b);
	return 0;
}

int
native_format(const struct native_msg *m, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;

	for (size_t i = 0; i < m->n_fields; i++) {
		int r = native_append(&buf, &len, m->fields[i].name,
				      m->fields[i].value,
				      m->fields[i].value_len);

		if (r < 0) {
			free(buf);
			return r;
		}
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}
