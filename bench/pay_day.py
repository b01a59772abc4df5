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
    """Figures in wrk's units (latency in µs) for portal_load.py's table."""
    address = urlsplit(base)
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def employee(session: dict) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
        headers = {"Cookie": f"sessionid={session['cookie']}"}
        # Arrive at random moments, not all at once.
        time.sleep(random.uniform(0, think_ms / 1000))
        while time.monotonic() < stop:
            for page in pages:
                started = time.perf_counter()
                try:
                    connection.request("GET", page.format(**session), headers=headers)
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except OSError:
                    ok = False
                    connection.close()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok
                time.sleep(random.uniform(think_ms / 2000, think_ms * 3 / 2000))
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
        "requests": len(latencies),
        "seconds": duration,
        "rps": len(latencies) / duration,
        "errors": errors[0],
        "p50": percentile(latencies, 0.50) * 1e6,
        "p95": percentile(latencies, 0.95) * 1e6,
        "p99": percentile(latencies, 0.99) * 1e6,
    }
