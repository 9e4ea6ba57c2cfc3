"""`make screenshots`: pictures of the main pages on a phone and a desktop, in English and
Chinese, over the seeded demo, written to $SCREENSHOTS_DIR (skipped without it)."""

import os
from pathlib import Path

import pytest

from infoconnect.core.tests.test_layout_browser import DESKTOP, PHONE, main_pages, open_as

SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR", "")
pytestmark = pytest.mark.skipif(not SCREENSHOTS_DIR, reason="make screenshots sets SCREENSHOTS_DIR")

# The merchant's and the operator's first pages, beside the person's.
MORE_PAGES = {"greentea_shop": ["/shop/manage/", "/messages/campaigns/"], "operator": ["/admin/"]}


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_screenshots(browser, live_server, login, viewport, language):
    from infoconnect.core.management.demo import seed

    demo = seed()
    folder = Path(SCREENSHOTS_DIR) / f"{'phone' if viewport is PHONE else 'desktop'}-{language}"
    folder.mkdir(parents=True, exist_ok=True)
    pages = {"lihua": main_pages(demo), **MORE_PAGES}
    for username, paths in pages.items():
        page = open_as(browser, live_server, login, username, viewport, language=language)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(folder / f"{username}-{_name(path)}.png"), full_page=True)
        page.context.close()
