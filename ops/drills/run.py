"""Run one fault drill: `python ops/drills/run.py <drill> [--employees N] [...]`.

`python ops/drills/run.py --list` names the drills. Each starts its own stack (ops/drills/stack.py)
on private ports, never the shared PostgreSQL or Redis, and removes it at the end, on failure and
on Ctrl-C too. See ops/drills/README.md.
"""

import argparse
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ops.drills.drills import DRILLS, Options  # noqa: E402 - after the path is set


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drill", nargs="?", choices=sorted(DRILLS))
    parser.add_argument("--list", action="store_true", help="name the drills and stop")
    defaults = Options()
    parser.add_argument("--employees", type=int, default=defaults.employees)
    parser.add_argument(
        "--timeout", type=float, default=defaults.timeout, help="seconds for the whole grant"
    )
    parser.add_argument("--settle", type=float, default=defaults.settle)
    parser.add_argument("--fault-at", type=float, default=defaults.fault_at)
    parser.add_argument("--outage", type=float, default=defaults.outage)
    parser.add_argument("--pause", type=float, default=defaults.pause)
    parser.add_argument("--latency", type=float, default=defaults.latency)
    parser.add_argument("--activations", type=int, default=defaults.activations)
    parser.add_argument(
        "--provider",
        action="store_true",
        help="mail through a provider's API (bench/provider_stub.py, batch sending), not SMTP",
    )
    parser.add_argument(
        "--provider-latency", type=float, default=defaults.provider_latency, help="seconds a call"
    )
    parser.add_argument("--no-links", action="store_true", help="do not check every mail's link")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args(argv)
    if args.list or not args.drill:
        for name, drill in DRILLS.items():
            print(f"{name:18} {drill.summary}")
        return 0
    options = Options(
        employees=args.employees,
        timeout=args.timeout,
        settle=args.settle,
        fault_at=args.fault_at,
        outage=args.outage,
        pause=args.pause,
        latency=args.latency,
        activations=args.activations,
        check_links=not args.no_links,
        provider=args.provider,
        provider_latency=args.provider_latency,
        keep=args.keep,
    )

    drill = DRILLS[args.drill](options)

    def stop(signum, frame):
        # Cleaned up here rather than by raising KeyboardInterrupt: a library on the way (the
        # database driver, the broker client) may catch that, and the stack would live on.
        stack = getattr(drill, "stack", None)
        if stack is not None and stack.closed:
            return  # already ending: let it finish
        print(f"\nstopped by signal {signum}: ending the stack", file=sys.stderr, flush=True)
        if stack is not None:
            stack.close()
        os._exit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    result = drill.run()
    print(result.report(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
