"""Benchmark: the cost of one Argon2id password hash, and the memory of 20 logins at once.

Run with `make bench` (or `python bench/argon2_cost.py`). For the parameters of the hasher the
settings use (first in PASSWORD_HASHERS), Django's own defaults, and a few alternatives it prints:

- the median time of one hash (a login verifies one hash: the same cost) over several runs;
- the peak memory of 20 simultaneous logins: 20 threads hashing at once (argon2-cffi releases
  the GIL) in a fresh child process, measured as the growth of the process's high-water mark
  (VmHWM in /proc/self/status) over its value before the threads start.

Nothing is asserted. Guidance (RFC 9106 section 4, OWASP Password Storage Cheat Sheet): argon2id,
at least m=19 MiB, t=2, p=1; more memory is better as long as a login stays quick and the server
survives a burst of logins.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

from common import QUICK, ROOT, machine

# (label, time_cost, memory_cost in KiB, parallelism)
ALTERNATIVES = [
    ("OWASP minimum", 2, 19 * 1024, 1),
    ("OWASP alt. m=46 MiB t=1", 1, 46 * 1024, 1),
    ("m=32 MiB t=2 p=1", 2, 32 * 1024, 1),
    ("m=64 MiB t=2 p=1", 2, 64 * 1024, 1),
    ("m=64 MiB t=3 p=1", 3, 64 * 1024, 1),
    ("Django default m=100 MiB t=2 p=8", 2, 100 * 1024, 8),
    ("m=100 MiB t=2 p=1", 2, 100 * 1024, 1),
]
LOGINS = 20


def hash_once(time_cost: int, memory_cost: int, parallelism: int) -> float:
    from argon2 import low_level

    start = time.perf_counter()
    low_level.hash_secret(
        b"correct horse battery staple",
        os.urandom(16),
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        hash_len=32,
        type=low_level.Type.ID,
    )
    return time.perf_counter() - start


def vm_hwm_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def child(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """In a fresh process: 20 logins at once; print the wall time and the memory growth."""
    hash_once(2, 8, 1)  # load the library before the baseline
    before = vm_hwm_kib()
    barrier = threading.Barrier(LOGINS)

    def login():
        barrier.wait()
        hash_once(time_cost, memory_cost, parallelism)

    threads = [threading.Thread(target=login) for _ in range(LOGINS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    print(json.dumps({"wall": wall, "peak_kib": vm_hwm_kib() - before}))


def burst(time_cost: int, memory_cost: int, parallelism: int) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", f"{time_cost},{memory_cost},{parallelism}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def configured() -> tuple[str, int, int, int]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essportal.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.contrib.auth.hashers import get_hasher

    hasher = get_hasher()
    return (
        f"settings: {type(hasher).__module__}.{type(hasher).__name__}",
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5 if QUICK else 9)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(*(int(v) for v in args.child.split(",")))
        return

    current = configured()
    print(f"machine: {machine()}")
    print(f"{LOGINS} logins at once: wall time and growth of the peak RSS (VmHWM) of the process")
    print(
        f"{'parameters':<56}{'t':>3}{'m MiB':>7}{'p':>3}{'1 hash ms':>11}{'ratio':>7}"
        f"{'burst s':>9}{'burst MiB':>11}"
    )
    rows = [current] + [row for row in ALTERNATIVES if row[1:] != current[1:]]
    timings = {row: [] for row in rows}
    for _ in range(args.runs):  # interleaved, so that noise hits every row alike
        for row in rows:
            timings[row].append(hash_once(*row[1:]))
    base = statistics.median(timings[current])
    for row in rows:
        label, t, m, p = row
        one = statistics.median(timings[row])
        result = burst(t, m, p)
        print(
            f"{label:<56}{t:>3}{m / 1024:>7.0f}{p:>3}{one * 1000:>11.1f}{one / base:>6.2f}x"
            f"{result['wall']:>9.2f}{result['peak_kib'] / 1024:>11.0f}"
        )
    print("ratio = time of one hash / time with the configured parameters (first row)")


if __name__ == "__main__":
    main()
