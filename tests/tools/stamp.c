/* stamp: the action of latency benchmarks and scenarios. Run by a job, it
 * writes CLOCK_REALTIME (microseconds) as it starts into DIR/<value of
 * environment variable VAR>, created exclusively: a second run for the same
 * event fails (exit 3) and leaves DIR/<value>.again as evidence.
 * usage: stamp DIR VAR */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct timespec ts;
	char path[4096], buf[32];
	const char *v;
	int fd, n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (argc != 3) {
		fprintf(stderr, "usage: stamp DIR VAR\n");
		return 2;
	}
	v = getenv(argv[2]);
	if (v == NULL || *v == '\0' || strchr(v, '/') != NULL || v[0] == '.') {
		fprintf(stderr, "stamp: no usable $%s\n", argv[2]);
		return 2;
	}
	n = snprintf(buf, sizeof(buf), "%llu\n",
		     (unsigned long long)ts.tv_sec * 1000000ULL +
			     (unsigned long long)ts.tv_nsec / 1000);
	snprintf(path, sizeof(path), "%s/%s", argv[1], v);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		snprintf(path, sizeof(path), "%s/%s.again", argv[1], v);
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			(void)!write(fd, buf, (size_t)n);
			close(fd);
		}
		return 3;
	}
	if (fd < 0) {
		perror(path);
		return 1;
	}
	if (write(fd, buf, (size_t)n) != n || close(fd) < 0) {
		perror(path);
		return 1;
	}
	return 0;
}
