"""Run a back end in a forked child process, keep what it reports, and stop it at the deadline.

Solvers do not always keep their own time limits (OR-Tools users report overruns; a first local
search on a large instance cannot be interrupted), so the planner enforces the limit itself: the
back end runs in a child made with ``os.fork`` (not ``multiprocessing``, which refuses to start
children from Celery's daemonic pool processes), sends each solution it finds (JSON: routes as vehicle and stop ids) through a pipe, and
is killed with SIGKILL if it has not finished by the deadline. The parent keeps the last solution
received. Without ``fork`` (other platforms) the back end runs in-process, trusting its own limit.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import struct
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HEADER = struct.Struct("!Q")


@dataclass
class Outcome:
    last: Any = None  # the last solution reported
    finished: bool = False  # the back end returned by itself
    killed: bool = False  # stopped at the deadline
    error: str = ""  # the child's traceback, if it failed
    peak_kb: int = 0  # the child's peak resident memory
    cpu_seconds: float = 0.0  # CPU time the child used (less than the wall time on a busy machine)
    meanwhile: Any = None  # what ``meanwhile`` returned


def run(work: Callable[[Callable[[Any], None]], None], *, deadline: float, isolate: bool = True,
        meanwhile: Callable[[], Any] | None = None, on_solution: Callable[[Any], None] | None = None) -> Outcome:
    """Call ``work(report)``; ``deadline`` is a ``time.monotonic()`` moment. ``meanwhile`` runs in this
    process while the child searches (the planner prepares its fallback there); ``on_solution`` is called
    here, in this process, with each solution as it arrives (the planner's live progress)."""
    if not isolate or not hasattr(os, "fork"):
        outcome = _in_process(work, on_solution)
        outcome.meanwhile = meanwhile() if meanwhile else None
        return outcome
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: solve, report, leave without running the parent's exit handlers
        code = 0
        try:
            os.close(read_end)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)

            def report(message: Any) -> None:
                _send(write_end, ("solution", message))

            work(report)
            _send(write_end, ("done", None))
        except BaseException:  # noqa: BLE001 - anything the back end raises goes to the parent
            code = 1
            with contextlib.suppress(BaseException):
                _send(write_end, ("error", traceback.format_exc()))
        finally:
            os._exit(code)
    os.close(write_end)
    outcome = Outcome()
    buffer = b""
    ended = False  # the child closed its end (it finished or died) or was killed
    try:
        if meanwhile is not None:
            outcome.meanwhile = meanwhile()
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0:
                os.kill(pid, signal.SIGKILL)
                outcome.killed = ended = True
                break
            ready, _, _ = select.select([read_end], [], [], wait)
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                ended = True
                break
            buffer += chunk
            buffer = _frames(buffer, outcome, on_solution)
    finally:
        if not ended:  # leaving on an exception (a task's soft time limit): the child goes too
            os.kill(pid, signal.SIGKILL)
        os.close(read_end)
        _, status, usage = os.wait4(pid, 0)
        outcome.peak_kb = usage.ru_maxrss
        outcome.cpu_seconds = usage.ru_utime + usage.ru_stime
    return outcome


def _send(fd: int, message: Any) -> None:
    data = json.dumps(message).encode()
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _frames(buffer: bytes, outcome: Outcome, on_solution=None) -> bytes:
    while len(buffer) >= HEADER.size:
        (size,) = HEADER.unpack_from(buffer)
        if len(buffer) < HEADER.size + size:
            break
        kind, payload = json.loads(buffer[HEADER.size:HEADER.size + size])
        buffer = buffer[HEADER.size + size:]
        if kind == "solution":
            outcome.last = payload
            if on_solution is not None:
                on_solution(payload)
        elif kind == "done":
            outcome.finished = True
        elif kind == "error":
            outcome.error = payload
    return buffer


def _in_process(work, on_solution=None) -> Outcome:
    outcome = Outcome()

    def report(message):
        outcome.last = message
        if on_solution is not None:
            on_solution(message)

    try:
        work(report)
        outcome.finished = True
    except Exception:  # noqa: BLE001 - a failing back end still leaves the planner a fallback
        outcome.error = traceback.format_exc()
    return outcome
