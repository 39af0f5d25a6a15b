# Shared by scripts/run.sh and scripts/test.sh: create .venv on first use and (re)install the
# project whenever pyproject.toml changes. Usage: ensure_venv EXTRAS   (e.g. "" or "test").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ATTUNE_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

ensure_venv() {
    local extras="$1" spec="$ROOT" stamp
    [ -n "$extras" ] && spec="$ROOT[$extras]"
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Attune needs Python 3.11 or newer")'
        echo "Creating $VENV ..." >&2
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    stamp="$VENV/.attune-installed-${extras:-base}"
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        echo "Installing Attune${extras:+ with [$extras]} into $VENV ..." >&2
        "$VENV/bin/python" -m pip install --quiet -e "$spec"
        touch "$stamp"
    fi
}
