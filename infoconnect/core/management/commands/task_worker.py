"""`manage.py task_worker`: django_tasks_db's ``db_worker`` (the same options) that survives a
database fault; see ``infoconnect.core.workers``."""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from infoconnect.core.runtime import tune_garbage_collector
from infoconnect.core.workers import Worker


class Command(db_worker.Command):
    help = (
        "Run a database task worker that resumes after a lost database connection "
        "(the options of db_worker)."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        exclude_queues: str,
        batch: bool,
        reload: bool,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        tune_garbage_collector()
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            batch=batch,
            interval=options["interval"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
