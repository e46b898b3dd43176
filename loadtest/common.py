"""What every part of the load test shares: the links, targets and options of the scenario,
its error, its clock, the loopback rule, and how a session's step fails."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
_LOOPBACK = re.compile(r"^(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?(?:/|$)")


class LoadTestError(RuntimeError):
    pass


def _now() -> float:
    return time.monotonic()


def _check_loopback(url: str) -> None:
    if not _LOOPBACK.match(url):
        raise LoadTestError(f"only 127.0.0.1 / localhost servers may be load-tested, not {url}")


DEFAULT_LINK = ""
XOR_LINK = "dataset=xor&hidden=4&init=uniform"
# The live run is long enough that no session finishes it before its Pause, even
# with the classroom spread over several replicas.
MOONS_LINK = ("dataset=moons&samples=200&hidden=8&bias=true&init=xavier&loss=bce"
              "&lr=0.3&epochs=1000000")
TARGET_EPOCHS = 200_000             # the XOR link trains to the default 200,000 epochs
LIVE_EPOCHS = 1_000_000             # the moons link's target

# Pass/fail targets for a classroom of 40.
TARGETS = {
    "first_chart_s": 3.0,           # every session sees its first chart within
    "final_s": 10.0,                # Train -> final result, every session
    "live_fps": 1.0,                # live frames per second, every session, all training
    "pause_s": 0.5,                 # Pause -> script_finished, every session
    "idle_mb_per_session": 10.0,    # (idle RSS - baseline) / sessions
    "leave_slack_mb": 50.0,         # after leaving: <= baseline * (1 + frac) + slack
    "leave_slack_frac": 0.10,
}




@dataclass
class Options:
    sessions: int = 40
    browsers: int = 0
    # The tabs' nice level: at 19 they get only the cores the server leaves, as tabs on
    # the students' own machines would take none of its.
    browsers_nice: int = 0
    duration_limit: float = 120.0
    ramp: float = 0.0               # seconds over which the sessions connect
    live_seconds: float = 10.0      # the window in which every session trains
    live_warmup: float = 1.0        # after Train, before the window opens
    pause_spread: float = 5.0       # Pause presses spread over this many seconds
    leave_wait: float = 75.0         # > disconnectedSessionTTL + the janitor's period
    idle_settle: float = 3.0
    warm_urls: tuple[str, ...] = ()  # each replica directly (default: the url itself)
    seed: int = 0
    verbose: bool = True


def _log(opts: Options, text: str) -> None:
    if opts.verbose:
        print(f"[loadtest {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


async def _guard(s, coro, what: str) -> None:
    """Run one session's step; a failure marks the session failed instead of raising."""
    if s.errors:
        coro.close()
        return
    try:
        await coro
    except Exception as err:  # noqa: BLE001 - every failure is reported per session
        s.errors.append(f"{what}: {type(err).__name__}: {err}")
