"""The HTML report in a real headless browser: Debian's chromium driven by playwright.

`make test` installs chromium (`make browser`); without it, or without the playwright package,
these tests are skipped. Nothing is downloaded: playwright only drives /usr/bin/chromium.
Screenshots go to the test's tmp folder, and also to $TENSORSIGHT_SCREENSHOTS if that is set.
"""
from __future__ import annotations

import os
import shutil

import pytest

from tensorsight.render.html import to_html

from . import render_nets

CHROMIUM = next((p for p in (os.environ.get("TENSORSIGHT_CHROMIUM"), "/usr/bin/chromium",
                             shutil.which("chromium"), shutil.which("chromium-browser")) if p and os.path.exists(p)),
                None)
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make browser)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as exc:  # noqa: BLE001 - a chromium that cannot start here: skip, say why
            pytest.skip(f"chromium does not start: {exc}")
        yield b
        b.close()


class Page:
    """A page that records console errors, uncaught exceptions and every request it makes."""

    def __init__(self, browser, path, viewport=(1400, 1000)):
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto("file://" + str(path))
        self.page.wait_for_load_state("load")

    def screenshot(self, path, name):
        self.page.screenshot(path=str(path / name))
        extra = os.environ.get("TENSORSIGHT_SCREENSHOTS")
        if extra:
            os.makedirs(extra, exist_ok=True)
            shutil.copy(path / name, os.path.join(extra, name))
        return path / name

    def highlighted(self) -> list[str]:
        return self.page.eval_on_selector_all("g.ts-box.ts-highlight", "els => els.map(e => e.getAttribute('data-events'))")

    def close(self):
        self.page.close()


def only_local(requests: list[str]) -> bool:
    return all(u.startswith(("file://", "data:", "about:")) for u in requests)


def test_click_a_row_highlights_its_block_and_source(browser, tmp_path, lenet_trace):
    path = tmp_path / "lenet.html"
    finding = {"severity": "warning", "category": "demo", "file": render_nets.__file__, "line": 23,
               "message": "a finding about the flatten line", "fixes": []}
    path.write_text(to_html(lenet_trace, findings=[finding]), encoding="utf-8")
    page = Page(browser, path)
    try:
        assert page.errors == []
        assert page.highlighted() == []
        page.page.click('tr[data-event="3"]')  # conv2
        assert page.highlighted() == ["3 4"]  # conv2's block (its relu is folded in)
        assert page.page.get_attribute('tr[data-event="3"]', "class") == "ts-selected"
        line = page.page.inner_text("#ts-panel .ts-line-hl")
        assert "self.conv2(x)" in line
        assert "render_nets.py:22" in page.page.inner_text("#ts-panel .ts-where")
        assert "16×13×13" in page.page.inner_text("#ts-panel")  # explain_shape's arithmetic
        assert page.page.query_selector("#ts-panel .ts-picture svg") is not None  # the conv picture
        shot = page.screenshot(tmp_path, "report_lenet.png")
        assert shot.stat().st_size > 20_000

        page.page.click('tr[data-event="9"]')  # fc2: the highlight moves
        assert page.highlighted() == ["9 10"]

        page.page.click('g.ts-box[data-event="5"]')  # clicking a block selects its row
        assert "ts-selected" in page.page.get_attribute('tr[data-event="5"]', "class")
        assert "13×13 → 6×6" in page.page.inner_text("#ts-panel")

        page.page.click("li[data-finding='0']")  # a finding shows its line and marks its rows
        assert "torch.flatten" in page.page.inner_text("#ts-panel .ts-line-hl")
        assert page.page.eval_on_selector_all("tr.ts-cited", "els => els.length") == 1
        assert page.errors == []
        assert only_local(page.requests), page.requests
    finally:
        page.close()


def test_failing_model_report_opens_on_the_failure(browser, tmp_path, broken_trace):
    path = tmp_path / "broken.html"
    path.write_text(to_html(broken_trace), encoding="utf-8")
    page = Page(browser, path)
    try:
        assert page.errors == []
        failing = broken_trace.events[-1].index
        assert page.page.is_visible("#ts-error")
        assert "ts-selected" in page.page.get_attribute(f'tr[data-event="{failing}"]', "class")
        assert page.highlighted() == [str(failing)]
        assert "self.fc1(x)" in page.page.inner_text("#ts-panel .ts-line-hl")
        page.screenshot(tmp_path, "report_broken.png")
        assert only_local(page.requests), page.requests
    finally:
        page.close()


def test_wide_diagram_scrolls_to_the_clicked_block(browser, tmp_path, tiny_resnet_trace):
    path = tmp_path / "resnet.html"
    path.write_text(to_html(tiny_resnet_trace), encoding="utf-8")
    page = Page(browser, path, viewport=(1000, 900))
    try:
        last = tiny_resnet_trace.events[-1].index
        page.page.click(f'tr[data-event="{last}"]')
        page.page.wait_for_timeout(100)
        visible = page.page.evaluate("""() => {
            const g = document.querySelector('g.ts-box.ts-highlight').getBoundingClientRect();
            const w = document.getElementById('ts-diagram').getBoundingClientRect();
            return g.left >= w.left - 1 && g.right <= w.right + 1 && g.top >= w.top - 1 && g.bottom <= w.bottom + 1;
        }""")
        assert visible
        assert page.errors == []
    finally:
        page.close()
