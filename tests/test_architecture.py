"""Rules about how the code is put together, checked so they cannot quietly erode."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "run.yaml"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_model_never_imports_textual():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "model").rglob("*.py")
        if any(name == "textual" or name.startswith(("textual.", "rich", "tui", "llama_config.tui")) for name in _imports(path))
    ]
    assert offenders == []


def test_validate_command_does_not_import_the_ui_or_the_database_drivers():
    """Their imports cost more than `validate` may take (docs/performance.md). PyYAML is the
    parser (its libyaml events), so it is the one YAML library loaded; ruamel is not used."""
    code = (
        "import sys\n"
        "from llama_config.tui.cli import main\n"
        f"code = main(['validate', {str(EXAMPLE)!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'ruamel', 'textual', 'rich', 'asyncpg', 'redis', 'pymongo', 'aiosqlite'))\n"
        "print(heavy)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_every_package_folder_is_installed():
    """pyproject lists the packages by hand (model/ and tui/ install as llama_config.model and
    llama_config.tui): a new folder left out would be missing from the wheel."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {
        "llama_config." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("model", "tui")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert folders - listed == set()
