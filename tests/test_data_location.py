"""model.data_location: where a backend or a store keeps its data, in words."""

from __future__ import annotations

from llama_config.model.data_location import backend_location, data_stays, reference_data
from llama_config.model.document import Document
from llama_config.model.envvars import Environment

CONFIG = """\
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: ${env.STORE_DIR:=~/.llama}/kvstore.db
    sql_pg:
      type: sql_postgres
      host: db.internal
      db: llamastack
      user: llama
    kv_cache:
      type: kv_redis
      host: ${env.REDIS_HOST:=localhost}
      namespace: acme
  stores:
    metadata: {backend: kv_default, namespace: registry}
    inference: {backend: sql_pg, table_name: inference_store}
    prompts: {backend: kv_cache, namespace: prompts}
"""


def test_each_backend_type_names_its_place() -> None:
    assert backend_location({"type": "kv_sqlite", "db_path": "./kv.db"}) == "the SQLite file ./kv.db"
    assert backend_location({"type": "sql_sqlite", "db_path": "/data/sql.db"}) == "the SQLite file /data/sql.db"
    assert backend_location({"type": "kv_redis", "host": "r", "port": 6380, "namespace": "ns"}) == "Redis at r:6380, keys prefixed 'ns:'"
    assert backend_location({"type": "kv_redis"}) == "Redis at localhost:6379"
    assert backend_location({"type": "kv_postgres", "host": "pg", "db": "llama", "user": "u", "table_name": "kv"}) == "Postgres database llama at pg:5432, table kv"
    assert backend_location({"type": "kv_postgres", "user": "u"}) == "Postgres the default database at localhost:5432, its default kvstore table"
    assert backend_location({"type": "sql_postgres", "host": "pg", "port": "5433", "db": "d"}) == "Postgres database d at pg:5433"
    assert backend_location({"type": "kv_mongodb", "db": "m", "collection_name": "c"}) == "MongoDB database m at localhost:27017, collection c"
    assert backend_location({"type": "kv_future"}) == "the kv_future backend's own storage"
    assert backend_location(None) == "the backend's own storage"


def test_a_store_adds_its_table_or_namespace_and_placeholders_resolve() -> None:
    doc = Document.from_text(CONFIG)
    env = Environment(environ={"REDIS_HOST": "redis.internal", "HOME": "/home/op"})
    assert reference_data(doc, ("storage", "stores", "metadata"), env) == "the SQLite file /home/op/.llama/kvstore.db, namespace 'registry'"
    assert reference_data(doc, ("storage", "stores", "inference"), env) == "Postgres database llamastack at db.internal:5432, table inference_store"
    assert reference_data(doc, ("storage", "stores", "prompts"), env) == "Redis at redis.internal:6379, keys prefixed 'acme:', namespace 'prompts'"
    # without an environment the file's text is shown as written
    assert reference_data(doc, ("storage", "stores", "metadata")) == "the SQLite file ${env.STORE_DIR:=~/.llama}/kvstore.db, namespace 'registry'"
    assert reference_data(doc, ("storage", "stores", "missing")) is None
    assert data_stays("the SQLite file ./kv.db") == "Existing data is not moved or deleted: it stays in the SQLite file ./kv.db."
