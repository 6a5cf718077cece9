"""Each chapter page in a real browser with the network unused: no JavaScript errors, math
typeset, and every interactive figure's slider changes the frame shown (DESIGN decision 5).

Uses Debian's chromium (installed by .ci/run) driven by Playwright; skipped, with the reason
shown, where no chromium exists. Screenshots land in tests/_screenshots/ for a human to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, toc_chapters

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "tests" / "_screenshots"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine: `apt-get install chromium` (.ci/run "
    "does) to run the browser tests")

RENDERED_FIGURES = """() => [...document.querySelectorAll('.cell_output img')]
    .filter(i => !i.closest('.jupyter-widgets'))
    .map(i => [i.naturalWidth, i.naturalHeight, i.alt || ''])"""

# A display equation must fit its box and must not run under its number (span.eqno).
OVERFLOWING_MATH = """() => [...document.querySelectorAll('div.math')].flatMap(box => {
    const math = box.querySelector('mjx-math');
    if (!math) return [];
    const b = box.getBoundingClientRect(), m = math.getBoundingClientRect();
    const num = box.querySelector('.eqno');
    const n = num ? num.getBoundingClientRect() : null;
    const over = m.right > b.right + 1 || m.left < b.left - 1 || (n && n.width > 0
        && m.right > n.left + 1 && m.top < n.bottom && m.bottom > n.top);
    return over ? [(box.id || num?.textContent || box.textContent).slice(0, 60)] : [];
})"""

VISIBLE_FRAMES = """() => [...document.querySelectorAll('.jupyter-widgets img[src^="data:"]')]
    .filter(i => i.offsetParent !== null).map(i => i.alt)"""


def stored_figures(chapter: str) -> int:
    """Static images (PNG or SVG) stored in the chapter's outputs, widget frames excluded."""
    nb = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
    return sum(1 for c in nb.cells for o in c.get("outputs", [])
               if {"image/png", "image/svg+xml"} & set(o.get("data", {})))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.mark.parametrize("chapter", toc_chapters())
def test_chapter_page_in_browser(html: Path, browser, chapter: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(90_000)  # a loaded CI machine; a hung page still fails
    network, errors = [], []
    page.route("**/*", lambda route: (network.append(route.request.url), route.abort())
               if route.request.url.startswith(("http:", "https:")) else route.continue_())
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((html / f"{chapter}.html").as_uri(), wait_until="load")

    if page.locator(".math").count():
        page.wait_for_function("document.querySelectorAll('mjx-container').length > 0",
                               timeout=30_000)
        assert page.locator("mjx-container").count() >= page.locator("div.math").count()
        assert page.locator("mjx-merror").count() == 0, "MathJax could not typeset some math"
        overflowing = page.evaluate(OVERFLOWING_MATH)
        assert not overflowing, f"{chapter}: display equations overflow at 1280 px: {overflowing}"

    # Wait for what the checks read, every image decoded, not for "networkidle": a page whose
    # widget scripts keep the loader busy on a loaded 2-core CI machine timed out there.
    page.wait_for_function("[...document.images].every(i => i.complete)", timeout=90_000)
    figures = page.evaluate(RENDERED_FIGURES)
    rendered = [f for f in figures if f[0] > 0 and f[1] > 0]
    assert len(rendered) == stored_figures(chapter), (
        f"{chapter}: {len(rendered)} figures render on the page, the notebook stores "
        f"{stored_figures(chapter)}")
    no_alt = [f[2] for f in rendered if not f[2] or f[2].endswith((".png", ".svg"))]
    assert not no_alt, (f"{chapter}: {len(no_alt)} figures have no alt text for a screen reader "
                        "(set the cell metadata mystnb.image.alt)")

    n_widgets = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if n_widgets:
        page.wait_for_selector(".widget-slider", timeout=30_000)
        sliders = page.locator(".widget-slider .noUi-handle")
        assert sliders.count() >= 1, f"{chapter}: no slider rendered from {n_widgets} widgets"
        for i in range(sliders.count()):
            handle = sliders.nth(i)
            handle.scroll_into_view_if_needed()
            before = page.evaluate(VISIBLE_FRAMES)
            handle.focus()
            at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
            page.wait_for_timeout(200)
            after = page.evaluate(VISIBLE_FRAMES)
            assert before != after, f"{chapter}: slider {i} did not change the frame ({before})"

    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{Path(chapter).name}.png"), full_page=False)
    assert not network, f"{chapter}: tried to load from the network: {network[:5]}"
    assert not errors, f"{chapter}: JavaScript errors: {errors[:5]}"
    page.close()
