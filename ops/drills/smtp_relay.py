"""A local SMTP relay for the fault drills: records every mail it accepts and can misbehave.

Run as `python ops/drills/smtp_relay.py --port P --dir D`. Every accepted mail is written to
`D/mail/<n>.eml` and a line is appended to `D/log.jsonl` (time, event, invitation id from the
`X-ESS-Invitation` header, recipients). Refusals are logged there too.

Its faults are read from `D/control.json` (rewritten by the drill at any moment, read again
whenever it changes), all optional:
- `rcpt_451_until` (Unix time): answer `451 4.7.1` at RCPT TO until then (greylisting);
- `data_451_until` (Unix time): take the whole message, then answer `451 4.3.0` after DATA;
- `latency` (seconds): wait this long before accepting each message (a slow relay).

Written on asyncio alone (no dependency): it speaks enough SMTP for smtplib and Django's SMTP
backend (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT). Not for production.
"""

import argparse
import asyncio
import json
import os
import time
from email.parser import BytesHeaderParser
from pathlib import Path


class Relay:
    def __init__(self, folder: Path):
        self.folder = folder
        self.mail_dir = folder / "mail"
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.control_path = folder / "control.json"
        self.log = (folder / "log.jsonl").open("a", encoding="utf-8", buffering=1)
        self.count = 0
        self._control: dict = {}
        self._control_mtime = None

    def control(self) -> dict:
        try:
            mtime = os.stat(self.control_path).st_mtime_ns
        except FileNotFoundError:
            return {}
        if mtime != self._control_mtime:
            try:
                self._control = json.loads(self.control_path.read_text(encoding="utf-8"))
                self._control_mtime = mtime
            except (OSError, ValueError):
                pass  # half-written: keep the previous one, read again next time
        return self._control

    def record(self, event: str, **fields) -> None:
        self.log.write(json.dumps({"t": time.time(), "event": event, **fields}) + "\n")

    def store(self, data: bytes, rcpts: list[str]) -> None:
        self.count += 1
        name = f"{self.count:07d}.eml"
        (self.mail_dir / name).write_bytes(data)
        headers = BytesHeaderParser().parsebytes(data)
        self.record(
            "accepted",
            invitation=headers.get("X-ESS-Invitation"),
            to=rcpts,
            file=name,
        )

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(*lines: str) -> None:
            writer.write(b"".join(line.encode() + b"\r\n" for line in lines))

        reply("220 drill-relay ESMTP")
        rcpts: list[str] = []
        try:
            while line := await reader.readline():
                command = line.decode("latin-1").rstrip("\r\n")
                verb = command[:4].upper()
                if verb == "EHLO":
                    reply("250-drill-relay", "250-8BITMIME", "250-SMTPUTF8", "250 SIZE 10485760")
                elif verb == "HELO":
                    reply("250 drill-relay")
                elif verb == "MAIL":
                    rcpts = []
                    reply("250 2.1.0 ok")
                elif verb == "RCPT":
                    address = command.partition(":")[2].split()[0].strip("<>")
                    if time.time() < self.control().get("rcpt_451_until", 0):
                        self.record("rcpt_451", to=[address])
                        reply("451 4.7.1 Greylisted, please try again later")
                    else:
                        rcpts.append(address)
                        reply("250 2.1.5 ok")
                elif verb == "DATA":
                    if not rcpts:
                        reply("503 5.5.1 no valid recipients")
                        continue
                    reply("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    chunks = []
                    while (data := await reader.readline()) and data != b".\r\n":
                        chunks.append(data[1:] if data.startswith(b"..") else data)
                    control = self.control()
                    if control.get("latency"):
                        await asyncio.sleep(float(control["latency"]))
                    if time.time() < control.get("data_451_until", 0):
                        headers = BytesHeaderParser().parsebytes(b"".join(chunks))
                        self.record(
                            "data_451", invitation=headers.get("X-ESS-Invitation"), to=rcpts
                        )
                        reply("451 4.3.0 Temporary failure, please try again later")
                    else:
                        self.store(b"".join(chunks), rcpts)
                        reply("250 2.0.0 queued")
                    rcpts = []
                elif verb == "RSET":
                    rcpts = []
                    reply("250 2.0.0 ok")
                elif verb == "NOOP":
                    reply("250 2.0.0 ok")
                elif verb == "QUIT":
                    reply("221 2.0.0 bye")
                    break
                else:
                    reply("502 5.5.2 command not implemented")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def serve(port: int, folder: Path) -> None:
    relay = Relay(folder)
    server = await asyncio.start_server(relay.session, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.dir))


if __name__ == "__main__":
    main()
