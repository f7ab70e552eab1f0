"""Shared helpers for the validation tests, and the checks that hold for every diagnostic.

The other `test_validation_*` files import from here: start from BASE (a minimal valid v0.3
run.yaml), tweak it with `config(...)`, validate with `check(...)`, and compare `summary(...)`
with the exact (severity, code, path, line, column) list. Expected lines and columns come from
`pos(text, needle)`, so they follow the YAML the test wrote.
"""

from __future__ import annotations

import json

from llama_config.model.diagnostics import CODES, Diagnostic
from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.releases import load_release
from llama_config.model.validation import has_errors, validate

BASE = """\
version: 2
image_name: test
apis:
- agents
- files
- inference
- safety
- tool_runtime
- vector_io
providers:
  inference:
  - provider_id: ollama
    provider_type: remote::ollama
    config:
      url: http://localhost:11434
  vector_io:
  - provider_id: faiss
    provider_type: inline::faiss
    config:
      persistence:
        backend: kv_default
        namespace: vector_io::faiss
  files:
  - provider_id: localfs
    provider_type: inline::localfs
    config:
      storage_dir: /tmp/files
      metadata_store:
        backend: sql_default
        table_name: files_metadata
  agents:
  - provider_id: meta-reference
    provider_type: inline::meta-reference
    config:
      persistence:
        agent_state:
          backend: kv_default
          namespace: agents
        responses:
          backend: sql_default
          table_name: responses
  safety:
  - provider_id: llama-guard
    provider_type: inline::llama-guard
    config:
      excluded_categories: []
  tool_runtime:
  - provider_id: rag-runtime
    provider_type: inline::rag-runtime
    config: {}
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: /tmp/kv.db
    sql_default:
      type: sql_sqlite
      db_path: /tmp/sql.db
  stores:
    metadata:
      backend: kv_default
      namespace: registry
    inference:
      backend: sql_default
      table_name: inference_store
    conversations:
      backend: sql_default
      table_name: openai_conversations
server:
  port: 8321
"""

# Appended to BASE (it ends inside `server:`).
AUTH = """\
  auth:
    provider_config:
      type: custom
      endpoint: http://auth.local/check
"""

QUOTA = """\
  quota:
    kvstore:
      backend: kv_default
      namespace: quota
    anonymous_max_requests: 100
    authenticated_max_requests: 1000
    period: day
"""


def config(*edits: tuple[str, str], base: str = BASE, append: str = "") -> str:
    """`base` with each (old, new) replaced; `old` must occur exactly once, so a test never
    silently edits nothing or the wrong place."""
    text = base
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text + append


# BASE is a llama-stack 0.3 file: the tests judge it against that release unless they say otherwise.
RELEASE = "0.3"


def check(text: str, env: dict[str, str] | None = None, *, strict_env: bool = False, server: str = RELEASE) -> list[Diagnostic]:
    """Validate `text` with only the variables in `env` set (never the test runner's own)."""
    return validate(Document(text), Environment(environ=env or {}), strict_env=strict_env, release=load_release(server))


def summary(diagnostics: list[Diagnostic], *, infos: bool = True) -> list[tuple]:
    return [(d.severity, d.code, d.path_text, d.line, d.column) for d in diagnostics if infos or d.severity != "info"]


def pos(text: str, needle: str, nth: int | None = None) -> tuple[int, int]:
    """1-based (line, column) where the `nth` occurrence of `needle` starts. Without `nth` the
    needle must be unique, so a test cannot point at the wrong copy by accident."""
    if nth is None:
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    index = -1
    for _ in range(nth or 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, f"expected one {code}, got {summary(diagnostics)}"
    return found[0]


def has(message: str, *parts: str) -> None:
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


# --------------------------------------------------------------------------- tests


def test_base_config_is_clean():
    assert check(BASE) == []
    assert check(config(append=AUTH + QUOTA)) == []


def _many_problems() -> str:
    """One file that trips most rules at once, spread over the whole file."""
    return config(
        ("url: http://localhost:11434", "url: ${env.OLLAMA_URL}\n      key: ${env.api_key:=x}"),
        ("backend: kv_default\n        namespace: vector_io::faiss", "backend: kv_defualt\n        namespace: vector_io::faiss"),
        ("backend: sql_default\n        table_name: files_metadata", "backend: kv_default\n        table_name: files_metadata"),
        ("namespace: agents", "namespace: registry"),
        ("db_path: /tmp/kv.db", "db_pth: /tmp/kv.db"),
        ("type: sql_sqlite", "type: sql_sqlit"),
        ("table_name: openai_conversations", "table_name: inference_store"),
        ("port: 8321", "port: 80\n  port: 80"),
        append=QUOTA.replace("period: day", "period: week").replace("anonymous_max_requests", "anonymous_max_request")
        + "extra_top: 1\n",
    )


def test_every_emitted_code_is_registered_and_output_is_sorted_by_line():
    diagnostics = check(_many_problems())
    codes = {d.code for d in diagnostics}
    assert len(codes) >= 12  # the file really exercises many rules
    assert codes <= set(CODES), codes - set(CODES)
    assert [d.line for d in diagnostics] == sorted(d.line for d in diagnostics)
    assert diagnostics == sorted(diagnostics, key=Diagnostic.sort_key)
    assert has_errors(diagnostics)


def test_codes_from_other_rule_areas_are_registered():
    texts = [
        BASE.split("storage:")[0] + "metadata_store: {type: sqlite, db_path: /tmp/r.db}\n",
        config(("  port: 8321\n", ""), append="  quota: {type: sqlite, config: {db_path: ./q.db}, limit: {max_requests: 5}}\n"),
        config(append="  quota:\n    kvstore: {type: sqlite, db_path: ./q.db}\n"),
        # from 0.4 an unset store falls back to a default backend (prompts -> kv_default, gone here);
        # 0.3 has no such defaults, so this one is judged against 0.4
        ("0.4", config(("    kv_default:\n", "    kv_main:\n"),
               ("backend: kv_default\n        namespace: vector_io", "backend: kv_main\n        namespace: vector_io"),
               ("backend: kv_default\n          namespace: agents", "backend: kv_main\n          namespace: agents"),
               ("backend: kv_default\n      namespace: registry", "backend: kv_main\n      namespace: registry"))),
        config(("db_path: /tmp/kv.db", "db_path: ${env.D:/tmp}/${env.E:-x}/${env.F+y}/${env.G/${env.h-i}/${env.J:=${env.K}}")),
        config(("url: http://localhost:11434", "url: http://${env.host:=x}/${env.HOST")),
        BASE.split("storage:")[0],
        config(("port: 8321", "port: ${env.PORT:=abc}")),
    ]
    seen: set[str] = set()
    for text in texts:
        server, text = text if isinstance(text, tuple) else (RELEASE, text)
        for d in check(text, strict_env=True, server=server):
            assert d.code in CODES, (d.code, d.message)
            seen.add(d.code)
    for code in ("old-format", "quota-draft-shape", "legacy-inline-store", "store-default-missing", "storage-missing",
                 "env-old-default-syntax", "env-unsupported-operator", "env-old-conditional-syntax", "env-unclosed",
                 "env-bad-name", "env-nested", "env-lowercase-name", "env-resolved-invalid"):
        assert code in seen, code


def test_to_json_has_exactly_the_documented_keys():
    diagnostics = check(_many_problems())
    assert diagnostics
    for d in diagnostics:
        data = d.to_json()
        assert list(data) == ["severity", "code", "path", "line", "column", "message"]
        assert data["path"] == d.path_text and isinstance(data["line"], int) and isinstance(data["column"], int)
        json.dumps(data)


def test_format_reads_like_a_compiler_message():
    text = config(("db_path: /tmp/kv.db", "db_pth: /tmp/kv.db"))
    d = only(check(text), "unknown-key")
    line, column = pos(text, "db_pth")
    assert d.format("run.yaml") == f"run.yaml:{line}:{column}: warning: {d.message} [unknown-key]"


def test_validate_uses_the_process_environment_by_default(monkeypatch):
    text = config(("url: http://localhost:11434", "url: ${env.LLAMA_CONFIG_TEST_URL}"))
    monkeypatch.delenv("LLAMA_CONFIG_TEST_URL", raising=False)
    assert [d.code for d in validate(Document(text))] == ["env-unset"]
    monkeypatch.setenv("LLAMA_CONFIG_TEST_URL", "http://h")
    assert validate(Document(text)) == []
