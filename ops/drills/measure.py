"""What a drill measures: the relay's record of mails, the outbox in the database, the links in
the mails, and pages through gunicorn (signed in as HR or as an employee)."""

import contextlib
import email
import json
import re
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

import requests

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- the relay's record


def relay_log(relay_dir: Path) -> list[dict]:
    path = relay_dir / "log.jsonl"
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        # The last line may be half-written.
        with contextlib.suppress(ValueError):
            entries.append(json.loads(line))
    return entries


def accepted(relay_dir: Path) -> list[dict]:
    return [entry for entry in relay_log(relay_dir) if entry["event"] == "accepted"]


def link_in_mail(path: Path, site_url: str) -> str | None:
    """The invitation link in the mail's text part."""
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content() if part else ""
    found = re.search(re.escape(site_url) + r"/invite/[A-Za-z0-9_-]+/", text)
    return found.group(0) if found else None


# --- the figures


@dataclass
class Figures:
    mails_sent: int = 0
    invitations_mailed: int = 0
    duplicates: int = 0  # mails beyond the first for the same invitation
    recipients_mailed_twice_same_invitation: int = 0
    recipients_with_several_invitations: int = 0
    lost: int = 0  # invitations of the grant never mailed
    invitations: int = 0
    mail_states: dict = field(default_factory=dict)
    refused_at_rcpt: int = 0
    refused_after_data: int = 0
    first_mail_at: float | None = None
    last_first_mail_at: float | None = None
    links: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            f"mails sent (accepted by the relay): {self.mails_sent}",
            f"distinct invitations mailed:         {self.invitations_mailed} of {self.invitations}",
            f"duplicates (same invitation again):  {self.duplicates}"
            f" (recipients mailed twice for one invitation: "
            f"{self.recipients_mailed_twice_same_invitation};"
            f" recipients with several invitations: {self.recipients_with_several_invitations})",
            f"lost (never mailed at the end):      {self.lost}",
            f"outbox at the end:                   {self.mail_states}",
            f"relay refusals:                      {self.refused_at_rcpt} at RCPT (451), "
            f"{self.refused_after_data} after DATA (451)",
            f"links in the mails:                  {self.links or 'not checked'}",
        ]


def figures(relay_dir: Path, invitation_states: dict[int, str]) -> Figures:
    """`invitation_states`: the grant's invitations (id -> mail_status) at the end."""
    log = relay_log(relay_dir)
    mails = [entry for entry in log if entry["event"] == "accepted"]
    per_invitation = Counter(entry["invitation"] for entry in mails)
    per_pair = Counter((entry["invitation"], tuple(entry["to"])) for entry in mails)
    invitations_of = {}
    for entry in mails:
        for to in entry["to"]:
            invitations_of.setdefault(to, set()).add(entry["invitation"])
    first_mail = {}
    for entry in mails:
        first_mail.setdefault(entry["invitation"], entry["t"])
    mailed_ids = {int(i) for i in per_invitation if i}
    return Figures(
        mails_sent=len(mails),
        invitations_mailed=len(mailed_ids & set(invitation_states)),
        duplicates=sum(count - 1 for count in per_invitation.values()),
        recipients_mailed_twice_same_invitation=sum(1 for c in per_pair.values() if c > 1),
        recipients_with_several_invitations=sum(
            1 for ids in invitations_of.values() if len(ids) > 1
        ),
        lost=len(set(invitation_states) - mailed_ids),
        invitations=len(invitation_states),
        mail_states=dict(Counter(invitation_states.values())),
        refused_at_rcpt=sum(1 for entry in log if entry["event"] == "rcpt_451"),
        refused_after_data=sum(1 for entry in log if entry["event"] == "data_451"),
        first_mail_at=min(first_mail.values(), default=None),
        last_first_mail_at=max(first_mail.values(), default=None),
    )


def check_links(relay_dir: Path, site_url: str, *, threads: int = 8) -> dict[str, int]:
    """GET every link of every accepted mail through gunicorn: a working link ends on the
    birth-date page (200), a dead one on "not valid" (404) or "no longer valid" (410)."""
    paths = [relay_dir / "mail" / entry["file"] for entry in accepted(relay_dir)]

    def one(path: Path) -> str:
        link = link_in_mail(path, site_url)
        if link is None:
            return "no link in the mail"
        try:
            # A session of its own per link: each opened link starts its own activation.
            response = requests.get(link, timeout=30)
        except requests.RequestException as exc:
            return f"error {type(exc).__name__}"
        if response.status_code == 200 and response.url.endswith("/activate/"):
            return "working (200)"
        return f"dead ({response.status_code})"

    with ThreadPoolExecutor(threads) as pool:
        return dict(Counter(pool.map(one, paths)))


# --- pages


class Browser:
    """A signed-in visitor: requests' session with Django's CSRF dance."""

    def __init__(self, site_url: str):
        self.site_url = site_url
        self.session = requests.Session()

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.site_url + path

    def get(self, path: str, timeout: float = 30) -> requests.Response:
        return self.session.get(self.url(path), timeout=timeout)

    def post_form(self, path: str, data: dict, timeout: float = 60) -> requests.Response:
        """GET the form (for its CSRF token), then POST it."""
        page = self.get(path, timeout=timeout)
        return self.post_to(page, data, timeout=timeout)

    def post_to(self, page: requests.Response, data: dict, timeout: float = 60):
        token = CSRF_FIELD.search(page.text)
        payload = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        return self.session.post(
            page.url, data=payload, timeout=timeout, headers={"Referer": page.url}
        )

    def sign_in_hr(self, username: str, password: str) -> bool:
        """Whether HR's sign-in let us in (a refusal shows the form again)."""
        response = self.post_form("/hr/login/", {"username": username, "password": password})
        return response.status_code == 200 and not response.url.endswith("/login/")

    def activate(self, link: str, birth_date, username: str, password: str) -> str:
        """Open the link, answer the birth date, choose credentials. Returns the outcome."""
        page = self.get(link)
        if page.status_code != 200:
            return f"link {page.status_code}"
        answer = self.post_to(
            page,
            {"day": birth_date.day, "month": birth_date.month, "year": birth_date.year},
        )
        if answer.status_code == 429:
            return "refused (429)"
        if answer.status_code != 200 or not answer.url.endswith("/activate/account/"):
            return f"birth date {answer.status_code}"
        done = self.post_to(
            answer, {"username": username, "password1": password, "password2": password}
        )
        if done.status_code == 200 and done.url.rstrip("/") == self.site_url:
            return "activated"
        return f"credentials {done.status_code} {done.url}"


@dataclass
class PageTimes:
    """Per page: (status, seconds) of each request."""

    samples: dict[str, list[tuple[int | str, float]]] = field(default_factory=dict)

    def take(self, browser: Browser, name: str, path: str, timeout: float = 30) -> None:
        started = time.monotonic()
        try:
            status = browser.get(path, timeout=timeout).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        self.samples.setdefault(name, []).append((status, time.monotonic() - started))

    def add(self, name: str, status, seconds: float) -> None:
        self.samples.setdefault(name, []).append((status, seconds))

    def summary(self) -> dict[str, str]:
        out = {}
        for name, samples in self.samples.items():
            times = [seconds * 1000 for _status, seconds in samples]
            statuses = Counter(str(status) for status, _seconds in samples)
            out[name] = (
                f"{dict(statuses)} median {statistics.median(times):.0f} ms, "
                f"max {max(times):.0f} ms ({len(samples)} requests)"
            )
        return out
