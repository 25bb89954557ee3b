/* libFuzzer harness for what evtrigger-listen runs on a network sender's
 * bytes (after TLS): the channel state machine (listen/channel.c) with the
 * network limits: RFC 5424 only, HOSTNAME recorded (WIRE_NETWORK), a small
 * --max-frame and a framing error that fails the connection. Oracles: as
 * fuzz_listen_stream (one well-formed answer per event or refusal, stored
 * events complete, the same answers however the bytes were cut into reads),
 * plus: events are pipelined (written, then read back in order, at most 4
 * at a time) with the answers in the same order, a failed channel reads and
 * answers nothing more, its last answer is ERR 400 or 413, nothing longer
 * than --max-frame is ever stored, and a recorded HOSTNAME is printable
 * ASCII. The harness is fuzz_listen_stream.c's, built for a network
 * sender. */
#define FUZZ_LISTEN_NET 1
#include "fuzz_listen_stream.c"
