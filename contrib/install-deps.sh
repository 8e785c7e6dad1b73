#!/bin/sh
# install-deps.sh - install what tcpdp-top needs to build (and, with --test,
# to run its whole test suite) on Debian or Ubuntu.
#
#   sh contrib/install-deps.sh           build dependencies
#   sh contrib/install-deps.sh --test    build + test dependencies (servers, clients, tools)
#   sh contrib/install-deps.sh --check   exit 0 if everything for --test is present
#
# Elsewhere install by hand: libpcap, libevent (2.1), ncursesw, inih, cJSON,
# zlib development files and pkg-config; for the tests also MariaDB and
# PostgreSQL servers and clients, sysbench, tshark, tcpdump, tmux, socat,
# haproxy, clang with the libFuzzer runtime, faketime, psycopg (binary
# values checked against the server) and openssl (the TLS tests make their
# servers a self-signed certificate).
set -eu

BUILD_PKGS="gcc make pkg-config libpcap-dev libevent-dev libncurses-dev libinih-dev libcjson-dev zlib1g-dev"
TEST_PKGS="clang libclang-rt-14-dev tmux tcpdump tshark mariadb-server mariadb-client postgresql postgresql-contrib sysbench socat haproxy faketime python3 python3-psycopg iproute2 procps util-linux systemd openssl"

mode=build
case "${1:-}" in
--test) mode=test ;;
--check) mode=check ;;
"") ;;
*) echo "usage: $0 [--test|--check]" >&2; exit 2 ;;
esac

pkgs=$BUILD_PKGS
[ "$mode" = build ] || pkgs="$BUILD_PKGS $TEST_PKGS"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $pkgs; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
	done
else
	missing=" (no dpkg: see the list at the top of $0)"
fi

if [ "$mode" = check ]; then
	[ -z "$missing" ] && exit 0
	echo "missing:$missing"
	exit 1
fi
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "tcpdp-top: not a Debian/Ubuntu system; install by hand:$missing" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
		echo "tcpdp-top: run as root to install:$missing" >&2; exit 1; fi
fi
echo "tcpdp-top: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Keep packaged database services from starting on their default ports:
# the tests start their own servers on private ports.
had_policy=0
[ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ $had_policy = 0 ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
fi
rc=0
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || rc=$?
[ $had_policy = 0 ] && $SUDO rm -f /usr/sbin/policy-rc.d
exit $rc
