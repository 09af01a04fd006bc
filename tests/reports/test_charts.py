"""Chart axes: a log scale where the bars span orders of magnitude (the old Table IV chart
drew Python bars invisibly thin beside Rust's on a linear axis), linear otherwise."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from PIL import Image

from reports.render import draw_chart, save_figure
from reports.sections import Chart


def drawn(chart: Chart, out: Path) -> Any:
    axes: list[Any] = []

    def draw(ax: Any) -> None:
        draw_chart(chart, ax)
        axes.append(ax)

    save_figure(out, draw)
    assert Image.open(out).size[0] > 0
    return axes[0]


def test_bars_spanning_orders_of_magnitude_get_a_log_axis(tmp_path: Path) -> None:
    data = pd.DataFrame({"rust": [600_000.0, 40_000.0], "python": [9_000.0, 150.0]},
                        index=["total", "core"])  # fmt: skip
    ax = drawn(Chart(data, "Lines of code", "lines"), tmp_path / "log.png")
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "lines (log scale)"
    # the smallest bar gets a visible share of the axis (a few pixels at least; on a linear
    # axis it would be 150 / 600,000 of it, under one pixel)
    left, right = ax.get_xlim()
    share = (math.log10(150.0) - math.log10(left)) / (math.log10(right) - math.log10(left))
    assert share > 0.02


def test_close_values_keep_a_linear_axis_and_an_explicit_choice_wins(tmp_path: Path) -> None:
    data = pd.DataFrame({"pycodex": [120.0, 60.0], "codex": [30.0, 20.0]}, index=["a", "b"])
    ax = drawn(Chart(data, "Start-up", "ms"), tmp_path / "linear.png")
    assert ax.get_xscale() == "linear" and ax.get_xlabel() == "ms"
    forced = drawn(Chart(data, "Start-up", "ms", log=True), tmp_path / "forced.png")
    assert forced.get_xscale() == "log"
    shares = pd.DataFrame({"share": [0.001, 0.9]}, index=["x", "y"])
    unit = drawn(Chart(shares, "Shares", "share", unit_interval=True), tmp_path / "unit.png")
    assert unit.get_xscale() == "linear" and unit.get_xlim() == (0.0, 1.05)
