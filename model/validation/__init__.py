"""One validation pass over a whole run config.

    diagnostics = validate(Document.load("run.yaml"))

Each rule module checks one area and reports through the shared Context, which turns schema
errors and paths into diagnostics with line and column.
"""

from __future__ import annotations

from .. import second_core
from ..diagnostics import Diagnostic
from ..document import Document
from ..envvars import Environment
from ..facts import is_newer_format, is_old_format
from ..redaction import is_secret_path
from ..release_secrets import release_secret_fields
from ..releases import Release
from ..releases.detect import release_of
from .backends import check_backends
from .context import Context
from .incremental import PassCache
from .placeholders import check_placeholders
from .providers import check_providers
from .references import check_references
from .resources import check_resources
from .server import check_server
from .structure import check_structure
from .templates import check_templates

_CHECKS = (
    check_structure, check_backends, check_providers, check_references,
    check_resources, check_server, check_placeholders, check_templates,
)  # fmt: skip

__all__ = ["validate", "PassCache", "has_errors", "is_old_format", "is_newer_format"]


def validate(
    doc: Document, env: Environment | None = None, *, strict_env: bool = False, release: Release | None = None,
    cache: PassCache | None = None,
) -> list[Diagnostic]:  # fmt: skip
    """All diagnostics for `doc` judged against `release` (default: the one the file was written
    for, as `detect` finds it), in file order.
    `strict_env`: unset variables are errors (an env file was given, so it is meant to be complete).
    `cache`: an editing session's, so each pass re-checks only the providers that changed."""
    env = env or Environment()
    release = release_of(doc.data, release)
    if cache is not None:
        cache.begin(doc, env, strict_env, release)
    ctx = Context(doc, env, strict_env, release, cache)
    _run_checks(ctx)
    secrets = release_secret_fields(doc.data, ctx.release)  # the one redaction rule, with the release's marks
    found = [d.masked() if secrets and is_secret_path(d.path, secrets) else d for d in ctx.diagnostics]
    if cache is not None:
        cache.end()
    return sorted(found, key=Diagnostic.sort_key)


def _run_checks(ctx: Context) -> None:
    """Every rule module in order; on a large file (outside an editing session) the references
    are checked on the second core meanwhile, in a pass of their own, and their reports merged
    where this pass would have made them."""
    if ctx.cache is not None or not second_core.may_fork(len(ctx.doc.text)):
        for check in _CHECKS:
            check(ctx)
        return

    def others() -> int:
        at = 0
        for check in _CHECKS:
            if check is check_references:
                at = len(ctx.diagnostics)
            else:
                check(ctx)
        return at

    def references() -> tuple[list[Diagnostic], list[tuple]]:
        alone = Context(ctx.doc, ctx.env, ctx.strict_env, ctx.release)
        check_references(alone)
        return alone.diagnostics, alone.markers

    at, (theirs, markers) = second_core.on_both_cores(others, references, len(ctx.doc.text))
    ctx.merge_reports(at, theirs, markers)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)
