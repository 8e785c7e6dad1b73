/* stub-proxy.c - temporary: replaced by source-proxy.c (delete this file
 * when proxy_main lands). */
#include <stdio.h>

#include "run.h"

int
proxy_main(struct run *r)
{
	(void)r;
	fprintf(stderr, "tcpdp-top: proxy: not built yet\n");
	return 1;
}
