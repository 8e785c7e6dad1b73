/* decode-mysql.c - the mysql dumper. Not implemented yet: decodes nothing. */
#include "decode.h"

const struct decoder decoder_mysql = {
	.name = "mysql",
	.state_size = 1,
};
