/* Benchmark reference, not part of evtrigger: the fastest a client can hand
 * journald N events with evcreate's journal fields, one sd_journal_sendv()
 * per event in a loop with nothing else to do. bench/evcreate.sh builds it
 * to show the ceiling of journald's native intake beside evcreate --batch.
 * Usage: native-loop N */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

int
main(int argc, char *argv[])
{
	long n = argc > 1 ? atol(argv[1]) : 0;

	for (long i = 1; i <= n; i++) {
		char msg[64];
		struct iovec iov[] = {
			{ msg, 0 },
			{ (char *)"PRIORITY=4", 10 },
			{ (char *)"SYSLOG_FACILITY=1", 17 },
			{ (char *)"SYSLOG_IDENTIFIER=Native", 24 },
			{ (char *)"EVENT_ID=777", 12 },
			{ (char *)"EVENT_TYPE=WARNING", 18 },
			{ (char *)"EVENT_SOURCE=Native", 19 },
			{ (char *)"EVENT_LOG=Application", 21 },
		};
		int r;

		iov[0].iov_len = (size_t)snprintf(msg, sizeof(msg),
			"MESSAGE=VDC Ready for compaction %ld", i);
		r = sd_journal_sendv(iov, (int)(sizeof(iov) / sizeof(iov[0])));
		if (r < 0) {
			fprintf(stderr, "native-loop: %s\n", strerror(-r));
			return 1;
		}
	}
	return 0;
}
