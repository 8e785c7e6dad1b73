#!/bin/sh
# bench-logs.sh - dump log writing: records per second through the rotated
# dump.log sink (no rotation, and a rotation every ~0.1 s with accelerated
# time), against the plain stdout sink writing to a file in the same run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
drv=${TCPDP_LOGS_DRIVER:-$(dirname "$TCPDP_BIN")/build/rel/logs-driver}
[ -x "$drv" ] || drv=$(cd "$here/../.." && pwd)/build/rel/logs-driver
if [ ! -x "$drv" ]; then echo "bench-logs: no $drv (make build/rel/logs-driver)"; exit 1; fi
t=$(mktemp -d /tmp/bench-logs.XXXXXX)
trap 'rm -rf "$t"' EXIT
n=${BENCH_LOGS_N:-400000}
conf() {	# conf FILE enable period
	cat >"$1" <<EOF2
[log]
dir = "$t"
stdout = false
[dumpLog]
dir = "$t"
enable = $2
rotationTime = "$3"
rotationCount = 3
EOF2
}
run() {	# run NAME env driver-args... ; prints records/s
	name=$1; shift
	s=$(date +%s.%N)
	env "$@" >"$t/out" 2>"$t/err" || { echo "bench-logs: $name failed: $(head -2 "$t/err")" >&2; exit 1; }
	e=$(date +%s.%N)
	rm -f "$t"/dump.log* "$t/out"
	echo "$n $s $e" | awk '{ printf "%.0f\n", $1 / ($3 - $2) }'
}
conf "$t/base.toml" false daily
conf "$t/day.toml" true daily
conf "$t/min.toml" true minutely
base=$(run stdout TCPDP_X=1 "$drv" -c "$t/base.toml" -n "$n" -b 2000 -s)
day=$(run dumplog TCPDP_X=1 "$drv" -c "$t/day.toml" -n "$n" -b 2000)
min=$(run rotating TCPDP_TEST_CLOCK=1795737000x600 "$drv" -c "$t/min.toml" -n "$n" -b 2000)
echo "baseline stdout sink to a file: $base records/s"
echo "dump.log, no rotation:          $day records/s  ratio $(echo "$day $base" | awk '{ printf "%.2f", $1 / $2 }')"
echo "dump.log, rotating ~10/s:       $min records/s  ratio $(echo "$min $base" | awk '{ printf "%.2f", $1 / $2 }')"
