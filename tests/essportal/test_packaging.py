"""The container image: what the build context sends into it, and what the Dockerfile bakes in.

No Docker daemon runs in the test environments, so `.dockerignore` is read here with Docker's own
rules (github.com/moby/patternmatcher, as `docker build` and BuildKit apply them): patterns are
relative to the top of the checkout, `*` stays within one folder, `**` spans any number, a pattern
that matches a folder leaves out everything in it, and the last matching line wins, `!` putting a
path back.
"""

import posixpath
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_FOLDERS = [
    "essportal",
    "employees",
    "employers",
    "invitations",
    "templates",
    "static",
    "locale",
]


def _compile(pattern: str) -> re.Pattern:
    regex = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex, index = regex + "(.*/)?", index + 3
        elif pattern.startswith("**", index):
            regex, index = regex + ".*", index + 2
        elif pattern[index] == "*":
            regex, index = regex + "[^/]*", index + 1
        elif pattern[index] == "?":
            regex, index = regex + "[^/]", index + 1
        else:
            regex, index = regex + re.escape(pattern[index]), index + 1
    return re.compile(regex)


def _patterns() -> list[tuple[bool, re.Pattern]]:
    patterns = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        line = posixpath.normpath(line.removeprefix("!")).lstrip("/")
        patterns.append((keep, _compile(line)))
    return patterns


def left_out(path: str, patterns=None) -> bool:
    """Whether `docker build` leaves this path (relative to the checkout) out of the context."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for keep, regex in patterns if patterns is not None else _patterns():
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not keep
    return excluded


def test_the_reader_follows_dockers_rules():
    patterns = [(False, _compile(p)) for p in ["var", "*.log", "**/__pycache__"]]
    patterns.append((True, _compile("keep.log")))
    assert left_out("var/mail/a.eml", patterns)
    assert not left_out("employees/var/x.py", patterns)
    assert left_out("gunicorn.log", patterns)
    assert not left_out("logs/gunicorn.log", patterns)
    assert not left_out("keep.log", patterns)
    assert left_out("__pycache__/a.pyc", patterns)
    assert left_out("employees/payroll/__pycache__/pdf.cpython-311.pyc", patterns)


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        "db.sqlite3",
        "db.sqlite3-journal",
        "var/media/logos/employer-1.png",
        "var/mail/20260410-120000-invitation.eml",
        ".venv/bin/python",
        "node_modules/axe-core/axe.min.js",
        ".git/config",
        "employees/__pycache__/models.cpython-311.pyc",
        "essportal/settings.pyc",
        "staticfiles/css/app.css",
        ".pytest_cache/v/cache/nodeids",
        ".ruff_cache/0.8.0/12345",
        ".import_linter_cache/layers.json",
        ".coverage",
        "htmlcov/index.html",
        "test-results/trace.zip",
        "bench/portal_load.py",
        "bench/results-2026-04.txt",
        "build/lib/essportal/settings.py",
    ],
)
def test_the_image_leaves_out_secrets_local_data_caches_and_test_output(path):
    assert left_out(path)


def test_the_image_keeps_every_file_the_application_runs_on():
    patterns = _patterns()
    needed = [
        "manage.py",
        "gunicorn.conf.py",
        "requirements.lock",
        "pyproject.toml",
        ".env.example",
        "employees/payroll/fonts/DejaVuSans.ttf",
        "employees/payroll/fonts/DejaVuSans-Bold.ttf",
        "employees/payroll/fonts/LICENSE",
    ]
    for folder in APP_FOLDERS:
        needed += [
            path.relative_to(ROOT).as_posix()
            for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        ]
    assert "locale/nl/LC_MESSAGES/django.mo" in needed
    assert [path for path in needed if left_out(path, patterns)] == []


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", dockerfile)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_dockerfile_copies_only_the_lock_file_and_the_filtered_checkout():
    instructions = _instructions((ROOT / "Dockerfile").read_text())
    copied = [args.split()[:-1] for op, args in instructions if op in ("COPY", "ADD")]
    assert copied == [["requirements.lock"], ["."]]
    assert not [op for op, _ in instructions if op in ("ARG", "ADD")]


def test_no_secret_is_baked_into_an_image_layer():
    instructions = _instructions((ROOT / "Dockerfile").read_text())
    env_names = {
        name for op, args in instructions if op == "ENV" for name in re.findall(r"(\w+)=", args)
    }
    assert env_names == {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "DEBUG"}
    # collectstatic needs some SECRET_KEY; the one the build uses is a placeholder, not a secret.
    for op, args in instructions:
        for value in re.findall(r"SECRET_KEY=(\S+)", args):
            assert op == "RUN" and value.startswith("build-only-")


def test_compose_hands_the_settings_to_the_containers_at_run_time_not_to_the_build():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r"^\s+build: \.$", compose, re.MULTILINE)
    assert not re.search(r"^\s+(args|secrets):", compose, re.MULTILINE)
    assert re.search(r"^\s+env_file: \.env$", compose, re.MULTILINE)


def _compose_services() -> dict[str, list[str]]:
    """Each service of docker-compose.yml with its own lines (two-space keys under `services:`;
    no YAML library is installed, and the file keeps that layout)."""
    services: dict[str, list[str]] = {}
    current = None
    in_services = False
    for line in (ROOT / "docker-compose.yml").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_services = line.rstrip() == "services:"
            current = None
            continue
        if in_services and re.match(r"^  [\w-]+:\s*$", line):
            current = line.strip().rstrip(":")
            services[current] = []
        elif in_services and current:
            services[current].append(line.strip())
    return services


def test_every_compose_service_is_started_again_when_it_exits():
    services = _compose_services()
    assert set(services) == {"web", "worker", "beat", "db", "redis", "mailpit"}
    for name, lines in services.items():
        assert "restart: unless-stopped" in lines, name
