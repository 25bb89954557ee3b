/* evtrigger-bus's configuration: the file (inih, [bus] and [nats]) and the
 * command line over it (evtrigger-bus(8), CONFIGURATION). Never logs. */
#ifndef EVT_BUS_CONFIG_H
#define EVT_BUS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

#define BUS_DEFAULT_CONFIG   EVT_SYSCONFDIR "/evtrigger/bus.conf"
#define BUS_DEFAULT_SOCKET   "/run/evtrigger-bus/bus.sock"
#define BUS_DEFAULT_URI      "qemu:///system"
#define BUS_DEFAULT_SERVERS  "nats://127.0.0.1:4222"
#define BUS_DEFAULT_STREAM   "EVTRIGGER"
#define BUS_DEFAULT_REPLICAS 3
#define BUS_REPLICAS_MAX     5

/* Every value a malloc'd string, or NULL where nothing was said (the
 * defaults then apply: bus_config_finish). */
struct bus_config {
	char *host;
	char *socket;
	char *connect;
	char **servers;                 /* NULL-terminated */
	char *user;
	char *password_file;
	char *tls_ca, *tls_cert, *tls_key;
	char *stream;
	int replicas;                   /* 0: not said */
};

void bus_config_clear(struct bus_config *c);

/* Sets one key of section ("bus" or "nats") from its text. Returns 0,
 * -ENOENT for an unknown section or key, -EINVAL with a static reason in
 * *ret_why for a bad value, -ENOMEM. */
int bus_config_set(struct bus_config *c, const char *section,
		   const char *key, const char *value, const char **ret_why);

/* Reads path into c (keys already set are replaced). missing_ok: a file
 * that does not exist is no error. Returns 0; -EINVAL with every error as
 * "path:line: message" appended to *errors (a strv, of *n_errors); or
 * another -errno for a file that cannot be read. */
int bus_config_load(struct bus_config *c, const char *path, bool missing_ok,
		    char ***errors, size_t *n_errors);

/* Copies every value o has into c (the command line over the file).
 * 0 or -ENOMEM. */
int bus_config_merge(struct bus_config *c, const struct bus_config *o);

/* Fills in the defaults (host: gethostname()). 0 or -errno. */
int bus_config_finish(struct bus_config *c);

/* Reads the password file: its first line. Refuses a file that group or
 * others may read or write (-EPERM), an empty one (-EINVAL). 0 with a
 * malloc'd *ret, or -errno. */
int bus_config_read_password(const char *path, char **ret);

#endif
