"""A small SMTP server for the integration tests: accepts every mail and keeps it in memory.

Enough of RFC 5321 for Django's SMTP backend (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), served
from a thread, so a worker subprocess can send real mails to the test.
"""

import email
import socketserver
import threading
from email import policy


class _Session(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self._reply("220 sink ESMTP")
        envelope = {"from": "", "to": []}
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 sink")
            elif verb == "MAIL":
                envelope = {"from": line.decode().split(":", 1)[1].strip(), "to": []}
                self._reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append((envelope["to"], email.message_from_bytes(bytes(data), policy=policy.default)))
                self._reply("250 OK: queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:  # RSET, NOOP, ...
                self._reply("250 OK")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0):
        super().__init__(("127.0.0.1", port), _Session)
        self.received: list = []
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
