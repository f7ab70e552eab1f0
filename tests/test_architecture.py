"""Rules about how the code is put together, checked so they cannot quietly erode."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from model import config_schema

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
        if any(name == "textual" or name.startswith(("textual.", "rich", "tui")) for name in _imports(path))
    ]
    assert offenders == []


def test_committed_json_schema_is_what_the_models_generate():
    # regenerate with: python -m model.config_schema --write
    assert config_schema.load() == config_schema.generate()


def test_schema_names_in_facts_exist_in_the_schema():
    from model import facts

    defs = config_schema.load()["$defs"]
    for names in (facts.BACKEND_MODEL_NAMES, facts.AUTH_MODEL_NAMES, facts.STORE_MODEL_NAMES):
        assert set(names.values()) <= set(defs)
    from model.schema import AUTH_PROVIDER_MODELS, BACKEND_MODELS, STORE_REFERENCE_MODELS

    assert {k: v.__name__ for k, v in BACKEND_MODELS.items()} == facts.BACKEND_MODEL_NAMES
    assert {k: v.__name__ for k, v in AUTH_PROVIDER_MODELS.items()} == facts.AUTH_MODEL_NAMES
    assert {k: v.__name__ for k, v in STORE_REFERENCE_MODELS.items()} == facts.STORE_MODEL_NAMES


def test_validate_command_does_not_import_pydantic_or_the_ui():
    """pydantic's import alone costs more than `validate` may take (README: Performance)."""
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"code = main(['validate', {str(EXAMPLE)!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'textual', 'rich', 'asyncpg', 'redis', 'pymongo', 'aiosqlite'))\n"
        "print(heavy)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
