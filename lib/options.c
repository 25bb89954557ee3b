/* Parsers for typed option values (see options.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "options.h"

int
parse_bool(const char *s, int *ret)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcaseeq(s, yes[i])) {
			*ret = 1;
			return 0;
		}
		if (strcaseeq(s, no[i])) {
			*ret = 0;
			return 0;
		}
	}
	return -EINVAL;
}

int
parse_int(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno != 0 || end == s || *end != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

struct unit {
	const char *suffix;
	uint64_t factor;
};

/* Parses "<number><unit>" words separated by blanks and sums them. */
static int
parse_with_units(const char *s, const struct unit *units, size_t n_units,
		 uint64_t bare, uint64_t *ret)
{
	uint64_t total = 0;
	bool any = false;

	while (*s != '\0') {
		char *end;
		unsigned long long v;
		uint64_t factor = 0;
		size_t len;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno != 0)
			return -ERANGE;
		for (len = 0; isalpha((unsigned char)end[len]); len++)
			;
		if (len == 0)
			factor = bare;
		for (size_t i = 0; i < n_units && factor == 0; i++)
			if (strlen(units[i].suffix) == len &&
			    strncasecmp(end, units[i].suffix, len) == 0)
				factor = units[i].factor;
		if (factor == 0)
			return -EINVAL;
		if (v > (UINT64_MAX - total) / factor)
			return -ERANGE;
		total += v * factor;
		any = true;
		s = end + len;
		if (*s != '\0' && *s != ' ' && *s != '\t')
			return -EINVAL;
	}
	if (!any)
		return -EINVAL;
	*ret = total;
	return 0;
}

int
parse_duration(const char *s, uint64_t *ret_usec)
{
	static const struct unit units[] = {
		{ "us", 1ULL },
		{ "ms", 1000ULL },
		{ "s", 1000000ULL },
		{ "sec", 1000000ULL },
		{ "m", 60000000ULL },
		{ "min", 60000000ULL },
		{ "h", 3600000000ULL },
		{ "d", 86400000000ULL },
	};
	return parse_with_units(s, units, ELEMENTSOF(units), 1000000ULL,
				ret_usec);
}

int
parse_size(const char *s, uint64_t *ret_bytes)
{
	static const struct unit units[] = {
		{ "B", 1ULL },
		{ "K", 1ULL << 10 }, { "KiB", 1ULL << 10 },
		{ "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
		{ "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
		{ "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
	};
	return parse_with_units(s, units, ELEMENTSOF(units), 1, ret_bytes);
}

int
parse_words(const char *s, char ***ret, size_t *ret_n)
{
	_cleanup_(strv_freep) char **v = NULL;
	_cleanup_(freep) char *word = NULL;
	size_t n = 0;
	int r;

	v = calloc(1, sizeof(char *));
	word = malloc(strlen(s) + 1);
	if (v == NULL || word == NULL)
		return -ENOMEM;

	for (;;) {
		size_t len = 0;
		bool quoted = false, have = false;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		while (*s != '\0' && (quoted || (*s != ' ' && *s != '\t'))) {
			if (*s == '"') {
				quoted = !quoted;
				have = true;
				s++;
				continue;
			}
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			word[len++] = *s++;
			have = true;
		}
		if (quoted)
			return -EINVAL;
		if (!have)
			continue;
		word[len] = '\0';
		char *copy = strdup(word);
		if (copy == NULL)
			return -ENOMEM;
		r = strv_push(&v, &n, copy);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(v);
	if (ret_n != NULL)
		*ret_n = n;
	return 0;
}
