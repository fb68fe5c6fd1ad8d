"""A WSGI server process for the crash test: serves the shop, and dies (is killed) mid-request.

``python -m tests.integration.crash_server <pause> <signal file>`` serves ``commerce.wsgi`` on a
free port of 127.0.0.1 (printed on the first line of stdout). The first request that reaches the
pause point writes the signal file and then waits to be killed, never going past it:

- ``answer``: the order is placed and paid, the idempotency record not yet completed
  (``orders.idempotency._complete``);
- ``gateway``: the card was charged, the gateway's answer never read (the payment stays pending).

Only this test process is patched; the application code is the one in production.
"""

import os
import sys
import threading
from pathlib import Path


def _pause_at(pause: str, signal_file: Path) -> None:
    from orders import idempotency
    from orders.gateways import SandboxCardGateway

    def wait_for_the_kill():
        signal_file.write_text(str(os.getpid()))
        threading.Event().wait()  # forever: the test SIGKILLs this process

    if pause == "answer":
        def complete(*args, **kwargs):
            wait_for_the_kill()
        idempotency._complete = complete
    elif pause == "gateway":
        charge = SandboxCardGateway.charge

        def charged(self, **kwargs):
            charge(self, **kwargs)
            wait_for_the_kill()
        SandboxCardGateway.charge = charged
    else:
        raise SystemExit(f"unknown pause point {pause!r}")


def main() -> None:
    pause, signal_file = sys.argv[1], Path(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from commerce.wsgi import application

    _pause_at(pause, signal_file)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
