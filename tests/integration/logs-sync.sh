#!/bin/bash
# logs-sync.sh - the failure cases of logs-failures.sh again with the logs
# written by plain write(2) calls (TCPDP_LOG_ASYNC=0): the path taken where
# the kernel has no io_uring must keep the same contract (a full disk
# reported once, no partial line, SIGTERM flushing everything).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
export TCPDP_LOG_ASYNC=0
exec bash "$(dirname "$0")/logs-failures.sh" "$@"
