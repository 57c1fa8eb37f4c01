"""Reporting policy and board reports as oversight sees them: an interface.

The learning feature owns the reporting-policy and board-report tables. The regulator's
quality checks need three facts per institution, and only these:

* ``policy_stale`` — the reporting policy is past its review date (True/False; None when
  unknown, e.g. no policy recorded yet on the platform);
* ``policy_fg_decides`` — the policy lets the FG decide on notification (the AP found
  this; the FG advises, the board decides) (True/False/None);
* ``last_report_signed_at`` — when the board last signed a PDCA report (None: none), with
  ``reports_known`` saying whether that None means "none signed" (True) or "unknown"
  (False: the board-report tables do not exist yet or have no data for it).

The learning feature registers a provider with `set_provider(fn)`, where
``fn(institution_ids: list[UUID], now: datetime) -> dict[UUID, Governance]`` reads its own
oversight-marked columns (codes and dates only). Until a provider is registered every
fact is unknown and no finding is raised on it. The lead wires the provider at merge.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

BOARD_REPORT_EVERY = timedelta(days=183)  # "at least twice a year" (the AP's recommendation)


@dataclass(frozen=True)
class Governance:
    policy_stale: bool | None = None
    policy_fg_decides: bool | None = None
    last_report_signed_at: datetime | None = None
    reports_known: bool = False

    def no_recent_board_report(self, now: datetime) -> bool | None:
        """True when no board report was signed in the last six months; None when unknown."""
        if not self.reports_known:
            return None
        return self.last_report_signed_at is None or self.last_report_signed_at < now - BOARD_REPORT_EVERY


UNKNOWN = Governance()
Provider = Callable[[list, datetime], dict]
_provider: Provider | None = None


def set_provider(provider: Provider | None) -> Provider | None:
    """Register the function that answers for the learning feature; returns the previous one."""
    global _provider
    previous, _provider = _provider, provider
    return previous


def governance_for(institution_ids, now: datetime) -> dict[uuid.UUID, Governance]:
    """The governance facts of each institution (UNKNOWN where nobody can tell)."""
    ids = list(institution_ids)
    answers = _provider(ids, now) if _provider is not None else {}
    return {i: answers.get(i, UNKNOWN) for i in ids}
