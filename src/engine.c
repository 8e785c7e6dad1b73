/* engine.c - sinks and shared run state. */
#include <string.h>

#include "engine.h"

void
engine_init(struct engine *eng, enum engine_mode mode, const struct decoder *dec)
{
	memset(eng, 0, sizeof *eng);
	eng->mode = mode;
	eng->dec = dec;
	eng->interface = "";
	eng->target = "";
}

void
engine_add_sink(struct engine *eng, struct sink *s)
{
	struct sink	**pp = &eng->sinks;

	while (*pp != NULL)
		pp = &(*pp)->next;
	s->next = NULL;
	*pp = s;
}

void
engine_write(struct engine *eng, const struct rview *r, const struct conn *c)
{
	struct sink	*s;

	for (s = eng->sinks; s != NULL; s = s->next)
		s->write(s, r, c);
}

void
engine_flush(struct engine *eng)
{
	struct sink	*s;

	for (s = eng->sinks; s != NULL; s = s->next)
		if (s->flush != NULL)
			s->flush(s);
}

void
engine_free(struct engine *eng)
{
	struct sink	*s, *next;

	for (s = eng->sinks; s != NULL; s = next) {
		next = s->next;
		s->close(s);
	}
	eng->sinks = NULL;
}
