"""Checks of the built HTML: zero-warning build, links resolve, nothing loads from the web."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import toc_chapters


class _Refs(HTMLParser):
    """Collect (tag, attribute, value) of every href/src, and which are loaded assets."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                kind = tag
                if tag == "link":
                    kind = "link:" + (a.get("rel") or "")
                self.refs.append((kind, key, a[key]))


def _pages(html: Path) -> list[Path]:
    return [p for p in html.rglob("*.html") if "_static" not in p.parts]


def test_build_has_no_warnings(build) -> None:
    out = build.stdout + build.stderr
    assert build.returncode == 0, out[-4000:]
    assert "WARNING" not in out, "the build printed warnings:\n" + "\n".join(
        line for line in out.splitlines() if "WARNING" in line)


def test_every_chapter_has_a_page(html: Path) -> None:
    for chapter in toc_chapters():
        assert (html / f"{chapter}.html").is_file(), f"no page built for {chapter}"


def test_local_links_resolve(html: Path) -> None:
    broken = []
    for page in _pages(html):
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        for _, _, value in parser.refs:
            url = urlparse(value)
            if url.scheme or value.startswith(("#", "mailto:", "data:", "javascript:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if not target.exists():
                broken.append(f"{page.relative_to(html)} -> {value}")
    assert not broken, "broken local links:\n" + "\n".join(broken[:20])


def test_no_asset_from_the_network(html: Path) -> None:
    external = []
    for page in _pages(html):
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        for kind, key, value in parser.refs:
            loaded = kind in ("script", "img", "iframe", "source", "video", "audio") or (
                kind.startswith("link:") and kind != "link:" and not kind.endswith(
                    ("canonical", "prev", "next", "index", "search", "author", "license")))
            if loaded and re.match(r"^(https?:)?//", value):
                external.append(f"{page.relative_to(html)}: <{kind} {key}={value}>")
    for css in html.rglob("*.css"):
        for m in re.finditer(r"url\(\s*['\"]?((https?:)?//[^)'\"]+)", css.read_text("utf-8")):
            external.append(f"{css.relative_to(html)}: url({m.group(1)})")
    assert not external, "assets loaded from the network:\n" + "\n".join(external[:20])


@pytest.mark.parametrize("chapter", toc_chapters())
def test_chapter_pages_load_math_and_widgets_locally(html: Path, chapter: str) -> None:
    text = (html / f"{chapter}.html").read_text(encoding="utf-8")
    if "class=\"math" in text:
        assert "_static/mathjax/tex-chtml.js" in text, f"{chapter}: MathJax is not served locally"
    if "application/vnd.jupyter.widget-state+json" in text:
        assert "_static/html-manager/embed-amd.js" in text, f"{chapter}: no local widget manager"


class _Prose(HTMLParser):
    """The text of a page outside code, math, scripts and styles."""

    SKIP = {"pre", "code", "script", "style"}

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.stack, self.text = 0, [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        skip = tag in self.SKIP or "math" in classes
        self.stack.append(skip)
        self.depth += skip

    def handle_endtag(self, tag):
        if self.stack:
            self.depth -= self.stack.pop()

    def handle_data(self, data):
        if self.depth == 0:
            self.text.append(data)


@pytest.mark.parametrize("chapter", toc_chapters())
def test_no_double_parentheses_in_prose(html: Path, chapter: str) -> None:
    """{eq} prints its own parentheses: "({eq}`x`)" shows as "((5.12))"."""
    parser = _Prose()
    parser.feed((html / f"{chapter}.html").read_text(encoding="utf-8"))
    text = "".join(parser.text)
    hits = [text[max(0, m.start() - 30):m.end() + 10] for m in re.finditer(r"\(\(", text)]
    assert not hits, f"{chapter}: double parentheses in the prose: {hits[:5]}"


@pytest.mark.parametrize("chapter", toc_chapters())
def test_bibliography_labels_are_readable(html: Path, chapter: str) -> None:
    """Labels read as author and year ([Cho et al. 2014]), not as [CvMerrienboerG+14]."""
    text = (html / f"{chapter}.html").read_text(encoding="utf-8")
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>'
                        r"(?:<a [^>]*>)?([^<]*)<", text)
    bad = [x for x in labels if not re.fullmatch(r"[A-Z][^\d+]* (\d{4}|n\.d\.)", x)]
    assert not bad, f"{chapter}: unreadable bibliography labels {bad[:5]}"
