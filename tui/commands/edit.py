"""`llama-config edit FILE [--env-file F]`: open the editor."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, environment


def run(args: argparse.Namespace) -> int:
    import gc

    from llama_config.model.gcpause import freeze_what_is_built

    env = environment(args)  # before gc.disable(): a bad env file must not leave gc off
    # Start-up allocates many long-lived objects (modules, styles, widgets): collecting garbage
    # in the middle of that finds nothing and delays the first frame. The app turns it back on.
    gc.disable()
    freeze_what_is_built()  # each tree parsed; the app collects what was frozen when idle (tui/idle_collect.py)
    from ..app import ConfigEditorApp  # textual is imported only for the editor

    try:
        ConfigEditorApp(args.file, env, server=getattr(args, "server", None)).run()
    finally:
        gc.enable()
    return EXIT_OK
