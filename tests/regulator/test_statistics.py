"""Sector statistics on the planted sector: no small cell shown, none recoverable, nobody named."""
from __future__ import annotations

from collections import defaultdict

import pytest
import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope
from regulator import statistics, suppression
from tests.regulator import attack
from tests.regulator.scenario import EXTRA


def _truth(app, sector, granularity):
    """Per table: (row, col) -> (count, institutions), computed here from each register."""
    from tenants.register.models import ApNotification, Breach

    sizes = {"a": 500, "b": 120, **{k: v[1] for k, v in EXTRA.items()}}
    tables = defaultdict(lambda: defaultdict(lambda: [0, set()]))
    for key, org_id in sector.orgs.items():
        with app.app_context(), tenant_scope(org_id):
            for breach in db.session.scalars(sa.select(Breach)):
                first = db.session.scalar(sa.select(sa.func.min(ApNotification.submitted_at)).where(
                    ApNotification.breach_id == breach.id, ApNotification.kind == "initial"))
                moment = breach.aware_at or breach.created_at
                period = statistics._period(moment, granularity)
                values = {"type": statistics.TYPE_GROUP.get(breach.incident_type, "other"),
                          "severity": breach.severity_band or "unknown",
                          "size": statistics.size_class(sizes[key]), "region": "regio-a"}
                for dim, value in values.items():
                    cell = tables[f"breaches_by_{dim}"][(period, value)]
                    cell[0] += 1
                    cell[1].add(org_id)
                if first is not None:
                    notified = statistics._period(first, granularity)
                    for dim, value in values.items():
                        cell = tables[f"notifications_by_{dim}"][(notified, value)]
                        cell[0] += 1
                        cell[1].add(org_id)
                    hours = (first - breach.aware_at).total_seconds() / 3600
                    for name, col in (("time_to_notify", statistics.ttn_bucket(hours)),
                                      ("notified_late", "late" if hours > 72 else "on_time")):
                        cell = tables[name][(notified, col)]
                        cell[0] += 1
                        cell[1].add(org_id)
    return tables


def _published(app, world, login, api, granularity):
    analyst = login(app, world.user("r", "analyst"))
    analyst.get("/o/org-r/ap/statistics")
    assert analyst.post("/o/org-r/ap/statistics").status_code == 302  # the job runs (inline here)
    body = api(app, world, "r", "analyst").get(f"/api/v1/ap/statistics/{granularity}")
    assert body.status_code == 200
    return analyst, body.json


@pytest.mark.parametrize("granularity", ["year", "quarter"])
def test_no_published_figure_rests_on_fewer_than_five_institutions_and_none_can_be_recovered(
        app, world, sector, login, api, granularity):
    _analyst, body = _published(app, world, login, api, granularity)
    truth = _truth(app, sector, granularity)
    withheld = 0
    for name, table in body["tables"].items():
        cells = truth[name]
        for i, row in enumerate(table["rows"]):
            for j, col in enumerate(table["cols"]):
                count, insts = cells.get((row, col), (0, set()))
                shown = table["cells"][i][j]
                if shown is None:
                    withheld += 1
                    assert attack.another_value_possible(table, ("cell", i, j), count), (name, row, col)
                else:
                    assert shown == count and (count == 0 or len(insts) >= suppression.K), (name, row, col)
        for i, row in enumerate(table["rows"]):
            count = sum(c for (r, _c), (c, _i) in cells.items() if r == row and _c in table["cols"])
            insts = set().union(*[s for (r, _c), (_n, s) in cells.items() if r == row and _c in table["cols"]] or [set()])
            if table["row_totals"][i] is not None:
                assert table["row_totals"][i] == count and (count == 0 or len(insts) >= suppression.K)
        assert attack.subtract(table) == {}
    assert withheld > 0  # the planted sector does have small cells


def test_statistics_name_no_institution_and_show_charts_with_text_alternatives(app, world, sector, login, api):
    analyst, body = _published(app, world, login, api, "year")
    names = [f"Instelling {k.upper()}" for k in ["a", "b", *EXTRA]] + [o for o in sector.kvk.values()]
    responses = [analyst.get("/o/org-r/ap/statistics").get_data(as_text=True), str(body)]
    for dim in statistics.DIMENSIONS:
        for measure in ("breaches", "notifications"):
            page = analyst.get(f"/o/org-r/ap/statistics?dimension={dim}&measure={measure}&granularity=quarter")
            assert page.status_code == 200
            responses.append(page.get_data(as_text=True))
    for chart in ("volume", "dimension", "ttn", "late"):
        svg = analyst.get(f"/o/org-r/ap/statistics/chart.svg?chart={chart}")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        responses.append(svg.get_data(as_text=True))
    for text in responses:
        for name in names:
            assert name not in text
    page = responses[0]
    assert page.count('<img class="lw-chart"') == 4 and page.count(' alt="') >= 4
    assert page.count("<caption") >= 3
