#!/usr/bin/env bash
# make test-real-content: the department's day one. In a fresh clone of the
# committed repository, every sample record is removed (python -m scripts
# samples --yes), two real records are added (tests/fixtures/real-content),
# and the whole `make test` must still pass: no test may depend on today's
# records.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/repo"
cd "$work/repo"
ln -s "$root/.venv" .venv
touch -r "$root/.venv/.installed" requirements.txt requirements-dev.txt
.venv/bin/python -m scripts samples --yes
cp -r tests/fixtures/real-content/content/. content/
.venv/bin/python -m scripts check
echo "== make test on the real-content copy (no sample; two more real records)"
make test
