"""`llama-config schema`: print the JSON Schema of the run config llama-config understands.

It is the committed model/run-config.schema.json (generated from the pydantic models), for
editors that validate YAML against a schema (`# yaml-language-server: $schema=...`).
"""

from __future__ import annotations

import argparse
import sys

from model.config_schema import SCHEMA_PATH

from .common import EXIT_OK


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return EXIT_OK
