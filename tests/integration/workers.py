"""Real Celery workers for the integration tests: started as subprocesses against Redis and the
test's own MariaDB database (which they see once the test committed: ``transactional_db``)."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from django.conf import settings

from tests.integration.concurrency import ROOT, worker_database_url

QUEUES = ("default", "recommendations", "logistics")
PROBE_TASKS = "tests.integration.celery_probe_tasks"


def start_worker(**env_vars) -> subprocess.Popen:
    """A worker on every queue, in a process group of its own (so a test can kill it whole)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "DATABASE_URL": worker_database_url(),  # test_<name>: the database this test commits to
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **env_vars,
    }
    env.pop("DATABASE_REPLICA_URL", None)
    log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)
    command = [
        sys.executable, "-m", "celery", "-A", "commerce", "worker", "-I", PROBE_TASKS,
        "-Q", ",".join(QUEUES), "--pool=prefork", "-c", "1", "--loglevel=INFO",
        "--without-heartbeat", "--without-mingle", "--without-gossip",
        "-n", f"it-{uuid.uuid4().hex[:8]}@%h",
    ]
    process = subprocess.Popen(  # noqa: S603 (fixed argv)
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log_file = log
    return process


def stop_worker(process: subprocess.Popen) -> None:
    """Warm shutdown, then kill the whole group; remove the log."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # a pool child left behind
    process.log_file.close()
    os.unlink(process.log_file.name)


def worker_log(process) -> str:
    return Path(process.log_file.name).read_text(errors="replace")[-4000:]


