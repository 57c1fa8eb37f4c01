"""Charts of the period analysis, drawn server-side as SVG with matplotlib.

One function per chart, taking the analysis (`figures.analyse` output, or the snapshot a
board report froze). The PDCA page serves exactly these SVGs as images (with a text
alternative and the same numbers in a table next to them) and the board report embeds
exactly these SVGs in its PDF, so the page and the report always show the same picture.

Text stays text in the SVG (svg.fonttype "none"): smaller files, readable by screen
magnifiers and searchable in the PDF. Output is deterministic for the same input.
"""
from __future__ import annotations

import io
import textwrap
from typing import Callable

from flask_babel import gettext

from .enums import SEVERITY_BAND_LABEL, label
from .figures import BANDS

# Okabe-Ito based palette: distinguishable with the common colour-vision deficiencies.
BAND_COLOURS = {"low": "#56B4E9", "medium": "#E69F00", "high": "#D55E00", "very_high": "#8B1A1A",
                "unassessed": "#B0B0B0"}
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
_configured = False


def _setup():
    global _configured
    if _configured:
        return
    import matplotlib

    matplotlib.rcParams.update({
        "svg.fonttype": "none", "svg.hashsalt": "lekwijzer", "font.family": "DejaVu Sans", "font.size": 9,
        "axes.spines.top": False, "axes.spines.right": False, "axes.titleweight": "bold",
        "axes.titlesize": 10, "axes.titlelocation": "left",
    })
    _configured = True


def _figure(height: float = 3.2):
    _setup()
    from matplotlib.figure import Figure

    return Figure(figsize=(7.2, height), dpi=100)


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def _integer_axis(axis):
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _oldest_first(analysis: dict) -> list[dict]:
    return list(reversed(analysis["periods"]))


def trend(analysis: dict) -> str:
    """Breaches per period, stacked by severity band."""
    periods = _oldest_first(analysis)
    fig = _figure()
    ax = fig.subplots()
    x = range(len(periods))
    bottom = [0] * len(periods)
    for band in BANDS:
        values = [p["figures"]["by_band"].get(band, 0) for p in periods]
        if not any(values):
            continue
        ax.bar(x, values, bottom=bottom, color=BAND_COLOURS[band], label=label(SEVERITY_BAND_LABEL, band), width=0.6)
        bottom = [b + v for b, v in zip(bottom, values)]
    for i, total in enumerate(bottom):
        ax.annotate(str(total), (i, total), ha="center", va="bottom", xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(list(x), [p["short"] for p in periods])
    ax.set_ylabel(gettext("Number of breaches"))
    ax.set_title(gettext("Breaches per period, by severity"))
    _integer_axis(ax.yaxis)
    ax.set_ylim(0, max(bottom + [1]) * 1.15)
    if any(bottom):  # no breaches in any period: no bars, so no legend either
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _svg(fig)


def types(analysis: dict, limit: int = 8) -> str:
    """The most frequent types in the period, beside the previous period."""
    from .enums import incident_type_label

    current = analysis["periods"][0]
    previous = analysis["periods"][1] if len(analysis["periods"]) > 1 else None
    cur = dict(map(tuple, current["figures"]["by_type"]))
    prev = dict(map(tuple, previous["figures"]["by_type"])) if previous else {}
    keys = [k for k, _ in sorted(cur.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]
    for k, _ in sorted(prev.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(keys) >= limit:
            break
        if k not in keys:
            keys.append(k)
    fig = _figure(height=max(2.2, 0.45 * len(keys) + 1.2))
    ax = fig.subplots()
    if not keys:
        ax.text(0.5, 0.5, gettext("No breaches in this period"), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _svg(fig)
    keys = list(reversed(keys))
    y = range(len(keys))
    h = 0.38 if previous else 0.6
    ax.barh([i + (h / 2 if previous else 0) for i in y], [cur.get(k, 0) for k in keys], height=h,
            color=SERIES[0], label=current["short"])
    if previous:
        ax.barh([i - h / 2 for i in y], [prev.get(k, 0) for k in keys], height=h, color=SERIES[1],
                label=previous["short"])
    ax.set_yticks(list(y), ["\n".join(textwrap.wrap(incident_type_label(k), 34)) for k in keys])
    _integer_axis(ax.xaxis)
    ax.set_xlabel(gettext("Number of breaches"))
    ax.set_title(gettext("Most frequent types of breach"))
    ax.legend(loc="lower right", frameon=False)
    return _svg(fig)


def _grouped(analysis: dict, series: list[tuple[str, str]], title: str, ylabel: str) -> str:
    periods = _oldest_first(analysis)
    fig = _figure()
    ax = fig.subplots()
    n = len(series)
    width = 0.8 / n
    top = 1
    for i, (key, name) in enumerate(series):
        values = [p["figures"][key] for p in periods]
        top = max([top] + values)
        xs = [j - 0.4 + width * (i + 0.5) for j in range(len(periods))]
        bars = ax.bar(xs, values, width=width * 0.95, color=SERIES[i % len(SERIES)], label=name)
        ax.bar_label(bars, padding=2, fontsize=8)
    ax.set_xticks(list(range(len(periods))), [p["short"] for p in periods])
    ax.set_ylim(0, top * 1.2)
    _integer_axis(ax.yaxis)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _svg(fig)


def notifications(analysis: dict) -> str:
    return _grouped(analysis, [
        ("notified_ap", gettext("Notified to the AP")),
        ("notified_ap_late", gettext("Of which late (> 72 h)")),
        ("informed_subjects", gettext("People affected informed")),
    ], gettext("Notifications per period"), gettext("Number of breaches"))


def measures(analysis: dict) -> str:
    return _grouped(analysis, [
        ("measures_planned", gettext("Planned")),
        ("measures_implemented", gettext("Implemented")),
        ("measures_late", gettext("Late")),
    ], gettext("Measures per period"), gettext("Number of measures"))


CHARTS: dict[str, Callable[[dict], str]] = {
    "trend": trend, "types": types, "notifications": notifications, "measures": measures,
}


def render(name: str, analysis: dict) -> str:
    return CHARTS[name](analysis)


def alt_text(name: str, analysis: dict) -> str:
    """A short text alternative; the full numbers are in the table next to the chart."""
    current = analysis["periods"][0]
    f = current["figures"]
    if name == "trend":
        parts = [f"{p['short']}: {p['figures']['total']}" for p in _oldest_first(analysis)]
        return gettext("Bar chart of the number of breaches per period, by severity: %(parts)s.",
                       parts="; ".join(parts))
    if name == "types":
        from .enums import incident_type_label

        parts = [f"{incident_type_label(k)}: {n}" for k, n in f["by_type"][:5]]
        return gettext("Bar chart of the most frequent types of breach in %(period)s: %(parts)s.",
                       period=current["short"], parts="; ".join(parts) or "–")
    if name == "notifications":
        return gettext("Bar chart of notifications per period. %(period)s: %(ap)s notified to the AP, %(late)s of "
                       "them late, %(informed)s with the people affected informed.", period=current["short"],
                       ap=f["notified_ap"], late=f["notified_ap_late"], informed=f["informed_subjects"])
    return gettext("Bar chart of measures per period. %(period)s: %(planned)s planned, %(done)s implemented, "
                   "%(late)s late.", period=current["short"], planned=f["measures_planned"],
                   done=f["measures_implemented"], late=f["measures_late"])


CHART_TITLES = {
    "trend": "Breaches per period, by severity",
    "types": "Most frequent types of breach",
    "notifications": "Notifications per period",
    "measures": "Measures per period",
}
