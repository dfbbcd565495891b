# Shared by scripts/start and scripts/test: a virtual environment in .venv with the package
# installed in editable mode and the extras asked for. Needs Python 3.11 or newer. The install
# runs again only when pyproject.toml or the extras asked for change (the package itself is
# editable, so code changes need none): a second start takes seconds.
ensure_venv() {
    python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "euprojects needs Python 3.11 or newer; set PYTHON to one" >&2
        exit 1
    fi
    [ -x .venv/bin/python ] || "$python" -m venv .venv
    stamp="$1 $(cksum < pyproject.toml)"
    [ -f .venv/.euprojects-installed ] && grep -qxF "$stamp" .venv/.euprojects-installed && return 0
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$1]"
    echo "$stamp" >> .venv/.euprojects-installed
}
