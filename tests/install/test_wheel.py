"""The built wheel, installed the ways an operator installs it (issue 13, "Install").

Builds the wheel from a copy of the repository's packaged files with `pip wheel` and the
setuptools that pyproject.toml asks for, checking that the build prints no warning; installs it
into a fresh venv with pip and as a tool with `uv tool install` (uv from PyPI, into the test's
own tool venv); then runs `--version`, writes the bundled example with `init --example`,
validates it, and checks that site-packages gains no generic top-level name (`model`, `tui`).

Slow (a minute with warm pip and uv caches: ~/.cache/pip, ~/.cache/uv; more on a first run), so
it runs only with LLAMA_CONFIG_INSTALL_TEST=1, which .ci/run sets.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
DIST_INFO = f"llama_config-{VERSION}.dist-info"
# What a wheel needs: the build configuration, the files it names, and the mapped folders.
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "model", "tui", "examples"]

pytestmark = [
    pytest.mark.install,
    pytest.mark.skipif(os.environ.get("LLAMA_CONFIG_INSTALL_TEST") != "1",
                       reason="builds and installs the wheel (a minute); set LLAMA_CONFIG_INSTALL_TEST=1, as .ci/run does"),
]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of an operator's shell: no venv or source tree on the path, bytecode on."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE", "PYTHONHOME", "LLAMA_CONFIG_SERVER")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_ROOT_USER_ACTION="ignore", PIP_NO_INPUT="1", **extra)
    return env


def run(*cmd: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def new_venv(path: Path) -> Path:
    run(sys.executable, "-m", "venv", path)
    return path / "bin"


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("install")


@pytest.fixture(scope="module")
def tools(work: Path) -> Path:
    """A venv with the build backend pyproject.toml requires and uv."""
    bin_ = new_venv(work / "tools")
    run(bin_ / "pip", "install", "--quiet", *PYPROJECT["build-system"]["requires"], "uv")
    return bin_


@pytest.fixture(scope="module")
def build(work: Path, tools: Path) -> tuple[Path, str]:
    """(the wheel, everything the build printed), built from a copy of what the wheel is made of."""
    src = work / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copyfile(ROOT / name, src / name)
    dist = work / "dist"
    # --no-build-isolation: the backend is the one in `tools`, and pip consults no index, so
    # every line of -v output comes from the build itself.
    proc = run(tools / "pip", "wheel", "--no-deps", "--no-build-isolation", "-v", "-w", dist, src)
    (wheel,) = dist.glob("llama_config-*.whl")
    return wheel, proc.stdout + proc.stderr


def test_the_build_prints_no_warning(build):
    _, log = build
    warnings = [line for line in log.splitlines() if "warning" in line.lower()]
    assert warnings == [], "\n".join(warnings)


def test_the_wheel_holds_one_package_the_license_and_the_project_urls(build):
    import zipfile

    wheel, _ = build
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(f"{DIST_INFO}/METADATA").decode()
    assert {name.split("/")[0] for name in names} == {"llama_config", DIST_INFO}
    assert f"{DIST_INFO}/licenses/LICENSE" in names
    assert "llama_config/examples/run.yaml" in names and "llama_config/tui/app.tcss" in names
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert "License-Expression: MIT" in headers and "License-File: LICENSE" in headers
    assert not [h for h in headers if h.startswith(("License:", "Classifier: License"))]  # the deprecated forms
    urls = {h.split(": ", 1)[1].split(", ")[0] for h in headers if h.startswith("Project-URL: ")}
    assert urls == {"Homepage", "Repository", "Issues", "Documentation"}


def check_installed(bin_dir: Path, work: Path) -> None:
    """What an operator does first: the version, the bundled example, validating it."""
    exe = bin_dir / "llama-config"
    assert run(exe, "--version").stdout == f"llama-config {VERSION}\n"
    cwd = work / f"try-{bin_dir.parent.name}"
    cwd.mkdir()
    run(exe, "init", "--example", cwd=cwd)
    r = run(exe, "validate", "run.yaml", cwd=cwd)
    assert "run.yaml: 0 errors, 0 warnings, 0 infos" in r.stderr
    assert json.loads(run(exe, "validate", "--json", "run.yaml", cwd=cwd).stdout) == []


def site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(run(python, "-c", code).stdout.strip())


def assert_no_generic_names(python: Path) -> None:
    site = site_packages(python)
    assert (site / "llama_config").is_dir() and (site / DIST_INFO).is_dir()
    assert not (site / "model").exists() and not (site / "tui").exists()
    record = (site / DIST_INFO / "RECORD").read_text(encoding="utf-8").splitlines()
    tops = {line.split(",")[0].split("/")[0] for line in record if not line.startswith("..")}
    assert tops == {"llama_config", DIST_INFO}, tops
    # nothing named model/tui is importable, from a directory that is not the repository
    code = "import importlib.util as u; print([n for n in ('model', 'tui') if u.find_spec(n)])"
    assert run(python, "-I", "-c", code, cwd=site.parent).stdout.strip() == "[]"


def test_pip_install_into_a_fresh_venv(build, work):
    wheel, _ = build
    bin_ = new_venv(work / "pip-venv")
    run(bin_ / "pip", "install", "--quiet", wheel)
    assert_no_generic_names(bin_ / "python")
    check_installed(bin_, work)


def test_uv_tool_install(build, work, tools):
    wheel, _ = build
    env = clean_env(UV_TOOL_DIR=str(work / "uv-tools"), UV_TOOL_BIN_DIR=str(work / "uv-bin"), UV_PYTHON_DOWNLOADS="never")
    run(tools / "uv", "tool", "install", "--python", sys.executable, wheel, env=env)
    venv = work / "uv-tools" / "llama-config"
    assert_no_generic_names(venv / "bin" / "python")
    check_installed(work / "uv-bin", work)
