"""The README's screenshots, taken from the demo data: `make screenshots`.

Builds a throw-away SQLite database with `seed_demo`, serves it with `runserver` on a free port
of 127.0.0.1 (DEBUG on, in-process tasks, mail kept in memory), signs in as the demo HR manager
(password and the demo authenticator's current code) and as a demo employee, and saves each page
at desktop width (1280 px) and phone width (390 px) into docs/screenshots/. Needs Debian's
Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and Playwright for Python; nothing is
downloaded. Rerun it when a page shown in the README changes.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HR_USER = "hr-jansen"
DEMO_PASSWORD = "werknemerloket-demo"  # noqa: S105 - the demo's published password (seed_demo)
# A demo employee who has an account and payslips.
FIND_EMPLOYEE = (
    "from employees.models import Employee; print(Employee.objects.filter("
    "user__is_active=True, payslips__isnull=False).order_by('number')"
    ".values_list('user__username', flat=True).first())"
)

# (file name, path or a callable that finds it, viewport)
HR_PAGES = [
    ("hr-employees-desktop", "/hr/", DESKTOP),
    ("hr-employee-desktop", "employee", DESKTOP),
    ("hr-collective-grant-desktop", "collective", DESKTOP),
    ("hr-employees-phone", "/hr/", PHONE),
]
PORTAL_PAGES = [
    ("portal-home-desktop", "/", DESKTOP),
    ("portal-home-phone", "/", PHONE),
    ("portal-payslips-phone", "/payslips/", PHONE),
    ("portal-payslip-phone", "payslip", PHONE),
    ("portal-leave-phone", "/leave/", PHONE),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "essportal.settings",
    }


def manage(env, *args) -> str:
    done = subprocess.run(  # noqa: S603 - manage.py of this checkout
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def wait_until_up(url: str, server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("runserver stopped before it served a page")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own 127.0.0.1 server
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"no answer from {url}")


def sign_in_hr(page, env) -> None:
    page.goto("/hr/login/")
    page.fill("input[name=username]", HR_USER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(re.compile(r"/two-step/code/$"))
    page.fill("input[name=code]", manage(env, "demo_code", HR_USER).strip())
    page.click("#mfa-code-form button[type=submit]")
    page.wait_for_url(re.compile(r"/hr/employers/\d+/employees/$"))


def sign_in_employee(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    if page.locator("nav.subnav").count() == 0:
        sys.exit(f"the demo employee {username!r} could not sign in (at {page.url})")


def shoot(context, pages, finders) -> None:
    page = context.new_page()
    for name, where, viewport in pages:
        page.set_viewport_size(viewport)
        page.goto(finders[where](page) if where in finders else where)
        page.wait_for_load_state("networkidle")
        path = OUT / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        print(f"  {path.relative_to(ROOT)}")
    page.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        env = environment(Path(folder) / "demo.sqlite3")
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo")
        employee = manage(env, "shell", "--no-imports", "-c", FIND_EMPLOYEE).strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - runserver of this checkout
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base + "/", server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=ARGS
                )
                take(browser, base, env, employee)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


def take(browser, base: str, env, employee: str) -> None:
    hr = browser.new_context(base_url=base, locale="nl")
    page = hr.new_page()
    page.set_viewport_size(DESKTOP)
    sign_in_hr(page, env)
    employee_list = page.url
    page.close()
    finders = {
        "employee": lambda p: (
            p.goto(employee_list),
            p.get_attribute("table tbody tr a[href*='/employees/']", "href"),
        )[1],
        "collective": lambda p: employee_list.replace("/employees/", "/collective/ess/grant/"),
    }
    shoot(hr, HR_PAGES, finders)
    hr.close()

    portal = browser.new_context(base_url=base, locale="nl")
    page = portal.new_page()
    sign_in_employee(page, employee)
    page.close()
    finders = {
        "payslip": lambda p: (
            p.goto(base + "/payslips/"),
            p.get_attribute("table tbody tr a[href^='/payslips/']", "href"),
        )[1],
    }
    shoot(portal, PORTAL_PAGES, finders)
    portal.close()


if __name__ == "__main__":
    main()
