"""Edits rewrite only the lines they concern, in the file's own layout.

Each test makes an edit, compares the line lists before and after with difflib, and reloads
the written bytes with `yaml.safe_load` (what the server does) to check the value.
"""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llama_config.model.document import Document, EditError

HANDWRITTEN = Path(__file__).parent / "files" / "handwritten"
from tests.conftest import CORPUS
COMMENTS = "comments_and_blank_lines.yaml"
FOUR = "four_space_indented_sequences.yaml"
FLOW = "flow_collections.yaml"

PLACEHOLDER = re.compile(r"\$\{env\.[^}]*\}")

SECTIONS = """\
version: 2
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: ${env.SQLITE_STORE_DIR:=~/.llama}/kvstore.db
  stores:
    metadata:
      namespace: registry
      backend: kv_default
    inference:
      table_name: inference_store
      backend: sql_default   # the SQL one
# ---- server settings ----
server:
  port: 8321
"""


def fixture(name: str) -> bytes:
    return (HANDWRITTEN / name).read_bytes()


def doc_of(data: bytes | str) -> Document:
    return Document.from_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def changes(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """(removed lines, added lines) between two versions, with their line endings."""
    removed: list[bytes] = []
    added: list[bytes] = []
    a, b = lines_of(before), lines_of(after)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def edited(data: bytes | str, op: str, *args) -> tuple[Document, bytes, bytes]:
    """Make one edit; check the written bytes load (with PyYAML) to what the document says."""
    before = data.encode("utf-8") if isinstance(data, str) else data
    doc = doc_of(before)
    getattr(doc, op)(*args)
    after = doc.to_bytes()
    assert yaml.safe_load(after) == doc.data
    assert Document.from_bytes(after).to_bytes() == after
    return doc, before, after


def expect(data: dict, op: str, *args) -> dict:
    data = copy.deepcopy(data)
    if op == "set":
        path, value = args
        target = data
        for part in path[:-1]:
            if isinstance(target, dict) and not isinstance(target.get(part), (dict, list)):
                target[part] = {}
            target = target[part]
        target[path[-1]] = value
    elif op == "delete":
        target = data
        for part in args[0][:-1]:
            target = target[part]
        del target[args[0][-1]]
    return data


def line_with(data: bytes, needle: bytes) -> int:
    found = [i for i, line in enumerate(lines_of(data)) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def assert_only_added(before: bytes, after: bytes, added_lines: list[bytes] | None = None) -> list[bytes]:
    removed, added = changes(before, after)
    assert removed == [], removed
    assert added, "nothing was added"
    if added_lines is not None:
        assert added == added_lines
    return added


def assert_placeholders_kept(before: bytes, after: bytes, dropped: tuple[str, ...] = ()) -> None:
    """Every `${env...}` written in the file (but the `dropped` ones) is still there, byte for
    byte and in the same order."""
    survivors = PLACEHOLDER.findall(before.decode("utf-8"))
    for gone in dropped:
        survivors.remove(gone)
    it = iter(PLACEHOLDER.findall(after.decode("utf-8")))
    assert all(any(p == q for q in it) for p in survivors), "a placeholder changed or moved"


# -- one scalar, one line ---------------------------------------------------------------

ONE_LINE = [
    # (fixture, path, new value, old text on the line, new text on the line)
    (COMMENTS, ("server", "port"), 9000, b"  port: 8321 # the default port\n", b"  port: 9000 # the default port\n"),
    (COMMENTS, ("version",), 3, b"version: 2\n", b"version: 3\n"),
    (COMMENTS, ("image_name",), "renamed", b"image_name: handwritten   #", b"image_name: renamed   # end-of-line comment\n"),
    (COMMENTS, ("server", "host"), "127.0.0.1", b'  host: "0.0.0.0"\n', b'  host: "127.0.0.1"\n'),
    (COMMENTS, ("providers", "inference", 0, "config", "api_key"), "secret", b"      api_key: '${env.OLLAMA_API_KEY:=}'\n", b"      api_key: 'secret'\n"),
    (COMMENTS, ("providers", "inference", 0, "config", "note"), "it's still single", b"      note: 'it''s single quoted'\n", b"      note: 'it''s still single'\n"),
    (COMMENTS, ("providers", "inference", 0, "config", "model"), 'say "hi"', b'      model: "llama3.2:3b"\n', b'      model: "say \\"hi\\""\n'),
    (COMMENTS, ("providers", "inference", 0, "config", "url"), "${env.OLLAMA_URL:=http://ollama:11434}", b"${env.OLLAMA_URL:=http://localhost:11434}\n", b"      url: ${env.OLLAMA_URL:=http://ollama:11434}\n"),
    (COMMENTS, ("providers", "inference", 1, "config", "max_tokens"), "${env.VLLM_MAX_TOKENS:=8192}", b"4096}   # spaces before me\n", b"      max_tokens: ${env.VLLM_MAX_TOKENS:=8192}   # spaces before me\n"),
    (COMMENTS, ("providers", "inference", 0, "provider_id"), "ollama-2", b"  - provider_id: ollama    # the local one\n", b"  - provider_id: ollama-2    # the local one\n"),
    (COMMENTS, ("providers", "inference", 0, "provider_type"), "remote::vllm", b"    provider_type: remote::ollama\n", b"    provider_type: remote::vllm\n"),
    (COMMENTS, ("apis", 1), "files", b"- vector_io   \n", b"- files   \n"),
    (COMMENTS, ("storage", "stores", "metadata", "backend"), "kv_other", b"      backend: kv_default\n", b"      backend: kv_other\n"),
    (FOUR, ("providers", "inference", 1, "config", "api_key"), "k", b"                api_key: ${env.OPENAI_API_KEY:=}\n", b"                api_key: k\n"),
    (FOUR, ("apis", 0), "safety", b"    - inference\n", b"    - safety\n"),
    (FLOW, ("server", "port"), 9000, b"server: {port: 8321, host:", b"server: {port: 9000, host: '${env.HOST:=localhost}'}\n"),
    (FLOW, ("providers", "inference", 1, "config", "max_tokens"), 8192, b"max_tokens: 4096 } }\n", b"  - { provider_id: vllm, provider_type: \"remote::vllm\", config: { url: 'http://vllm:8000', max_tokens: 8192 } }\n"),
    (FLOW, ("providers", "inference", 1, "config", "url"), "http://x:1", b"url: 'http://vllm:8000'", b"  - { provider_id: vllm, provider_type: \"remote::vllm\", config: { url: 'http://x:1', max_tokens: 4096 } }\n"),
    (FLOW, ("apis", 1), "files", b"apis: [inference, safety, vector_io]\n", b"apis: [inference, files, vector_io]\n"),
    (FLOW, ("spaced_list", 0), "files", b"spaced_list: [ inference , safety ]\n", b"spaced_list: [ files , safety ]\n"),
    (FLOW, ("registered_resources", "shields", 1, "provider_id"), "other", b"     provider_id: llama-guard}\n", b"     provider_id: other}\n"),
    ("block_scalars.yaml", ("providers", "inference", 0, "config", "after"), 2, b"      after: 1\n", b"      after: 2\n"),
    ("unicode_text.yaml", ("nested", "after"), 2, b"  after: 1\n", b"  after: 2\n"),
    ("unicode_text.yaml", ("nested", "中文"), "新", "  中文: 值\n".encode(), "  中文: 新\n".encode()),
    ("crlf_line_endings.yaml", ("server", "port"), 9000, b"  port: 8321\r\n", b"  port: 9000\r\n"),
    ("utf8_bom.yaml", ("server", "port"), 9000, b"  port: 8321\n", b"  port: 9000\n"),
    ("no_final_newline.yaml", ("server", "port"), 9000, b"  port: 8321", b"  port: 9000"),
    ("long_lines.yaml", ("server", "port"), 9000, b"  port: 8321  # comment", b"  port: 9000  # comment " + b"comment " * 39 + b"\n"),
    ("anchors_aliases_merge.yaml", ("providers", "inference", 1, "provider_id"), "third", b"    provider_id: ollama2\n", b"    provider_id: third\n"),
    ("anchors_aliases_merge.yaml", ("storage", "backends", "kv_other", "db_path"), "/y", b"      db_path: /tmp/other.db\n", b"      db_path: /y\n"),
]


@pytest.mark.parametrize("name, path, value, old, new", ONE_LINE, ids=[f"{c[0]}:{'.'.join(map(str, c[1]))}" for c in ONE_LINE])
def test_changing_one_scalar_changes_one_line(name, path, value, old, new):
    data = fixture(name)
    doc, before, after = edited(data, "set", path, value)
    assert doc.value_at(path) == value
    assert yaml.safe_load(after) == expect(yaml.safe_load(before), "set", path, value)
    removed, added = changes(before, after)
    assert len(removed) == 1 and len(added) == 1, (removed, added)
    assert old in removed[0]
    assert added[0] == new
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("name", sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else [])
def test_corpus_one_value_one_line(name):
    """Every upstream file: change the server port (or add it), touching nothing else."""
    data = (CORPUS / name).read_bytes()
    doc = doc_of(data)
    if doc.value_at(("server", "port")) is None:
        pytest.skip("no server.port")
    doc, before, after = edited(data, "set", ("server", "port"), 9999)
    removed, added = changes(before, after)
    assert len(removed) == 1 and len(added) == 1
    assert added[0] == removed[0].replace(str(yaml.safe_load(before)["server"]["port"]).encode(), b"9999")
    assert_placeholders_kept(before, after)


def test_setting_the_same_value_changes_nothing():
    data = fixture(COMMENTS)
    doc = doc_of(data)
    doc.set(("server", "port"), 8321)
    doc.set(("providers", "inference", 0, "config", "api_key"), "${env.OLLAMA_API_KEY:=}")
    assert doc.to_bytes() == data


# -- adding a backend -------------------------------------------------------------------

NEW_BACKEND = {"type": "sql_sqlite", "db_path": "${env.SQLITE_STORE_DIR:=~/.llama}/sql.db"}


@pytest.mark.parametrize(
    "name, lines, next_line",
    [
        (COMMENTS, [b"    sql_default:\n", b"      type: sql_sqlite\n", b"      db_path: ${env.SQLITE_STORE_DIR:=~/.llama}/sql.db\n"], b"  stores:\n"),
        (FOUR, [b"        sql_default:\n", b"            type: sql_sqlite\n", b"            db_path: ${env.SQLITE_STORE_DIR:=~/.llama}/sql.db\n"], b"    stores:\n"),
        ("crlf_line_endings.yaml", [b"    sql_default:\r\n", b"      type: sql_sqlite\r\n", b"      db_path: ${env.SQLITE_STORE_DIR:=~/.llama}/sql.db\r\n"], b"\r\n"),
    ],
)
def test_adding_a_backend_only_adds_lines(name, lines, next_line):
    doc, before, after = edited(fixture(name), "set", ("storage", "backends", "sql_default"), NEW_BACKEND)
    assert_only_added(before, after, lines)
    assert yaml.safe_load(after) == expect(yaml.safe_load(before), "set", ("storage", "backends", "sql_default"), NEW_BACKEND)
    # the new backend comes right after the last one
    out = lines_of(after)
    assert out[out.index(lines[-1]) + 1] == next_line
    assert_placeholders_kept(before, after)


def to_crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


BACKENDS_LAST = b"version: 2\nserver:\n  port: 8321\nstorage:\n  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("final_newline", [True, False])
@pytest.mark.parametrize("indent", [2, 4])
def test_adding_a_backend_keeps_the_layout(bom, crlf, final_newline, indent):
    data = BACKENDS_LAST.replace(b"  ", b" " * indent) if indent == 4 else BACKENDS_LAST
    nl = b"\r\n" if crlf else b"\n"
    if crlf:
        data = to_crlf(data)
    if not final_newline:
        data = data.rstrip(b"\r\n")
    if bom:
        data = b"\xef\xbb\xbf" + data
    doc, before, after = edited(data, "set", ("storage", "backends", "sql_default"), {"type": "sql_sqlite", "db_path": "/tmp/sql.db"})
    pad = b" " * indent
    want = [pad * 2 + b"sql_default:", pad * 3 + b"type: sql_sqlite", pad * 3 + b"db_path: /tmp/sql.db"]
    assert after.startswith(b"\xef\xbb\xbf") == bom
    assert after.endswith(nl) == final_newline
    assert after.count(b"\r\n") == (after.count(b"\n") if crlf else 0)
    body = after[3:] if bom else after
    old_body = before[3:] if bom else before
    assert body.split(nl) == old_body.split(nl)[: -1 if final_newline else None] + want + ([b""] if final_newline else [])


@pytest.mark.parametrize("name", sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else [])
def test_corpus_adding_a_backend_only_adds_lines(name):
    data = (CORPUS / name).read_bytes()
    if not isinstance(doc_of(data).value_at(("storage", "backends")), dict):
        pytest.skip("no storage.backends in this file")
    doc, before, after = edited(data, "set", ("storage", "backends", "kv_extra"), {"type": "kv_sqlite", "db_path": "/tmp/extra.db"})
    added = assert_only_added(before, after)
    assert [line.strip() for line in added] == [b"kv_extra:", b"type: kv_sqlite", b"db_path: /tmp/extra.db"]
    assert_placeholders_kept(before, after)


# -- empty mappings, empty keys, missing intermediate mappings -----------------------------


@pytest.mark.parametrize(
    "text, path, removed, added",
    [
        ("a: 1\nconfig: {}\nb: 2\n", ("config", "x"), ["config: {}\n"], ["config:\n", "  x: 1\n"]),
        ("a: 1\nconfig: { }\nb: 2\n", ("config", "x"), ["config: { }\n"], ["config:\n", "  x: 1\n"]),
        ("a:\n    config: {}\nb: 2\n", ("a", "config", "x"), ["    config: {}\n"], ["    config:\n", "        x: 1\n"]),
        ("a:\n  config: {}  # keep me\nb: 2\n", ("a", "config", "x"), ["  config: {}  # keep me\n"], ["  config:  # keep me\n", "    x: 1\n"]),
        ("l:\n- metadata: {}\n  id: m\n", ("l", 0, "metadata", "x"), ["- metadata: {}\n"], ["- metadata:\n", "    x: 1\n"]),
        ("l:\n- {}\n- b\n", ("l", 0, "x"), ["- {}\n"], ["- x: 1\n"]),
        ("l:\n  - {}  # c\n", ("l", 0, "x"), ["  - {}  # c\n"], ["  - x: 1  # c\n"]),
        ("a: 1\nconfig:\nb: 2\n", ("config", "x"), [], ["  x: 1\n"]),
        ("a: 1\nconfig:   # empty for now\nb: 2\n", ("config", "x"), [], ["  x: 1\n"]),
        ("a:\n    config:\n    b: 2\n", ("a", "config", "x"), [], ["        x: 1\n"]),
        ("a: 1\nconfig: ~\nb: 2\n", ("config", "x"), ["config: ~\n"], ["config:\n", "  x: 1\n"]),
        ("a: 1\nconfig: null  # c\nb: 2\n", ("config", "x"), ["config: null  # c\n"], ["config:  # c\n", "  x: 1\n"]),
        ("a: 1\nconfig:", ("config", "x"), ["config:"], ["config:\n", "  x: 1"]),
    ],
)
def test_adding_a_key_to_an_empty_mapping(text, path, removed, added):
    doc, before, after = edited(text, "set", path, 1)
    assert yaml.safe_load(after) == expect(yaml.safe_load(before), "set", path, 1)
    assert changes(before, after) == ([r.encode() for r in removed], [a.encode() for a in added])


@pytest.mark.parametrize(
    "text, path, value, added",
    [
        (SECTIONS, ("server", "quota", "kvstore", "backend"), "kv_default", ["  quota:\n", "    kvstore:\n", "      backend: kv_default\n"]),
        (SECTIONS.replace("  ", "    "), ("server", "quota", "kvstore", "backend"), "kv_default", ["    quota:\n", "        kvstore:\n", "            backend: kv_default\n"]),
        (SECTIONS, ("storage", "stores", "conversations", "backend"), "sql_default", ["    conversations:\n", "      backend: sql_default\n"]),
        (SECTIONS.replace("server:\n  port: 8321\n", ""), ("server", "quota", "kvstore", "backend"), "kv", ["server:\n", "  quota:\n", "    kvstore:\n", "      backend: kv\n"]),
        (SECTIONS.rstrip("\n"), ("server", "auth", "provider_config", "type"), "oauth2_token", ["  port: 8321\n", "  auth:\n", "    provider_config:\n", "      type: oauth2_token"]),
    ],
)
def test_creating_missing_intermediate_mappings(text, path, value, added):
    doc, before, after = edited(text, "set", path, value)
    assert yaml.safe_load(after) == expect(yaml.safe_load(before), "set", path, value)
    removed, got = changes(before, after)
    if text.endswith("\n"):
        assert removed == []
    else:  # the last line gains a line break, nothing else
        assert removed == [b"  port: 8321"] and not after.endswith(b"\n")
    assert got == [a.encode() for a in added]
    assert_placeholders_kept(before, after)


def test_quota_in_a_corpus_file_lands_inside_server():
    name = CORPUS / "d1b663294/src/ogx/distributions/starter/config.yaml"
    if not name.exists():
        pytest.skip("corpus file missing")
    doc, before, after = edited(name.read_bytes(), "set", ("server", "quota", "kvstore", "backend"), "kv_default")
    added = assert_only_added(before, after, [b"  quota:\n", b"    kvstore:\n", b"      backend: kv_default\n"])
    out = lines_of(after)
    at = out.index(added[0])
    assert out[at - 1] == b"  port: 8321\n" and out[at - 2] == b"server:\n"
    assert doc.value_at(("server", "port")) == 8321


# -- comments that belong to neighbours ----------------------------------------------------


def comment_above_server(after: bytes) -> None:
    out = lines_of(after)
    i = out.index(b"server:\n")
    assert out[i - 1] == b"# ---- server settings ----\n"
    assert after.count(b"# ---- server settings ----") == 1


@pytest.mark.parametrize(
    "op, args, removed, added",
    [
        ("delete", (("storage", "stores", "inference"),), [b"    inference:\n", b"      table_name: inference_store\n", b"      backend: sql_default   # the SQL one\n"], []),
        ("delete", (("storage", "stores", "inference", "backend"),), [b"      backend: sql_default   # the SQL one\n"], []),
        ("delete", (("storage", "stores"),), None, []),
        ("delete", (("storage",),), None, []),
        ("set", (("storage", "stores", "inference", "num_writers"), 4), [], [b"      num_writers: 4\n"]),
        ("set", (("storage", "stores", "prompts"), {"namespace": "prompts", "backend": "kv_default"}), [], [b"    prompts:\n", b"      namespace: prompts\n", b"      backend: kv_default\n"]),
        ("set", (("storage", "extra"), [1, 2]), [], [b"  extra:\n", b"  - 1\n", b"  - 2\n"]),
        ("rename_key", (("storage", "stores", "inference", "backend"), "backend_ref"), [b"      backend: sql_default   # the SQL one\n"], [b"      backend_ref: sql_default   # the SQL one\n"]),
        ("set", (("storage", "stores", "inference", "backend"), {"name": "sql_default"}), [b"      backend: sql_default   # the SQL one\n"], [b"      backend:   # the SQL one\n", b"        name: sql_default\n"]),
    ],
)
@pytest.mark.parametrize("gap", ["", "\n", "\n\n"])
def test_the_section_comment_stays_above_server(op, args, removed, added, gap):
    text = SECTIONS.replace("# ---- server", gap + "# ---- server")
    doc, before, after = edited(text, op, *args)
    comment_above_server(after)
    if op in ("delete", "set"):
        assert yaml.safe_load(after) == expect(yaml.safe_load(before), op, *args)
    got_removed, got_added = changes(before, after)
    if removed is not None:
        assert got_removed == removed
    assert got_added == added
    assert b"# ---- server settings ----\n" not in got_removed
    assert_placeholders_kept(before, after, dropped=("${env.SQLITE_STORE_DIR:=~/.llama}",) if args[0] == ("storage",) else ())


def test_the_section_comment_stays_when_the_last_store_goes_from_the_fixture():
    data = fixture(COMMENTS)
    for path in [("storage", "stores", "metadata", "backend"), ("storage", "stores", "metadata"), ("storage", "stores"), ("storage",)]:
        doc, before, after = edited(data, "delete", path)
        comment_above_server(after)
        assert yaml.safe_load(after) == expect(yaml.safe_load(before), "delete", path)
        removed, _ = changes(before, after)
        assert not any(line.lstrip().startswith(b"#") for line in removed), removed
    # deleting `storage` leaves the blank lines that separated it from `providers`
    doc, before, after = edited(data, "delete", ("storage",))
    assert b"        backend: kv_default\n\n\n# ---- server settings ----\nserver:\n" in after


def test_the_section_comment_stays_when_a_key_is_added_before_it():
    doc, before, after = edited(fixture(COMMENTS), "set", ("storage", "stores", "inference"), {"backend": "sql_default", "table_name": "inference_store"})
    assert_only_added(before, after, [b"    inference:\n", b"      backend: sql_default\n", b"      table_name: inference_store\n"])
    comment_above_server(after)
    doc, before, after = edited(fixture(COMMENTS), "set", ("storage", "stores", "metadata", "table"), "t")
    assert_only_added(before, after, [b"      table: t\n"])
    comment_above_server(after)


def test_deleting_a_key_removes_its_own_comments():
    text = "a: 1\n# about b\n# more about b\nb: 2   # b's own\n# about c\nc: 3\n"
    doc, before, after = edited(text, "delete", ("b",))
    assert after == b"a: 1\n# about c\nc: 3\n"


def test_deleting_the_first_key_keeps_the_file_header():
    text = "# Llama Stack run config\n# generated by hand\nversion: 2\nimage_name: x\n"
    doc, before, after = edited(text, "delete", ("version",))
    assert after == b"# Llama Stack run config\n# generated by hand\nimage_name: x\n"
    doc, before, after = edited(fixture(COMMENTS), "delete", ("version",))
    assert changes(before, after) == ([b"version: 2\n"], [])


def test_deleting_a_key_keeps_a_deeper_comment_of_the_next_key():
    text = "stores:\n  a:\n    x: 1\n  # about b\n  b:\n    y: 2\n"
    doc, before, after = edited(text, "delete", ("stores", "a"))
    assert after == b"stores:\n  # about b\n  b:\n    y: 2\n"


def test_deleting_the_key_on_the_dash_line():
    doc, before, after = edited("l:\n- x: 1  # x's own\n  y: 2\n", "delete", ("l", 0, "x"))
    assert after == b"l:\n- y: 2\n"
    # a comment above the next key belongs to that key: it stays directly above it
    doc, before, after = edited("l:\n- x: 1  # x's own\n  # about y\n  y: 2\n", "delete", ("l", 0, "x"))
    assert b"  # about y\n  y: 2\n" in after
    assert b"x's own" not in after
    assert yaml.safe_load(after) == {"l": [{"y": 2}]}


@pytest.mark.parametrize(
    "text, path, after",
    [
        ("a: 1\nserver:\n  port: 8321\n", ("server", "port"), "a: 1\nserver: {}\n"),
        ("a: 1\nserver:   # the server\n  port: 8321   # port\nb: 2\n", ("server", "port"), "a: 1\nserver: {}   # the server\nb: 2\n"),
        ("a:\n  b:\n    c: 1\nd: 2\n", ("a", "b", "c"), "a:\n  b: {}\nd: 2\n"),
        ("l:\n- b: 1\n", ("l", 0, "b"), "l:\n- {}\n"),
        ("a: {x: 1}\n", ("a", "x"), "a: {}\n"),
        ("a: { x: 1, y: 2 }\n", ("a", "x"), "a: { y: 2 }\n"),
        ("a: { x: 1, y: 2 }\n", ("a", "y"), "a: { x: 1 }\n"),
        ("only: 1\n", ("only",), "{}\n"),
        ("# header\nonly:\n  a: 1\n", ("only",), "# header\n{}\n"),
        ("only: 1", ("only",), "{}"),
    ],
)
def test_deleting_the_only_key_of_a_mapping(text, path, after):
    doc, before, got = edited(text, "delete", path)
    assert got == after.encode()
    assert yaml.safe_load(got) == expect(yaml.safe_load(before), "delete", path)


# -- renaming ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, path, new, line",
    [
        ("a: 1   # own comment\nb: 2\n", ("a",), "z", "z: 1   # own comment\n"),
        ("'a': 1 # c\nb: 2\n", ("a",), "z", "'z': 1 # c\n"),
        ('"a": 1 # c\nb: 2\n', ("a",), "z", '"z": 1 # c\n'),
        ("a: 1 # c\nb: 2\n", ("a",), "yes", "'yes': 1 # c\n"),
        ("a: 1 # c\nb: 2\n", ("a",), "key: with colon", "'key: with colon': 1 # c\n"),
        ("s:\n  kv_default:   # main\n    type: kv_sqlite\nb: 2\n", ("s", "kv_default"), "kv_main", "  kv_main:   # main\n"),
        ("l:\n- provider_id: x  # c\n  t: 1\n", ("l", 0, "provider_id"), "id", "- id: x  # c\n"),
        ("m: {a: 1, b: 2}  # c\n", ("m", "a"), "z", "m: {z: 1, b: 2}  # c\n"),
        ("m: {a: 1, b: 2}  # c\n", ("m", "a"), "x,y", "m: {'x,y': 1, b: 2}  # c\n"),
        ("m: {a: 1, b: 2}  # c\n", ("m", "a"), "x:y", "m: {'x:y': 1, b: 2}  # c\n"),
    ],
)
def test_rename_key_keeps_comment_and_quotes(text, path, new, line):
    doc, before, after = edited(text, "rename_key", path, new)
    removed, added = changes(before, after)
    assert len(removed) == 1 and added == [line.encode()]
    parent = yaml.safe_load(after)
    for part in path[:-1]:
        parent = parent[part]
    assert new in parent and path[-1] not in parent


# -- placeholders survive every edit elsewhere ---------------------------------------------

EDITS = [
    ("set", ("server", "port"), 9000),
    ("set", ("storage", "backends", "sql_default"), {"type": "sql_sqlite", "db_path": "/tmp/sql.db"}),
    ("set", ("server", "quota", "kvstore", "backend"), "kv_default"),
    ("delete", ("storage", "stores", "metadata", "namespace")),
    ("rename_key", ("storage", "stores", "metadata"), "registry"),
    ("set", ("providers", "inference", 0, "config", "model"), "llama3.3"),
    ("delete", ("apis",)),
    ("set", ("image_name",), "yes"),
    ("delete", ("providers", "vector_io")),
    ("set", ("providers", "inference", 0, "config", "extra"), {"a": [1, {"b": "on"}]}),
]


@pytest.mark.parametrize("variant", ["lf", "crlf", "bom"])
def test_placeholders_kept_through_a_session_of_edits(variant):
    data = fixture(COMMENTS)
    if variant == "crlf":
        data = to_crlf(data)
    elif variant == "bom":
        data = b"\xef\xbb\xbf" + data
    doc = doc_of(data)
    values = {}
    for node in doc.root.walk():
        if node.kind == "scalar" and "${env." in node.raw:
            values[node.raw] = doc.text[node.start : node.end]
    expected = yaml.safe_load(data)
    for op, *args in EDITS:
        before = doc.to_bytes()
        getattr(doc, op)(*args)
        after = doc.to_bytes()
        if op == "rename_key":
            expected["storage"]["stores"]["registry"] = expected["storage"]["stores"].pop("metadata")
        else:
            expected = expect(expected, op, *args)
        assert yaml.safe_load(after) == expected == doc.data
        assert_placeholders_kept(before, after)
        if variant == "crlf":
            assert after.count(b"\r\n") == after.count(b"\n")
        assert after.startswith(b"\xef\xbb\xbf") == (variant == "bom")
    text = doc.text
    for raw, written in values.items():
        assert written in text
    assert len(PLACEHOLDER.findall(text)) == len(PLACEHOLDER.findall(data.decode("utf-8-sig")))


# -- new strings are quoted when YAML 1.1 would read something else ------------------------

TRICKY = [
    "yes", "no", "on", "off", "y", "Y", "n", "N", "Yes", "NO", "On", "OFF", "true", "False", "TRUE",
    "0777", "0o17", "1:20", "190:20:30", "1_000", "1e3", "1E3", "1.0e+3", ".5", "-.5", "+1", "0x1F", "0b101",
    ".inf", "-.Inf", ".NaN", "null", "Null", "NULL", "~", "", "2024-01-01", "2024-1-1", "2024-01-01 10:00:00",
    "2024-01-01T10:00:00Z", "a: b", "a #b", "a:", "#a", " lead", "trail ", " ", "*x", "&x", "!x", "!!str", "-x",
    "- x", "-", "--", "---", "...", "... x", "--- x", "?", "? x", "?x", ":x", "|", ">", "%x", "@x", "`x", "'x",
    '"x', "x'", 'x"', "[x", "]x", "{x", "}x", ",x", "x,y", "x:y", "x]", "x}", "x?y", "=", "<<", "a\tb", "\ta",
    "a\nb", "a\n", "\n", "a\r\nb", "a\\nb", "é", "🦙", "\x85", "a\u2028b", "\ufeffx", "a\x7fb", "a\x00b", "a\x90b",
    "a\ufffeb", "${env.X:=1}", "${env.X:+y}", "${env.X:=a, b}", "a # not a comment", "http://x:1/y",
]  # fmt: skip


def value_at(data, path):
    for part in path:
        data = data[part]
    return data


TRICKY_TARGETS = [
    ("k: old\nz: 1\n", ("k",)),
    ("k: 'old'\nz: 1\n", ("k",)),
    ('k: "old"\nz: 1\n', ("k",)),
    ("k: 12\n", ("k",)),
    ("k: |\n  old\nz: 1\n", ("k",)),
    ("k:\n  a: 1\nz: 1\n", ("k",)),
    ("z: 1\n", ("k",)),
    ("z: 1\n", ("new", "nested", "k")),
    ("m: {k: 1, z: 2}\n", ("m", "k")),
    ("m: {z: 2}\n", ("m", "k")),
    ("m: {}\n", ("m", "k")),
    ("l: [old, z]\n", ("l", 0)),
    ("l:\n- old\n- z\n", ("l", 0)),
    ("l:\n- k: old\n", ("l", 0, "k")),
]


@pytest.mark.parametrize("text, path", TRICKY_TARGETS)
@pytest.mark.parametrize("value", TRICKY)
def test_new_strings_come_back_as_the_same_string(text, path, value):
    doc, before, after = edited(text, "set", path, value)
    got = value_at(yaml.safe_load(after), path)
    assert type(got) is str and got == value, after


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_values_in_nested_collections(value):
    new = {"a": [value, {"b": value}], value or "empty": value}
    for text, path in [("z: 1\n", ("k",)), ("m: {z: 2}\n", ("m", "k")), ("l: [1]\n", ("l", 0)), ("l:\n- 1\n", ("l", 0))]:
        doc, before, after = edited(text, "set", path, new)
        assert value_at(yaml.safe_load(after), path) == new


@pytest.mark.parametrize("value", TRICKY)
def test_new_keys_come_back_as_the_same_string(value):
    if value == "":
        pytest.skip("the empty key")
    for text, op, args, parent in [
        ("a: 1\nb: 2\n", "rename_key", (("a",), value), ()),
        ("m: {a: 1, b: 2}\n", "rename_key", (("m", "a"), value), ("m",)),
        ("a: 1\n", "set", ((value,), 1), ()),
        ("m:\n  a: 1\n", "set", (("m", value), 1), ("m",)),
        ("m: {a: 1}\n", "set", (("m", value), 1), ("m",)),
    ]:
        doc, before, after = edited(text, op, *args)
        keys = list(value_at(yaml.safe_load(after), parent))
        assert value in keys and all(type(k) is str for k in keys), after


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.text(max_size=20), where=st.sampled_from(TRICKY_TARGETS))
def test_fuzz_new_string_values(value, where):
    text, path = where
    doc, before, after = edited(text, "set", path, value)
    got = value_at(yaml.safe_load(after), path)
    assert type(got) is str and got == value


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.text(min_size=1, max_size=12), value=st.text(max_size=12))
def test_fuzz_new_keys(key, value):
    for text, path in [("a: 1\n", (key,)), ("m: {a: 1}\n", ("m", key)), ("m:\n  a: 1\n", ("m", key))]:
        if key == "a":
            continue
        doc, before, after = edited(text, "set", path, value)
        assert value_at(yaml.safe_load(after), path) == value


# -- edits that cannot be made are refused, with nothing changed ---------------------------


@pytest.mark.parametrize(
    "text, op, args",
    [
        ("a: 1\n", "set", (("a", "b"), 1)),
        ("a: [1]\n", "set", (("a", 3), 1)),
        ("a: 1\n", "delete", (("b",),)),
        ("a: 1\nb: 2\n", "rename_key", (("a",), "b")),
        ("a: 1\n", "set", ((), 1)),
        ("x: &A {p: 1}\ny: *A\n", "set", (("y", "p"), 2)),
        ("x: &A {p: 1}\ny: *A\n", "set", (("x", "p"), 2)),
        ("x: &A v\ny: *A\n", "set", (("x",), "w")),
        ("x: &A {p: 1}\ny:\n  <<: *A\n", "delete", (("x",),)),
    ],
)
def test_refused_edits_change_nothing(text, op, args):
    doc = doc_of(text)
    with pytest.raises(EditError) as info:
        getattr(doc, op)(*args)
    assert "internal error" not in str(info.value)
    assert doc.text == text and not doc.modified
    assert doc.data == yaml.safe_load(text)


MERGED = "base: &b {id: x, url: u}\nitem:\n  <<: *b\n  id: y\n  own: 1\n"


@pytest.mark.parametrize(
    "op, args, match",
    [
        ("delete", (("item", "id"),), "overrides the value merged in from line 1"),
        ("rename_key", (("item", "id"), "name"), "overrides the value merged in from line 1"),
        ("rename_key", (("item", "own"), "url"), "item.url already exists"),
        ("delete", (("item", "url"),), "does not exist"),
    ],
)
def test_keys_merged_in_with_merge_keys(op, args, match):
    doc = doc_of(MERGED)
    with pytest.raises(EditError, match=re.escape(match)):
        getattr(doc, op)(*args)
    assert not doc.modified


def test_merged_values_can_be_overridden_and_own_keys_edited():
    doc, before, after = edited(MERGED, "set", ("item", "url"), "v")
    assert_only_added(before, after, [b"  url: v\n"])
    doc, before, after = edited(MERGED, "delete", ("item", "own"))
    assert changes(before, after) == ([b"  own: 1\n"], [])
    doc, before, after = edited(MERGED, "set", ("item", "id"), "z")
    assert yaml.safe_load(after)["item"] == {"id": "z", "url": "u", "own": 1}


def test_shared_values_can_still_be_replaced_where_they_are_used():
    doc, before, after = edited("x: &A {p: 1}\ny: *A\nz: 1\n", "set", ("y",), {"p": 2})
    assert yaml.safe_load(after) == {"x": {"p": 1}, "y": {"p": 2}, "z": 1}
    doc, before, after = edited("x: &A v\ny: *A\n", "set", ("y",), "w")
    assert after == b"x: &A v\ny: w\n"


def test_an_anchor_nobody_uses_is_kept():
    doc, before, after = edited("x: &A v  # c\ny: 1\n", "set", ("x",), "w")
    assert after == b"x: &A w  # c\ny: 1\n"
    doc, before, after = edited("x: &A\n  p: 1\ny: 1\n", "set", ("x", "p"), 2)
    assert after == b"x: &A\n  p: 2\ny: 1\n"


@pytest.mark.parametrize(
    "text, path, value, after",
    [
        ("a: !!str\nb: 1\n", ("a",), "x", "a: x\nb: 1\n"),
        ("a: &A\nb: 1\n", ("a",), "x", "a: &A x\nb: 1\n"),
        ("a: !!str x\n", ("a",), 5, "a: 5\n"),
        ("a: !!str x  # c\n", ("a",), [1], "a:  # c\n- 1\n"),
        ("a: &A !!map\n  x: 1\nb: 1\n", ("a",), "s", "a: &A s\nb: 1\n"),
        ("a: !!map\n  x: 1\nb: 1\n", ("a",), [1], "a:\n- 1\nb: 1\n"),
        ("a: &A |  # c\n  x\nb: 1\n", ("a",), "s", "a: &A s  # c\nb: 1\n"),
        ("a: &A {}  # c\n", ("a", "x"), 1, "a: &A  # c\n  x: 1\n"),
        ("a: !!null  # c\nb: 1\n", ("a", "k"), 1, "a:  # c\n  k: 1\nb: 1\n"),
        ("l: [&A v, 1]\n", ("l", 0), "w", "l: [&A w, 1]\n"),
        ("a:\n  x: 1  # x's own\nb: 2\n", ("a",), {"y": 2}, "a:\n  y: 2\nb: 2\n"),
    ],
)
def test_anchors_stay_and_tags_go_when_a_value_is_replaced(text, path, value, after):
    """An unused anchor is the author's and stays; a tag may not fit the new value and goes."""
    doc, before, got = edited(text, "set", path, value)
    assert got == after.encode()


@pytest.mark.parametrize(
    "text, path, after",
    [
        ("l: [{}, 1]\n", ("l", 0, "x"), "l: [{x: 1}, 1]\n"),
        ("l: [ { }, 1]\n", ("l", 0, "x"), "l: [ { x: 1 }, 1]\n"),
        ("m: {a: {}}\n", ("m", "a", "x"), "m: {a: {x: 1}}\n"),
        ("m: {a: {}}\n", ("m", "a", "x", "y"), "m: {a: {x: {y: 1}}}\n"),
        ("m: {a: 1}\n", ("m", "b", "c"), "m: {a: 1, b: {c: 1}}\n"),
    ],
)
def test_an_empty_mapping_inside_a_flow_collection_stays_flow(text, path, after):
    doc, before, got = edited(text, "set", path, 1)
    assert got == after.encode()


REPEATED = "providers:\n  files:\n  - provider_id: a\n  safety: []\n  files:\n  - provider_id: a\nserver:\n  port: 1\n"


def test_a_key_written_twice_is_deleted_everywhere():
    doc, before, after = edited(REPEATED, "delete", ("providers", "files"))
    assert after == b"providers:\n  safety: []\nserver:\n  port: 1\n"
    assert doc.repeated_keys == []


@pytest.mark.parametrize(
    "op, args",
    [
        ("set", (("providers", "files"), [])),
        ("set", (("providers", "files", 0, "provider_id"), "b")),
        ("rename_key", (("providers", "files"), "files2")),
        ("delete", (("providers", "files", 0, "provider_id"),)),
    ],
)
def test_edits_through_a_key_written_twice_are_refused(op, args):
    doc = doc_of(REPEATED)
    with pytest.raises(EditError, match=r"written 2 times \(lines 2 and 5\)"):
        getattr(doc, op)(*args)
    assert not doc.modified


def test_editing_a_corpus_file_with_a_repeated_key():
    name = CORPUS / "2c43285e2/benchmarking/k8s-benchmark/stack_run_config.yaml"
    if not name.exists():
        pytest.skip("corpus file missing")
    doc = doc_of(name.read_bytes())
    assert [k.raw for k, _ in doc.repeated_keys] == ["files"]
    doc.set(("server", "port"), 9000)
    doc.delete(("providers", "files"))
    assert doc.repeated_keys == []
    assert yaml.safe_load(doc.to_bytes()) == doc.data and "files" not in doc.data["providers"]


# -- every key of every fixture -----------------------------------------------------------


def key_paths(node, prefix=()):
    node = node.resolved
    if node.kind == "map":
        for k, v in node.items:
            if k.kind == "scalar" and not (k.raw == "<<" and k.style == ""):
                yield prefix + (k.value,)
                yield from key_paths(v, prefix + (k.value,))
    elif node.kind == "seq":
        for i, item in enumerate(node.items):
            yield prefix + (i,)
            yield from key_paths(item, prefix + (i,))


@pytest.mark.parametrize("name", sorted(p.name for p in HANDWRITTEN.glob("*.yaml")))
def test_every_edit_of_every_fixture_is_made_or_refused_cleanly(name):
    """Each edit either gives exactly the intended data, or an EditError that is no internal error."""
    data = fixture(name)
    made = 0
    for path in key_paths(doc_of(data).root):
        edits = [("set", (path, "new value")), ("set", (path, {"a": 1, "b": [1, "x"]})), ("set", (path, [])), ("set", (path + ("deep", "er"), 5)), ("set", (path, None))]
        if isinstance(path[-1], str):
            edits += [("delete", (path,)), ("rename_key", (path, "renamed_key"))]
        for op, args in edits:
            doc = doc_of(data)
            try:
                getattr(doc, op)(*args)
            except EditError as exc:
                assert "internal error" not in str(exc), (op, args, str(exc))
                assert doc.to_bytes() == data
                continue
            after = doc.to_bytes()
            if op == "rename_key":
                want = yaml.safe_load(data)
                parent = value_at(want, path[:-1])
                parent["renamed_key"] = parent.pop(path[-1])
            else:
                want = expect(yaml.safe_load(data), op, *args)
            assert yaml.safe_load(after) == want == doc.data, (op, args)
            assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
            assert after.endswith(b"\n") == data.endswith(b"\n")
            made += 1
    assert made > 20


def test_add_keys_writes_what_setting_each_would_in_one_reparse(monkeypatch):
    text = "storage:\n  stores:\n    metadata: {backend: kv, namespace: registry}  # kept\nserver: {}\n"
    entries = {"conversations": {"backend": "sql", "table_name": "openai_conversations"}, "prompts": {"backend": "sql", "table_name": "prompts"}}
    one_by_one = Document(text)
    for key, value in entries.items():
        one_by_one.set(("storage", "stores", key), value)
    import llama_config.model.document as document_module

    parses = []
    real = document_module.parse
    monkeypatch.setattr(document_module, "parse", lambda *a, **k: parses.append(1) or real(*a, **k))
    batched = Document(text)
    parses.clear()
    batched.add_keys(("storage", "stores"), entries)
    assert batched.text == one_by_one.text and len(parses) == 1
    # a missing mapping is created with every key; a key already there goes through set
    fresh = Document("version: 2\n")
    fresh.add_keys(("storage", "stores"), entries)
    assert fresh.data == {"version": 2, "storage": {"stores": entries}}
