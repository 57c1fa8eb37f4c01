"""Periods of the PDCA cycle: half-years by default, any date range on request.

A period runs from its first day up to (not including) `end`, in Dutch local time
(Europe/Amsterdam): a breach belongs to the period in which the institution became aware
of it (`aware_at`, or when the entry was created if that is not recorded yet).
Comparison periods are the periods of the same length immediately before it: the
previous half-years for a half-year, otherwise the same number of days shifted back.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Amsterdam")
HALF_YEAR = re.compile(r"^(\d{4})-H([12])$")


def local_date(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def add_months(moment, months: int):
    """The same day `months` later (or earlier); the last day of the month when it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @classmethod
    def half_year(cls, year: int, half: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 7, 1)) if half == 1 else cls(date(year, 7, 1), date(year + 1, 1, 1))

    @classmethod
    def half_year_of(cls, day: date) -> "Period":
        return cls.half_year(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse_key(cls, key: str) -> "Period | None":
        match = HALF_YEAR.match(key or "")
        return cls.half_year(int(match.group(1)), int(match.group(2))) if match else None

    @property
    def is_half_year(self) -> bool:
        return (self.start.day == 1 and self.start.month in (1, 7)
                and self.end == add_months(self.start, 6))

    @property
    def key(self) -> str:
        if self.is_half_year:
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        return f"{self.start.isoformat()}_{self.last_day.isoformat()}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> "Period":
        if self.is_half_year:
            return Period(add_months(self.start, -6), self.start)
        return Period(self.start - timedelta(days=self.days), self.start)

    def history(self, compare: int) -> list["Period"]:
        """This period and `compare` periods before it, newest first."""
        periods = [self]
        for _ in range(compare):
            periods.append(periods[-1].previous())
        return periods

    def contains(self, moment: datetime | date | None) -> bool:
        if moment is None:
            return False
        day = local_date(moment) if isinstance(moment, datetime) else moment
        return self.start <= day < self.end

    def short_label(self) -> str:
        if self.is_half_year:
            return f"H{1 if self.start.month == 1 else 2} {self.start.year}"
        return f"{self.start:%d-%m-%Y} – {self.last_day:%d-%m-%Y}"

    def label(self) -> str:
        from flask_babel import format_date, gettext

        if self.is_half_year:
            if self.start.month == 1:
                return gettext("first half of %(year)s", year=self.start.year)
            return gettext("second half of %(year)s", year=self.start.year)
        return f"{format_date(self.start, 'medium')} – {format_date(self.last_day, 'medium')}"


def today_local() -> date:
    return datetime.now(TZ).date()


def default_period(today: date | None = None) -> Period:
    """The last completed half-year: what the board report is about."""
    return Period.half_year_of(today or today_local()).previous()


def recent_half_years(today: date | None = None, count: int = 8) -> list[Period]:
    """The current half-year (so far) and the ones before it, for the period selector."""
    current = Period.half_year_of(today or today_local())
    return current.history(count - 1)
