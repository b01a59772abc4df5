"""A local stand-in for an email provider's HTTP API, for tests and benchmarks (issue 17): it
speaks Mandrill's (Mailchimp Transactional) `messages/send.json` as django-anymail's Mandrill
backend calls it, answers after a set latency (50 ms a call by default, as a real provider's
20–200 ms) and records every mail, merged for its recipient as Mandrill would merge it.

What it does with a call:

- checks the API key (a wrong one: HTTP 500 with Mandrill's `Invalid_Key` error, as Mandrill);
- waits `latency` seconds (each call in its own thread, so calls at once wait at once);
- for each recipient in `message.to`: merges `*|NAME|*` fields (Mandrill's default "mailchimp"
  merge language, names without case) into the subject, text and HTML from the recipient's
  `merge_vars`, else `global_merge_vars`; a field with no value is left as it is, so a test sees
  it;
- answers, per recipient, `sent` with an id, or `rejected` (reason `hard-bounce`) when the
  address matches `reject`, or `invalid` when it matches `invalid`: Mandrill's answer format;
- `fail_calls` calls from now answer `fail_status` (500 by default) with Mandrill's error body,
  and send nothing.

Use it in a test (`with ProviderStub(latency=0) as stub:` then `stub.url` as
ANYMAIL["MANDRILL_API_URL"] and `stub.api_key` as ANYMAIL["MANDRILL_API_KEY"]; `stub.mails`,
`stub.calls`), or run it for a benchmark: `python bench/provider_stub.py PORT [--latency-ms 50]
[--no-record] [--dir D]`; `GET /stub/stats` gives the counts as JSON. With `--dir` it writes
each mail as the drills' SMTP relay does (ops/drills, `--provider`). Not for production.
"""

import argparse
import itertools
import json
import re
import socket
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

API_PATH = "/api/1.0/"
SEND_PATH = API_PATH + "messages/send.json"
MERGE_FIELD = re.compile(r"\*\|([A-Za-z0-9_:]+)\|\*")


def merge(text: str, values: dict[str, str]) -> str:
    """Mandrill's merge of `*|NAME|*` fields: names without case, values inserted as they are."""
    return MERGE_FIELD.sub(lambda m: values.get(m[1].lower(), m[0]), text or "")


class ProviderStub:
    def __init__(
        self,
        *,
        latency: float = 0.05,
        reject: str | None = None,
        invalid: str | None = None,
        api_key: str = "stub-key",
        record: bool = True,
        port: int = 0,
        folder: str | None = None,
    ):
        self.latency = latency
        self.reject = re.compile(reject) if reject else None
        self.invalid = re.compile(invalid) if invalid else None
        self.api_key = api_key
        self.record = record
        self.fail_calls = 0
        self.fail_status = 500
        self.calls = 0  # calls answered with per-recipient results
        self.failed_calls = 0
        self.mails: list[dict] = []  # one per accepted recipient (all fields when `record`)
        self.accepted = self.refused = 0
        self._lock = threading.Lock()
        # With a folder: every mail written there as the drills' SMTP relay writes it
        # (ops/drills/smtp_relay.py: mail/<n>.eml and a line in log.jsonl), not kept in memory.
        self.folder = Path(folder) if folder else None
        if self.folder:
            (self.folder / "mail").mkdir(parents=True, exist_ok=True)
            self._log = (self.folder / "log.jsonl").open("a", encoding="utf-8", buffering=1)
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{API_PATH}"

    def start(self) -> "ProviderStub":
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "ProviderStub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fail_next(self, calls: int = 1, status: int = 500) -> None:
        self.fail_calls, self.fail_status = calls, status

    def stats(self) -> dict:
        return {
            "calls": self.calls,
            "failed_calls": self.failed_calls,
            "accepted": self.accepted,
            "refused": self.refused,
        }

    # --- one call ---------------------------------------------------------------------------

    def answer(self, body: dict) -> tuple[int, object]:
        time.sleep(self.latency)
        if body.get("key") != self.api_key:
            return 500, _error("Invalid_Key", "Invalid API key")
        with self._lock:
            if self.fail_calls:
                self.fail_calls -= 1
                self.failed_calls += 1
                return self.fail_status, _error("GeneralError", "The stub was told to fail")
            self.calls += 1
            call = self.calls
        message = body.get("message") or {}
        global_values = _values(message.get("global_merge_vars"))
        own_values = {
            entry["rcpt"].lower(): _values(entry.get("vars"))
            for entry in message.get("merge_vars") or []
        }
        metadata = {
            entry["rcpt"].lower(): entry.get("values") or {}
            for entry in message.get("recipient_metadata") or []
        }
        results, mails = [], []
        for recipient in message.get("to") or []:
            address = recipient["email"]
            if self.invalid and self.invalid.search(address):
                results.append(_result(address, "invalid"))
                continue
            if self.reject and self.reject.search(address):
                results.append(_result(address, "rejected", "hard-bounce"))
                continue
            message_id = f"stub-{next(self._ids)}"
            results.append(_result(address, "sent", None, message_id))
            if self.record:
                values = {**global_values, **own_values.get(address.lower(), {})}
                mails.append(
                    {
                        "call": call,
                        "id": message_id,
                        "to": address,
                        "from_email": message.get("from_email"),
                        "from_name": message.get("from_name"),
                        "subject": merge(message.get("subject"), values),
                        "text": merge(message.get("text"), values),
                        "html": merge(message.get("html"), values),
                        "headers": message.get("headers") or {},
                        "metadata": {
                            **(message.get("metadata") or {}),
                            **metadata.get(address.lower(), {}),
                        },
                        "images": [image.get("name") for image in message.get("images") or []],
                        "preserve_recipients": message.get("preserve_recipients"),
                    }
                )
        with self._lock:
            if self.folder:
                for mail in mails:
                    self._write(mail)
            else:
                self.mails.extend(mails)
            self.accepted += sum(r["status"] == "sent" for r in results)
            self.refused += sum(r["status"] != "sent" for r in results)
        return 200, results

    def _write(self, mail: dict) -> None:
        message = EmailMessage()
        message["From"] = f"{mail['from_name']} <{mail['from_email']}>"
        message["To"] = mail["to"]
        message["Subject"] = mail["subject"]
        invitation = mail["metadata"].get("invitation") or mail["headers"].get("X-ESS-Invitation")
        if invitation:
            message["X-ESS-Invitation"] = invitation
        message.set_content(mail["text"])
        message.add_alternative(mail["html"], subtype="html")
        name = f"{mail['id']}.eml"
        (self.folder / "mail" / name).write_bytes(bytes(message))
        entry = {"t": time.time(), "event": "accepted", "invitation": invitation}
        self._log.write(json.dumps({**entry, "to": [mail["to"]], "file": name}) + "\n")

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # kept-alive connections, as requests' session uses

            def setup(self) -> None:
                super().setup()
                # The answer goes out at once, as a provider's does (no Nagle wait for the
                # client's delayed ACK between the headers and the body: 40 ms a call).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path != SEND_PATH:
                    self.reply(404, _error("Unknown_Method", f"no such method {self.path}"))
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self.reply(500, _error("ValidationError", "You must specify a key value"))
                    return
                self.reply(*stub.answer(body))

            def do_GET(self) -> None:
                if self.path == "/stub/stats":
                    self.reply(200, stub.stats())
                else:
                    self.reply(404, _error("Unknown_Method", self.path))

            def reply(self, status: int, payload) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
                pass

        return Handler


def _values(entries) -> dict[str, str]:
    return {entry["name"].lower(): str(entry.get("content", "")) for entry in entries or []}


def _result(email: str, status: str, reason: str | None = None, message_id: str = "") -> dict:
    result = {"email": email, "status": status, "reject_reason": reason}
    if message_id:
        result["_id"] = message_id
    return result


def _error(name: str, text: str) -> dict:
    return {"status": "error", "code": -1, "name": name, "message": text}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--api-key", default="stub-key")
    parser.add_argument("--no-record", action="store_true", help="count the mails only")
    parser.add_argument("--dir", help="write every mail there, as ops/drills/smtp_relay.py does")
    args = parser.parse_args()
    stub = ProviderStub(
        latency=args.latency_ms / 1000,
        api_key=args.api_key,
        record=not args.no_record,
        port=args.port,
        folder=args.dir,
    )
    stub.server.serve_forever()
