"""The `llama-config` command line.

Only argparse is imported up front; each command imports what it needs when it runs, so
`llama-config validate` in a CI job does not pay for the editor or the database drivers.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Sequence

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

EXIT_CODES_HELP = """exit codes:
  0  success (validate: no errors; warnings and infos are fine)
  1  validate: the file has errors; set / rename-backend / migrate: the edit was refused;
     test-connections: a backend is not reachable; init: the file already exists
  2  the file (or an env file) cannot be read or parsed, or the command line is wrong
  3  internal error in llama-config (please report it)"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _add_env_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env-file",
        action="append",
        default=[],
        metavar="F",
        help="KEY=VALUE file used to resolve ${env.X} placeholders (repeatable; the process environment wins)",
    )


def _add_server(
    parser: argparse.ArgumentParser,
    help: str = "the server release to judge the file against: 0.3 ... 0.7, 0.7.3, ogx-1.5, latest "
    "(default: $LLAMA_CONFIG_SERVER, else detected from the file, and said which and why)",
) -> None:
    parser.add_argument("--server", metavar="VERSION", default=os.environ.get("LLAMA_CONFIG_SERVER") or None, help=help)


def _add_write_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", "-o", metavar="OUT", help="write the result to OUT instead of FILE")
    parser.add_argument("--dry-run", "-n", action="store_true", help="print the unified diff and write nothing")
    parser.add_argument("--force", action="store_true", help="write even if the edit creates errors or FILE changed on disk")
    parser.add_argument("--no-backup", action="store_true", help="do not keep the previous version as FILE.bak")


INPUTS_HELP = (
    "FILE...: files, directories (searched for *.yaml / *.yml with a providers, apis, storage or version\n"
    "key; what is skipped is said on stderr) and - for standard input. One summary line and one exit\n"
    "status (the worst) cover them all. Settings: .llama-config.toml or [tool.llama-config] in\n"
    "pyproject.toml, the nearest one up from each file (server, disable, severity)."
)


def _command(
    sub, name: str, module: str, help: str, description: str, file: bool = True, many: bool = False,
) -> argparse.ArgumentParser:  # fmt: skip
    """One subcommand: its help, the shared exit-code epilog, FILE (or FILE... with `many`), and
    the module that runs it."""
    if many:
        description = f"{description}\n\n{INPUTS_HELP}"
    p = sub.add_parser(name, help=help, description=description, epilog=EXIT_CODES_HELP, formatter_class=_Formatter)
    if many:
        p.add_argument("files", metavar="FILE", nargs="+")
        p.add_argument("--only-run-configs", action="store_true",
                       help="skip a named FILE that does not look like a run config instead of checking it "
                            "(as files found in a directory are; the pre-commit hook uses it)")
    elif file:
        p.add_argument("file", metavar="FILE")
    p.set_defaults(run=_lazy(f"llama_config.tui.commands.{module}"))
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llama-config",
        description="Edit, validate and test Llama Stack run.yaml / config.yaml files without changing a byte you did not touch.",
        epilog=EXIT_CODES_HELP,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _command(
        sub,
        "edit",
        "edit",
        help="open the editor (tree of backends, stores, providers, server)",
        description="Open the terminal editor on FILE: add and edit backends, point stores and providers at them,\n"
        "set quotas and auth, see problems as you type, and save with a diff (the previous version is kept as FILE.bak).",
    )
    _add_env_file(p)
    _add_server(p)

    p = _command(
        sub,
        "validate",
        "validate",
        help="check configs and print one diagnostic a line",
        description="Check references, backend fields, server/auth/quota settings and env placeholders in one pass.\n"
        "Output: FILE:LINE:COL: severity: message [code]. A comment `# llama-config: ignore[CODE,...]`\n"
        "(or a bare `# llama-config: ignore`) on a finding's line silences it.",
        many=True,
    )
    p.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text",
                   help="text (default); json: a list of {severity, code, path, line, column, message} (+ file with "
                        "several inputs); github: ::error file=,line=,col=,title=CODE:: annotations for GitHub Actions; "
                        "sarif: SARIF 2.1.0 for code scanning")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    _add_env_file(p)
    _add_server(p)

    p = _command(
        sub,
        "show",
        "show",
        help="print the backend / store / provider tree",
        description="Print the storage backends (each with what uses it), the stores, the providers and the server settings.",
        many=True,
    )
    _add_env_file(p)
    _add_server(p)

    p = _command(
        sub,
        "set",
        "set_values",
        help="edit values by path (PATH=VALUE), keeping everything else byte for byte",
        description="Set values by YAML path, creating mappings as needed, e.g.\n"
        "  llama-config set run.yaml server.port=8322 storage.backends.kv_default.db_path=/data/kv.db\n"
        "  llama-config set run.yaml 'storage.backends.kv_redis={type: kv_redis, host: redis}'\n"
        "VALUE is read with the field's type from the schema (a string field keeps '0777' a string);\n"
        "elsewhere it is read as YAML. With no PATH=VALUE the file is re-saved unchanged.\n"
        "An edit that would add an error is refused (exit 1) unless --force is given.",
    )
    p.add_argument("assignments", nargs="*", metavar="PATH=VALUE")
    p.add_argument("--unset", action="append", default=[], metavar="PATH", help="delete the key at PATH (repeatable)")
    _add_write_options(p)
    _add_server(p)

    p = _command(
        sub,
        "rename-backend",
        "rename",
        help="rename a storage backend and every reference to it",
        description="Rename storage.backends.OLD to NEW and update every store, provider and quota reference.",
    )
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    _add_write_options(p)
    _add_server(p)

    p = _command(
        sub,
        "add-provider",
        "add_provider",
        help="add a provider from the release's sample config for its type",
        description="Add a provider of TYPE under providers.API, its config filled from the release's sample for that\n"
        "type (placeholders kept), e.g.\n"
        "  llama-config add-provider run.yaml inference remote::vllm base_url=http://gpu-1:8000/v1\n"
        "Storage references get a backend of their family and a namespace / table of their own; API is\n"
        "added to apis. KEY=VALUE sets config fields (nested ones as network.tls.verify), typed by the\n"
        "type's schema. Required fields the sample leaves empty are listed. An API the type needs that no\n"
        "provider serves is named, and added too with --with-dependencies. The result must add no error\n"
        "(exit 1 otherwise, unless --force).",
    )
    p.add_argument("api", metavar="API")
    p.add_argument("type", metavar="TYPE")
    p.add_argument("values", nargs="*", metavar="KEY=VALUE")
    p.add_argument("--id", metavar="ID", help="the provider_id (default: the type's short name, made unique within API)")
    p.add_argument("--with-dependencies", action="store_true", help="also add a provider for each API the new one needs that nothing serves")
    _add_write_options(p)
    _add_server(p)

    p = _command(
        sub,
        "remove-provider",
        "remove_provider",
        help="remove a provider (refused while registered resources name it)",
        description="Remove the provider ID of API. Refused (exit 1) while registered resources (models, vector stores,\n"
        "tool groups, ...) name it, unless they go with it (--remove-resources) or move to another provider of\n"
        "the same API (--move-resources-to ID). An API left without providers is taken out of apis.",
    )
    p.add_argument("api", metavar="API")
    p.add_argument("id", metavar="ID")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--remove-resources", action="store_true", help="remove the registered resources that name the provider")
    what.add_argument("--move-resources-to", metavar="ID", help="point them at this other provider of API instead")
    _add_write_options(p)
    _add_server(p)

    p = _command(
        sub,
        "rename-provider",
        "rename_provider",
        help="rename a provider_id; the registered resources that name it follow",
        description="Rename the provider OLD of API to NEW (a `${env.X:+OLD}` toggle keeps its variable), and every\n"
        "registered resource that names it.",
    )
    p.add_argument("api", metavar="API")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    _add_write_options(p)
    _add_server(p)

    p = _command(
        sub,
        "test-connections",
        "test_connections",
        help="connect to every storage backend the way the server will (a CI smoke test)",
        description="Test every storage backend at once, each with its own timeout: SQLite files open or can be\n"
        "created, PostgreSQL logs in and may create the store's table (rolled back), Redis answers PING,\n"
        "MongoDB lets the user read the collection. ${env.X} placeholders are resolved first.\n"
        "--providers adds the providers' endpoints (inference servers, vector databases) to the same run.\n"
        "Output: one row per backend (BACKEND TYPE RESULT LATENCY SERVER MESSAGE), then one per provider\n"
        "(PROVIDER API TYPE ...), or --json.\n"
        "Exit 0 when every tested backend is reachable, 1 when any is not, 2 when FILE cannot be read\n"
        "or a --backend NAME is declared in no FILE.",
        many=True,
    )
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="text: one table row per backend (default); json: a list of {backend, type, ok, category, "
                        "latency_ms, server_version, message, hint} (+ file with several inputs); a provider's row has "
                        "provider and api in place of backend")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--timeout", type=float, default=5.0, metavar="S", help="seconds each backend may take (default: 5)")
    p.add_argument("--backend", action="append", default=[], metavar="NAME", help="test only this backend (repeatable)")
    p.add_argument("--providers", action="store_true",
                   help="also test what each enabled provider points at: OpenAI-compatible inference servers list "
                        "the registered models, pgvector has the vector extension, remote vector databases answer "
                        "their health check")
    _add_env_file(p)
    _add_server(p)

    p = _command(
        sub,
        "migrate",
        "migrate",
        help="convert a pre-0.3 config (metadata_store, inline kvstore: ...) to storage backends + references",
        description="Convert the pre-0.3 storage format (llama-stack #3697) to storage.backends + storage.stores and\n"
        "provider references: each distinct database becomes one named backend (identical settings are\n"
        "shared, distinct SQLite files stay apart), old ${env.X:default} placeholders become ${env.X:=default}.\n"
        "Everything that does not move is kept byte for byte; comments move with their block.\n"
        "The result goes to stdout (the report to stderr), to OUT with --output, or over FILE with --write\n"
        "(keeping FILE.bak); --dry-run prints the report and the diff. A file already in the v0.3 format\n"
        "is left alone. Exit 1 when the file cannot be converted or the result would have errors the old\n"
        "file did not show (--force writes it anyway).",
    )
    p.add_argument("--write", "-w", action="store_true", help="write the migrated file over FILE (the old one is kept as FILE.bak)")
    _add_write_options(p)
    _add_server(p)
    p.add_argument("--to", metavar="VERSION", help="upgrade to this release instead, every step on the way (as `upgrade --to`)")
    p.add_argument("--from", dest="source", metavar="VERSION", help="with --to: the release the file was written for (default: detected)")

    p = _command(
        sub,
        "upgrade",
        "upgrade",
        help="upgrade a config from its release to a later one, step by step (migrate is the pre-0.3 step)",
        description="Apply every upstream change between the file's release (detected as validate does, or --from)\n"
        "and --to, in release order: pre-0.3 storage (#3697), registered_resources (#3861), telemetry (#4127),\n"
        "base_url (#4177), distro_name (#4396), agents -> responses (#5195, #5131), batches sqlstore, SQL\n"
        "prompts/connectors stores (#5757), APIs ogx removed (#5290), quota/cors (#5750), TLS, ~/.ogx and OGX_*.\n"
        "Each edit keeps comments, quotes, placeholders and the file's style; what a release dropped is\n"
        "commented out, not deleted. The report cites each step's upstream change (docs/migrate.md).\n"
        "Output as migrate: stdout (report on stderr), --output OUT, --write (FILE.bak), --dry-run (diff).\n"
        "Exit 1 when something cannot be carried over (listed with its lines) or the result has errors\n"
        "the original did not have at its own release; --force writes it anyway.",
    )
    p.add_argument("--to", metavar="VERSION", required=True, help="the release to upgrade to: 0.4 ... 0.7, ogx-1.0 ... ogx-1.5, latest")
    p.add_argument("--from", dest="source", metavar="VERSION", help="the release the file was written for (0.2 = pre-0.3; default: detected)")
    p.add_argument("--write", "-w", action="store_true", help="write the upgraded file over FILE (the old one is kept as FILE.bak)")
    _add_write_options(p)

    p = _command(
        sub,
        "init",
        "init",
        help="write a new, minimal, commented run config",
        description="Write a minimal run config that validates and starts on the target release (--server, default: the\n"
        "newest): SQLite backends under ~/.llama/distributions/NAME/ (~/.ogx/... for ogx; no database server\n"
        "needed), one inference provider, every store the release needs pointing at the backends, server.port.\n"
        "With a terminal attached, the options not given are asked for (Enter keeps the default).\n"
        "An existing file is never overwritten (exit 1).",
        file=False,
    )
    p.add_argument("path", metavar="PATH", nargs="?", default="run.yaml", help="the file to create (default: run.yaml)")
    p.add_argument("--name", metavar="NAME", help="distribution name (image_name, and the SQLite directory; default: my-stack)")
    p.add_argument("--postgres", action="store_true", default=None, help="keep the SQL stores in PostgreSQL (POSTGRES_* variables) instead of SQLite")
    p.add_argument("--provider", choices=["ollama", "vllm", "openai"], help="the inference provider (default: ollama)")
    p.add_argument("--quota", action="store_true", default=None, help="turn on request quotas, with an auth section (they need one); llama-stack only, ogx has no quotas")
    p.add_argument("--auth", choices=["oauth2_token", "github_token", "kubernetes", "custom"], help="authentication for --quota (default: oauth2_token)")
    p.add_argument("--port", type=int, default=8321, metavar="N", help="server.port (default: 8321)")
    p.add_argument("--no-input", action="store_true", help="ask nothing, even on a terminal")
    p.add_argument("--example", action="store_true",
                   help="write the bundled example instead (an ogx 1.5 config of a deployment 'acme', the one the README shows); "
                   "then try: llama-config edit PATH")
    _add_server(p, "the server release to write for: 0.3 ... 0.7, 0.7.3, ogx-1.5, latest (default: $LLAMA_CONFIG_SERVER, else latest)")

    p = _command(
        sub,
        "schema",
        "schema",
        help="print the JSON Schema of one release's run config (for editors: # yaml-language-server: $schema=...)",
        description="Print the JSON Schema (draft 2020-12) of the run config of one server release (--server; default:\n"
        "the newest), generated from that release's own models, provider config classes included, for editors\n"
        "that validate YAML: save it (llama-config schema --server ogx-1.5 > run-config.schema.json) and put\n"
        "  # yaml-language-server: $schema=./run-config.schema.json\n"
        "on the first line of run.yaml.",
        file=False,
    )
    _add_server(p)
    return parser



class _VersionAction(argparse.Action):
    """Looks the version up only when asked: importlib.metadata costs every command ~15 ms."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[override]
        print(f"llama-config {_version()}")
        parser.exit()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("llama-config")
    except Exception:  # running from a source tree that is not installed
        return "0+unknown"


def _lazy(module: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        import importlib

        return importlib.import_module(module).run(args)

    return run


# the positional list that takes the words argparse left over, by command
_SPILL = {"set": "assignments", "add-provider": "values", "validate": "files", "show": "files", "test-connections": "files"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        rest = _SPILL.get(getattr(args, "command", None) or "")
        if rest and not any(e.startswith("-") and e != "-" for e in extra):
            # `set FILE -o OUT a=1`, `validate a.yaml --json b.yaml`: argparse stops filling a
            # list of positionals once an option came between
            setattr(args, rest, getattr(args, rest) + extra)
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    from llama_config.model.errors import ConfigFileError

    try:
        return args.run(args)
    except ConfigFileError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `llama-config show x | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # never a traceback for the operator, unless asked for
        if os.environ.get("LLAMA_CONFIG_DEBUG"):
            raise
        print(f"llama-config: internal error: {type(exc).__name__}: {exc} (set LLAMA_CONFIG_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL


def console_main() -> int:
    """The `llama-config` program: one command, then the process ends."""
    one_shot = sys.argv[1:2] != ["edit"]
    if one_shot:
        from llama_config.model.gcpause import no_collector_for_one_command
        from llama_config.model.second_core import allow_for_one_command

        from llama_config.tui.safe_output import ControlSafe

        no_collector_for_one_command()
        allow_for_one_command()
        sys.stdout, sys.stderr = ControlSafe.around(sys.stdout), ControlSafe.around(sys.stderr)
    code = main()
    if one_shot:
        # the process ends without freeing its objects one by one (gcpause.keep_until_exit):
        # what the command printed is flushed first, as a normal exit would
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:  # (None: the descriptor was closed, `2>&-`)
                    stream.flush()
            except (OSError, ValueError):  # a reader that went away (`| head`), a closed stream
                pass
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(console_main())
