#!/usr/bin/env bash
# One step of `make test`: tools/step.sh NAME COMMAND [ARG...]
#
# Runs COMMAND with its output in $LOGS/NAME.log (LOGS defaults to _build/test-logs) and prints
# one line: the step, passed or FAILED, its time and the CPU time its processes used; on failure
# also the log's last 60 lines. `make test` runs several steps side by side, so their outputs go
# to files rather than interleave on the terminal. A step's wall time depends on what runs beside
# it, its CPU time much less: compare two runs by their CPU times. (They count the processes the
# step waited for, its children's children included; a process left to init, such as a sandbox
# the grader killed, is not counted.)
set -u
name=$1
shift
logs=${LOGS:-_build/test-logs}
mkdir -p "$logs"
start=$(date +%s)

"$@" >"$logs/$name.log" 2>&1
status=$?
took=$(($(date +%s) - start))
# bash's `times` in this shell (a subshell would count its own children only): the second line
# holds the user and the system time of the children this shell waited for, as 1m2.345s.
times >"$logs/.$name.times"
cpu=$(tail -n 1 "$logs/.$name.times" | awk '{
  s = 0
  for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] }
  printf "%.0f", s
}')
rm -f "$logs/.$name.times"

if [ "$status" = 0 ]; then
  echo "  $name: passed in $took s (CPU $cpu s)"
else
  echo "  $name: FAILED (exit $status) after $took s (CPU $cpu s); the end of $logs/$name.log:"
  tail -n 60 "$logs/$name.log" | sed "s/^/    $name| /"
  exit "$status"
fi
