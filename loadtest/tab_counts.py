"""What a Chromium tab drew, counted in the page, and the CPU of Chromium's processes.

Shared by the load test's tabs (``browsers``) and the one-tab measure (``live_view``):
both install ``COUNT_JS`` in the page, read ``READ_JS`` at the start and the end of
a window, and turn the two readings into rates with ``drawn_rates``.
"""

from __future__ import annotations

import contextlib
from collections import Counter

import psutil

from .stats import cpu_seconds

# Counts on every animation frame (only what the page actually drew is seen there):
# the frames, the changes of the Epoch shown, and the Plotly charts built. The counts
# only grow: a reader takes the difference of two readings. Installing it twice in
# one page keeps the first counter. It reads textContent: innerText would lay the page
# out on every frame, and the counter's own cost would count as the page's.
COUNT_JS = """
() => {
  if (window.__liveView) return;
  const m = window.__liveView = {frames: 0, epochChanges: 0, chartsBuilt: 0};
  // The charts already on the page were built before the count began.
  const seen = new WeakSet(document.querySelectorAll('.js-plotly-plot'));
  let last = null;
  const epoch = () => {
    for (const e of document.querySelectorAll('[data-testid=stMetric]')) {
      const label = e.querySelector('[data-testid=stMetricLabel]');
      if (label && label.textContent.trim() === 'Epoch') {
        return e.querySelector('[data-testid=stMetricValue]').textContent;
      }
    }
    return null;
  };
  const tick = () => {
    m.frames++;
    const e = epoch();
    if (e !== null && e !== last) { m.epochChanges++; last = e; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // Plotly marks a chart's div with this class when it builds the chart there.
  new MutationObserver(() => {
    for (const p of document.querySelectorAll('.js-plotly-plot')) {
      if (!seen.has(p)) { seen.add(p); m.chartsBuilt++; }
    }
  }).observe(document.body, {childList: true, subtree: true, attributes: true,
                             attributeFilter: ['class']});
}
"""

# The counter's counts, and what mlp_ui.live_chart's charts drew in place so far
# (``window.__mlpLive``: per chart name, the figures the page received, and the times
# a chart was hidden for want of its element).
READ_JS = """
() => {
  const v = window.__liveView || {}, l = window.__mlpLive || {};
  return {frames: v.frames || 0, epochChanges: v.epochChanges || 0,
          chartsBuilt: v.chartsBuilt || 0, byName: {...(l.byName || {})},
          received: l.received || 0, tweens: l.tweens || 0,
          hidden: Object.values(l.hidden || {}).reduce((a, b) => a + b, 0)};
}
"""

BOUNDARY = "playground-bd"      # the Playground's live decision boundary chart


def drawn_rates(before: dict, after: dict, seconds: float) -> dict:
    """What the page drew between two ``READ_JS`` readings ``seconds`` apart, per second.

    ``epoch_changes_per_s`` counts the changes of the Epoch shown that an animation
    frame saw, i.e. that were drawn; ``in_place_updates_per_s`` the live charts'
    ``Plotly.react`` calls completed (``boundary`` the decision boundary's,
    ``all`` every chart's); ``charts_built`` and ``charts_hidden`` are counts, not
    rates: in place, the live view builds no chart while it trains, and hides none
    (a hidden live chart blinks out until its next figure).
    """
    def rate(n: float) -> float:
        return round(n / seconds, 2)

    names = after["byName"]
    updates = {name: n - before["byName"].get(name, 0) for name, n in names.items()}
    return {"animation_frames_per_s": rate(after["frames"] - before["frames"]),
            "epoch_changes_per_s": rate(after["epochChanges"] - before["epochChanges"]),
            "epoch_changes": after["epochChanges"] - before["epochChanges"],
            "charts_built": after["chartsBuilt"] - before["chartsBuilt"],
            "charts_hidden": after.get("hidden", 0) - before.get("hidden", 0),
            "live_figures_received_per_s": rate(after["received"] - before["received"]),
            # boundary updates the page animated towards (seldom updates only)
            "boundary_tweens": after.get("tweens", 0) - before.get("tweens", 0),
            "in_place_updates_per_s": {
                "boundary": rate(updates.get(BOUNDARY, 0)), "all": rate(sum(updates.values())),
                "by_name": {name: rate(n) for name, n in sorted(updates.items())}}}


def chromium_processes(root: psutil.Process) -> list[tuple[psutil.Process, str]]:
    """``root``'s Chromium descendants, each with its kind (its ``--type``, or "browser")."""
    out = []
    for proc in root.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" not in proc.name():
                continue            # e.g. Playwright's driver (node)
            kind = next((a.split("=", 1)[1] for a in proc.cmdline() if a.startswith("--type=")),
                        "browser")
            out.append((proc, kind))
    return out


def cpu_by_kind(processes) -> Counter:
    """CPU seconds so far per kind of process, over ``(process, kind)`` pairs.

    A process's ended children count as its own (``stats.cpu_seconds``).
    """
    out: Counter = Counter()
    for proc, kind in processes:
        seconds = cpu_seconds(proc.pid)
        if seconds is not None:         # None: it has ended
            out[kind] += seconds
    return out


def cpu_per_update(cpu0: Counter, cpu1: Counter, seconds: float, updates: int) -> dict:
    """Chromium's CPU between two ``cpu_by_kind`` readings: cores, and ms per drawn update.

    Every kind, and "all" of them; ms per update is None when nothing was drawn.
    """
    used = {kind: max(0.0, cpu1[kind] - cpu0[kind]) for kind in cpu1}
    used["all"] = sum(used.values())
    return {"cores": {k: round(v / seconds, 3) for k, v in used.items()},
            "ms_per_update": {k: round(1000 * v / updates, 1) if updates else None
                              for k, v in used.items()}}
