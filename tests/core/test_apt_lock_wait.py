"""scripts/bootstrap.sh and .ci/run wait for another apt-get's lock instead of giving up at once.

`apt_get` (scripts/apt-get-wait.sh) runs against a fake apt-get on PATH that reports the lock as
held a number of times before it succeeds.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK_HELD = "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)"

FAKE_APT_GET = """#!/usr/bin/env bash
echo "$*" >> "{calls}"
n=$(wc -l < "{calls}")
if [ "$n" -le {busy} ]; then echo "{error}" >&2; exit 100; fi
echo "done" >&2
"""


def run_apt_get(tmp_path, *, busy: int, timeout: int, error: str = LOCK_HELD):
    calls = tmp_path / "calls"
    calls.touch()
    fake = tmp_path / "bin" / "apt-get"
    fake.parent.mkdir()
    fake.write_text(FAKE_APT_GET.format(calls=calls, busy=busy, error=error))
    fake.chmod(0o755)
    done = subprocess.run(  # noqa: S603 (fixed argv)
        ["/bin/bash", "-c", f'. "{ROOT}/scripts/apt-get-wait.sh"; apt_get update -qq'],
        env={"PATH": f"{fake.parent}:/usr/bin:/bin", "APT_LOCK_TIMEOUT": str(timeout), "APT_LOCK_RETRY_SECONDS": "0.1"},
        capture_output=True, text=True, timeout=60,
    )
    return done, calls.read_text().splitlines()


def test_apt_get_waits_while_another_apt_get_holds_the_lock(tmp_path):
    done, calls = run_apt_get(tmp_path, busy=3, timeout=30)

    assert done.returncode == 0, done.stderr
    assert len(calls) == 4
    # apt itself waits for the dpkg lock too
    assert all(call == "-o DPkg::Lock::Timeout=30 update -qq" for call in calls)
    assert "holds the package lock; waiting" in done.stderr


def test_apt_get_gives_up_after_the_timeout_saying_why(tmp_path):
    # bash's SECONDS counts whole seconds from the shell's start: a 1-s timeout may be over at the
    # first try; with 3 s at least two whole seconds of 0.1-s retries pass
    done, calls = run_apt_get(tmp_path, busy=10_000, timeout=3)

    assert done.returncode == 100
    assert len(calls) > 1
    assert LOCK_HELD in done.stderr


def test_apt_get_fails_at_once_on_any_other_error(tmp_path):
    done, calls = run_apt_get(tmp_path, busy=10_000, timeout=30, error="E: Unable to locate package no-such-package")

    assert done.returncode == 100
    assert len(calls) == 1
    assert "Unable to locate package" in done.stderr


def test_the_setup_scripts_call_apt_get_only_through_the_waiting_wrapper():
    for script in ("scripts/bootstrap.sh", ".ci/run"):
        text = (ROOT / script).read_text()
        assert "scripts/apt-get-wait.sh" in text, script
        # apt-get may be named in messages, never run bare
        assert not re.search(r"^\s*(if !\s+)?apt-get\s+(update|install)", text, re.M), script
