/* decode-pg.c - the pg dumper. Not implemented yet: decodes nothing. */
#include "decode.h"

const struct decoder decoder_pg = {
	.name = "pg",
	.state_size = 1,
};
