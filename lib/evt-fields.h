/* The one table of the journal fields evtrigger's own events carry (besides
 * MESSAGE, PRIORITY and the EVENT_* fields of lib/event.h). Code writes a
 * field as EVT_FIELD_NAME "=%s"; a unit test checks that every row has its
 * #define and every #define its row, and a check refuses upper-case field
 * literals in lib/ and actions/. Installed for third-party modules (through
 * evt-ids.h). */
#ifndef EVT_FIELDS_TABLE_H
#define EVT_FIELDS_TABLE_H

/* X(NAME, WHAT) */
#define EVT_FIELDS(X)                                                          \
	X(JOB_ID, "the job's ID")                                              \
	X(RULE, "the rule's name (its file name without .rule)")              \
	X(VM, "the libvirt domain the job works on")                           \
	X(STEP, "the step (action module) the event is about")                \
	X(STEPS, "the steps a job will run, in order, blank-separated")       \
	X(RECOVERY_OF, "the interrupted job a recovery job runs for")         \
	X(TRIGGER_CURSOR, "the journal cursor of the entry that fired a job") \
	X(RUNNING_JOB_ID, "the job that runs while another one was ignored or queued") \
	X(DISK, "the disk (its target, e.g. vda) an event is about")          \
	X(PERCENT, "progress of a step, 0..100")                              \
	X(SIZE_BEFORE, "bytes a disk or data took before a step")             \
	X(SIZE_AFTER, "bytes a disk or archive took after a step")            \
	X(VIRTUAL_SIZE, "a disk's virtual size in bytes")                     \
	X(DURATION_USEC, "how long a job, step or command ran")               \
	X(TIMEOUT_USEC, "the time limit that stopped a job or step")          \
	X(ERROR, "why a job or step failed, in words")                        \
	X(ERRNO, "the errno of a failure, where one applies")                 \
	X(REASON, "why an item was skipped or a trigger rejected")            \
	X(ARCHIVE, "the path of an archive written")                          \
	X(SHA256, "the SHA-256 of an archive, in hex")                        \
	X(EXIT_STATUS, "the exit status of a command run by exec")            \
	X(SIGNAL, "the signal that killed a command run by exec")             \
	X(OUTPUT, "the start of what a command run by exec printed")          \
	X(RULE_COUNT, "how many rules the watcher loaded")                    \
	X(ERRORS, "the errors of a rules reload, as file:line: message lines") \
	X(VM_UUID, "the libvirt domain's UUID a listener event is about")     \
	X(SOCKET, "the host socket of a VM's event channel")                  \
	X(CODE, "the answer code of an event the listener refused")           \
	X(SUPPRESSED, "how many events a rate limit refused since the last report") \
	X(PEER, "the network address (IP:PORT) of a peer the listener refused")  \
	X(PEER_NAME, "the sender name a refused network peer had proved (senders file)") \
	X(NATS_SERVER, "the NATS server evtrigger-bus connected to or lost")  \
	X(SUBJECT, "the NATS subject of a message evtrigger-bus refused")      \
	X(REFUSED_SENDER, "the EVENT_SENDER of an event evtrigger-bus refused") \
	X(REFUSED_UUID, "the EVENT_UUID of an event evtrigger-bus refused")    \
	X(CHAIN_DEPTH, "how many of evtrigger's own events led to this one (1: caused by an outside event)") \
	X(TRIGGER_JOB_ID, "the job whose event fired this job or was rejected") \
	X(TRIGGER_UID, "the trusted _UID of the writer of the event that fired a job or was rejected") \
	X(TRIGGER_PID, "the trusted _PID of that writer") \
	X(TRIGGER_UNIT, "the trusted _SYSTEMD_UNIT of that writer") \
	X(TRIGGER_COMM, "the trusted _COMM of that writer") \
	X(ENTRY_HOST, "several hosts: the host where the event that fired a job entered (its EVENT_ENTRY_HOST)")

/* One per row, spelled as the row's NAME (a string literal, so that it
 * joins with "=%s"). */
#define EVT_FIELD_JOB_ID         "JOB_ID"
#define EVT_FIELD_RULE           "RULE"
#define EVT_FIELD_VM             "VM"
#define EVT_FIELD_STEP           "STEP"
#define EVT_FIELD_STEPS          "STEPS"
#define EVT_FIELD_RECOVERY_OF    "RECOVERY_OF"
#define EVT_FIELD_TRIGGER_CURSOR "TRIGGER_CURSOR"
#define EVT_FIELD_RUNNING_JOB_ID "RUNNING_JOB_ID"
#define EVT_FIELD_DISK           "DISK"
#define EVT_FIELD_PERCENT        "PERCENT"
#define EVT_FIELD_SIZE_BEFORE    "SIZE_BEFORE"
#define EVT_FIELD_SIZE_AFTER     "SIZE_AFTER"
#define EVT_FIELD_VIRTUAL_SIZE   "VIRTUAL_SIZE"
#define EVT_FIELD_DURATION_USEC  "DURATION_USEC"
#define EVT_FIELD_TIMEOUT_USEC   "TIMEOUT_USEC"
#define EVT_FIELD_ERROR          "ERROR"
#define EVT_FIELD_ERRNO          "ERRNO"
#define EVT_FIELD_REASON         "REASON"
#define EVT_FIELD_ARCHIVE        "ARCHIVE"
#define EVT_FIELD_SHA256         "SHA256"
#define EVT_FIELD_EXIT_STATUS    "EXIT_STATUS"
#define EVT_FIELD_SIGNAL         "SIGNAL"
#define EVT_FIELD_OUTPUT         "OUTPUT"
#define EVT_FIELD_RULE_COUNT     "RULE_COUNT"
#define EVT_FIELD_ERRORS         "ERRORS"
#define EVT_FIELD_VM_UUID        "VM_UUID"
#define EVT_FIELD_SOCKET         "SOCKET"
#define EVT_FIELD_CODE           "CODE"
#define EVT_FIELD_SUPPRESSED     "SUPPRESSED"
#define EVT_FIELD_PEER           "PEER"
#define EVT_FIELD_PEER_NAME      "PEER_NAME"
#define EVT_FIELD_NATS_SERVER    "NATS_SERVER"
#define EVT_FIELD_SUBJECT        "SUBJECT"
#define EVT_FIELD_REFUSED_SENDER "REFUSED_SENDER"
#define EVT_FIELD_REFUSED_UUID   "REFUSED_UUID"
#define EVT_FIELD_CHAIN_DEPTH    "CHAIN_DEPTH"
#define EVT_FIELD_TRIGGER_JOB_ID "TRIGGER_JOB_ID"
#define EVT_FIELD_TRIGGER_UID    "TRIGGER_UID"
#define EVT_FIELD_TRIGGER_PID    "TRIGGER_PID"
#define EVT_FIELD_TRIGGER_UNIT   "TRIGGER_UNIT"
#define EVT_FIELD_TRIGGER_COMM   "TRIGGER_COMM"
#define EVT_FIELD_ENTRY_HOST     "ENTRY_HOST"

#endif
