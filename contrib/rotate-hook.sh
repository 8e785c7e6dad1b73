#!/bin/sh
# rotate-hook.sh - a sample rotationHook: compresses the file that was just
# left behind. tcpdp-top runs it without a shell after opening a new log
# file, as
#
#   rotate-hook.sh PREVIOUS_FILE NEW_FILE
#
# PREVIOUS_FILE is empty for the first file after start-up. Whatever it
# prints and its exit status end up in tcpdp.log ("rotation hook done" or
# "rotation hook failed"). tcpdp-top does not wait for it, and retention
# keeps counting NAME.YYYYMMDD.gz like NAME.YYYYMMDD.
set -eu

prev=${1:-}
new=${2:-}

if [ -z "$prev" ]; then
	echo "first file: $new"
	exit 0
fi
if [ ! -f "$prev" ]; then
	# Already compressed or removed by retention.
	echo "nothing to do: $prev is gone"
	exit 0
fi
# Low priority: a busy capture host keeps its CPU for the capture.
nice -n 19 gzip -f -- "$prev"
echo "compressed $prev"
