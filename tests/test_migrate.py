"""Migration of pre-0.3 configs (model/migration): the corpus, byte-exact untouched parts,
dedupe and naming rules, placeholders, comments, the old quota shapes, refusals."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.releases import load_release
from llama_config.model.migration import MigrationError, make_plan, migrate, modernize_placeholders, needs_migration, report_lines
from llama_config.model.references import find_references
from llama_config.model.validation import validate
from tests.conftest import CORPUS

OLD_DIR = CORPUS / "add64e8e2"
V03_DIR = CORPUS / "2c43285e2"
OLD_FILES = sorted(OLD_DIR.rglob("*.yaml")) if OLD_DIR.is_dir() else []
CURRENT_FILES = sorted(p for d in (V03_DIR, CORPUS / "d1b663294") if d.is_dir() for p in d.rglob("*.yaml"))
# upstream left these two half-migrated at 2c43285e2 (inline provider stores, storage.references)
STALE = {"benchmarking/k8s-benchmark/stack_run_config.yaml", "docs/docs/distributions/k8s/stack_run_config.yaml"}
EMPTY_ENV = Environment(environ={})

needs_corpus = pytest.mark.skipif(not OLD_FILES, reason=f"corpus not found at {CORPUS}")


def _ids(paths: list[Path], base: Path) -> list[str]:
    return [str(p.relative_to(base)) for p in paths]


# migrate writes the llama-stack 0.3 storage format; the files are judged against 0.3
V03 = load_release("0.3")
# What the migration does not touch: APIs and providers the old file lists that 0.3 no longer
# serves or that lack a dependency (telemetry providers, rag-runtime without files), and the
# snippets' missing name field. The command reports them as "errors the old file had too".
NOT_STORAGE = {"unknown-api", "missing-dependency", "api-without-provider"}


def migrated(text: str, release=None) -> tuple[Document, object]:
    """The format conversion alone (no target release: no store is added), unless `release`."""
    doc = Document(text, name="run.yaml")
    return doc, migrate(doc, release)


def errors(doc: Document) -> list[str]:
    """The errors a migrated file may not have: every error but the ones in NOT_STORAGE."""
    found = validate(doc, EMPTY_ENV, release=V03)
    return [d.format("run.yaml") for d in found if d.severity == "error" and d.code not in NOT_STORAGE and d.path != ()]


def conversion_errors(doc: Document) -> list[str]:
    """errors() of a file converted without a target release: the stores 0.3 needs and the
    snippet never had (store-missing) are the target's part, tested with it."""
    return [e for e in errors(doc) if not e.endswith("[store-missing]")]


def backends(doc: Document) -> dict:
    return doc.data["storage"]["backends"]


def backend_of(doc: Document, path: tuple) -> str:
    return doc.value_at(path)["backend"]


# -- the corpus ----------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("path", OLD_FILES, ids=_ids(OLD_FILES, OLD_DIR) if OLD_FILES else None)
def test_every_old_corpus_file_migrates_to_a_file_without_errors(path: Path) -> None:
    doc = Document.load(str(path))
    old_format = "storage" not in doc.data and "metadata_store" in doc.data
    migration = migrate(doc, V03)
    assert migration.changed == old_format  # ramalama-stack has no store config at all
    assert errors(doc) == []
    assert not needs_migration(doc)
    if old_format:  # every store 0.3's startup needs is there (conversations is new in 0.3.0)
        assert {"metadata", "conversations"} <= set(doc.data["storage"]["stores"])
    # a second run has nothing to do and leaves the text alone
    text = doc.text
    again = migrate(doc, V03)
    assert not again.changed and doc.text == text
    assert "nothing to do" in report_lines(again, "run.yaml")[0]


@needs_corpus
@pytest.mark.parametrize("path", OLD_FILES, ids=_ids(OLD_FILES, OLD_DIR) if OLD_FILES else None)
def test_only_the_old_store_configs_change(path: Path) -> None:
    """Every line the diff removes or changes belongs to a migrated store config (its key line,
    settings and the comments above it); every other line is still there, in order."""
    doc = Document.load(str(path))
    migration = migrate(doc)
    original = Document.load(str(path))
    original.drop_repeated_copies([repeated for repeated, _ in migration.dropped])  # (reported; tested below)
    moved: set[int] = set()
    for place in make_plan(original.data).places:
        block = original.key_block(place.path)
        first = original.text.count("\n", 0, block.comment_start)
        last = original.text.count("\n", 0, block.end - 1)
        moved |= set(range(first, last + 1))
    old_lines, new_lines = original.text.splitlines(), doc.text.splitlines()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            assert set(range(i1, i2)) <= moved, f"lines {i1 + 1}-{i2} changed: {old_lines[i1:i2]}"


@needs_corpus
def test_untouched_sections_are_byte_identical() -> None:
    path = OLD_DIR / "llama_stack/distributions/starter/run.yaml"
    original = Document.load(str(path))
    doc = Document.load(str(path))
    migrate(doc)

    def block(d: Document, *key) -> str:
        b = d.key_block(key)
        return d.text[b.comment_start : b.end]

    for key in ("version", "image_name", "apis", "models", "shields", "tool_groups", "server", "telemetry"):
        assert block(doc, key) == block(original, key)
    for api in ("inference", "safety", "post_training", "scoring", "tool_runtime"):
        assert block(doc, "providers", api) == block(original, "providers", api)
    # the text before the first store config is the same, byte for byte
    first = original.text.index("  vector_io:")
    assert doc.text[:first] == original.text[:first]


@needs_corpus
@pytest.mark.parametrize(
    "path",
    [p for p in OLD_FILES if str(p.relative_to(OLD_DIR)) not in STALE and (V03_DIR / p.relative_to(OLD_DIR)).is_file()],
    ids=lambda p: str(p.relative_to(OLD_DIR)),
)
def test_references_and_namespaces_match_upstreams_own_migration(path: Path) -> None:
    """Upstream migrated its distribution configs by hand in #3697: the same places become
    references, with the same namespaces and tables (the backends differ: upstream merged every
    SQLite file into one, which moves data)."""
    doc = Document.load(str(path))
    migrate(doc)
    upstream = Document.load(str(V03_DIR / path.relative_to(OLD_DIR)))
    ours = {r.path: (r.family, r.partition) for r in find_references(doc.data)}
    theirs = {r.path: (r.family, r.partition) for r in find_references(upstream.data)}
    assert ours == theirs


@pytest.mark.parametrize("path", CURRENT_FILES, ids=[str(p.relative_to(CORPUS)) for p in CURRENT_FILES] or None)
def test_current_corpus_files_have_nothing_to_do(path: Path) -> None:
    doc = Document.load(str(path))
    migration = migrate(doc, V03)
    stale = str(path.relative_to(CORPUS)).split("/", 1)[1] in STALE and path.is_relative_to(V03_DIR)
    assert migration.changed == stale
    if stale:  # upstream's half-migrated examples: the rest is done, into their storage section
        assert errors(doc) == []
        # they had no conversations store, which 0.3.0 refuses: added on their SQL backend, and said
        assert doc.data["storage"]["stores"]["conversations"] == {"backend": "sql_default", "table_name": "openai_conversations"}
        assert [a.store for a in migration.added_stores] == ["conversations"]
        assert (
            "  added storage.stores.conversations  table_name openai_conversations on sql_default (a declared backend): "
            "llama-stack 0.3 refuses to start without it"
        ) in report_lines(migration, "run.yaml")
    else:
        assert doc.text == doc.original_text


# -- dedupe and naming ------------------------------------------------------------------------


@needs_corpus
def test_one_postgres_used_as_kv_and_sql_gives_one_backend_per_family() -> None:
    doc = Document.load(str(OLD_DIR / "docs/docs/distributions/k8s/stack_run_config.yaml"))
    migrate(doc)
    assert {name: b["type"] for name, b in backends(doc).items()} == {
        "kv_default": "kv_postgres",
        "sql_default": "sql_postgres",
        "sql_files_metadata": "sql_sqlite",
    }
    # metadata_store said table_name: llamastack_kvstore, the providers left it at its default
    assert backend_of(doc, ("providers", "vector_io", 0, "config", "persistence")) == "kv_default"
    assert backend_of(doc, ("providers", "agents", 0, "config", "persistence", "agent_state")) == "kv_default"
    assert backend_of(doc, ("providers", "agents", 0, "config", "persistence", "responses")) == "sql_default"


@needs_corpus
def test_distinct_sqlite_files_stay_distinct_backends_and_the_report_says_why() -> None:
    doc = Document.load(str(OLD_DIR / "llama_stack/distributions/starter/run.yaml"))
    migration = migrate(doc)
    paths = [b["db_path"] for b in backends(doc).values()]
    assert len(paths) == len(set(paths)) == 15
    report = "\n".join(report_lines(migration, "run.yaml"))
    assert "15 distinct SQLite files stay 15 backends" in report and "move the data first" in report


PG = """\
  type: postgres
  host: db.internal
  user: llama
  password: ${env.PG_PASSWORD:=}
"""


def test_same_settings_share_a_backend_defaults_included() -> None:
    doc, _ = migrated(
        "metadata_store:\n" + PG + "  port: 5432\n"  # 5432 is the default port
        "inference_store:\n" + PG + "conversations_store:\n" + PG.replace("db.internal", "other.internal")
    )
    assert list(backends(doc)) == ["kv_default", "sql_default", "sql_postgres"]
    assert backends(doc)["sql_postgres"]["host"] == "other.internal"
    assert doc.value_at(("storage", "stores", "conversations")) == {"backend": "sql_postgres", "table_name": "openai_conversations"}


def test_settings_equal_in_python_but_written_as_other_types_are_other_backends() -> None:
    """1, 1.0 and true compare equal in Python; the server reads an int, a float and a bool."""
    stores = "".join(
        f"  - provider_id: p{i}\n    provider_type: inline::faiss\n    config:\n      kvstore: {{type: redis, host: r, port: {port}}}\n"
        for i, port in enumerate(["1", "1.0", "true", "1"])
    )
    doc, _ = migrated("providers:\n  vector_io:\n" + stores)
    vector_io = doc.data["providers"]["vector_io"]
    used = [p["config"]["persistence"]["backend"] for p in vector_io]
    assert len(set(used)) == 3 and used[0] == used[3]
    assert [backends(doc)[name]["port"] for name in used] == [1, 1.0, True, 1]
    assert [type(backends(doc)[name]["port"]) for name in used] == [int, float, bool, int]


def test_a_placeholder_and_its_default_are_different_settings() -> None:
    doc, migration = migrated("metadata_store:\n" + PG + "  table_name: ${env.T:=llamastack_kvstore}\n" + AGENTS.format(settings=PG.replace("\n  ", "\n          ")))
    # (the responses store's backend is the only SQL one: it is sql_default)
    assert list(backends(doc)) == ["kv_default", "kv_postgres", "sql_default"]
    assert "kv_default and kv_postgres (both kv_postgres) differ in table_name" in "\n".join(migration.plan.notes)


AGENTS = """\
providers:
  agents:
  - provider_id: meta-reference
    provider_type: inline::meta-reference
    config:
      persistence_store:
        {settings}
      responses_store:
        {settings}
"""


def test_the_same_sqlite_file_used_twice_is_one_backend_with_two_namespaces() -> None:
    one = "{type: sqlite, db_path: /data/shared.db}"
    doc, _ = migrated(
        "providers:\n  vector_io:\n"
        f"  - provider_id: a\n    provider_type: inline::faiss\n    config:\n      kvstore: {one}\n"
        f"  - provider_id: b\n    provider_type: inline::faiss\n    config:\n      kvstore: {one}\n"
    )
    assert list(backends(doc)) == ["kv_default"]
    vector_io = doc.data["providers"]["vector_io"]
    assert [p["config"]["persistence"]["namespace"] for p in vector_io] == ["vector_io::faiss", "vector_io::faiss::b"]
    assert conversion_errors(doc) == []


def test_namespaces_are_numbered_when_the_provider_id_cannot_tell_them_apart() -> None:
    # an id written as a placeholder is no name; an id whose namespace is taken is numbered too
    one = "{type: sqlite, db_path: /data/shared.db}"
    doc, _ = migrated(
        "providers:\n  vector_io:\n"
        + "".join(
            f"  - provider_id: {pid}\n    provider_type: inline::faiss\n    config:\n      kvstore: {one}\n"
            for pid in ("a", "'${env.FAISS_ID:=b}'", "c", "c", "'${env.OTHER:=d}'")
        )
    )
    vector_io = doc.data["providers"]["vector_io"]
    assert [p["config"]["persistence"]["namespace"] for p in vector_io] == [
        "vector_io::faiss", "vector_io::faiss_2", "vector_io::faiss::c", "vector_io::faiss_3", "vector_io::faiss_4",
    ]  # fmt: skip


def test_names_are_readable_and_stable() -> None:
    text = (
        "providers:\n"
        "  vector_io:\n"
        "  - provider_id: faiss\n    provider_type: inline::faiss\n    config:\n"
        "      kvstore: {type: sqlite, db_path: '${env.SQLITE_STORE_DIR:=~/.llama/x}/faiss_store.db'}\n"
        "  - provider_id: f2\n    provider_type: inline::faiss\n    config:\n"
        "      kvstore: {type: sqlite, db_path: /other/faiss_store.db}\n"
        "  - provider_id: r\n    provider_type: remote::chromadb\n    config:\n"
        "      kvstore: {type: redis, host: a}\n"
        "  - provider_id: r2\n    provider_type: remote::qdrant\n    config:\n"
        "      kvstore: {type: redis, host: b}\n"
        "metadata_store: {type: sqlite, db_path: /data/registry.db}\n"
        "conversations_store: {type: sqlite, db_path: /data/conversations.db}\n"
    )
    doc, _ = migrated(text)
    # kv_default / sql_default for the server's stores (conversations: no inference store here),
    # then <family>_<file name> or <family>_<kind>, else with the namespace added
    assert list(backends(doc)) == [
        "kv_default", "sql_default", "kv_faiss_store", "kv_vector_io_faiss", "kv_redis", "kv_redis_vector_io_qdrant_remote",
    ]  # fmt: skip
    again, _ = migrated(text)
    assert again.text == doc.text


def test_names_get_a_number_when_nothing_else_tells_them_apart() -> None:
    providers = "".join(
        f"  - provider_id: {host}\n    provider_type: inline::faiss\n    config:\n      kvstore: {{type: redis, host: {host}}}\n"
        for host in ("a", "b", "c")
    )
    doc, _ = migrated("metadata_store: {type: sqlite, db_path: /d/r.db}\nproviders:\n  vector_io:\n" + providers)
    assert list(backends(doc)) == ["kv_default", "kv_redis", "kv_redis_vector_io_faiss", "kv_redis_2"]


def test_the_first_backend_of_a_family_is_the_default_when_no_store_names_one() -> None:
    doc, _ = migrated(
        "providers:\n  files:\n  - provider_id: f\n    provider_type: inline::localfs\n    config:\n"
        "      metadata_store: {type: sqlite, db_path: /data/files.db}\n"
    )
    assert list(backends(doc)) == ["sql_default"]


def test_a_newer_format_file_keeps_kv_default_free() -> None:
    """Newer servers send unset stores to kv_default: a provider's backend must not take the name."""
    doc, _ = migrated(
        "distro_name: x\n"
        "providers:\n  vector_io:\n  - provider_id: f\n    provider_type: inline::faiss\n    config:\n"
        "      kvstore: {type: sqlite, db_path: /data/faiss.db}\n"
    )
    assert list(backends(doc)) == ["kv_faiss"]


@pytest.mark.parametrize("key", ["backend", '"back\\x65nd"'])
def test_a_reference_already_written_keeps_its_namespace_to_itself(key: str) -> None:
    """A provider whose text has no `backend` is not looked into for references; one written
    with an escape in double quotes is still found."""
    doc, _ = migrated(
        "providers:\n  vector_io:\n"
        "  - provider_id: a\n    provider_type: inline::faiss\n    config:\n"
        f"      persistence: {{{key}: kv_default, namespace: 'vector_io::faiss'}}\n"
        "  - provider_id: b\n    provider_type: inline::faiss\n    config:\n"
        "      kvstore: {type: sqlite, db_path: /data/kv.db}\n"
        "storage:\n  backends:\n    kv_default: {type: kv_sqlite, db_path: /data/kv.db}\n"
    )
    vector_io = doc.data["providers"]["vector_io"]
    assert [p["config"]["persistence"] for p in vector_io] == [
        {"backend": "kv_default", "namespace": "vector_io::faiss"},
        {"backend": "kv_default", "namespace": "vector_io::faiss::b"},
    ]


@needs_corpus
def test_a_half_migrated_file_reuses_its_declared_backends() -> None:
    doc = Document.load(str(V03_DIR / "docs/docs/distributions/k8s/stack_run_config.yaml"))
    migration = migrate(doc)
    assert migration.renamed_references and "references" not in doc.data["storage"]
    # responses_store had sql_default's settings exactly; the KV ones differ in table_name
    assert backend_of(doc, ("providers", "agents", 0, "config", "persistence", "responses")) == "sql_default"
    assert list(backends(doc)) == ["kv_default", "sql_default", "kv_postgres", "sql_files_metadata"]
    assert conversion_errors(doc) == []


# -- text: comments, style, placeholders -----------------------------------------------------

COMMENTED = """\
# the acme stack, before v0.3
version: 2

providers:
  vector_io:
  - provider_id: faiss
    provider_type: inline::faiss
    config:
      # the vector store registry
      kvstore:   # one file per provider
        type: sqlite
        # next to the others
        db_path: /data/faiss_store.db  # keep
  agents:
  - provider_id: meta-reference
    provider_type: inline::meta-reference
    config:
      persistence_store:  # sessions
        type: sqlite
        db_path: /data/agents.db
      # OpenAI responses
      responses_store:
        type: sqlite
        db_path: /data/responses.db

# ---- stores ----

# the registry
metadata_store:  # KV
  type: sqlite
  db_path: /data/registry.db

inference_store:
  # the wrapper shape
  sql_store_config:
    type: sqlite
    db_path: /data/inference.db
  max_write_queue_size: 500   # small
  num_writers: 2

models: []
"""


def test_comments_stay_or_move_with_their_block() -> None:
    doc, _ = migrated(COMMENTED)
    assert doc.text == """\
# the acme stack, before v0.3
version: 2

providers:
  vector_io:
  - provider_id: faiss
    provider_type: inline::faiss
    config:
      # the vector store registry
      persistence:   # one file per provider
        backend: kv_faiss_store
        namespace: vector_io::faiss
  agents:
  - provider_id: meta-reference
    provider_type: inline::meta-reference
    config:
      persistence:  # sessions
        agent_state:
          backend: kv_agents
          namespace: agents
        # OpenAI responses
        responses:
          backend: sql_responses
          table_name: responses

# ---- stores ----

storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: /data/registry.db
    sql_default:
      type: sql_sqlite
      db_path: /data/inference.db
    kv_faiss_store:
      type: kv_sqlite
      # next to the others
      db_path: /data/faiss_store.db  # keep
    kv_agents:
      type: kv_sqlite
      db_path: /data/agents.db
    sql_responses:
      type: sql_sqlite
      db_path: /data/responses.db
  stores:
    # the registry
    metadata:  # KV
      backend: kv_default
      namespace: registry
    inference:
      # the wrapper shape
      backend: sql_default
      table_name: inference_store
      max_write_queue_size: 500   # small
      num_writers: 2

models: []
"""
    assert conversion_errors(doc) == []


def test_comments_inside_settings_written_again_come_along_once() -> None:
    """Two stores with the same settings become one backend: the first one's lines move, and
    the comment lines inside the other's settings are kept above the backend, each once."""
    kvstore = "      kvstore:  # after the key\n        type: sqlite\n{comment}        db_path: /data/kv.db  # trailing\n"
    doc, _ = migrated(
        "providers:\n  vector_io:\n"
        "  - provider_id: a\n    provider_type: inline::faiss\n    config:\n" + kvstore.format(comment="        # shared file\n")
        + "  - provider_id: b\n    provider_type: inline::faiss\n    config:\n" + kvstore.format(comment="        # shared file\n        # b's note\n")
        + "  - provider_id: c\n    provider_type: inline::faiss\n    config:\n" + kvstore.format(comment="")
    )
    backends_text = doc.text[doc.text.index("  backends:") :]
    assert backends_text.count("# shared file") == 1 and backends_text.count("# b's note") == 1
    assert backends_text.index("# b's note") < backends_text.index("kv_default:") < backends_text.index("# shared file")
    assert "# trailing" in backends_text and "# after the key" not in backends_text
    assert list(backends(doc)) == ["kv_default"]


def test_style_is_kept_crlf_bom_four_spaces() -> None:
    text = "\ufeffversion: 2\r\nmetadata_store:\r\n    type: redis\r\n    host: redis.internal\r\n    namespace: reg\r\nmodels: []\r\n"
    doc = Document.from_bytes(text.encode("utf-8"))
    migrate(doc)
    assert doc.to_bytes() == (
        "\ufeffversion: 2\r\nstorage:\r\n    backends:\r\n        kv_default:\r\n            type: kv_redis\r\n"
        "            host: redis.internal\r\n    stores:\r\n        metadata:\r\n            backend: kv_default\r\n"
        "            namespace: reg\r\nmodels: []\r\n"
    ).encode("utf-8")  # the old namespace is kept: the keys are stored under it


def test_blank_lines_between_sections_stay_single_and_no_final_newline_is_added_twice() -> None:
    doc, _ = migrated(
        "version: 2\n\nmetadata_store:\n  type: sqlite\n  db_path: /d/r.db\n\n"
        "inference_store:\n  type: sqlite\n  db_path: /d/i.db\n\nconversations_store:\n  type: sqlite\n  db_path: /d/c.db"
    )
    assert "\n\n\n" not in doc.text and doc.text.endswith("table_name: openai_conversations\n")
    assert doc.text.startswith("version: 2\n\nstorage:\n  backends:\n")


def test_old_placeholder_syntax_is_rewritten_and_the_rest_kept() -> None:
    doc, migration = migrated(
        "metadata_store:\n  type: sqlite\n  db_path: ${env.SQLITE_STORE_DIR:~/.llama/x}/registry.db\n"
        "server:\n  port: ${env.PORT:8321}\n  host: ${env.HOST+0.0.0.0}\n"
        "  tls_certfile: '${env.CERT:=}${env.lower:x}'\n"
    )
    assert backends(doc)["kv_default"]["db_path"] == "${env.SQLITE_STORE_DIR:=~/.llama/x}/registry.db"
    assert "  port: ${env.PORT:=8321}\n  host: ${env.HOST:+0.0.0.0}\n" in doc.text
    assert "  tls_certfile: '${env.CERT:=}${env.lower:x}'\n" in doc.text  # quotes kept; a lower-case name is not a placeholder
    assert len(migration.placeholders) == 3


@pytest.mark.parametrize(
    "old, new",
    [
        ("${env.X:default}", "${env.X:=default}"),
        ("${env.X+on}", "${env.X:+on}"),
        ("${env.X:}", "${env.X:=}"),
        ("a-${env.A:1}-${env.B+2}-${env.C:=3}", "a-${env.A:=1}-${env.B:+2}-${env.C:=3}"),
        ("${env.X:-d}", "${env.X:-d}"),  # shell syntax, not the old form: validate explains it
        ("${env.X:=d} ${env.Y:+v} plain", "${env.X:=d} ${env.Y:+v} plain"),
    ],
)
def test_modernize_placeholders(old: str, new: str) -> None:
    assert modernize_placeholders(old) == new


def test_a_file_with_only_old_placeholders_is_migrated_too() -> None:
    doc, migration = migrated("version: 2\nserver:\n  port: ${env.PORT:8321}\n")
    assert migration.changed and doc.text == "version: 2\nserver:\n  port: ${env.PORT:=8321}\n"


# -- the other old shapes ----------------------------------------------------------------------


def test_the_quota_drafts_shape_becomes_the_shipped_one() -> None:
    doc, _ = migrated(
        "server:\n  auth:\n    provider_config: {type: github_token}\n"
        "  quota:\n    type: sqlite\n    config:\n      db_path: ./quotas.db\n"
        "    limit:\n      max_requests: 500  # a day\n      period: day\n"
    )
    assert doc.data["server"]["quota"] == {
        "kvstore": {"backend": "kv_default", "namespace": "quota"},
        "anonymous_max_requests": 100,
        "authenticated_max_requests": 500,
        "period": "day",
    }
    assert "    authenticated_max_requests: 500  # a day\n" in doc.text
    assert backends(doc) == {"kv_default": {"type": "kv_sqlite", "db_path": "./quotas.db"}}
    assert conversion_errors(doc) == []


def test_the_quotas_inline_kvstore_becomes_a_reference() -> None:
    doc, _ = migrated(
        "server:\n  auth:\n    provider_config: {type: github_token}\n"
        "  quota:\n    kvstore:\n      type: sqlite\n      db_path: ./quotas.db\n    anonymous_max_requests: 10\n"
    )
    assert doc.data["server"]["quota"] == {"kvstore": {"backend": "kv_default", "namespace": "quota"}, "anonymous_max_requests": 10}
    assert conversion_errors(doc) == []


def test_every_provider_store_of_the_old_format() -> None:
    settings = "{type: sqlite, db_path: /d/%s.db}"
    doc, _ = migrated(
        "providers:\n"
        f"  batches:\n  - provider_id: b\n    provider_type: inline::reference\n    config:\n      kvstore: {settings % 'batches'}\n"
        f"  datasetio:\n  - provider_id: h\n    provider_type: remote::huggingface\n    config:\n      kvstore: {settings % 'hf'}\n"
        f"  eval:\n  - provider_id: e\n    provider_type: inline::meta-reference\n    config:\n      kvstore: {settings % 'eval'}\n"
        f"  files:\n  - provider_id: s3\n    provider_type: remote::s3\n    config:\n      metadata_store: {settings % 'files'}\n"
    )
    refs = {r.path[1]: (r.path[-1], r.backend, r.partition) for r in find_references(doc.data)}
    assert refs == {
        "batches": ("kvstore", "kv_default", "batches"),
        "datasetio": ("kvstore", "kv_hf", "datasetio::huggingface"),
        "eval": ("kvstore", "kv_eval", "eval"),
        "files": ("metadata_store", "sql_default", "files_metadata"),
    }


def test_flow_style_configs_are_migrated_with_ordinary_edits() -> None:
    doc, _ = migrated(
        "providers:\n  vector_io:\n  - {provider_id: f, provider_type: 'inline::faiss', config: {kvstore: {type: sqlite, db_path: /d/f.db}}}\n"
    )
    assert doc.data["providers"]["vector_io"][0]["config"] == {"persistence": {"backend": "kv_default", "namespace": "vector_io::faiss"}}


@needs_corpus
def test_a_key_written_twice_is_reduced_to_its_last_copy_first() -> None:
    doc = Document.load(str(OLD_DIR / "benchmarking/k8s-benchmark/stack_run_config.yaml"))
    migration = migrate(doc)
    assert migration.dropped == [(("providers", "files"), [24])]
    assert doc.text.count("  files:\n") == 1 and not doc.repeated_keys
    assert "removed the repeated providers.files at line 24" in "\n".join(report_lines(migration, "x"))


def test_an_external_providers_store_is_left_alone() -> None:
    doc, migration = migrated(
        "providers:\n  vector_io:\n  - provider_id: x\n    provider_type: remote::x\n    module: x_provider\n"
        "    config:\n      kvstore: {type: sqlite, db_path: /d/x.db}\n"
    )
    assert not migration.changed and "an external provider (x_provider)" in migration.plan.notes[0]


# -- refusals: nothing changes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("metadata_store:\n  type: sqlite3\n  db_path: x\n", "cannot tell which kv_* backend type 'sqlite3' is"),
        ("inference_store:\n  type: redis\n  host: x\n", "cannot tell which sql_* backend type 'redis' is"),
        ("metadata_store:\n  type: ${env.KV:=sqlite}\n  db_path: x\n", "cannot tell which kv_* backend type"),
        ("{metadata_store: {type: sqlite, db_path: x}}\n", "the file is written as one {...} flow mapping"),
        ("base: &b {type: sqlite}\nmetadata_store:\n  <<: *b\n  db_path: /x\n", "uses the YAML anchor or alias *b (line 3)"),
        (
            "providers:\n  vector_io:\n"
            "  - provider_id: a\n    provider_type: inline::faiss\n    config:\n      kvstore: &kv {type: sqlite, db_path: /x}\n"
            "  - provider_id: b\n    provider_type: inline::faiss\n    config:\n      kvstore: *kv\n"
            "server:\n  port: ${env.PORT:8321}\n",  # rewritten first, then put back
            "uses the YAML anchor or alias &kv (line 6)",
        ),
    ],
)
def test_what_cannot_be_converted_is_refused_and_nothing_changes(text: str, message: str) -> None:
    doc = Document(text)
    with pytest.raises(MigrationError, match=re.escape(message)):
        migrate(doc)
    assert doc.text == text


def test_old_stores_next_to_a_storage_section_join_it() -> None:
    doc, migration = migrated(
        "storage:\n  backends:\n    kv_x:\n      type: kv_sqlite\n      db_path: /d/reg.db\n"
        "  stores:\n    inference:\n      backend: sql_main\n      table_name: inference_store\n"
        "# the registry\nmetadata_store:\n  type: sqlite\n  db_path: /d/reg.db\n"
        "inference_store:\n  type: sqlite\n  db_path: /d/old.db\n"
    )
    # the same file as a declared backend: that backend; a store already set: left alone, said so
    assert doc.text.startswith(
        "storage:\n  backends:\n    kv_x:\n      type: kv_sqlite\n      db_path: /d/reg.db\n"
        "  stores:\n    inference:\n      backend: sql_main\n      table_name: inference_store\n"
        "    # the registry\n    metadata:\n      backend: kv_x\n      namespace: registry\n"
        "inference_store:\n"
    )
    assert "left inference_store as it is: storage.stores.inference is set" in migration.plan.notes[0]


# -- stores the target release needs ----------------------------------------------------------

OLD_WITHOUT_CONVERSATIONS = (
    "version: 2\nimage_name: acme\napis: [inference]\nproviders:\n  inference:\n"
    "  - provider_id: ollama\n    provider_type: remote::ollama\n    config: {url: 'http://localhost:11434'}\n"
    "metadata_store:\n  type: sqlite\n  db_path: /data/registry.db\n"
)


def test_a_store_the_release_needs_gets_a_new_backend_of_its_family_when_none_is_declared():
    doc, migration = migrated(OLD_WITHOUT_CONVERSATIONS, V03)
    # 0.3 refuses to start without conversations (SQL) and, with inference served, inference (SQL)
    assert [(a.store, a.backend, a.partition) for a in migration.added_stores] == [
        ("conversations", "sql_default", "openai_conversations"),
        ("inference", "sql_default", "inference_store"),
    ]
    assert backends(doc)["sql_default"] == {"type": "sql_sqlite", "db_path": "${env.SQLITE_STORE_DIR:=~/.llama/distributions/acme}/sqlstore.db"}
    assert errors(doc) == []
    report = report_lines(migration, "run.yaml")
    assert (
        "  added storage.stores.conversations  table_name openai_conversations on sql_default (a new sql_sqlite backend): "
        "llama-stack 0.3 refuses to start without it"
    ) in report
    assert "    storage.backends.sql_default  sql_sqlite  ${env.SQLITE_STORE_DIR:=~/.llama/distributions/acme}/sqlstore.db" in report
    # once is enough
    again = migrate(doc, V03)
    assert not again.changed


def test_a_store_the_release_needs_reuses_a_declared_backend_of_its_family():
    text = OLD_WITHOUT_CONVERSATIONS + "inference_store:\n  type: postgres\n  host: db\n  db: llama\n  user: llama\n  password: ${env.PGPASS}\n"
    doc, migration = migrated(text, V03)
    sql = [name for name, b in backends(doc).items() if b["type"] == "sql_postgres"]
    assert len(sql) == 1 and len(backends(doc)) == 2  # no new backend
    assert doc.data["storage"]["stores"]["conversations"] == {"backend": sql[0], "table_name": "openai_conversations"}
    assert [a.new_backend for a in migration.added_stores] == [None]
    assert errors(doc) == []


def test_a_release_whose_default_backend_is_declared_needs_no_store_written():
    """0.4 on: an unset store points at kv_default / sql_default; declared, the server fills it in."""
    text = OLD_WITHOUT_CONVERSATIONS.replace("metadata_store:", "inference_store:\n  type: sqlite\n  db_path: /data/sql.db\nmetadata_store:")
    doc, migration = migrated(text, load_release("0.7"))
    assert set(backends(doc)) == {"kv_default", "sql_default"}
    assert migration.added_stores == []
    assert "conversations" not in doc.data["storage"]["stores"]


def test_the_report_lists_a_few_of_many_stores_and_placeholders_and_counts_the_rest() -> None:
    providers = "".join(
        f"  - provider_id: faiss-{i}\n    provider_type: inline::faiss\n    config:\n      kvstore:\n"
        f"        type: sqlite\n        db_path: ${{env.SQLITE_STORE_DIR:/tmp}}/faiss.db\n"
        for i in range(120)
    )
    doc = Document(f"version: 2\nimage_name: many\napis: [vector_io]\nproviders:\n  vector_io:\n{providers}")
    migration = migrate(doc)
    report = report_lines(migration, "run.yaml")
    moved = [line for line in report if line.startswith("    providers.vector_io[")]
    assert len(moved) == 2 * 49  # (the moved stores, then the placeholders)
    assert report.count("    ... and 71 more (--dry-run shows each change)") == 2
    assert "  120 store configs became references to 1 backend (1 new under storage.backends):" in report
    assert "  120 placeholders rewritten" in "\n".join(report)
    assert doc.data["providers"]["vector_io"][119]["config"]["persistence"]["backend"] == "kv_default"


def test_a_value_folded_over_the_last_lines_of_a_file_without_a_final_line_break_is_rewritten() -> None:
    """The new storage section goes after the last line, which is rewritten with it; a rewritten
    placeholder that starts on an earlier line comes along whole (found by review)."""
    text = (
        "providers:\n  vector_io:\n  - provider_id: f\n    provider_type: inline::faiss\n    config:\n      kvstore:\n"
        "        type: sqlite\n        db_path: /tmp/f.db\n  inference:\n  - provider_id: v\n    provider_type: remote::vllm\n"
        "    config:\n      url: ${env.URL:http://a}\n        /v1"
    )
    doc = Document(text)
    migrate(doc, load_release("0.3"))
    assert "      url: ${env.URL:=http://a} /v1\nstorage:\n" in doc.text
    assert doc.data["providers"]["inference"][0]["config"]["url"] == "${env.URL:=http://a} /v1"


REPEATED_PROVIDERS = """\
providers:
  batches:
  - provider_id: b
    config:
      kvstore: {type: sqlite, db_path: /d/one.db}
  eval:
  - provider_id: e
    config:
      kvstore: {type: sqlite, db_path: /e/one.db}
  batches:
  - provider_id: b
    config:
      kvstore: {type: sqlite, db_path: /d/one.db}
"""


def test_backends_are_named_after_the_copies_a_repeated_key_leaves(tmp_path) -> None:
    """The plan follows the copy of a repeated key that stays (the last), not the one dropped:
    eval now comes first, so its file is kv_default (found by review)."""
    doc = Document(REPEATED_PROVIDERS)
    migration = migrate(doc)
    backends = doc.data["storage"]["backends"]
    assert backends["kv_default"]["db_path"] == "/e/one.db"
    assert doc.data["providers"]["eval"][0]["config"]["kvstore"]["backend"] == "kv_default"
    assert "    providers.batches[0].config.kvstore  namespace batches  (was an inline kv_sqlite config)" in report_lines(migration, "x")


def test_a_store_block_that_ends_a_file_without_a_final_line_break_moves() -> None:
    """Its lines become the reference, and the storage section goes after them: two edits that
    both reached the last line used to refuse the file as overlapping (found by review)."""
    text = (
        "version: 2\nproviders:\n  vector_io:\n  - provider_id: f\n    provider_type: inline::faiss\n    config:\n"
        "      kvstore:\n        type: sqlite\n        db_path: /tmp/f.db  # the shard"
    )
    doc = Document(text)
    migrate(doc)
    assert "      persistence:\n        backend: kv_default\n        namespace: vector_io::faiss\nstorage:\n" in doc.text
    assert "      db_path: /tmp/f.db  # the shard\n" in doc.text
    assert not doc.text.endswith("\n")
