"""A serving process freezes what start-up loaded and collects young objects less often."""

import gc

from infoconnect.core import runtime


def test_the_collector_is_tuned_for_a_long_running_process():
    before = gc.get_threshold()
    try:
        runtime.tune_garbage_collector()
        assert gc.get_threshold()[0] == runtime.YOUNG_THRESHOLD
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_web_entry_points_tune_it(settings):
    root = settings.BASE_DIR
    for name in ("wsgi.py", "asgi.py"):
        assert "tune_garbage_collector()" in (root / "config" / name).read_text()
