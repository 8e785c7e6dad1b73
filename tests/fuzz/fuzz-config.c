/* fuzz-config.c - config_load_stream on any file contents, over the
 * defaults, then printed back: no crash, no leak, and every string value
 * stays a string (the printer would crash on NULL). Unknown-key warnings
 * go to stderr: run it with -close_fd_mask=2 (libFuzzer keeps its own and
 * the sanitizers' reports on a copy of stderr). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static FILE	*devnull;
	struct config	 cfg;
	FILE		*f;
	char		 err[512];
	int		 rc;

	if (n == 0 || n > 65536)
		return 0;
	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	if ((f = fmemopen((void *)(uintptr_t)p, n, "r")) == NULL)
		return 0;
	config_defaults(&cfg);
	err[0] = '\0';
	rc = config_load_stream(&cfg, f, "fuzz.toml", err, sizeof err);
	fclose(f);
	if (rc != 0 && err[0] == '\0')
		abort();
	config_print(&cfg, devnull);
	(void)bytesize_parse(cfg.probe.buffer_size);
	(void)bytesize_parse(cfg.probe.snapshot_length);
	config_free(&cfg);
	return 0;
}
