"""Upgrade a config from the release it was written for to a later one, step by step.

    result = upgrade(doc, "0.3", "ogx-1.5")   # edits the Document in place
    print("\\n".join(upgrade_report(result, doc.name)))

The steps (steps/) each carry over one upstream change; they run in release order, each on the
text the previous one left. Nothing is written here: the command saves, as `migrate` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..document import Document
from ..releases import LINES, display_name, line_index, load_release
from ..releases.detect import detect
from .plan import MigrationError, all_or_nothing
from .steps import Context, Outcome, Step, steps_between
from .steps.repeated_keys import STEP as REPEATED_KEYS

PRE_03 = "0.2"  # what --from calls a file in the pre-0.3 storage format


@dataclass
class Upgrade:
    source: str  # release line (PRE_03 for a pre-0.3 file)
    target: str
    results: list[tuple[Step, str, Outcome]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(o.done or o.manual for _, _, o in self.results)

    @property
    def manual(self) -> list[str]:
        return [m for _, _, o in self.results for m in o.manual]


def detect_source(doc: Document) -> str:
    """The release the file was written for, as `validate` detects it; a file still in the
    pre-0.3 storage format is PRE_03."""
    from .apply import needs_migration

    if needs_migration(doc):
        return PRE_03
    # the oldest release that reads the file as well as any: every step is tested against the
    # file itself, so starting early skips none (a 0.4 file also reads as 0.6)
    return detect(doc.data, oldest=True).line


def upgrade(doc: Document, source: str, target: str) -> Upgrade:
    """Apply every step between `source` and `target` to `doc`; MigrationError (the file as it
    was) when a step cannot be carried out at all."""
    if source != PRE_03 and line_index(source) > line_index(target):
        raise MigrationError(f"the file is for {display_name(source)}, newer than {display_name(target)}: an upgrade only goes forward")
    result = Upgrade(source, target)
    target_release = load_release(target)
    with all_or_nothing(doc):
        first = Context(before=None, after=target_release, target=target_release)
        if REPEATED_KEYS.detect(doc, first):
            result.results.append((REPEATED_KEYS, source if source != PRE_03 else target, REPEATED_KEYS.apply(doc, first)))
        for step, line in steps_between(None if source == PRE_03 else source, target):
            previous = LINES[line_index(line) - 1] if line_index(line) > 0 else None
            ctx = Context(before=load_release(previous) if previous else None, after=load_release(line), target=target_release)
            if step.detect(doc, ctx):
                outcome = step.apply(doc, ctx)
                if outcome:
                    result.results.append((step, line, outcome))
    return result


__all__ = ["PRE_03", "Upgrade", "detect_source", "upgrade"]
