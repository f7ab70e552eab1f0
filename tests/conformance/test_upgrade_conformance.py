"""Every config each supported release ships, upgraded to every later supported release, is
started by that release's own loader and startup checks (the oracle), and `validate --server
TARGET` finds no error in it that the original did not have at its own release. One test id per
(file, from, to). A shipped config its own release refuses (shipped.py: the RAG tool without a
files provider) must be refused for that same reason after the upgrade, and for no other."""

from __future__ import annotations

from pathlib import Path

import pytest

from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.migration.upgrade import upgrade
from llama_config.model.releases import load_release
from llama_config.model.validation import validate
from llama_config.tui.commands.common import added_errors
from llama_config.tui.commands.upgrade import _moved
from tests.conformance.agreement import judged_per_line
from tests.conformance.conftest import oracle
from tests.conformance.shipped import SHIPPED_ENV, refused_by_own_release, shipped_configs, shipped_id
from tools.releases.envs import RELEASES

pytestmark = pytest.mark.conformance

LINES = [line for line in RELEASES if shipped_configs(line)]
CASES = [(src, path, dst) for i, src in enumerate(LINES) for path in shipped_configs(src) for dst in LINES[i + 1 :]]
IDS = [f"{shipped_id(src, path)}->{dst}" for src, path, dst in CASES]


def _upgraded(src: str, path: Path, dst: str, out: Path) -> tuple[Document, Path]:
    doc = Document.load(str(path))
    upgrade(doc, src, dst)
    target = out / f"{shipped_id(src, path).replace('/', '_')}-to-{dst}.yaml"
    target.write_text(doc.text)
    return doc, target


@pytest.fixture(scope="module")
def upgraded_verdicts(tmp_path_factory) -> dict[tuple, dict]:
    """One oracle process per target release for all the files upgraded to it (cached on disk),
    two releases at a time."""
    out = tmp_path_factory.mktemp("upgraded")
    cases = {_upgraded(src, path, dst, out)[1]: (src, path, dst) for src, path, dst in CASES}
    wanted: dict[str, list[Path]] = {}
    for f, (_, _, dst) in cases.items():
        wanted.setdefault(dst, []).append(f)
    return {cases[f]: verdict for verdicts in judged_per_line(wanted, oracle, SHIPPED_ENV).values() for f, verdict in verdicts.items()}


@pytest.mark.parametrize("src,path,dst", CASES, ids=IDS)
def test_upgraded_shipped_config_starts_on_the_later_release(src, path, dst, upgraded_verdicts):
    verdict = upgraded_verdicts[(src, path, dst)]
    own = refused_by_own_release(src, path)
    if own:
        assert not verdict["accepted"] and own in verdict["error"], verdict
    else:
        assert verdict["accepted"], f"{dst} refuses the upgraded file at {verdict['stage']}: {verdict['error']}"


@pytest.mark.parametrize("src,path,dst", CASES, ids=IDS)
def test_upgraded_shipped_config_has_no_new_validate_error(src, path, dst):
    doc = Document.load(str(path))
    upgrade(doc, src, dst)
    before = validate(Document.load(str(path)), release=load_release(src), env=Environment(environ=SHIPPED_ENV))
    after = validate(doc, release=load_release(dst), env=Environment(environ=SHIPPED_ENV))
    new = added_errors(before, after, _moved)
    if refused_by_own_release(src, path):
        # the original lacks a files provider; later releases need it for more providers too:
        # one fix (add a files provider) for all of them
        new = [d for d in new if not (d.code == "missing-dependency" and "needs the files API" in d.message)]
    assert not new, "\n".join(d.format(str(path)) for d in new)
