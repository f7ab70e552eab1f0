"""`llama-config edit FILE [--env-file F]`: open the editor."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, environment


def run(args: argparse.Namespace) -> int:
    env = environment(args)
    from ..app import ConfigEditorApp  # textual is imported only for the editor

    ConfigEditorApp(args.file, env).run()
    return EXIT_OK
