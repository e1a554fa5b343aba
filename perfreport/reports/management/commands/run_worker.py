"""`python manage.py run_worker`: django-tasks-db's db_worker with a heartbeat.

Same options as db_worker. Run it under a supervisor (deploy/perfreport-worker.service,
Restart=always): db_worker exits when the database goes away, and the supervisor starts it
again; meanwhile the healthcheck reports the silent heartbeat.
"""

import contextlib
from typing import Any

from django.db import DatabaseError
from django_tasks_db.management.commands import db_worker

from perfreport.reports.worker import Heartbeat, forget


class Command(db_worker.Command):
    help = "Run the task worker (background exports) and record its heartbeat."

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            # When the database is why we stop, the stale heartbeat tells the healthcheck.
            with contextlib.suppress(DatabaseError):
                forget(options["worker_id"])
