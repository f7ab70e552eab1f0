"""Release data generated from upstream's own packages.

    python -m tools.releases.generate LINE [LINE ...]     # e.g. 0.7 ogx-1.5
    python -m tools.releases.generate --all
    python -m tools.releases.generate --all --check       # exit 1 when the committed data is stale

For each release line (RELEASES in envs.py) it runs extract.py with the release's own interpreter
(an environment holding only that release, built on first use), then writes
model/releases/<line>.json.gz (sorted keys, gzip mtime 0: the same release gives the same bytes)
and copies the run configs shipped in the package to tests/corpus/releases/<line>/.
The format is model/releases/FORMAT.md. Adding a release: one line in RELEASES, then
`python -m tools.releases.generate LINE` and a commit.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.releases.envs import RELEASES, release_for_line, release_python

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "model" / "releases"
CORPUS_DIR = ROOT / "tests" / "corpus" / "releases"
EXTRACTOR = Path(__file__).with_name("extract.py")
FORMAT = 1


def secret_words() -> list[str]:
    """The words that make a plain-str field a secret, as llama-config's own redaction rule has them
    (model/redaction.py). Read from the source so the generator runs on a bare Python, without
    llama-config's dependencies."""
    tree = ast.parse((ROOT / "model" / "redaction.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_SECRET_WORDS" for t in node.targets):
            return sorted(ast.literal_eval(node.value.args[0] if isinstance(node.value, ast.Call) else node.value))
    raise SystemExit("model/redaction.py no longer defines _SECRET_WORDS")

# Top-level keys of llama-stack 0.2.x (StackRunConfig of 0.2.23) that 0.3.0 moved or removed.
# Unknown keys are dropped without a word by every release, so a file still carrying them loads
# and runs without what they declare. Keys dropped between the supported lines are found from
# the committed data of the earlier lines (see ignored_keys).
LEGACY_TOP_LEVEL = {
    "models": "llama-stack 0.3.0 (#3861) moved registrations under registered_resources; this list registers nothing",
    "shields": "llama-stack 0.3.0 (#3861) moved registrations under registered_resources; this list registers nothing",
    "vector_dbs": "llama-stack 0.3.0 (#3861) moved registrations under registered_resources; this list registers nothing",
    "datasets": "llama-stack 0.3.0 (#3861) moved registrations under registered_resources; this list registers nothing",
    "scoring_fns": "llama-stack 0.3.0 (#3861) moved registrations under registered_resources; this list registers nothing",
    "benchmarks": "llama-stack 0.3.0 (#3861) moved registrations under registered_resources; this list registers nothing",
    "tool_groups": "llama-stack 0.3.0 (#3861) moved registrations under registered_resources; this list registers nothing",
    "metadata_store": "llama-stack 0.3.0 (#3697) replaced it with storage.backends and storage.stores.metadata",
    "inference_store": "llama-stack 0.3.0 (#3697) replaced it with storage.backends and storage.stores.inference",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.releases.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("lines", nargs="*", metavar="LINE", help=f"release lines: {', '.join(RELEASES)}")
    parser.add_argument("--all", action="store_true", help="every line in RELEASES")
    parser.add_argument("--check", action="store_true", help="rebuild and compare with the committed data; write nothing")
    args = parser.parse_args(argv)
    lines = list(RELEASES) if args.all else args.lines
    if not lines:
        parser.error("name at least one LINE, or --all")
    for line in lines:
        release_for_line(line)  # unknown lines stop here, before any work
    stale = 0
    for line in sorted(lines, key=list(RELEASES).index):  # earlier lines first: later ones read them
        started = time.monotonic()
        data, shipped = build(line)
        if args.check:
            problems = compare(line, data, shipped)
            stale += bool(problems)
            print(f"{line}: {'STALE' if problems else 'up to date'} ({time.monotonic() - started:.1f}s)")
            for problem in problems:
                print(f"  {problem}")
        else:
            size = write(line, data, shipped)
            print(f"{line}: {data_path(line).relative_to(ROOT)} {size / 1024:.1f} KiB, {len(shipped)} shipped configs ({time.monotonic() - started:.1f}s)")
    if not args.check:
        write_shapes()
    return 1 if stale else 0


def write_shapes() -> None:
    """The small per-line summary release detection reads (model/releases/shapes.py)."""
    from llama_config.model.releases import load_release
    from llama_config.model.releases.shapes import SHAPES_PATH, build as build_shapes, encode

    load_release.cache_clear()  # the data files were just rewritten
    SHAPES_PATH.write_bytes(encode(build_shapes()))


# ---------------------------------------------------------------------- building
def build(line: str) -> tuple[dict, dict[str, bytes]]:
    """The data for one line and the shipped configs (relative path -> bytes)."""
    distribution, version = release_for_line(line)
    python = release_python(distribution, version)
    package = "ogx" if distribution == "ogx" else "llama_stack"
    with tempfile.TemporaryDirectory(prefix="release-extract-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        out = Path(tmp) / "out.json"
        # A clean environment: no LLAMA_STACK_*/OGX_*/SQLITE_STORE_DIR from the caller, and a HOME
        # that is replaced by "~" afterwards so no machine's paths end up in the data.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "PYTHONHASHSEED": "0"}
        result = subprocess.run(
            [str(python), str(EXTRACTOR), package, str(out), json.dumps(secret_words())],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise SystemExit(f"{line}: extracting from {distribution}=={version} failed:\n{result.stderr[-4000:]}")
        raw = json.loads(out.read_text())
    raw = replace_strings(raw, str(home), "~")
    package_dir = Path(raw.pop("package_dir"))
    check_api_package(line, distribution, version, raw.get("api_package"))
    shipped = {rel: (package_dir / "distributions" / rel).read_bytes() for rel in raw["shipped_configs"]}
    return postprocess(line, distribution, version, raw), shipped


def check_api_package(line: str, distribution: str, version: str, api_package: dict | None) -> None:
    if api_package and api_package["version"] != version:
        raise SystemExit(
            f"{line}: the environment holds {api_package['name']} {api_package['version']}, not {version}; "
            f"its Api enum and provider specs would not be the release's. Delete {python_env_hint(distribution, version)} and run again."
        )


def python_env_hint(distribution: str, version: str) -> str:
    from tools.releases.envs import env_dir

    return str(env_dir(distribution, version))


def postprocess(line: str, distribution: str, version: str, raw: dict) -> dict:
    data = dict(raw)
    data.pop("distro_dir_template", None)
    data.update(format=FORMAT, line=line, distribution=distribution, version=version)
    data["file_name"] = "run.yaml" if any(Path(p).name == "run.yaml" for p in raw["shipped_configs"]) else "config.yaml"
    data["config_schema"] = strip_auto_titles(raw["config_schema"], raw["config_model"])
    for specs in data["providers"].values():
        for spec in specs.values():
            if spec.get("config_schema"):
                spec["config_schema"] = strip_auto_titles(spec["config_schema"], spec["config_class"].rsplit(".", 1)[-1])
    earlier = earlier_data(line)
    data["ignored_top_level"] = ignored_keys(
        top_level_keys(data),
        [(d["line"], top_level_keys(d)) for d in earlier],
        LEGACY_TOP_LEVEL if data["config_schema"].get("additionalProperties") is not False else {},
    )
    data["server"]["ignored_keys"] = ignored_keys(
        set(data["server"]["keys"]), [(d["line"], set(d["server"]["keys"])) for d in earlier], {}
    )
    return data


def top_level_keys(data: dict) -> set[str]:
    return set(data["config_schema"].get("properties", {}))


def ignored_keys(current: set[str], earlier: list[tuple[str, set[str]]], legacy: dict[str, str]) -> dict[str, str]:
    """Keys an earlier release understood that this one drops without a word (pydantic ignores
    unknown keys), each with what happened."""
    out = {k: why for k, why in legacy.items() if k not in current}
    last_seen: dict[str, str] = {}
    for line, keys in earlier:
        for key in keys:
            last_seen[key] = line
    for key, line in last_seen.items():
        if key not in current:
            out.setdefault(key, f"understood up to {line}; this release ignores it (no effect)")
    return dict(sorted(out.items()))


def earlier_data(line: str) -> list[dict]:
    """The committed data of the lines before this one (RELEASES order)."""
    order = list(RELEASES)
    return [load(other) for other in order[: order.index(line)] if data_path(other).exists()]


def strip_auto_titles(schema: object, root_name: str) -> object:
    """Drop the titles pydantic derives from names (`api_key` -> "Api Key", a class -> its name):
    they repeat the key. Titles written by upstream are kept, and so is every description."""

    def walk(node: object, auto: str | None) -> object:
        if isinstance(node, list):
            return [walk(item, None) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "title" and isinstance(value, str) and value == auto:
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {name: walk(prop, name.replace("_", " ").title()) for name, prop in value.items()}
            elif key == "$defs" and isinstance(value, dict):
                out[key] = {name: walk(d, name) for name, d in value.items()}
            else:
                out[key] = walk(value, None)
        return out

    return walk(schema, root_name)


def replace_strings(node: object, old: str, new: str) -> object:
    if isinstance(node, str):
        return node.replace(old, new)
    if isinstance(node, list):
        return [replace_strings(n, old, new) for n in node]
    if isinstance(node, dict):
        return {k: replace_strings(v, old, new) for k, v in node.items()}
    return node


# ---------------------------------------------------------------------- files
def data_path(line: str) -> Path:
    return DATA_DIR / f"{line}.json.gz"


def encode(data: dict) -> bytes:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def load(line: str) -> dict:
    return json.loads(gzip.decompress(data_path(line).read_bytes()))


def source_note(line: str) -> str:
    distribution, version = release_for_line(line)
    return (
        f"# Configs shipped in {distribution} {version}\n\n"
        f"Copied by `python -m tools.releases.generate {line}` from the `distributions/*/` folder of the\n"
        f"`{distribution}=={version}` package on PyPI (the run configs only, not build specs), unchanged.\n"
        "Upstream is MIT licensed (Copyright (c) Meta Platforms, Inc. and affiliates; OGX contributors).\n"
        "Do not edit: regenerate instead.\n"
    )


def write(line: str, data: dict, shipped: dict[str, bytes]) -> int:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    blob = encode(data)
    data_path(line).write_bytes(blob)
    target = CORPUS_DIR / line
    if target.exists():
        shutil.rmtree(target)
    for rel, content in shipped.items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(content)
    (target / "SOURCE.md").parent.mkdir(parents=True, exist_ok=True)
    (target / "SOURCE.md").write_text(source_note(line))
    return len(blob)


def compare(line: str, data: dict, shipped: dict[str, bytes]) -> list[str]:
    """What differs between a fresh build and the committed files, one line per difference."""
    if not data_path(line).exists():
        return [f"{data_path(line).relative_to(ROOT)} is missing"]
    committed = load(line)
    problems = [f"{path}: {why}" for path, why in differences(committed, data, "")][:20]
    target = CORPUS_DIR / line
    present = {str(p.relative_to(target)) for p in target.rglob("*.yaml")} if target.exists() else set()
    for rel in sorted(present - set(shipped)):
        problems.append(f"tests/corpus/releases/{line}/{rel}: not shipped in the release")
    for rel, content in sorted(shipped.items()):
        path = target / rel
        if not path.exists():
            problems.append(f"tests/corpus/releases/{line}/{rel}: missing")
        elif path.read_bytes() != content:
            problems.append(f"tests/corpus/releases/{line}/{rel}: differs from the release's copy")
    return problems


def differences(old: object, new: object, path: str):
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else key
            if key not in new:
                yield sub, "only in the committed data"
            elif key not in old:
                yield sub, "only in the fresh build"
            else:
                yield from differences(old[key], new[key], sub)
    elif old != new:
        yield path, f"committed {short(old)}, fresh {short(new)}"


def short(value: object) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."


if __name__ == "__main__":
    sys.exit(main())
