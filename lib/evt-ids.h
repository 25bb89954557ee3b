/* The one table of evtrigger's own event IDs (the 600s). The man page
 * evtrigger(8) and the journal catalog (built by tools/gen-catalog.c) are made
 * from, or checked against, this table. Installed for third-party modules. */
#ifndef EVT_IDS_H
#define EVT_IDS_H

/* X(NAME, ID, TYPE, MESSAGE_ID, SUMMARY, EXPLANATION)
 * TYPE is one of ERROR WARNING INFORMATION SUCCESS. Every event carries
 * JOB_ID, RULE and VM where they apply; the explanation names other fields. */
#define EVT_IDS(X)                                                              \
	X(JOB_STARTED, 600, INFORMATION, "b0170de7ce8d4a349d5fa0613cf1c1dd",    \
	  "Job started",                                                        \
	  "A rule matched an event and a job started for it. JOB_ID names the " \
	  "job, RULE the rule file, VM the machine, TRIGGER_CURSOR the journal " \
	  "entry that fired it, STEPS the steps it will run; ENTRY_HOST, on "  \
	  "several hosts, where the event entered the bus (journald's "        \
	  "_HOSTNAME says where the job runs).")                                \
	X(JOB_FINISHED, 601, SUCCESS, "d9a06a665d4d41d38df203ffd84df16e",       \
	  "Job finished",                                                       \
	  "Every step of the job succeeded. DURATION_USEC is the job's run "    \
	  "time.")                                                              \
	X(JOB_FAILED, 602, ERROR, "9f8de1e3d5db4000a5bd043572cd5bbe",           \
	  "Job failed",                                                         \
	  "A step failed and the job stopped. STEP names it, ERROR says why. "  \
	  "Steps after it did not run; the events of the failed step say what " \
	  "state the VM and its disks are in.")                                 \
	X(JOB_CANCELLED, 603, WARNING, "41e8ff9e640b4aebb60b353a44f161d1",      \
	  "Job cancelled",                                                      \
	  "The job was cancelled ('evtrigger cancel'). STEP names the step "    \
	  "that was running; it was stopped at a point that leaves the disks " \
	  "usable.")                                                            \
	X(JOB_INTERRUPTED, 604, ERROR, "027d677397a449908f995b0ba3676aef",      \
	  "Job interrupted",                                                    \
	  "evtrigger found, when it started, a job that had been cut short by " \
	  "a crash, a kill or a reboot. STEP names the step it was in; the "   \
	  "rule's recovery runs next.")                                         \
	X(JOB_BUSY, 605, WARNING, "d391f381d53b4076998bfdcbc23d3eb3",           \
	  "Trigger ignored: a job is running",                                  \
	  "A rule matched while a job for the same VM (or rule) was running, " \
	  "and the rule's on-busy policy is 'ignore'. RUNNING_JOB_ID names the " \
	  "running job.")                                                       \
	X(JOB_QUEUED, 606, INFORMATION, "3b00db03f6c14419a7a178c2e3bb6d3d",     \
	  "Job queued",                                                         \
	  "A rule matched while a job for the same VM (or rule) was running, " \
	  "and the rule's on-busy policy is 'queue': the job starts when the " \
	  "running one ends.")                                                  \
	X(JOB_TIMEOUT, 607, ERROR, "cadaed00f7c7422694ac3bb7d2ec7575",          \
	  "Job timed out",                                                      \
	  "The job or one of its steps ran longer than its time limit and was " \
	  "stopped. STEP and TIMEOUT_USEC say which limit.")                    \
	X(STEP_STARTED, 610, INFORMATION, "0487aca91a744e788877934675b6084a",   \
	  "Step started",                                                       \
	  "A step of a job started. STEP names the action module.")             \
	X(STEP_PROGRESS, 611, INFORMATION, "a6e2cade0244426ebca78b7bc04eaeea",  \
	  "Step progress",                                                      \
	  "How far a long step is. PERCENT is 0..100; DISK names the disk "     \
	  "where it applies.")                                                  \
	X(STEP_FINISHED, 612, SUCCESS, "8aa2b2ac9fd447e4846b9d13c415447f",      \
	  "Step finished",                                                      \
	  "A step succeeded. DURATION_USEC is its run time; disk steps add "   \
	  "DISK, SIZE_BEFORE and SIZE_AFTER in bytes (per disk), archive adds " \
	  "ARCHIVE and its SHA256.")                                            \
	X(STEP_FAILED, 613, ERROR, "c85164f8891a4c9a87d1fd586e44e229",          \
	  "Step failed",                                                        \
	  "A step failed. ERROR says why; ERRNO is set where it applies.")      \
	X(STEP_SKIPPED, 614, INFORMATION, "7fd558cdb35a43b2860f20c6ea51f330",   \
	  "Step skipped an item",                                               \
	  "A step left an item alone on purpose, for example a disk matched by " \
	  "a skip pattern. DISK and REASON say which and why.")                 \
	X(STEP_NOTICE, 615, INFORMATION, "4e83800503f349a1881e3cf952afc2ca",    \
	  "Step notice",                                                        \
	  "A step did something worth recording on its way, for example "      \
	  "asking a guest to shut down.")                                       \
	X(STEP_WARNING, 616, WARNING, "e93dda8b2cfc476baa90ffb33ce1abae",       \
	  "Step warning",                                                       \
	  "A step met something unexpected but went on, for example forcing " \
	  "a VM off after it ignored a shutdown request.")                      \
	X(EXEC_EXITED, 620, INFORMATION, "bcae8a3cca90486f844689d4fb3f6be8",    \
	  "Command exited",                                                     \
	  "A command run by the exec action ended. EXIT_STATUS or SIGNAL says " \
	  "how, DURATION_USEC how long it ran, OUTPUT holds the start of what " \
	  "it printed.")                                                        \
	X(VM_LEFT_DOWN, 630, ERROR, "ab0cb2ce10c14677807ff9709266b6ed",         \
	  "VM left shut off",                                                   \
	  "A job that shut a VM down failed, was cancelled or was cut short, " \
	  "and neither its on-failure steps (by default: start) nor a "         \
	  "recovery started it again. REASON says why. The VM is off until "    \
	  "someone starts it.")                                                 \
	X(DAEMON_STARTED, 640, INFORMATION, "5e66c522bffd4e8bac4194b7312c9459", \
	  "evtrigger started",                                                  \
	  "The watcher started and loaded RULE_COUNT rules.")                   \
	X(DAEMON_STOPPED, 641, INFORMATION, "926da815e4774762adefccb36412c4d6", \
	  "evtrigger stopped",                                                  \
	  "The watcher stopped cleanly. Running jobs go on.")                   \
	X(RULES_LOADED, 642, INFORMATION, "0a3c1185d21b4064919f174d0c8a2531",   \
	  "Rules loaded",                                                       \
	  "The rules directory was (re)loaded: RULE_COUNT rules.")              \
	X(RULES_INVALID, 643, ERROR, "30d88cd022994f508e72c8aa9dc47dde",        \
	  "Rules not loaded",                                                   \
	  "A reload found errors in the rules directory; the previous rules "  \
	  "stay in force. ERRORS lists them as file:line: message.")            \
	X(TRIGGER_REJECTED, 644, WARNING, "881a39a4091a41978171522bfb640b1b",   \
	  "Trigger rejected",                                                   \
	  "An event matched a rule's ID but not who may fire it, was older "   \
	  "than the maximum age, or was one of evtrigger's own events that "    \
	  "the rule's own job wrote or that ends a chain of rules too long. "   \
	  "REASON says which; TRIGGER_UID, TRIGGER_PID, TRIGGER_UNIT and "      \
	  "TRIGGER_COMM name the writer (journald's trusted fields). Reports "  \
	  "are rate-limited per writer: SUPPRESSED counts those left out "      \
	  "since the writer's last report.")                                    \
	X(EVENT_UNPLACED, 645, WARNING, "e597593f6d294d6e9eb70644eb062014",   \
	  "Event owned by no host",                                             \
	  "Several hosts: an event's VM runs on no host, rules match it by "   \
	  "its trigger, but none of them names a host (host =) to run it, so " \
	  "no host runs it. Reported once, by the host where the event "       \
	  "entered (EVENT_ENTRY_HOST), with VM, EVENT_UUID, EVENT_SENDER and "  \
	  "REASON.")                                                            \
	X(CHANNEL_ATTACHED, 650, INFORMATION, "864d5b4de83c4aaa820677e62ca11824", \
	  "Guest channel attached",                                             \
	  "evtrigger-listen connected to the event channel of a running VM. "   \
	  "VM names the domain, VM_UUID its uuid, SOCKET the channel's host "   \
	  "socket that libvirt chose. Events from this VM now carry the VM's "  \
	  "name as EVENT_SENDER.")                                              \
	X(CHANNEL_DETACHED, 651, INFORMATION, "c58aa1272961402d938667a19493c434", \
	  "Guest channel detached",                                             \
	  "The event channel of VM closed: the VM stopped or restarted (a "     \
	  "restart attaches again), or the listener lost it. REASON says "      \
	  "which.")                                                             \
	X(EVENT_REFUSED, 652, WARNING, "7b80fd094bfc4ca4b9dce97490b63764",      \
	  "Guest event refused",                                                \
	  "evtrigger-listen refused an event from VM and wrote nothing; the "   \
	  "guest got the answer ERR CODE REASON. 400 is a bad event, 403 a "    \
	  "field that claims an identity, 413 a too large line or event, 503 "  \
	  "a journal that did not store it.")                                   \
	X(SENDER_RATE_LIMITED, 653, WARNING, "65efa3b92b8c400b89b84bc4298d7474", \
	  "Guest rate limited",                                                 \
	  "VM sent events faster than the listener's per-sender rate (--rate, " \
	  "--burst). SUPPRESSED events got ERR 429 since the last such "        \
	  "report, and the listener stopped reading from VM until its bucket "  \
	  "held a token again; the guest resends them.")                       \
	X(PEER_REFUSED, 654, WARNING, "1577fa4c29c74ee3bfcf8fef91e24fa4",      \
	  "Network peer refused",                                               \
	  "evtrigger-listen closed a network connection (TLS, TCP) or dropped " \
	  "a datagram (UDP) and wrote nothing of it. PEER is the peer's "       \
	  "address (IP:PORT), REASON says why: no client certificate, a "       \
	  "certificate that did not verify (unknown CA, expired) or is not "    \
	  "listed in the senders file, an unknown identity or a wrong PSK, an " \
	  "address not listed, a bad or too large frame, too many sessions, a " \
	  "handshake or idle timeout. PEER_NAME is the sender name when the "   \
	  "peer had proved one. Reports are limited per address; SUPPRESSED "  \
	  "counts the refusals of that address left out before this one.")     \
	X(PEER_EVENT_REFUSED, 655, WARNING, "7f0289607b2745e1926b7f592bdf08b8", \
	  "Network event refused",                                              \
	  "evtrigger-listen refused an event from the network sender PEER_NAME " \
	  "at PEER and wrote nothing of it. CODE and REASON are those of the "  \
	  "answer (sent only to senders that asked for answers): 400 a bad "    \
	  "event, 403 a field that claims an identity, 413 too large, 503 a "   \
	  "journal that did not store it. Reports are limited per address "     \
	  "(SUPPRESSED).")                                                      \
	X(PEER_RATE_LIMITED, 656, WARNING, "91a90b10fcf04ca4bde3949aa558928e",  \
	  "Network sender rate limited",                                        \
	  "The network sender PEER_NAME (at PEER) sent events faster than the " \
	  "per-sender rate (--rate, --burst, shared by all its connections). "  \
	  "SUPPRESSED events were refused (ERR 429 to senders that asked for "  \
	  "answers) since the last such report; nothing of them was written, " \
	  "and the listener stopped reading from the sender until its bucket "  \
	  "held a token again.")                                                \
	X(BUS_CONNECTED, 660, INFORMATION, "d6bb43d3c5564a439ee1c32f1d442d7c",  \
	  "Bus connected to NATS",                                              \
	  "evtrigger-bus connected (or reconnected) to the NATS server "        \
	  "NATS_SERVER and found its stream, consumer and VM bucket: events "   \
	  "from the listener are published again and this host's consumer "    \
	  "runs.")                                                              \
	X(BUS_DISCONNECTED, 661, WARNING, "a41c791bac214d9e8bcc3c1b36ee8447",   \
	  "Bus lost NATS",                                                      \
	  "evtrigger-bus lost its connection to the NATS server NATS_SERVER "   \
	  "and reconnects by itself. Meanwhile every event the listener hands " \
	  "over is answered RETRY (the sender keeps it and sends it again) "    \
	  "and nothing from other hosts is written here.")                      \
	X(BUS_MESSAGE_REFUSED, 662, WARNING, "ea2ca0c457954d509528830d1e50064d", \
	  "Bus message refused",                                                \
	  "evtrigger-bus refused a request from the listener (answered RETRY) " \
	  "or a message from the stream (terminated, never written) and wrote " \
	  "nothing of it. REASON says why: a malformed datagram, a bad field "  \
	  "name, a reserved field, a missing EVENT_UUID, EVENT_SENDER or "      \
	  "EVENT_ENTRY_HOST. SUBJECT is the NATS subject of a message from "    \
	  "the stream; REFUSED_SENDER and REFUSED_UUID are the event's where "  \
	  "it had them.")

enum evt_id {
#define EVT_ID_ENUM(name, id, type, mid, summary, doc) EVT_##name = id,
	EVT_IDS(EVT_ID_ENUM)
#undef EVT_ID_ENUM
};

/* The IDs evtrigger-listen writes, documented in evtrigger-listen(8). */
#define EVT_ID_LISTENER_FIRST 650
#define EVT_ID_LISTENER_LAST  659

/* The IDs evtrigger-bus writes, documented in evtrigger-bus(8). */
#define EVT_ID_BUS_FIRST 660
#define EVT_ID_BUS_LAST  669

/* Journal fields carried by evtrigger's own events: the one table. */
#include "evt-fields.h"

/* The source (SYSLOG_IDENTIFIER) of evtrigger's own events. */
#define EVT_SOURCE "evtrigger"

#endif
