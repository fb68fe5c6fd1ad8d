#!/usr/bin/env bash
# Set up what the project needs to run: a virtual environment in .venv with requirements.txt
# installed, and (on Debian, as root) the MariaDB client headers that mysqlclient builds against.
#
# Used by scripts/run, scripts/test and .ci/run. Idempotent and quick once done: a stamp file in
# .venv records the sha256 of requirements.txt and the Python version it was installed for.
#
#   scripts/bootstrap.sh            # set up (or do nothing if already set up)
#   PYTHON=/path/to/python3.11 scripts/bootstrap.sh
#
# Exits non-zero, saying exactly what is missing, when it cannot install something itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.bootstrap-stamp"
MIN_PYTHON="3.11"

say() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/apt-get-wait.sh
. "$ROOT/scripts/apt-get-wait.sh"  # apt_get: waits for another apt-get's lock

is_root() { [ "$(id -u)" = "0" ]; }
is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

# apt-get install, running `apt-get update` only when the package lists are missing or stale
# enough that the install fails.
apt_install() {
    local pkgs=("$@")
    export DEBIAN_FRONTEND=noninteractive
    if ! compgen -G "/var/lib/apt/lists/*_Packages" >/dev/null; then
        say "apt-get update (no package lists yet)"
        apt_get update -qq
    fi
    say "apt-get install ${pkgs[*]}"
    if ! apt_get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; then
        say "install failed; refreshing package lists and retrying"
        apt_get update -qq
        apt_get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
    fi
}

# Install Debian packages when we can, otherwise explain what is missing and stop.
require_packages() {
    local why="$1"; shift
    if is_root && is_debian; then
        apt_install "$@" || die "could not install Debian packages: $* ($why). Install them and re-run."
    elif is_debian; then
        die "missing $why. Run as root: apt-get install $*   (or ask an administrator), then re-run."
    else
        die "missing $why. On Debian/Ubuntu: apt-get install $*; on Fedora: dnf install mariadb-connector-c-devel pkgconf gcc; on macOS: brew install mariadb-connector-c pkg-config. Then re-run."
    fi
}

python_ok() {
    "$1" -c "import sys; sys.exit(0 if sys.version_info >= (${MIN_PYTHON/./, }) else 1)" 2>/dev/null
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

mysql_headers_present() {
    command -v pkg-config >/dev/null 2>&1 || return 1
    command -v mariadb_config >/dev/null 2>&1 || command -v mysql_config >/dev/null 2>&1 \
        || pkg-config --exists mysqlclient 2>/dev/null || pkg-config --exists libmariadb 2>/dev/null \
        || pkg-config --exists mariadb 2>/dev/null
}

requirements_key() {
    local py="$1"
    { sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1; "$py" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

main() {
    # Fast path: already installed for this requirements.txt and this interpreter.
    if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(requirements_key "$VENV/bin/python")" ]; then
        return 0
    fi

    local started=$SECONDS
    if [ ! -x "$VENV/bin/python" ]; then
        local py
        py="$(find_python)" || die "no Python >= $MIN_PYTHON found (tried \$PYTHON, python3.11, python3.12, python3.13, python3). Install Python $MIN_PYTHON+ or set PYTHON=/path/to/python."
        if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
            local minor
            minor="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
            require_packages "the venv module for $py" "python${minor}-venv"
        fi
        say "creating virtual environment .venv with $py ($("$py" --version 2>&1))"
        rm -rf "$VENV"
        "$py" -m venv "$VENV"
    fi

    # mysqlclient has no Linux wheels on PyPI: it compiles against the MariaDB client library.
    if ! "$VENV/bin/python" -c 'import MySQLdb' 2>/dev/null; then
        if ! mysql_headers_present; then
            require_packages "the MariaDB client headers and pkg-config that mysqlclient builds against (mariadb_config/mysql_config not found)" \
                libmariadb-dev pkg-config
        fi
        if ! command -v gcc >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
            require_packages "a C compiler to build mysqlclient" gcc libc6-dev
        fi
    fi

    say "installing requirements.txt into .venv"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"; then
        die "pip could not install requirements.txt (see the error above). If mysqlclient failed to build: apt-get install libmariadb-dev pkg-config gcc (Debian) and re-run."
    fi
    requirements_key "$VENV/bin/python" >"$STAMP"
    say "ready in $((SECONDS - started))s"
}

main "$@"
