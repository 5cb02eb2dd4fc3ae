#!/usr/bin/env bash
# The work of the GitHub Action (action.yml): run `pick gate` once per output a CI run wants --
# annotations on the pull request, the Markdown report in the job summary, SARIF for code scanning --
# and exit with the gate's code. Run locally by tests/cli/action.rs with the same variables.
#
#   PICK           the pick binary (default: pick on PATH)
#   PICK_POLICY    the policy file (default: pick.toml)
#   PICK_SCAN      paths to scan, whitespace-separated (default: .; empty: no scan)
#   PICK_ARGS      more arguments for pick gate, whitespace-separated (e.g. --today 2026-06-01)
#   PICK_SARIF     where to write SARIF (default: pick.sarif; empty: none)
#   GITHUB_STEP_SUMMARY, GITHUB_OUTPUT   set by GitHub Actions (outputs `passed` and `exit-code`)
set -uo pipefail

pick="${PICK:-pick}"
args=(gate --policy "${PICK_POLICY:-pick.toml}")
for path in ${PICK_SCAN-.}; do
  args+=(--scan "$path")
done
# Word splitting on purpose: extra arguments are a list.
# shellcheck disable=SC2206
args+=(${PICK_ARGS:-})

# Annotations: `::error file=...,line=...::` lines GitHub attaches to the pull request's files.
"$pick" "${args[@]}" --format github
code=$?
if [ "$code" -ge 2 ]; then
  echo "::error title=pick gate::pick gate could not run (exit $code): see the log above" >&2
fi

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  "$pick" "${args[@]}" --format markdown --color never >>"$GITHUB_STEP_SUMMARY" || true
fi
sarif="${PICK_SARIF-pick.sarif}"
if [ -n "$sarif" ]; then
  "$pick" "${args[@]}" --format sarif >"$sarif" || true
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    if [ "$code" -eq 0 ]; then echo "passed=true"; else echo "passed=false"; fi
  } >>"$GITHUB_OUTPUT"
fi
exit "$code"
