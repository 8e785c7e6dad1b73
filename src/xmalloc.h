/* xmalloc.h - allocation that cannot fail silently. Out of memory ends the
 * process with a clear message rather than a NULL dereference later. */
#ifndef TCPDP_XMALLOC_H
#define TCPDP_XMALLOC_H

#include <stddef.h>
#include <stdlib.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	 fatalx(const char *, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
