"""Pay day for bench/portal_load.py: employees who read each page before they open the next.

wrk cannot measure this: with pauses (its delay()), its correction for coordinated omission
takes every pause for a stalled server and reports invented latencies (a do-nothing view showed
a p95 of ~320 ms at 45 requests a second; this client measured 1.9 ms for it). So each
employee here is a thread with its own kept-alive HTTP connection and session cookie, opening
the given pages in turn with a random pause between two, and timing each answer. At a few dozen
requests a second the threads mostly sleep, so the client's own cost stays out of the figures.
"""

import http.client
import random
import threading
import time
from urllib.parse import urlsplit

from common import percentile


def run_pay_day(
    base: str, employees: list[dict], pages: list[str], seconds: float, think_ms: int
) -> dict:
    """Figures in wrk's units (latency in µs) for portal_load.py's table. A failed request
    counts as an error and is left out of the latencies."""
    address = urlsplit(base)
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def pause() -> None:
        wanted = random.uniform(think_ms / 2000, think_ms * 3 / 2000)
        time.sleep(max(0.0, min(wanted, stop - time.monotonic())))

    def employee(session: dict) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
        headers = {"Cookie": f"sessionid={session['cookie']}"}
        # Arrive at random moments, not all at once.
        time.sleep(random.uniform(0, think_ms / 1000))
        while time.monotonic() < stop:
            for page in pages:
                elapsed = fetch(connection, page.format(**session), headers)
                with lock:
                    if elapsed is None:
                        errors[0] += 1
                    else:
                        latencies.append(elapsed)
                pause()
                if time.monotonic() >= stop:
                    break
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=employee, args=(session,)) for session in employees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    return {
        "requests": len(latencies) + errors[0],
        "seconds": duration,
        "rps": len(latencies) / duration,
        "errors": errors[0],
        "p50": percentile(latencies, 0.50) * 1e6 if latencies else 0,
        "p95": percentile(latencies, 0.95) * 1e6 if latencies else 0,
        "p99": percentile(latencies, 0.99) * 1e6 if latencies else 0,
    }


def fetch(connection: http.client.HTTPConnection, path: str, headers: dict) -> float | None:
    """Seconds for one page, or None when it failed. A kept-alive connection the server has
    closed while the employee paused is opened again once, as a browser does, and not timed."""
    for attempt in (1, 2):
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            if attempt == 1:
                continue
            return None
        return time.perf_counter() - started if response.status == 200 else None
    return None
