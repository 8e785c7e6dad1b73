#!/bin/bash
# read-cut.sh - every capture fixture cut at sampled byte offsets and with
# random byte flips, read by each dumper (mysql, pg, hex): exit 0 or 1,
# a message when 1, never a sanitizer report or a hang. The offsets and
# flips are sampled so make check stays under a minute; CUT_LONG=1 tries
# many more (CUT_SAMPLES=N cuts and flips per fixture, CUT_SEED=N).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
T=$(mktemp -d "${TCPDP_TMP:-/tmp}/readcut.XXXXXX")
trap 'rm -rf "$T"' EXIT
samples=${CUT_SAMPLES:-3}
[ "${CUT_LONG:-0}" = 1 ] && samples=${CUT_SAMPLES:-60}
seed=${CUT_SEED:-$(($$ % 32768))}
echo "read-cut: seed $seed, $samples samples per fixture (CUT_SEED=$seed to repeat)"
RANDOM=$seed

fails=0
bad() {	# bad NAME WHY
	echo "FAIL: readcut/$1 ($2)"
	fails=$((fails + 1))
}

# try NAME FILE: every dumper over FILE
try() {
	local d rc
	for d in mysql pg hex; do
		timeout 30 "$BIN" read -d "$d" "$2" >"$T/out" 2>"$T/err" </dev/null
		rc=$?
		if grep -q 'Sanitizer\|runtime error\|LeakSanitizer' "$T/err"; then
			bad "$1/$d" "sanitizer: $(grep -m1 'ERROR\|runtime error' "$T/err")"
			cp "$2" "$T/../readcut-fail-$1-$d.pcap" 2>/dev/null
		elif [ $rc -eq 124 ]; then
			bad "$1/$d" "hang"
		elif [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
			bad "$1/$d" "exit $rc"
		elif [ $rc -eq 1 ] && ! [ -s "$T/err" ] && ! [ -s "$T/out" ]; then
			bad "$1/$d" "exit 1 without a message"
		fi
	done
}

# flip FILE N OUT: N random bytes of FILE (after the 24-byte file header,
# most of the time) replaced by random values
flip() {
	local size=$(stat -c %s "$1") i off
	cp "$1" "$3"
	for ((i = 0; i < $2; i++)); do
		off=$(( (RANDOM * 32768 + RANDOM) % size ))
		printf "\\x$(printf %02x $((RANDOM % 256)))" |
		    dd of="$3" bs=1 seek=$off conv=notrunc status=none
	done
}

n=0
for f in "$FX"/pcap/*.pcap "$FX"/upstream/*.pcap; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .pcap)
	size=$(stat -c %s "$f")
	# Always the edges: inside the file header, the first record header,
	# the first frame; then random offsets.
	offs="1 23 24 30 40 60 100"
	for ((i = 0; i < samples; i++)); do
		offs="$offs $(( (RANDOM * 32768 + RANDOM) % size ))"
	done
	for o in $offs; do
		[ "$o" -lt "$size" ] || continue
		head -c "$o" "$f" >"$T/cut.pcap"
		try "$name-cut$o" "$T/cut.pcap"
		n=$((n + 1))
	done
	for ((i = 0; i < samples; i++)); do
		flip "$f" $((1 + RANDOM % 8)) "$T/flip.pcap"
		try "$name-flip$i" "$T/flip.pcap"
		n=$((n + 1))
	done
done
[ $fails -eq 0 ] && echo "PASS: readcut/all ($n captures, 3 dumpers each)"
exit 0
