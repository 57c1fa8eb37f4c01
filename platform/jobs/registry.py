"""Which job names exist and what runs them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

HANDLERS: dict[str, Callable[..., object]] = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta


PERIODIC: dict[str, Periodic] = {}


def job(name: str):
    """Register a job handler under a stable name (the name is what the outbox stores)."""
    def decorate(fn):
        if name in HANDLERS and HANDLERS[name] is not fn:
            raise ValueError(f"job {name!r} registered twice")
        HANDLERS[name] = fn
        return fn
    return decorate


def periodic(name: str, every: timedelta):
    """Register a job that the clock enqueues once per `every` (no tenant, no arguments).

    Periodic jobs are sweeps: they find what is due and enqueue per-tenant jobs.
    """
    def decorate(fn):
        job(name)(fn)
        PERIODIC[name] = Periodic(name, every)
        return fn
    return decorate
