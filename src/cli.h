/* cli.h - the command line: commands, flags, help, and the effective
 * configuration (defaults < config file < flags). */
#ifndef TCPDP_CLI_H
#define TCPDP_CLI_H

#define TCPDP_TOP_VERSION	"0.1.0"
#define TCPDP_COMPAT_VERSION	"0.23.9"

/* Runs the whole program; returns the exit status. */
int	cli_main(int argc, char **argv);

#endif
