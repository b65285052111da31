#!/usr/bin/env bash
# Runs the test suite on a fresh machine: creates .venv, installs the package with its
# test extras (torch 2.13.0 first), then pytest. Extra arguments go to pytest. Offline:
# tests build their own tiny models. TORCH_INDEX_URL, when set, is where torch comes from:
# https://download.pytorch.org/whl/cpu gives the CPU build on a Linux machine whose pip
# offers only PyPI (PyPI's Linux torch pulls the CUDA libraries, several GB).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet torch==2.13.0 ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
.venv/bin/python -m pip install --quiet -e ".[test]"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
