"""Whole-file rules: the pre-0.3 format, the newer config.yaml format (distro_name,
registered_resources, defaulted stores), top-level keys and keys written twice."""

from __future__ import annotations

import pytest

from model.document import Document
from model.errors import ParseError
from tests.test_validation_common import BASE, check, config, has, only, pos, summary

OLD = """\
version: '2'
image_name: old
apis:
- inference
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
      kvstore:
        type: sqlite
        db_path: /tmp/faiss_store.db
metadata_store:
  type: sqlite
  db_path: /tmp/registry.db
inference_store:
  type: sqlite
  db_path: /tmp/inference_store.db
server:
  port: 8321
"""

NEWER = """\
version: 2
distro_name: starter
apis:
- inference
- vector_io
providers:
  inference:
  - provider_id: ollama
    provider_type: remote::ollama
    config:
      base_url: ${env.OLLAMA_URL:=http://localhost:11434/v1}
  vector_io:
  - provider_id: faiss
    provider_type: inline::faiss
    config:
      persistence:
        backend: kv_default
        namespace: vector_io::faiss
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
registered_resources:
  models: []
  shields: []
  vector_stores: []
vector_stores:
  default_provider_id: faiss
safety:
  default_shield_id: llama-guard
server:
  port: 8321
  workers: 2
"""


# --------------------------------------------------------------------------- old format


def test_old_format_file_gets_one_error_pointing_at_migration():
    text = OLD
    assert summary(check(text)) == [("error", "old-format", "metadata_store", *pos(text, "metadata_store:"))]
    assert check(text)[0].message == (
        "this is a pre-0.3 run config: metadata_store, inference_store are full store configs at the top level. "
        "Since v0.3 (llama-stack #3697) storage is declared once under storage.backends and referenced from "
        "storage.stores and the providers; convert the file with `llama-config migrate`"
    )


def test_old_format_with_a_single_store():
    text = OLD.split("metadata_store:")[0] + "conversations_store:\n  type: sqlite\n  db_path: /tmp/c.db\n"
    d = only(check(text), "old-format")
    assert (d.path_text, d.line, d.column) == ("conversations_store", *pos(text, "conversations_store:"))
    has(d.message, "conversations_store is a full store config at the top level")


def test_old_format_still_gets_its_other_problems():
    text = OLD.replace("port: 8321", "port: 80")
    assert [d.code for d in check(text)] == ["old-format", "out-of-range"]


def test_top_level_store_next_to_a_storage_section_is_a_leftover_not_the_old_format():
    # half-migrated: storage exists, so the v0.3 server ignores the old key
    text = config(append="metadata_store:\n  type: sqlite\n  db_path: /tmp/registry.db\n")
    line = text.count("\n", 0, text.index("\nmetadata_store:")) + 2  # the top-level one, not the files provider's
    assert summary(check(text)) == [("warning", "unknown-key", "metadata_store", line, 1)]
    assert check(text)[0].message == (
        "'metadata_store' is where a pre-0.3 file configured this store; since v0.3 the server ignores it and uses "
        "storage.stores.metadata: delete it once its settings are under storage"
    )


# --------------------------------------------------------------------------- newer format


def test_newer_format_file_is_clean():
    assert check(NEWER) == []


def test_newer_format_accepts_image_name_too():
    assert check(NEWER.replace("distro_name: starter", "image_name: starter")) == []


def test_newer_format_unset_stores_fall_back_to_kv_default():
    text = NEWER.replace("    kv_default:\n", "    kv_main:\n").replace("backend: kv_default", "backend: kv_main")
    line, column = pos(text, "  stores:")
    column += 2
    assert summary(check(text)) == [
        ("error", "store-default-missing", "storage.stores", line, column),
        ("error", "store-default-missing", "storage.stores", line, column),
    ]
    messages = [d.message for d in check(text)]
    assert messages == [
        f"storage.stores.{store} is not set, so the server uses backend 'kv_default', which storage.backends does not "
        f"declare; set storage.stores.{store} to one of ['kv_main', 'sql_default']"
        for store in ("prompts", "connectors")
    ]


def test_newer_format_setting_every_store_needs_no_default_backend():
    stores = "".join(
        f"    {store}:\n      backend: kv_main\n      namespace: {store}\n" for store in ("prompts", "connectors")
    )
    text = NEWER.replace("    kv_default:\n", "    kv_main:\n").replace("backend: kv_default", "backend: kv_main")
    text = text.replace("      namespace: registry\n", "      namespace: registry\n" + stores)
    assert check(text) == []


def test_newer_format_without_stores_section():
    text = NEWER.replace("  stores:\n    metadata:\n      backend: kv_default\n      namespace: registry\n", "")
    assert check(text) == []  # every store falls back to kv_default / sql_default, which exist
    text = text.replace("    sql_default:\n", "    sql_main:\n")
    line, column = pos(text, "storage:")
    assert summary(check(text)) == [
        ("error", "store-default-missing", "storage", line, column),
        ("error", "store-default-missing", "storage", line, column),
        ("info", "backend-unused", "storage.backends.sql_main", *pos(text, "sql_main:")),
    ]
    has(check(text)[0].message, "storage.stores.inference is not set, so the server uses backend 'sql_default'")


def test_newer_format_without_storage_is_only_info():
    # the provider's reference to kv_default is fine: upstream creates kv_default and sql_default
    text = NEWER.split("storage:")[0] + "registered_resources:\n  models: []\n"
    assert summary(check(text)) == [("info", "storage-missing", "", 1, 1)]
    has(check(text)[0].message, "the server creates kv_default / sql_default SQLite backends")
    bad = text.replace("backend: kv_default", "backend: sql_default")
    assert summary(check(bad)) == [
        ("info", "storage-missing", "", 1, 1),
        ("error", "wrong-family", "providers.vector_io[0].config.persistence.backend", *pos(bad, "sql_default")),
    ]


def test_newer_format_storage_without_backends_uses_the_default_backends():
    backends = "  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/sql.db\n"
    text = NEWER.replace(backends, "")
    assert check(text) == []
    text = text.replace("backend: kv_default\n      namespace: registry", "backend: kv_main\n      namespace: registry")
    assert summary(check(text)) == [("error", "unknown-backend", "storage.stores.metadata.backend", *pos(text, "kv_main"))]
    has(check(text)[0].message, "Available backends: ['kv_default', 'sql_default']")


def test_v03_file_without_storage_is_a_warning():
    text = BASE.split("storage:")[0].replace(
        "  vector_io:\n  - provider_id: faiss\n    provider_type: inline::faiss\n    config:\n      persistence:\n"
        "        backend: kv_default\n        namespace: vector_io::faiss\n", ""
    )
    diagnostics = [d for d in check(text) if d.code == "storage-missing"]
    assert [(d.severity, d.path_text, d.line, d.column) for d in diagnostics] == [("warning", "", 1, 1)]
    has(diagnostics[0].message, "the server's stores (metadata, inference, conversations) are not configured")


def test_v03_storage_without_stores_is_an_error():
    text = BASE.split("  stores:")[0] + "server:\n  port: 8321\n"
    assert ("error", "missing-field", "storage", *pos(text, "storage:")) in summary(check(text))
    has(only(check(text), "missing-field").message, "storage is missing the required field 'stores' (metadata, inference, conversations)")


# --------------------------------------------------------------------------- top-level keys


def test_unknown_top_level_key_with_suggestion():
    text = config(append="loging:\n  category_levels:\n    server: debug\n")
    assert summary(check(text)) == [("warning", "unknown-key", "loging", *pos(text, "loging:"))]
    assert check(text)[0].message == "the server does not know the top-level key 'loging' and ignores it; did you mean 'logging'?"


def test_unknown_top_level_key_without_suggestion():
    text = config(append="frobnicate: true\n")
    assert check(text)[0].message == "the server does not know the top-level key 'frobnicate' and ignores it"


@pytest.mark.parametrize(
    "section",
    [
        "models: []\nshields: []\nvector_dbs: []\ndatasets: []\nscoring_fns: []\nbenchmarks: []\ntool_groups: []\n",
        "telemetry:\n  enabled: true\nlogging:\n  category_levels: {}\nexternal_providers_dir: /tmp/ext\n",
        "registered_resources:\n  models: []\nvector_stores: {}\nsafety: {}\nconnectors: []\n",
    ],
)
def test_known_top_level_sections(section):
    assert check(config(append=section)) == []


# --------------------------------------------------------------------------- repeated keys


def test_identical_repeated_key_is_a_warning_at_the_repeat():
    text = config(("port: 8321", "port: 8321\n  port: 8321"))
    first_line, _ = pos(text, "port: 8321", nth=1)
    line, column = pos(text, "port: 8321", nth=2)
    assert summary(check(text)) == [("warning", "repeated-key", "server.port", line, column)]
    assert check(text)[0].message == (
        f"'port' is written twice in this mapping (first at line {first_line}) with the same value; "
        "the server keeps the last one: delete one of them"
    )


def test_identical_repeated_section_is_a_warning():
    section = "  - provider_id: ollama\n    provider_type: remote::ollama\n    config:\n      url: http://localhost:11434\n"
    text = config(("  vector_io:\n", "  inference:\n" + section + "  vector_io:\n"))
    d = only(check(text), "repeated-key")
    assert (d.severity, d.path_text, d.line, d.column) == ("warning", "providers.inference", *pos(text, "  inference:\n", nth=2)[:1], 3)


def test_repeated_key_with_a_different_value_is_refused_when_loading():
    with pytest.raises(ParseError):
        Document(config(("port: 8321", "port: 8321\n  port: 8322")))
