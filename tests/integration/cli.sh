#!/bin/sh
# cli.sh - commands, flags, usage errors, config printing (issue 2).
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
T=${TCPDP_TMP:-/tmp}/cli.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

ok() { echo "PASS: cli/$1"; }
no() { echo "FAIL: cli/$1${2:+ ($2)}"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else no "$name"; fi; }

# usage errors: one line on stderr naming the problem and --help, exit 2
usage_err() {	# name pattern args...
	name=$1 pat=$2; shift 2
	"$BIN" "$@" >out 2>err; rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <err)" -eq 1 ] && grep -q -- "$pat" err &&
	    grep -q -- '--help' err && [ ! -s out ]; then ok "$name"
	else no "$name" "rc=$rc $(cat err)"; fi
}
usage_err usage_unknown_cmd 'unknown command "foo"' foo
usage_err usage_unknown_flag 'unknown flag --nope' probe --nope
usage_err usage_bad_dumper 'unknown dumper "sql"' read -d sql x.pcap
usage_err usage_bad_bufsize 'bad buffer size "2 MB"' probe -i lo -B '2 MB'
usage_err usage_bad_snaplen 'bad snapshot length "huge"' probe -i lo -s huge
usage_err usage_bad_listen 'bad listen address "nohost"' proxy -l nohost
usage_err usage_bad_remote 'bad remote address "h:99999"' proxy -r h:99999
usage_err usage_missing_arg 'needs an argument' read -d
usage_err usage_bad_format 'unknown format "xml"' read -f xml x.pcap
usage_err usage_bad_target 'bad target "x:y"' probe -i lo -t x:y
usage_err usage_bad_target_port 'bad target "70000"' read -t 70000 x.pcap
usage_err usage_no_interface 'no interface' probe -t 3306
usage_err usage_extra_arg 'unexpected argument' proxy extra

# every flag of SPEC §1.2-1.6 in the help of its command
helps_ok=1
for f in -c,--config -l,--listen -r,--remote -d,--dumper -s,--use-server-starter --stdout --proxy-protocol --batch; do
	for x in $(echo "$f" | tr , ' '); do "$BIN" proxy --help | grep -q -- "$x" || { helps_ok=0; echo "proxy help lacks $x"; }; done
done
for f in -c,--config -t,--target -i,--interface -B,--buffer-size --immediate-mode -s,--snapshot-length -d,--dumper --stdout --filter --proxy-protocol --batch; do
	for x in $(echo "$f" | tr , ' '); do "$BIN" probe --help | grep -q -- "$x" || { helps_ok=0; echo "probe help lacks $x"; }; done
done
for f in -t,--target -f,--format -d,--dumper --batch; do
	for x in $(echo "$f" | tr , ' '); do "$BIN" read --help | grep -q -- "$x" || { helps_ok=0; echo "read help lacks $x"; }; done
done
"$BIN" --help | grep -q 'proxy' && "$BIN" --help | grep -q -- '--batch' || helps_ok=0
"$BIN" config --help | grep -q -- '--config' || helps_ok=0
check help_lists_every_flag [ $helps_ok = 1 ]
check help_exit0 sh -c "'$BIN' help read >/dev/null"
check no_args_help sh -c "'$BIN' | grep -q Usage"

# config: defaults exactly as tcpdp prints them (no config file around)
HOME=$T "$BIN" config >def.out
check config_default cmp -s def.out "$FX/upstream/config_default.out"
"$BIN" config -c "$FX/upstream/readme_example.toml" >a.out
check config_readme_loads grep -q 'rotationHook = "/path/to/after_rotate.sh"' a.out
# round trip: the printed config loads back to the same configuration
cp a.out rt.toml
"$BIN" config -c rt.toml >b.out
check config_roundtrip cmp -s a.out b.out
printf '[log]\nrotationHook="/path/a.sh"\n[dumpLog]\nrotationHook = "/path/b.sh"\n' >h.toml
"$BIN" config -c h.toml >h.out
check config_hooks_layout cmp -s h.out "$FX/upstream/config_with_hooks.out"
# discovery: ./tcpdp.toml is found, -c wins over it
printf '[tcpdp]\ndumper = "pg"\n' >tcpdp.toml
HOME=$T "$BIN" config | grep -q 'dumper = "pg"' && ok config_discovery || no config_discovery
printf '[tcpdp]\ndumper = "conn"\n' >other.toml
HOME=$T "$BIN" config -c other.toml | grep -q 'dumper = "conn"' && ok config_c_wins || no config_c_wins
rm -f tcpdp.toml
printf '[log]\nrotationCount = lots\n' >bad.toml
"$BIN" config -c bad.toml >out 2>err; rc=$?
if [ $rc -ne 0 ] && grep -q 'bad.toml:2: log.rotationCount' err; then ok config_bad_value; else no config_bad_value "rc=$rc $(cat err)"; fi

# version, and tcpdp personality through argv[0]
check version sh -c "'$BIN' version | grep -q tcpdp-top"
ln -s "$BIN" tcpdp
[ "$(./tcpdp version)" = "0.23.9" ] && ok as_tcpdp_version || no as_tcpdp_version
exit 0
