#!/bin/sh
# bench-encode.sh - the record encoder against cJSON (issue 2: "measure it
# against cJSON"): ns per typical dump record, and the ratio.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
make -C "$here" -s build/rel/bench-encode
"$here/build/rel/bench-encode" "${ENCODE_N:-1000000}"
