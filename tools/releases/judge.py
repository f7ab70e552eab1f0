"""Run the conformance oracle (oracle.py) of one release over a batch of files, with a cache.

    verdicts = judge("ogx-1.5", [Path("a.yaml"), Path("b.yaml")], env={"X": "1"})

One subprocess per call, in the release's own environment (envs.py), with a minimal process
environment (PATH, and a throwaway HOME so `~` never points at the user's files) plus `env`.
Verdicts are cached under <release cache>/oracle/<release>/ keyed by the oracle script, the
release, the file's bytes and the environment, so a changed oracle or file is judged again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

from tools.releases.envs import cache_dir, release_for_line, release_python

ORACLE = Path(__file__).with_name("oracle.py")


def _key(release: str, oracle_digest: str, content: bytes, env: dict[str, str]) -> str:
    h = hashlib.sha256()
    for part in (release.encode(), oracle_digest.encode(), content, json.dumps(env, sort_keys=True).encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def judge(line: str, files: list[Path], env: dict[str, str] | None = None) -> dict[Path, dict]:
    """The release's verdict on each file, keyed by the path given."""
    env = dict(env or {})
    distribution, version = release_for_line(line)
    release = f"{distribution}-{version}"
    store = cache_dir() / "oracle" / release
    store.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(ORACLE.read_bytes()).hexdigest()
    keys = {f: _key(release, digest, Path(f).read_bytes(), env) for f in files}
    verdicts: dict[Path, dict] = {}
    todo = []
    for f, key in keys.items():
        cached = store / f"{key}.json"
        if cached.exists():
            verdicts[f] = json.loads(cached.read_text())
        else:
            todo.append(f)
    if todo:
        python = release_python(distribution, version)
        with tempfile.TemporaryDirectory(prefix="llama-config-oracle-") as tmp:
            request, out = Path(tmp, "request.json"), Path(tmp, "verdicts.json")
            request.write_text(json.dumps({"items": [{"file": str(Path(f).resolve()), "env": env} for f in todo]}))
            home = Path(tmp, "home")
            home.mkdir()
            proc_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
            result = subprocess.run(
                [str(python), str(ORACLE), str(request), str(out)], cwd=tmp, env=proc_env, capture_output=True, text=True
            )
            if result.returncode != 0 or not out.exists():
                raise RuntimeError(f"the {release} oracle failed:\n{result.stderr[-4000:]}")
            for f, verdict in zip(todo, json.loads(out.read_text()), strict=True):
                verdict["file"] = str(f)
                (store / f"{keys[f]}.json").write_text(json.dumps(verdict))
                verdicts[f] = verdict
    return {f: verdicts[f] for f in files}
