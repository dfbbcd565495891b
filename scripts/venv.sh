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
    case ",$1," in
    *,semantic,*)
        # PyTorch's CPU build first (the machine keeps a copy of 2.13.0): asked for by name through
        # the extra's other packages, pip would fetch a build of several GB for graphics cards.
        .venv/bin/python -c 'import torch' 2>/dev/null ||
            .venv/bin/python -m pip install --quiet --disable-pip-version-check 'torch==2.13.0'
        ;;
    esac
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$1]"
    echo "$stamp" >> .venv/.euprojects-installed
}
