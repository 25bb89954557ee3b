/* The watcher's durable journal position (see cursor.h). */
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "watch/cursor.h"

int
cursor_check(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > CURSOR_MAX)
		return -EBADMSG;
	for (const char *p = s; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e)
			return -EBADMSG;
	/* sd_journal_get_cursor() output: "s=<id>;i=<seqnum>;b=...;..." */
	if (strncmp(s, "s=", 2) != 0 || strstr(s, ";i=") == NULL)
		return -EBADMSG;
	return 0;
}

static int
cursor_path(const char *state_dir, char **ret)
{
	if (asprintf(ret, "%s/%s", state_dir, CURSOR_FILE) < 0)
		return -ENOMEM;
	return 0;
}

int
cursor_load(const char *state_dir, char **ret)
{
	_cleanup_(freep) char *path = NULL, *buf = NULL;
	size_t len;
	int r;

	r = cursor_path(state_dir, &path);
	if (r < 0)
		return r;
	r = read_file(path, CURSOR_MAX + 1, &buf, &len);
	if (r == -EFBIG)
		return -EBADMSG;
	if (r < 0)
		return r;
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (strlen(buf) != len)
		return -EBADMSG;
	r = cursor_check(buf);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(buf);
	return 0;
}

int
cursor_store(const char *state_dir, const char *cursor)
{
	_cleanup_(freep) char *path = NULL, *text = NULL;
	int r, len;

	r = cursor_check(cursor);
	if (r < 0)
		return -EINVAL;
	r = cursor_path(state_dir, &path);
	if (r < 0)
		return r;
	len = asprintf(&text, "%s\n", cursor);
	if (len < 0) {
		text = NULL;
		return -ENOMEM;
	}
	return write_file_atomic(path, text, (size_t)len, 0600);
}
