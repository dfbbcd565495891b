# Shared by scripts/start and scripts/test: a virtual environment in .venv with the package
# installed in editable mode and the extras asked for. Needs Python 3.11 or newer.
ensure_venv() {
    python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "euprojects needs Python 3.11 or newer; set PYTHON to one" >&2
        exit 1
    fi
    [ -x .venv/bin/python ] || "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$1]"
}
