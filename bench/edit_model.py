"""The model side of an edit in the editor: EditSession.set_value (the text edit, its parse and
the incremental revalidation), undo and redo, on the largest corpus file and on a generated
file with many providers. The baseline, measured in the same run and interleaved: a full
`validate` of the same document (what every edit cost before validation became incremental).
Medians of interleaved runs, in ms; CPU time (process_time) beside wall time, since a loaded
machine inflates wall time.

    python bench/edit_model.py [--runs N] [--providers 5000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402
from run import largest_corpus_file  # noqa: E402

from llama_config.model.document import Document  # noqa: E402
from llama_config.model.session import EditSession  # noqa: E402
from llama_config.model.validation import validate  # noqa: E402


def timed(action) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def scalar_path(doc: Document) -> tuple:
    """A value deep in the file: the last provider's last scalar (so every line above is kept)."""
    providers = doc.data["providers"]
    api = [a for a, entries in providers.items() if isinstance(entries, list) and entries][-1]
    path: tuple = ("providers", api, len(providers[api]) - 1, "provider_id")
    return path


def measure(name: str, doc: Document, runs: int) -> None:
    session = EditSession(doc)
    release = session.release()
    path = scalar_path(doc)
    original = doc.value_at(path)
    rows: dict[str, list[tuple[float, float]]] = {"full validate (baseline)": [], "edit one value": [], "undo": [], "redo": []}
    for run in range(runs):
        rows["full validate (baseline)"].append(timed(lambda: validate(session.doc, session.env, release=release)))
        rows["edit one value"].append(timed(lambda: session.set_value(path, f"{original}-{run}")))
        rows["undo"].append(timed(session.undo))
        rows["redo"].append(timed(session.redo))
    print(f"{name}: {len(doc.text.splitlines())} lines, edit at {'.'.join(map(str, path))}")
    for label, values in rows.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"  {label:26} {wall:8.1f} ms wall  {cpu:8.1f} ms cpu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--providers", type=int, default=5000)
    args = parser.parse_args()
    largest = largest_corpus_file()
    measure(str(largest.relative_to(ROOT)), Document.load(str(largest)), args.runs)
    measure(f"{args.providers} providers (bench/generate.py)", Document.from_text(generate(args.providers), name="generated.yaml"), args.runs)


if __name__ == "__main__":
    main()
