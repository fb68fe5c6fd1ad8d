"""What the benchmarks share: the bench database, the gunicorn they start and stop, percentiles, the CPU
each process used during a level, and the SQL statements a piece of code sends.

Imported by the bench scripts (``bench/*.py``, run as scripts, so this folder is on ``sys.path``) and
by the Django processes they start. Nothing here imports Django at import time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


class Tickets:
    """How a level's client threads take turns: each request (or order) takes a ticket, and there are
    none left after ``limit`` tickets or ``duration`` seconds from ``start``. The threads wait at
    ``gate`` until ``start``, so that they all begin at the same moment."""

    def __init__(self, *, limit: int, threads: int):
        self.limit, self.issued, self.deadline = limit, 0, 0.0
        self.lock = threading.Lock()
        self.gate = threading.Barrier(threads + 1)

    def take(self) -> bool:
        with self.lock:
            if self.issued >= self.limit or time.perf_counter() >= self.deadline:
                return False
            self.issued += 1
            return True

    def start(self, duration: float) -> float:
        """Open the gate for ``duration`` seconds; returns when it opened (``time.perf_counter``)."""
        began = time.perf_counter()
        self.deadline = began + duration
        self.gate.wait()
        return began


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def percentile(values: list[float], p: int) -> float:
    """The ``p``-th percentile (1..99) of ``values``, inclusive method; NaN when there are none."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


class CpuMeter:
    """CPU used during a level, in cores: gunicorn (its process group), MariaDB, this load generator,
    everything else on the machine (someone's test suite) and idle, read from /proc."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, gunicorn_pgid: int | None):
        self.pgid = gunicorn_pgid

    @staticmethod
    def _machine() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]) - idle, idle

    def _processes(self) -> dict[str, int]:
        ticks = {"gunicorn": 0, "mariadb": 0}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            name = raw[raw.index("(") + 1: raw.rindex(")")]
            rest = raw[raw.rindex(")") + 2:].split()
            used = int(rest[11]) + int(rest[12])  # utime + stime
            if self.pgid is not None and int(rest[2]) == self.pgid:
                ticks["gunicorn"] += used
            elif name in ("mariadbd", "mysqld"):
                ticks["mariadb"] += used
        return ticks

    def start(self) -> None:
        self.began = time.perf_counter()
        self.machine = self._machine()
        self.procs = self._processes()
        self.own = sum(os.times()[:2])

    def stop(self) -> dict:
        wall = time.perf_counter() - self.began
        busy, idle = self._machine()
        procs = self._processes()
        own = sum(os.times()[:2])

        def cores(ticks: float) -> float:
            return round(ticks / self.TICK / wall, 2) if wall else 0.0

        used = {name: cores(procs[name] - self.procs[name]) for name in procs}
        used["bench client"] = round((own - self.own) / wall, 2) if wall else 0.0
        busy_cores = cores(busy - self.machine[0])
        used["other"] = round(max(0.0, busy_cores - sum(used.values())), 2)
        used["idle"] = cores(idle - self.machine[1])
        return used


# --- SQL counting (in a Django process) -----------------------------------------------------------
@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """The SQL statements sent inside the block, in the list it yields (filled when the block ends).

    Django's ``CaptureQueriesContext``: no production code change, no debug header.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statements: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield statements
    statements.extend(query["sql"] for query in context.captured_queries)


def statement_kind(sql: str) -> str:
    """``SELECT``, ``SELECT FOR UPDATE``, ``INSERT``...: the first word, locking reads told apart."""
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    if head == "SELECT" and "FOR UPDATE" in sql.upper():
        return "SELECT FOR UPDATE"
    return head


# --- the bench database and the server ------------------------------------------------------------
def server_env(args, *, cache_key_prefix: str, throttles: tuple[str, ...] = ("ANON", "USER")) -> dict:
    """The environment gunicorn and the Django steps run in: production settings with DEBUG off, plain
    HTTP on loopback, the bench database and Redis, and the API throttles named in ``throttles`` raised."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URL", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "commerce.settings",
            "DJANGO_ENV": "production",  # DEBUG off, as served
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "ORDERS_WEBHOOK_SECRET": secrets.token_urlsafe(32),  # required in production
            "SITE_URL": "https://shop.example.com",  # required in production (links in mails)
            "EMAIL_URL": "console://",  # required in production: mail delivery named explicitly
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "CACHE_KEY_PREFIX": cache_key_prefix,
            **{f"API_THROTTLE_{name}": "100000000/minute" for name in throttles},
            "OTEL_TRACES_EXPORTER": "none",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def ensure_database(database_url: str, *, fresh: bool = False, required_prefix: str | None = None) -> None:
    """Create the MariaDB database if missing (``fresh``: drop it first). With ``required_prefix`` a
    database whose name does not start with it is refused: a bench that writes orders keeps to its own."""
    import MySQLdb

    url = urlparse(database_url)
    if url.scheme not in {"mysql", "mariadb"}:
        raise SystemExit(f"the bench runs on MariaDB/MySQL; got DATABASE_URL={database_url}")
    name = url.path.lstrip("/")
    if required_prefix is not None and not name.startswith(required_prefix):
        raise SystemExit(f"refusing to use {name!r}: the bench writes orders; use a database named {required_prefix}*")
    connection = MySQLdb.connect(
        host=url.hostname or HOST, port=url.port or 3306, user=unquote(url.username or "root"), passwd=unquote(url.password or "")
    )
    try:
        cursor = connection.cursor()
        if fresh:
            log(f"dropping database {name} (--fresh)")
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    finally:
        connection.close()


def manage(env: dict, *command: str) -> None:
    log("manage.py " + " ".join(command))
    done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"manage.py {' '.join(command)} failed (exit {done.returncode})")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class ServerSpec:
    worker_class: str  # sync or gthread
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> ServerSpec:
        """``sync:3`` or ``gthread:2x4`` (workers x threads)."""
        kind, _, size = text.strip().partition(":")
        if kind not in {"sync", "gthread"} or not size:
            raise argparse.ArgumentTypeError(f"server spec {text!r}: use sync:N or gthread:NxT")
        workers, _, threads = size.partition("x")
        spec = cls(kind, int(workers), int(threads or (4 if kind == "gthread" else 1)))
        if kind == "sync" and spec.threads != 1:
            raise argparse.ArgumentTypeError("sync workers have one thread each: use sync:N")
        return spec

    def __str__(self) -> str:
        return f"sync:{self.workers}" if self.worker_class == "sync" else f"gthread:{self.workers}x{self.threads}"


def start_gunicorn(env: dict, port: int, spec: ServerSpec, *, timeout: int | None = None, label: str | None = None
                   ) -> subprocess.Popen:
    """gunicorn serving ``commerce.wsgi`` in a process group of its own (``stop`` ends the group).

    gthread workers keep client connections alive; ``timeout`` is gunicorn's worker timeout (its
    default when None); ``label`` is how the log line names the server (the spec when None).
    """
    command = [
        sys.executable, "-m", "gunicorn", "commerce.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(spec.workers),
        "--worker-class", spec.worker_class,
        "--log-level", "warning",
    ]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    if spec.worker_class == "gthread":
        command += ["--threads", str(spec.threads), "--keep-alive", "30"]  # keeps client connections open
    log(f"gunicorn on {HOST}:{port}: {label or spec}")
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    log("gunicorn stopped")


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within {timeout}s")
