"""The variables a config uses (model/variables.py) and how `show` lists them."""

from __future__ import annotations

from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.variables import variables_used
from llama_config.tui.commands.show import build_tree

TEXT = """\
version: 2
image_name: vars
providers:
  inference:
  - provider_id: ${env.OLLAMA_URL:+ollama}
    provider_type: remote::ollama
    config:
      url: ${env.OLLAMA_URL:=http://localhost:11434}
storage:
  backends:
    kv_default:
      type: kv_postgres
      host: ${env.PG_HOST}
      user: llama
      password: ${env.PG_PASSWORD:=hunter2}
  stores:
    metadata: {backend: kv_default, namespace: registry}
"""


def test_each_variable_with_its_uses_requirement_defaults_and_source():
    uses = {u.name: u for u in variables_used(Document(TEXT), Environment(environ={"PG_HOST": "db"}))}
    assert list(uses) == ["OLLAMA_URL", "PG_HOST", "PG_PASSWORD"]
    assert uses["OLLAMA_URL"].paths == [("providers", "inference", 0, "provider_id"), ("providers", "inference", 0, "config", "url")]
    assert not uses["OLLAMA_URL"].required and uses["OLLAMA_URL"].defaults == ["http://localhost:11434"]
    assert uses["PG_HOST"].required and uses["PG_HOST"].source.is_set and uses["PG_HOST"].source.origin == "environment"
    assert uses["PG_PASSWORD"].secret and not uses["PG_PASSWORD"].source.is_set


def test_show_lists_variables_without_revealing_secret_defaults():
    from rich.console import Console

    console = Console(record=True, width=300, color_system=None)
    for tree in build_tree(Document(TEXT), "run.yaml", Environment(environ={})):
        console.print(tree)
    out = console.export_text()
    assert "Environment variables (3)" in out
    assert "PG_HOST  unset: required, the server will not start" in out
    assert "OLLAMA_URL  unset → default 'http://localhost:11434'" in out
    assert "hunter2" not in out and "PG_PASSWORD  unset → default '••••••'" in out


ESCAPED = """\
version: 2
image_name: "\\x24{env.IMAGE}"
providers:
  inference:
  - provider_id: a
    provider_type: remote::x
    config: {url: "\\u0024{env.URL:=http://h}", other: [1, {deep: no}]}
  - provider_id: c
    provider_type: remote::x
    config: {other: [1, {deep: "${env.DEEP}"}]}
  - provider_id: b
    provider_type: remote::x
    config:
      note: >
        folded ${env.FOLDED}
      plain: no mark here
server: {port: "${env.PORT:=8321}"}
"""


def test_the_walk_that_skips_what_holds_no_mark_finds_every_placeholder():
    """string_scalars with the text skips collections where no `${` (or backslash) is written:
    it must find what the full walk finds, in the same order, also where a double-quoted value
    writes the `$` as an escape."""
    from llama_config.model.variables import scalar_values, string_scalars
    from tests.conftest import CORPUS_FILES

    texts = [TEXT, ESCAPED] + [path.read_text() for path in CORPUS_FILES]
    found = 0
    for text in texts:
        try:
            doc = Document(text)
        except Exception:
            continue
        full = [(path, node.start) for path, node in string_scalars(doc.root)]
        assert [(path, node.start) for path, node in string_scalars(doc.root, text=doc.text)] == full
        holding = [(path, node.start) for path, node in scalar_values(doc.root, (), "${env.")]
        assert [(path, node.start) for path, node in scalar_values(doc.root, (), "${env.", text=doc.text)] == holding
        found += len(full)
    assert found > 100
    assert [use.name for use in variables_used(Document(ESCAPED))] == ["IMAGE", "URL", "DEEP", "FOLDED", "PORT"]
