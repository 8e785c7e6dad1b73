# lib.sh - shared helpers for tests/bench/bench-*.sh (sourced, POSIX sh + bash).
#
#   . "$(dirname "$0")/lib.sh"
#   bench_pcap FILE KIND [VAR=value...]   makes FILE with the fixtures'
#                        make-bench-pcap.sh (KIND mysql or pg, $SIZE MB,
#                        into $OUT) unless it exists; VARs go to the script
#   bench_bare           builds $T/bare, a bare libpcap read loop: the
#                        baseline every read benchmark is a ratio to
#   bench_best CLOCK N CMD...   the best of N runs in seconds; CLOCK is cpu
#                        (user + system: steady on a shared machine) or
#                        wall; a first run that fails prints FAILED and 0
#   ratio A B            A / B with two decimals, "?" when B is 0
#
# Needs T (a temp directory the caller removes), SIZE and OUT.

bench_pcap() {
	_pcap=$1 _kind=$2; shift 2
	[ -f "$_pcap" ] && return 0
	echo "making $_pcap (once; BENCH_PCAP=FILE uses another capture)"
	env "$@" BENCH_OUT="$OUT" bash "$TCPDP_FIXTURES/scripts/make-bench-pcap.sh" \
	    "$SIZE" "$_kind" >"$T/make.log" 2>&1 || { tail -20 "$T/make.log"; exit 1; }
}

bench_bare() {
	cat >"$T/bare.c" <<'C'
#include <pcap/pcap.h>
#include <stdio.h>
static void
cb(u_char *a, const struct pcap_pkthdr *h, const u_char *p)
{
	unsigned long *s = (unsigned long *)a;
	s[0] += h->caplen;
	s[1] += h->caplen > 40 ? p[40] : 0;	/* touch the headers */
	s[2]++;
}
int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	unsigned long s[3] = { 0, 0, 0 };
	static char buf[1 << 20];
	FILE *f = fopen(argc > 1 ? argv[1] : "/dev/stdin", "rb");
	pcap_t *p;
	if (f == NULL) { perror("fopen"); return 1; }
	setvbuf(f, buf, _IOFBF, sizeof buf);	/* as tcpdp-top reads */
	if ((p = pcap_fopen_offline(f, err)) == NULL) { fprintf(stderr, "%s\n", err); return 1; }
	pcap_loop(p, -1, cb, (u_char *)s);
	printf("%lu packets %lu bytes %lu\n", s[2], s[0], s[1]);
	pcap_close(p);
	return 0;
}
C
	cc -O2 -o "$T/bare" "$T/bare.c" -lpcap || exit 1
}

bench_best() {
	_clock=$1 _n=$2; shift 2
	case $_clock in
	cpu)	_fmt='%U %S' ;;
	*)	_fmt='%R 0' ;;
	esac
	"$@" >/dev/null 2>"$T/err" </dev/null ||
	    { echo "FAILED: $* $(head -c 300 "$T/err")" >&2; echo 0; return; }
	_b="" _i=0
	while [ "$_i" -lt "$_n" ]; do
		_t=$( { /usr/bin/env TIMEFORMAT="$_fmt" bash -c \
		    'time "$@" >/dev/null 2>&1 </dev/null' _ "$@"; } 2>&1 |
		    tail -n 1 | awk '{ printf "%.3f", $1 + $2 }')
		if [ -z "$_b" ] || awk -v a="$_t" -v b="$_b" 'BEGIN { exit !(a < b) }'; then
			_b=$_t
		fi
		_i=$((_i + 1))
	done
	echo "$_b"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }
