#!/bin/bash
# logs-contrib.sh - the files in contrib/: systemd units pass
# `systemd-analyze verify` without warnings, the sample config loads, the
# sample rotation hook copes with an empty first argument and compresses.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/logs/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "${TCPDP_BIN:-$top/tcpdp-top}")" && pwd)/$(basename "${TCPDP_BIN:-tcpdp-top}")

for u in tcpdp-top@ tcpdp-top-hardened@; do
	name="logs-contrib: systemd-analyze verify $u.service"
	if ! command -v systemd-analyze >/dev/null 2>&1; then
		pass "$name (skipped: no systemd-analyze)"; continue
	fi
	# An instance, with ExecStart pointing at the binary under test
	# (verify checks that it exists).
	sed "s|/usr/local/bin/tcpdp-top|$bin|" "$top/contrib/systemd/$u.service" >"$T/${u}test.service"
	out=$(cd "$T" && timeout 60 systemd-analyze verify --man=no "./${u}test.service" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ -z "$out" ]; then pass "$name"
	else fail "$name" "rc $rc: $(echo "$out" | head -3)"; fi
done
grep -q '^ExecStart=/usr/local/bin/tcpdp-top probe --batch -c /etc/tcpdp-top/%i.toml$' \
	"$top/contrib/systemd/tcpdp-top@.service" &&
	grep -q '^CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN$' "$top/contrib/systemd/tcpdp-top-hardened@.service" &&
	pass "logs-contrib: units run probe --batch with the instance config" ||
	fail "logs-contrib: units run probe --batch with the instance config"

# The sample config is read by the real config loader (via the driver),
# and its dump settings are valid.
if [ -x "$DRV" ]; then
	mkdir -p "$T/sample"
	sed -e "s|^dir = \".\"|dir = \"$T/sample\"|" -e 's|^rotationHook = .*||' \
		-e "s|^pidfile = .*|pidfile = \"$T/sample/tcpdp.pid\"|" -e 's|^stdout = true|stdout = false|' \
		"$top/contrib/tcpdp-top.toml" >"$T/sample.toml"
	if timeout 20 "$DRV" -c "$T/sample.toml" -n 100 -p 2>"$T/sample.err" &&
		[ "$(cat "$T"/sample/dump.log.2* | wc -l)" -eq 100 ] &&
		grep -q 'level:info.*msg:health.*rss_bytes:' "$T"/sample/tcpdp.log.2*; then
		pass "logs-contrib: sample config loads and logs (ltsv, memory in health)"
	else fail "logs-contrib: sample config loads and logs" "$(head -3 "$T/sample.err")"; fi
fi

hook=$top/contrib/rotate-hook.sh
out=$("$hook" "" "$T/x.log.20261126" 2>&1)
if [ $? -eq 0 ] && [ "$out" = "first file: $T/x.log.20261126" ]; then
	pass "logs-contrib: rotate-hook.sh with an empty previous file"
else fail "logs-contrib: rotate-hook.sh with an empty previous file" "$out"; fi
echo data >"$T/x.log.20261125"
if "$hook" "$T/x.log.20261125" "$T/x.log.20261126" >/dev/null 2>&1 &&
	[ ! -e "$T/x.log.20261125" ] && [ "$(gzip -dc "$T/x.log.20261125.gz")" = data ]; then
	pass "logs-contrib: rotate-hook.sh compresses the previous file"
else fail "logs-contrib: rotate-hook.sh compresses the previous file"; fi
if "$hook" "$T/gone.20261124" "$T/x.log.20261126" >/dev/null 2>&1; then
	pass "logs-contrib: rotate-hook.sh tolerates a vanished file"
else fail "logs-contrib: rotate-hook.sh tolerates a vanished file"; fi
