"""The mail backend of `make run`: each mail is one line in the terminal (time, recipient, subject
and the first link in it, so the activation or reset link is easy to find) and the whole message
is written as an .eml file to EMAIL_FILE_PATH (var/mail/), where any mail program opens it.

A custom backend as Django documents it: a BaseEmailBackend with send_messages()."""

import datetime
import itertools
import os
import re
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

LINK = re.compile(r"https?://[^\s<>\"')]+")
_counter = itertools.count(1)
_lock = threading.Lock()


def first_link(message) -> str:
    """The first link of the plain-text body, else of an HTML alternative."""
    bodies = [message.body or ""]
    bodies += [content for content, _mimetype in getattr(message, "alternatives", [])]
    for body in bodies:
        match = LINK.search(str(body))
        if match:
            return match[0]
    return ""


def summary_line(message, path: Path, *, now: datetime.datetime) -> str:
    """One line: time, to, subject, first link, and where the full message is."""
    subject = " ".join(str(message.subject).split())
    parts = [f"[mail {now:%H:%M:%S}]", ", ".join(message.to) or "(no recipient)", f"«{subject}»"]
    link = first_link(message)
    if link:
        parts.append(link)
    parts.append(f"({path})")
    return " ".join(parts)


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args, file_path=None, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        folder = file_path or getattr(settings, "EMAIL_FILE_PATH", "")
        self.folder = Path(folder or Path(settings.BASE_DIR) / "var" / "mail")
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            now = datetime.datetime.now()
            with _lock:
                number = next(_counter)
            path = self.folder / f"{now:%Y%m%d-%H%M%S}-{os.getpid()}-{number:04d}.eml"
            try:
                path.write_bytes(message.message().as_bytes(linesep="\n"))
                self.stream.write(summary_line(message, path, now=now) + "\n")
                self.stream.flush()
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent
