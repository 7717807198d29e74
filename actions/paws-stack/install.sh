#!/usr/bin/env bash
# Install paws-stack from this repository (the action's own path) into a private venv, reused by
# later steps of the job (`command: down`). Needs PyPI for the dependencies, nothing else.
set -euo pipefail

python="python3"
if [[ -n "${INPUT_PYTHON_VERSION:-}" ]]; then
  if command -v "python${INPUT_PYTHON_VERSION}" >/dev/null; then
    python="python${INPUT_PYTHON_VERSION}"
  else
    echo "::warning::python${INPUT_PYTHON_VERSION} is not on PATH; using the runner's python3"
  fi
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "::error::paws-stack needs Python >= 3.11, found $("$python" --version 2>&1)." \
    "On GitHub add actions/setup-python (3.11+) before this action."
  exit 2
fi

venv="${RUNNER_TEMP:-/tmp}/paws-stack-action/venv"
libs="$(cd "${PAWS_ACTION_LIBS}" && pwd)"
if [[ ! -x "$venv/bin/paws-stack" ]]; then
  echo "::group::installing paws-stack from ${libs}/paws_stack with $("$python" --version)"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check uv
  "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" "${libs}/paws_stack"
  echo "::endgroup::"
fi
echo "PAWS_ACTION_PYTHON=$venv/bin/python" >> "$GITHUB_ENV"
