/* decode.c - the dumper registry. */
#include <string.h>

#include "decode.h"

static const struct decoder *const decoders[] = {
	&decoder_hex,
	&decoder_mysql,
	&decoder_pg,
	&decoder_conn,
};

const struct decoder *
decoder_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof decoders / sizeof decoders[0]; i++)
		if (strcmp(decoders[i]->name, name) == 0)
			return decoders[i];
	return NULL;
}

const char *
decoder_names(void)
{
	return "hex, mysql, pg, conn";
}
