"""The benchmark chart: for each figure, the sector's spread and the institution's own value."""
from __future__ import annotations

import io

from matplotlib.figure import Figure

TEXT = "#154273"


def benchmark(metrics, own_label: str, sector_label: str) -> bytes:
    """metrics: [(label, own value or None, SectorBenchmark)]; each row on its own scale."""
    height = 0.9 + 0.75 * max(len(metrics), 1)
    fig = Figure(figsize=(7.6, height), dpi=100)
    axes = fig.subplots(nrows=max(len(metrics), 1), ncols=1, squeeze=False)[:, 0]
    for ax, (label, own, spread) in zip(axes, metrics):
        low = min(spread.p10, own if own is not None else spread.p10)
        high = max(spread.p90, own if own is not None else spread.p90)
        pad = (high - low) * 0.08 or 1.0
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(-1, 1)
        ax.barh(0, spread.p90 - spread.p10, left=spread.p10, height=0.5, color="#cfe3f1")
        ax.barh(0, spread.p75 - spread.p25, left=spread.p25, height=0.5, color="#8fbbdc")
        ax.plot([spread.p50, spread.p50], [-0.25, 0.25], color=TEXT, linewidth=2)
        if own is not None:
            ax.plot([own], [0], marker="D", markersize=9, color="#e17000", linestyle="none",
                    label=own_label)
        ax.set_yticks([])
        ax.set_title(label, loc="left", fontsize=9, color=TEXT)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=8, colors=TEXT)
    fig.text(0.01, 0.005, f"◆ {own_label}   ▬ {sector_label}", fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white")
    return buffer.getvalue()
