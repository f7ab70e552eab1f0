"""The JSON Schema of the run config, generated from the pydantic models and kept in the
package as `run-config.schema.json`.

The pydantic models are the one declaration of every field. The validator checks files
against this generated JSON (see schema_check.py) instead of importing pydantic, whose import
alone would take longer than the whole `llama-config validate` run may. A test keeps the file
equal to what the models generate:

    python -m model.config_schema --write
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("run-config.schema.json")
SCHEMA_ID = "https://github.com/llama-config/llama-config/run-config.schema.json"


def generate() -> dict:
    from model.schema import StackConfig

    schema = StackConfig.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=1, sort_keys=False) + "\n"


@lru_cache(maxsize=1)
def load() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def definition(name: str) -> dict:
    """One model's schema, e.g. definition("KVSqliteBackend")."""
    return load()["$defs"][name]


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        SCHEMA_PATH.write_text(dumps(generate()), encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
    else:
        sys.stdout.write(dumps(generate()))
