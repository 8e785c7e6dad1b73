/* vis.h - the one place where untrusted text is made safe for an output.
 *
 * JSON/LTSV: escaped as zap does (\\ \" \n \r \t, other controls \u00XX),
 * each byte that is not part of valid UTF-8 becomes \ufffd, so every line
 * we write is valid UTF-8 and NUL-safe. Terminal: printable UTF-8 kept,
 * controls shown as ^X, invalid bytes as U+FFFD, so wire text can never
 * move the cursor or change the terminal's state. */
#ifndef TCPDP_VIS_H
#define TCPDP_VIS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
size_t	vis_utf8_len(const unsigned char *p, size_t n);
/* Escaped string body (no quotes). `array` selects encoding/json rules for
 * strings inside arrays (U+2028/U+2029 escaped too). */
void	vis_json(struct buf *, const char *, size_t, bool array);
/* vis_json of printable ASCII (0x20-0x7e only): just '"' and '\\'. */
void	vis_json_print(struct buf *, const char *, size_t);
/* vis_json, and also DEL and the C1 controls (U+0080-U+009F, which some
 * terminals obey like ESC) as \u00XX: the console format's strings. */
void	vis_json_console(struct buf *, const char *, size_t, bool array);
/* Terminal-safe text of at most `width` columns, NUL-terminated. */
void	vis_term(struct buf *, const char *, size_t, size_t width);

#endif
