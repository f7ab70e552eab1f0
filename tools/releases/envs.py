"""Throwaway Python >= 3.12 environments holding one exact upstream release.

    python = release_python("ogx", "1.5.0")     # builds it on first use, then reuses it

The environment lives under $LLAMA_CONFIG_RELEASE_CACHE (default ~/.cache/llama-config/releases)
and holds the release without any provider pip packages: the config classes import without them.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The supported release lines and the patch release each follows (the latest of its line).
RELEASES: dict[str, tuple[str, str]] = {
    "0.3": ("llama-stack", "0.3.5"),
    "0.4": ("llama-stack", "0.4.7"),
    "0.5": ("llama-stack", "0.5.4"),
    "0.6": ("llama-stack", "0.6.1"),
    "0.7": ("llama-stack", "0.7.3"),
    "ogx-1.0": ("ogx", "1.0.4"),
    "ogx-1.1": ("ogx", "1.1.3"),
    "ogx-1.2": ("ogx", "1.2.5"),
    "ogx-1.3": ("ogx", "1.3.1"),
    "ogx-1.4": ("ogx", "1.4.1"),
    "ogx-1.5": ("ogx", "1.5.0"),
}

# Pins a release needs to install (its own requirements leave them open and a newer one breaks it).
EXTRA_REQUIREMENTS: dict[str, list[str]] = {
    "llama-stack": ["mcp<2"],
    "ogx": [],
}


class EnvironmentUnavailable(RuntimeError):
    """A release environment cannot be built here: no Python >= 3.12, or pip cannot install it."""


def cache_dir() -> Path:
    return Path(os.environ.get("LLAMA_CONFIG_RELEASE_CACHE") or Path.home() / ".cache" / "llama-config" / "releases")


def find_python312() -> str:
    """A Python >= 3.12 interpreter, 3.12 first (what upstream tests on): on PATH, else one that
    pyenv installed."""
    candidates = [shutil.which(n) for n in ("python3.12", "python3.13")]
    candidates += sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.1[2-9]*/bin/python3")))
    candidates += sorted(glob.glob("/usr/bin/python3.1[2-9]"))
    if sys.version_info >= (3, 12):
        candidates.insert(0, sys.executable)
    for c in candidates:
        if not c:
            continue
        probe = subprocess.run([c, "-c", "import sys, venv; assert sys.version_info >= (3, 12)"], capture_output=True)
        if probe.returncode == 0:
            return c
    raise EnvironmentUnavailable("no Python >= 3.12 found (python3.12 on PATH or under ~/.pyenv/versions); upstream releases need one")


def env_dir(distribution: str, version: str) -> Path:
    return cache_dir() / f"{distribution}-{version}"


def requirements(distribution: str, version: str) -> list[str]:
    """What to pip install for one release. llama-stack 0.4 split its API types into
    llama-stack-api, and ogx ships ogx-api; both releases require their API package unpinned, so
    pip takes the newest one, which changes the Api enum and provider specs under the older
    release (ogx 1.0.4 with ogx-api 1.5.0 knows `skills`) or breaks its imports. The API package
    is pinned to the release's own version."""
    pins = [f"{distribution}=={version}", *EXTRA_REQUIREMENTS.get(distribution, [])]
    if distribution == "llama-stack" and tuple(int(p) for p in version.split(".")[:2]) >= (0, 4):
        pins.append(f"llama-stack-api=={version}")
    if distribution == "ogx":
        pins.append(f"ogx-api=={version}")
    return pins


def release_python(distribution: str, version: str, *, quiet: bool = True) -> Path:
    """The interpreter of an environment holding exactly `distribution==version`, built if missing.
    A half-built environment (no marker file) is built again."""
    root = env_dir(distribution, version)
    python = root / "bin" / "python"
    marker = root / ".complete"
    pins = requirements(distribution, version)
    wanted = " ".join(pins) + "\n"
    # The marker names what was installed: an environment built with other pins is built again.
    # Environments built before the API-package pins (marker: the release alone) are still right
    # for releases that have no API package.
    accepted = {wanted} | ({f"{distribution}=={version}\n"} if len(pins) == 1 + len(EXTRA_REQUIREMENTS.get(distribution, [])) else set())
    if marker.exists() and python.exists() and marker.read_text() in accepted:
        return python
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([find_python312(), "-m", "venv", str(root)], check=True)
    # (no bytecode compiled up front: the oracle imports a small part of the release, compiled
    # as it is first imported; building two environments took 61 s instead of 105 s)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-compile"]
    if quiet:
        pip.append("--quiet")
    result = subprocess.run(
        pip + pins,
        capture_output=quiet,
        text=True,
    )
    if result.returncode != 0:
        errors = "\n".join(line for line in (result.stderr or "").splitlines() if not line.startswith("WARNING:"))
        raise EnvironmentUnavailable(f"installing {distribution}=={version} failed:\n{errors[-4000:]}")
    marker.write_text(wanted)
    return python


def release_for_line(line: str) -> tuple[str, str]:
    try:
        return RELEASES[line]
    except KeyError:
        raise SystemExit(f"unknown release line {line!r}; known: {', '.join(RELEASES)}") from None


def main(argv: list[str] | None = None) -> int:
    """`python3 -m tools.releases.envs --all --jobs 4`: build (or check) the environments of
    several lines at once. Installing is mostly download and unpack, so a few at a time finish
    far sooner than one after another (CI builds all eleven before the suite)."""
    import argparse
    import time
    from concurrent.futures import ThreadPoolExecutor

    parser = argparse.ArgumentParser(prog="python3 -m tools.releases.envs", description=main.__doc__.split("\n\n")[0])
    parser.add_argument("lines", nargs="*", metavar="LINE", help=f"release lines: {', '.join(RELEASES)}")
    parser.add_argument("--all", action="store_true", help="every line in RELEASES")
    parser.add_argument("--jobs", type=int, default=4, help="environments built at once (default 4)")
    args = parser.parse_args(argv)
    lines = list(RELEASES) if args.all else args.lines
    if not lines:
        parser.error("name at least one LINE, or --all")
    releases = [release_for_line(line) for line in lines]

    def build(release: tuple[str, str]) -> str:
        started = time.monotonic()
        try:
            release_python(*release)
        except EnvironmentUnavailable as exc:
            return f"{release[0]} {release[1]}: FAILED: {exc}"
        return f"{release[0]} {release[1]}: ready ({time.monotonic() - started:.0f} s)"

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(build, releases))
    print("\n".join(results))
    return 1 if any("FAILED" in r for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
