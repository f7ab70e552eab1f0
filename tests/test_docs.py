"""README.md and docs/*.md: every relative link and #anchor resolves, and the markers the
tools write between are where they look for them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation but '-' and '_' dropped, spaces to '-'."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_relative_links_and_anchors_resolve(page):
    broken = []
    for target in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading with that id in {dest.relative_to(ROOT)}")
    assert broken == []


def test_the_bench_table_markers_are_in_the_readme_once():
    """bench/run.py --readme writes its table between them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count("<!-- bench:start -->\n") == 1 and text.count("<!-- bench:end -->") == 1
    assert text.index("<!-- bench:start -->") < text.index("<!-- bench:end -->")


def test_every_diagnostic_code_is_in_the_validate_docs_table():
    from llama_config.model.diagnostics import CODES

    table = "\n".join(line for line in (ROOT / "docs" / "validate.md").read_text().splitlines() if line.startswith("| `"))
    assert [code for code in CODES if f"`{code}`" not in table] == []
