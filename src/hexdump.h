/* hexdump.h - the hex dumper's two columns (SPEC §4.2), per packet.
 *
 * Every payload byte of a hex capture goes through these, so they work on
 * sixteen bytes at a time where the CPU allows and may store past the end
 * of the text they produce: the caller provides the room the macros say
 * and ignores the bytes after the text. */
#ifndef TCPDP_HEXDUMP_H
#define TCPDP_HEXDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for hexdump_hex / hexdump_ascii of n bytes. */
#define HEXDUMP_HEX_ROOM(n)	((n) * 4 + 48)
#define HEXDUMP_ASCII_ROOM(n)	((n) + 16)

/* "hh hh ... hh": two lowercase digits per byte, single spaces between,
 * none after. Returns the length, 3n - 1 (0 for n = 0). */
size_t	hexdump_hex(char *out, const uint8_t *in, size_t n);
/* The ascii column: n characters, each byte 0x20-0x7e as itself and any
 * other as '.'. Returns true if it holds '"' or '\\', the only characters
 * of the column that JSON escapes (so a false lets encoders copy it). */
bool	hexdump_ascii(char *out, const uint8_t *in, size_t n);

/* Tests: false forces the portable code, true restores what the CPU
 * allows. */
void	hexdump_use_simd(bool);

#endif
