"""Charts of published (already suppressed) statistics, drawn server-side as SVG.

matplotlib's object API (no pyplot: no global state, safe in threads). Text is drawn as
paths and the SVG carries no date, so the same data gives the same bytes; every chart is
shown with a text alternative and the table it was drawn from.
"""
from __future__ import annotations

import io

from matplotlib.figure import Figure

COLOURS = ["#01689b", "#e17000", "#39870c", "#8fcae7", "#a90061", "#673327", "#ffb612"]
TEXT = "#154273"


def _figure(width=7.2, height=3.4) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_facecolor("white")
    return fig


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None},
                facecolor="white")
    return buffer.getvalue()


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=TEXT, labelsize=9)
    ax.yaxis.grid(True, color="#e6e6e6")
    ax.set_axisbelow(True)


def horizontal_bars(categories: list[str], values: list, xlabel: str, note: str, empty: str) -> bytes:
    """One bar per category (long labels stay readable); a withheld figure (None) is left out."""
    fig = _figure(height=0.9 + 0.42 * max(len(categories), 1))
    ax = fig.add_subplot()
    _style(ax)
    ax.yaxis.grid(False)
    ax.xaxis.grid(True, color="#e6e6e6")
    positions = list(range(len(categories)))[::-1]
    shown = [(y, v) for y, v in zip(positions, values) if v is not None]
    if shown:
        ax.barh([y for y, _ in shown], [v for _, v in shown], color=COLOURS[0], height=0.6)
        for y, v in shown:
            ax.text(v, y, f" {v}", va="center", fontsize=9, color=TEXT)
    ax.set_yticks(positions)
    ax.set_yticklabels(categories)
    ax.set_xlabel(xlabel, color=TEXT)
    ax.set_xlim(left=0)
    if not shown:
        ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center", va="center", fontsize=10, color="#555555")
    fig.text(0.01, 0, note, fontsize=8, color="#555555", va="top")  # below the axes and their label
    return _svg(fig)


def grouped_bars(categories: list[str], series: list[tuple[str, list]], ylabel: str, note: str,
                 empty: str = "") -> bytes:
    """Bars per category for each series; a withheld figure (None) leaves a gap."""
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax)
    count = max(len(series), 1)
    width = 0.8 / count
    for i, (name, values) in enumerate(series):
        xs = [x + i * width - 0.4 + width / 2 for x in range(len(categories))]
        shown = [(x, v) for x, v in zip(xs, values) if v is not None]
        if shown:
            ax.bar([x for x, _ in shown], [v for _, v in shown], width=width * 0.95, label=name,
                   color=COLOURS[i % len(COLOURS)])
    ax.set_xticks(range(len(categories)))
    ax.set_xticklabels(categories, rotation=0 if len(categories) < 7 else 30, ha="center" if len(categories) < 7
                       else "right")
    ax.set_ylabel(ylabel, color=TEXT)
    ax.set_ylim(bottom=0)
    if len(series) > 1 and ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, fontsize=9)
    if not ax.get_legend_handles_labels()[0] and empty:
        ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center", va="center", fontsize=10, color="#555555")
    fig.text(0.01, 0, note, fontsize=8, color="#555555", va="top")  # below the axes and their label
    return _svg(fig)


def line(categories: list[str], values: list, ylabel: str, note: str, percent: bool = True, empty: str = "") -> bytes:
    fig = _figure(height=3.0)
    ax = fig.add_subplot()
    _style(ax)
    points = [(i, v * 100 if percent else v) for i, v in enumerate(values) if v is not None]
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=COLOURS[1])
    ax.set_xticks(range(len(categories)))
    ax.set_xticklabels(categories)
    ax.set_ylabel(ylabel, color=TEXT)
    if percent:
        ax.set_ylim(0, 100)
    if not points and empty:
        ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center", va="center", fontsize=10, color="#555555")
    fig.text(0.01, 0, note, fontsize=8, color="#555555", va="top")  # below the axes and their label
    return _svg(fig)
