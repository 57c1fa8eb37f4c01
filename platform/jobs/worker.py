"""The rq worker process for Lekwijzer's queue."""
from __future__ import annotations

from rq import Worker

from ..db import db


class LekwijzerWorker(Worker):
    """A forking worker whose work horses never reuse the parent's database connections."""

    def main_work_horse(self, job, queue):
        # Connections inherited through fork() are shared with the parent; drop them
        # (without closing the parent's sockets) so the horse opens its own.
        for engine in db.engines.values():
            engine.dispose(close=False)
        return super().main_work_horse(job, queue)
