/* config.h - tcpdp's configuration (SPEC §2): defaults, TOML files as
 * tcpdp writes them (read with inih), flags on top, and the `config`
 * printer. Values are kept as tcpdp keeps them: strings where tcpdp has
 * strings (so `config` prints back what the file said), parsed by the
 * modules that use them (byte sizes, rotation periods, formats). */
#ifndef TCPDP_CONFIG_H
#define TCPDP_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

struct config_log {
	char	*dir;
	bool	 enable;
	bool	 enable_internal;	/* [log] only */
	bool	 stdout_;
	char	*format;
	bool	 rotate_enable;
	char	*rotation_time;
	long	 rotation_count;
	char	*rotation_hook;
	char	*file_name;
	char	*stdout_format;		/* [dumpLog] only; NULL = json */
};

struct config {
	char	*pidfile;
	char	*dumper;
	bool	 proxy_protocol;
	struct {
		char	*interface;
		char	*target;
		char	*buffer_size;
		bool	 immediate_mode;
		char	*snapshot_length;
		long	 internal_buffer_length;
		char	*filter;
	} probe;
	struct {
		bool	 use_server_starter;
		char	*listen_addr;
		char	*remote_addr;
	} proxy;
	struct config_log	log;
	struct config_log	dump_log;
	char	*path;		/* the file loaded, or NULL */
};

void	config_defaults(struct config *);
void	config_free(struct config *);
/* Loads a file over cfg. Returns 0, or -1 with a message naming file, line
 * and key in err. Unknown keys are warnings (printed on stderr). */
int	config_load(struct config *, const char *path, char *err, size_t errlen);
/* The same from an open stream; `name` is used in messages only. */
int	config_load_stream(struct config *, FILE *, const char *name,
	    char *err, size_t errlen);
/* The first of /etc/tcpdp-top/, /etc/tcpdp/, $HOME/.tcpdp/, ./ holding
 * tcpdp.toml; NULL if none. Caller frees. */
char	*config_find(void);
/* The `config` output, exactly in tcpdp's layout. */
void	config_print(const struct config *, FILE *);
/* Replaces a string value (frees the old one). */
void	config_set(char **, const char *);

/* "2MB" -> 2097152 (SPEC §2.2). -1 on error. */
long long	bytesize_parse(const char *);

#endif
