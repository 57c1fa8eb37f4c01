"""Every page of the portal renders, in Dutch and in English, for the roles that may see it."""
from __future__ import annotations

import pytest

from tests.regulator import scenario
from tests.regulator.conftest import reconcile, upload

REGULATOR_PAGES = ["/o/org-r/ap/", "/o/org-r/ap/findings", "/o/org-r/ap/findings?status=new",
                   "/o/org-r/ap/institutions", "/o/org-r/ap/institutions/org-a", "/o/org-r/ap/requests",
                   "/o/org-r/ap/intake", "/o/org-r/", "/o/org-r/ap/statistics",
                   "/o/org-r/ap/statistics?granularity=quarter&dimension=region&measure=notifications"]
CHARTS = ["volume", "late", "ttn", "dimension"]
INSTITUTION_PAGES = ["/o/org-a/supervision/", "/o/org-a/supervision/benchmark", "/o/org-a/supervision/transparency",
                     "/o/org-a/"]



@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_renders_in_both_languages(app, world, sector, login, lang):
    analyst = login(app, world.user("r", "analyst"))
    upload(analyst, "org-r", scenario.as_csv(sector.rows))
    assert reconcile(analyst, "org-r").status_code == 302
    analyst.get("/o/org-r/ap/statistics")
    assert analyst.post("/o/org-r/ap/statistics").status_code == 302
    analyst.post("/lang", data={"lang": lang, "next": "/"})
    marker = {"nl": "Vergelijking", "en": "Reconciliation"}[lang]
    for url in REGULATOR_PAGES:
        response = analyst.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}"' in html and marker in html, url
    for chart in CHARTS:
        response = analyst.get(f"/o/org-r/ap/statistics/chart.svg?chart={chart}")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    po = login(app, world.user("a", "privacy_officer"))
    po.get("/o/org-a/")
    po.post("/lang", data={"lang": lang, "next": "/"})
    for url in INSTITUTION_PAGES + ["/o/org-a/supervision/benchmark.svg"]:
        assert po.get(url).status_code == 200, url
    english = po.get("/o/org-a/supervision/").get_data(as_text=True)
    assert ("Supervision by the AP" in english) == (lang == "en")
