#!/usr/bin/env bash
# Lints the contract, checks it against the committed v1 image (proto/contract.binpb) for breaking
# changes, and regenerates proto/gen. With --check it fails when the committed proto/gen is stale.
set -euo pipefail
cd "$(dirname "$0")"
buf=../node_modules/.bin/buf
"$buf" lint
"$buf" breaking --against contract.binpb
"$buf" generate
../node_modules/.bin/prettier --log-level warn --write gen
if [[ "${1:-}" == "--check" ]]; then
  if ! git diff --quiet --exit-code -- gen || [[ -n "$(git ls-files --others --exclude-standard -- gen)" ]]; then
    echo "proto/gen is stale: run 'npm run proto' and commit the result" >&2
    git status --short -- gen >&2
    exit 1
  fi
fi
