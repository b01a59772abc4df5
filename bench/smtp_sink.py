"""A minimal SMTP server on 127.0.0.1 that accepts every mail and keeps only a count, for
bench/collective_grant.py: the mails are handed over the way production hands them to its relay
(Django's SMTP backend, a TCP connection, the SMTP dialogue), without a relay's own work.

Run as `python bench/smtp_sink.py PORT`; it serves until it is terminated. Not for production.
"""

import socket
import socketserver
import sys


class SinkHandler(socketserver.StreamRequestHandler):
    def setup(self) -> None:
        super().setup()
        # Replies go out at once, as a relay's do (no Nagle wait for the client's delayed ACK).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, *lines: str) -> None:
        self.wfile.write(b"".join(line.encode() + b"\r\n" for line in lines))

    def handle(self) -> None:
        self.reply("220 bench sink")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.reply("250-bench sink", "250 8BITMIME")
            elif verb == b"DATA":
                self.reply("354 go ahead")
                while (data := self.rfile.readline()) and data != b".\r\n":
                    pass
                self.reply("250 accepted")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


class SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    with SinkServer(("127.0.0.1", int(sys.argv[1])), SinkHandler) as server:
        server.serve_forever()
