/* journal-flood: writes many journal entries fast, for scenarios and
 * benchmarks. Every --every'th entry is a "matching" event (EVENT_ID=--id,
 * N=its number 1.., and each --field); the others are noise (plain messages,
 * or EVENT_ID=--noise-id). --rate paces the writes (entries per second).
 *
 * usage: journal-flood --count N [--every K --id ID] [--noise-id ID]
 *                      [--rate R] [--field NAME=VALUE]... [--stamp]
 * --stamp adds SENT_USEC=<CLOCK_REALTIME at sending> to matching entries.
 * --stamp-file FILE appends "N USEC" for each matching entry, USEC being
 * CLOCK_REALTIME when the write returned (for latency benchmarks).
 * Prints the number of matching entries written. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "time.h"

#define FIELDS_MAX 16

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "every", required_argument, NULL, 'e' },
		{ "id", required_argument, NULL, 'i' },
		{ "noise-id", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "field", required_argument, NULL, 'f' },
		{ "stamp", no_argument, NULL, 's' },
		{ "stamp-file", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long count = 0, every = 0, id = 0, noise_id = 0, rate = 0;
	const char *fields[FIELDS_MAX];
	size_t n_fields = 0;
	int c, stamp = 0;
	unsigned long matching = 0;
	uint64_t start;
	FILE *stamps = NULL;

	while ((c = getopt_long(argc, argv, "c:e:i:n:r:f:sS:", longopts, NULL)) >= 0) {
		switch (c) {
		case 'c': count = strtoul(optarg, NULL, 10); break;
		case 'e': every = strtoul(optarg, NULL, 10); break;
		case 'i': id = strtoul(optarg, NULL, 10); break;
		case 'n': noise_id = strtoul(optarg, NULL, 10); break;
		case 'r': rate = strtoul(optarg, NULL, 10); break;
		case 's': stamp = 1; break;
		case 'S':
			stamps = fopen(optarg, "a");
			if (stamps == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'f':
			if (n_fields == FIELDS_MAX || strchr(optarg, '=') == NULL) {
				fprintf(stderr, "journal-flood: bad --field\n");
				return 2;
			}
			fields[n_fields++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: journal-flood --count N [--every K "
					"--id ID] [--noise-id ID] [--rate R] "
					"[--field NAME=VALUE]... [--stamp]\n");
			return 2;
		}
	}
	if (count == 0 || (every != 0 && id == 0)) {
		fprintf(stderr, "journal-flood: need --count, and --id with --every\n");
		return 2;
	}

	start = now_usec(CLOCK_MONOTONIC);
	for (unsigned long i = 1; i <= count; i++) {
		struct iovec iov[FIELDS_MAX + 8];
		char b[6][64];
		size_t n = 0;
		int r;

		if (rate != 0) {
			uint64_t due = start + (i - 1) * 1000000ULL / rate;
			uint64_t now = now_usec(CLOCK_MONOTONIC);

			if (due > now) {
				struct timespec ts = { (time_t)((due - now) / 1000000),
						       (long)((due - now) % 1000000) * 1000 };
				nanosleep(&ts, NULL);
			}
		}
#define ADD(...)                                                        \
	do {                                                            \
		snprintf(b[n], sizeof(b[n]), __VA_ARGS__);              \
		iov[n] = (struct iovec){ b[n], strlen(b[n]) };          \
		n++;                                                    \
	} while (0)
		if (every != 0 && i % every == 0) {
			matching++;
			ADD("MESSAGE=matching event %lu", matching);
			ADD("EVENT_ID=%lu", id);
			ADD("N=%lu", matching);
			ADD("SYSLOG_IDENTIFIER=journal-flood");
			if (stamp)
				ADD("SENT_USEC=%llu", (unsigned long long)
				    now_usec(CLOCK_REALTIME));
			for (size_t k = 0; k < n_fields; k++)
				iov[n++] = (struct iovec){ (void *)fields[k],
							   strlen(fields[k]) };
		} else {
			ADD("MESSAGE=noise");
			ADD("SYSLOG_IDENTIFIER=journal-flood");
			if (noise_id != 0)
				ADD("EVENT_ID=%lu", noise_id);
		}
#undef ADD
		r = sd_journal_sendv(iov, (int)n);
		if (r < 0) {
			fprintf(stderr, "journal-flood: entry %lu: %s\n", i,
				strerror(-r));
			return 1;
		}
		if (stamps != NULL && every != 0 && i % every == 0) {
			fprintf(stamps, "%lu %llu\n", matching,
				(unsigned long long)now_usec(CLOCK_REALTIME));
			fflush(stamps);
		}
	}
	if (stamps != NULL)
		fclose(stamps);
	printf("%lu\n", matching);
	return 0;
}
