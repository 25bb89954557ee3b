/* Small macros every module uses: cleanup attributes, ownership moves, sizes. */
#ifndef EVT_MACRO_H
#define EVT_MACRO_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Returns *p and sets *p to NULL: ownership moves to the caller. */
#define TAKE_PTR(p)                          \
	({                                   \
		__typeof__(p) *_pp = &(p);   \
		__typeof__(p) _v = *_pp;     \
		*_pp = NULL;                 \
		_v;                          \
	})

/* Returns fd and sets it to -1. */
#define TAKE_FD(fd)                  \
	({                           \
		int *_pfd = &(fd);   \
		int _v = *_pfd;      \
		*_pfd = -1;          \
		_v;                  \
	})

static inline void
freep(void *p)
{
	free(*(void **)p);
}

static inline void
closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void
fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

/* Declares name##p(type **) calling func(*p) when it is not NULL. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)     \
	static inline void func##p(type *p)         \
	{                                           \
		if (*p)                             \
			func(*p);                   \
	}

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strcaseeq(a, b) (strcasecmp((a), (b)) == 0)

#endif
