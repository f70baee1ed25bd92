#!/usr/bin/env bash
# One step of `make test`: tools/step.sh NAME COMMAND [ARG...]
#
# Runs COMMAND with its output in $LOGS/NAME.log (LOGS defaults to _build/test-logs) and prints
# one line: the step, passed or FAILED, and its time; on failure also the log's last 60 lines.
# `make test` runs several steps side by side, so their outputs go to files rather than
# interleave on the terminal.
set -u
name=$1
shift
logs=${LOGS:-_build/test-logs}
mkdir -p "$logs"
start=$(date +%s)
if "$@" >"$logs/$name.log" 2>&1; then
  echo "  $name: passed in $(($(date +%s) - start)) s"
else
  status=$?
  echo "  $name: FAILED (exit $status) after $(($(date +%s) - start)) s; the end of $logs/$name.log:"
  tail -n 60 "$logs/$name.log" | sed "s/^/    $name| /"
  exit "$status"
fi
