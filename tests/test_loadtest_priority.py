"""The load test's browsers yield the CPU to the server, whole scheduling groups at a time.

With autogroups on (Debian's default), every process session is one scheduling
group and groups share the CPU as equals whatever their threads' policy. Chromium
starts in a session of its own, so its SCHED_IDLE threads still competed with the
server as an equal group. ``_yield_autogroups`` lowers the groups of every process
below the caller; these tests build such a tree: a child in a session of its own,
which starts a grandchild in another.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.loadtest_support import load_loadtest

pytestmark = pytest.mark.skipif(not Path("/proc/self/autogroup").exists(),
                                reason="this kernel has no autogroups")

TREE = """
import subprocess, sys, time
grandchild = subprocess.Popen(["sleep", "60"], start_new_session=True)
print(grandchild.pid, flush=True)
sys.stdin.read()
grandchild.kill()
"""


def _autogroup(pid: int) -> str:
    return Path(f"/proc/{pid}/autogroup").read_text().strip()


@pytest.fixture
def tree_in_our_group():
    """A child in this process's own group (as a server or browser fixture would be)."""
    child = subprocess.Popen(["sleep", "60"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


@pytest.fixture
def tree():
    child = subprocess.Popen([sys.executable, "-c", TREE], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        grandchild = int(child.stdout.readline())
        yield child.pid, grandchild
    finally:
        child.communicate("", timeout=10)


def test_descendants_reach_past_a_new_session(tree):
    lt = load_loadtest()
    child, grandchild = tree
    found = lt._descendants(os.getpid())
    assert child in found and grandchild in found
    assert os.getpid() not in found


def test_every_group_below_is_lowered_and_the_callers_own_is_not(tree, tree_in_our_group):
    lt = load_loadtest()
    child, grandchild = tree
    own = _autogroup(os.getpid())
    assert _autogroup(tree_in_our_group) == own
    assert _autogroup(child) != own and _autogroup(grandchild) != _autogroup(child)

    assert lt._yield_autogroups() >= 2

    for pid in tree:
        assert _autogroup(pid).endswith(f"nice {lt.AUTOGROUP_NICE}"), _autogroup(pid)
    # pytest does not lead its session: its group holds its parents (the shell, CI) too,
    # so neither it nor a child left in it is lowered
    assert _autogroup(os.getpid()) == own
    assert _autogroup(tree_in_our_group) == own


def test_the_root_group_reads_empty_and_has_a_name():
    # init's session is in the root group, whose file reads empty: CI runs pytest there
    lt = load_loadtest()
    if Path("/proc/1/autogroup").read_text().strip():
        pytest.skip("init is in an autogroup of its own on this machine")
    assert lt._autogroup_of(1) == lt.ROOT_AUTOGROUP


def test_a_caller_in_the_root_group_lowers_the_groups_below(tree, tree_in_our_group,
                                                          monkeypatch):
    """As under a CI runner that starts pytest in init's session (this failed there).

    Everything in pytest's own group plays the root group; the writes are only
    recorded, since in the full suite pytest has other children (servers,
    browsers) whose groups are not this test's to change.
    """
    lt = load_loadtest()
    real = lt._autogroup_of
    ours = real(os.getpid())
    monkeypatch.setattr(lt, "_autogroup_of",
                        lambda pid: lt.ROOT_AUTOGROUP if real(pid) == ours else real(pid))
    lowered = []
    monkeypatch.setattr(Path, "write_text",
                        lambda path, text, *a, **k: lowered.append(int(path.parts[2])))

    assert lt._yield_autogroups() == len(lowered)
    assert set(tree) <= set(lowered)
    assert tree_in_our_group not in lowered and os.getpid() not in lowered
    assert all(real(pid) != ours for pid in lowered)
