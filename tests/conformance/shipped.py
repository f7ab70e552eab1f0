"""The configs each release ships, the environment they are started with, and the ones their own
release refuses even so.

Shipped configs are the copies in tests/corpus/releases/<line>/ (see SOURCE.md there), which the
release-data generator writes; two of them per line are also the mutants' bases (mutants.py),
judged there with no environment.
"""

from __future__ import annotations

from pathlib import Path

CORPUS_DIR = Path(__file__).parent.parent / "corpus" / "releases"

# What an operator sets to start the shipped configs; the oracle and llama-config get the same.
# Each is a `${env.X}` with no default in some shipped config, or (OCI_COMPARTMENT_OCID) one whose
# empty default the release refuses (oci_compartment_id must be a string).
SHIPPED_ENV: dict[str, str] = {
    "INFERENCE_MODEL": "meta-llama/Llama-3.2-3B-Instruct",  # meta-reference checks it against its model list
    "SAFETY_MODEL": "meta-llama/Llama-Guard-3-1B",
    "DEH_URL": "http://localhost:8181",
    "DEH_SAFETY_URL": "http://localhost:8282",
    "OCI_COMPARTMENT_OCID": "ocid1.compartment.oc1..conformance",
}

# The oracle's reason, as it appears in its error: the RAG tool runtime (`rag-runtime` up to 0.6,
# `file-search` from 0.7) depends on a `files` provider that these distributions do not configure.
NEEDS_FILES = "required dependency 'files' is not available"

# Distributions whose every shipped config its own release refuses with SHIPPED_ENV set.
_REFUSED_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "0.3": ("dell", "meta-reference-gpu", "open-benchmark", "postgres-demo"),
    "0.4": ("dell", "meta-reference-gpu", "open-benchmark", "postgres-demo"),
    "0.5": ("dell", "open-benchmark", "postgres-demo"),
    "0.6": ("dell", "open-benchmark", "postgres-demo"),
    "0.7": ("open-benchmark", "postgres-demo"),
    **{f"ogx-1.{minor}": ("open-benchmark", "postgres-demo") for minor in range(6)},
}


def shipped_configs(line: str) -> list[Path]:
    return sorted(CORPUS_DIR.joinpath(line).glob("**/*.yaml"))


def shipped_id(line: str, path: Path) -> str:
    """`<line>/<distribution>/<file>`, e.g. `0.3/starter/run.yaml`."""
    return f"{line}/{path.relative_to(CORPUS_DIR / line).as_posix()}"


def refused_by_own_release(line: str, path: Path) -> str | None:
    """The oracle's reason when `line` refuses its own shipped config `path` even with SHIPPED_ENV."""
    distribution = path.relative_to(CORPUS_DIR / line).parts[0]
    return NEEDS_FILES if distribution in _REFUSED_DISTRIBUTIONS.get(line, ()) else None
