"""Every command on large files of many shapes, at N and 2N: does the work grow in proportion?

    python bench/shapes.py                  # N = 5,000
    python bench/shapes.py --n 2000 models repeated

scale.py measures one shape (many providers) against a baseline; this looks for the shapes that
make a command superlinear: a quadratic place costs 4x the time at twice the size, a linear one
2x (less, as start-up is a fixed cost). Each shape is a config where one thing is numerous:
registered models, unknown keys in one provider, backends, anchors and their aliases, keys
written twice, old-syntax placeholders, old store configs with comments above them, one long
flow list, template syntax, findings in one large mapping. Each command runs as its own process
(the median of --runs); a ratio over 3x at the larger size is flagged, and exit 3 or an
"internal error" is reported whatever its time. The places this found are in
tests/test_linear_work.py, each with a test that counts work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HEAD = "version: 2\nimage_name: t\napis: [inference, vector_io, agents]\n"
STORAGE = (
    "storage:\n  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"
    "    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/sql.db\n"
    "  stores:\n    metadata:\n      namespace: registry\n      backend: kv_default\n"
    "    inference:\n      table_name: inference_store\n      backend: sql_default\n"
)
OLLAMA = "providers:\n  inference:\n  - provider_id: ollama\n    provider_type: remote::ollama\n    config:\n      base_url: http://localhost:11434/v1\n"


def _faiss(i: int, backend: str = "kv_default", extra: str = "") -> str:
    return f"  - provider_id: f{i}\n    provider_type: inline::faiss\n    config:\n      persistence:\n        namespace: v::{i}\n        backend: {backend}\n{extra}"


def models(n: int) -> str:
    return HEAD + OLLAMA + STORAGE + "registered_resources:\n  models:\n" + "".join(f"  - model_id: m{i}\n    provider_id: ollama\n    model_type: llm\n" for i in range(n))


def unknown_keys(n: int) -> str:
    return HEAD + OLLAMA + "".join(f"      knob_{i}: {i}\n" for i in range(n)) + STORAGE


def backends(n: int) -> str:
    extra = "".join(f"    kv_{i}:\n      type: kv_sqlite\n      db_path: /tmp/kv{i}.db\n" for i in range(n))
    providers = OLLAMA + "  vector_io:\n" + "".join(_faiss(i, f"kv_{i}") for i in range(n))
    return HEAD + providers + STORAGE.replace("  backends:\n", "  backends:\n" + extra, 1)


def anchors(n: int) -> str:
    defs = "x-defs:\n" + "".join(f"  d{i}: &a{i} {{db_path: /tmp/{i}.db}}\n" for i in range(n))
    return HEAD + defs + OLLAMA + "  vector_io:\n" + "".join(_faiss(i, extra=f"      extra: *a{i}\n") for i in range(n)) + STORAGE


def repeated(n: int) -> str:
    body = "".join(_faiss(i).replace("    provider_type: inline::faiss\n", "    provider_type: inline::faiss\n" * 2) for i in range(n))
    return HEAD + OLLAMA + "  vector_io:\n" + body + STORAGE


def old_placeholders(n: int) -> str:
    return HEAD + "providers:\n  inference:\n" + "".join(
        f"  - provider_id: p{i}\n    provider_type: remote::vllm\n    config:\n      url: ${{env.URL_{i}:http://h{i}}}\n      api_token: ${{env.TOK_{i}}}\n"
        for i in range(n)
    ) + STORAGE


def old_stores_commented(n: int) -> str:
    return HEAD + "providers:\n  agents:\n" + "".join(
        f"  - provider_id: a{i}\n    provider_type: inline::meta-reference\n    config:\n      # where its state goes\n"
        f"      persistence_store:\n        type: sqlite\n        db_path: /tmp/a{i}.db\n      # and its responses\n"
        f"      responses_store:\n        type: sqlite\n        db_path: /tmp/r{i}.db\n"
        for i in range(n)
    )


def flow_list(n: int) -> str:
    return HEAD + OLLAMA.rstrip("\n") + "\n      allowed_models: [" + ", ".join(f"m{i}" for i in range(n)) + "]\n" + STORAGE


def templates(n: int) -> str:
    return HEAD + OLLAMA + STORAGE + "x-values:\n" + "".join(f'  a{i}: "{{{{ .Values.v{i} }}}}"\n  b{i}: "${{V{i}}}"\n' for i in range(n))


SHAPES: dict[str, Callable[[int], str]] = {
    "models": models, "unknown_keys": unknown_keys, "backends": backends, "anchors": anchors, "repeated": repeated,
    "old_placeholders": old_placeholders, "old_stores_commented": old_stores_commented, "flow_list": flow_list, "templates": templates,
}  # fmt: skip

COMMANDS: dict[str, Callable[[str, str], list[str]]] = {
    "validate": lambda f, o: ["validate", f],
    "show": lambda f, o: ["show", f],
    "set": lambda f, o: ["set", f, "server.port=8322", "--output", o, "--no-backup", "--force"],
    "migrate": lambda f, o: ["migrate", f, "--output", o, "--no-backup", "--force"],
    "upgrade": lambda f, o: ["upgrade", f, "--to", "ogx-1.5", "--output", o, "--no-backup", "--force"],
    "rename-backend": lambda f, o: ["rename-backend", f, "kv_default", "kv_new", "--output", o, "--no-backup", "--force"],
    "rename-provider": lambda f, o: ["rename-provider", f, "inference", "ollama", "gpu", "--output", o, "--no-backup", "--force"],
    "add-provider": lambda f, o: ["add-provider", f, "inference", "remote::vllm", "--id", "vv", "--output", o, "--no-backup", "--force"],
}


def run(exe: str, argv: list[str], runs: int) -> tuple[float, int, str]:
    """(median seconds, exit code, stderr's tail) of the command, as its own process."""
    times, code, err = [], 0, ""
    for _ in range(runs):
        start = time.perf_counter()
        # (one core: work that takes the second core above 1 MB of text would hide growth)
        result = subprocess.run([exe, *argv], capture_output=True, text=True, timeout=900, env={**os.environ, "LLAMA_CONFIG_ONE_CORE": "1"})
        times.append(time.perf_counter() - start)
        code, err = result.returncode, result.stderr[-300:]
    return statistics.median(times), code, err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("shapes", nargs="*", choices=[[], *SHAPES], help="only these shapes (default: all)")
    args = parser.parse_args()
    exe = shutil.which("llama-config", path=str(Path(sys.executable).parent)) or shutil.which("llama-config")
    if not exe:
        sys.exit("llama-config is not installed in this environment")
    flagged = 0
    print(f"{'shape':22s} {'command':16s} {'N':>7s} {'2N':>7s}  ratio")
    with tempfile.TemporaryDirectory(prefix="llama-config-shapes-") as tmp:
        out = str(Path(tmp, "out.yaml"))
        for name in args.shapes or SHAPES:
            files = []
            for size in (args.n, 2 * args.n):
                path = Path(tmp, f"{name}-{size}.yaml")
                path.write_text(SHAPES[name](size), encoding="utf-8")
                files.append(str(path))
            for command, argv in COMMANDS.items():
                (small, _, _), (large, code, err) = (run(exe, argv(f, out), args.runs) for f in files)
                ratio = large / small
                note = ""
                if ratio > 3 and large > 1:
                    note, flagged = "  <- grows faster than the file", flagged + 1
                if code == 3 or "internal error" in err:
                    note, flagged = f"  <- internal error: {err.strip()}", flagged + 1
                print(f"{name:22s} {command:16s} {small:6.2f}s {large:6.2f}s  {ratio:4.1f}x  exit {code}{note}", flush=True)
    sys.exit(1 if flagged else 0)


if __name__ == "__main__":
    main()
