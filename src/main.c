/* main.c - temporary entry point until the command line lands. */
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "version") == 0) {
		puts("0.23.9");
		return 0;
	}
	fprintf(stderr, "tcpdp-top: command line not implemented yet\n");
	return 2;
}
