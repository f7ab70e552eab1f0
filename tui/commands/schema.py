"""`llama-config schema [--server X]`: print the JSON Schema of one release's run config, for
editors that validate YAML against a schema (`# yaml-language-server: $schema=...`)."""

from __future__ import annotations

import argparse
import json
import sys

from llama_config.model.errors import ConfigFileError
from llama_config.model.releases import UnknownRelease, release_for
from llama_config.model.releases.json_schema import build

from .common import EXIT_BAD_INPUT, EXIT_OK


def run(args: argparse.Namespace) -> int:
    try:
        release = release_for(getattr(args, "server", None))
    except UnknownRelease as exc:
        print(ConfigFileError(str(exc), "--server"), file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.write(json.dumps(build(release), indent=1) + "\n")
    return EXIT_OK
