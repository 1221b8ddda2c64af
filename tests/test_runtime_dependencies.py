"""Every third-party distribution the running product imports is pinned in requirements.txt.

``make run`` installs requirements.txt alone, while the test suite runs with the dev pins as well, so a
runtime import satisfied only by a dev pin would pass every other test and answer 500 to real users.
These tests read the imports of the code itself (and the dotted paths in the settings, which Django
imports for us) and compare the distributions they come from with the pins.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Code that only developers run: test tooling may be imported here, and only here.
DEVELOPER_FOLDERS = ("tests", "bench", "scripts")
FIRST_PARTY = frozenset(
    path.name for path in ROOT.iterdir() if path.is_dir() and (path / "__init__.py").exists()
) | {"manage"}
_DOTTED_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements: Path) -> set[str]:
    """The distributions a requirements file pins with ``==``, following ``-r`` includes."""
    names: set[str] = set()
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= pinned(requirements.parent / line[3:].strip())
        elif "==" in line:
            names.add(canonical(line.split("==", 1)[0].split("[", 1)[0]))
    return names


def _optional(node: ast.Try) -> bool:
    """``try: import x`` / ``except ImportError`` marks an import the code can run without."""
    caught = {getattr(handler.type, "id", None) for handler in node.handlers}
    return bool(caught & {"ImportError", "ModuleNotFoundError"})


def imported_modules(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Top-level names of the absolute imports in ``tree`` with their line, optional imports left out."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and _optional(node):
            skipped |= {id(child) for statement in node.body for child in ast.walk(statement)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".", 1)[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".", 1)[0], node.lineno


def project_files(*, developer: bool) -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or relative.parts[0] in {"node_modules", "staticfiles"}:
            continue
        if (relative.parts[0] in DEVELOPER_FOLDERS) == developer:
            files.append(path)
    return files


def settings_paths() -> Iterator[str]:
    """Dotted paths in the settings (apps, middleware, backends, ...): Django imports them at start."""
    def walk(value) -> Iterator[str]:
        if isinstance(value, str):
            if _DOTTED_PATH.match(value):
                yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                yield from walk(item)

    for name in dir(settings):
        if name.isupper():
            yield from walk(getattr(settings, name))


def unpinned_imports(files: list[Path], allowed: set[str], extra: list[tuple[str, str]] = ()) -> list[str]:
    """``where: module (distribution)`` for each third-party import not covered by ``allowed``."""
    distributions = packages_distributions()
    found = [(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line}", module)
             for path in files for module, line in imported_modules(ast.parse(path.read_text(), str(path)))]
    problems = []
    for where, module in [*found, *extra]:
        if module in FIRST_PARTY or module in sys.stdlib_module_names or module == "__future__":
            continue
        provided_by = {canonical(name) for name in distributions.get(module, [])}
        if not provided_by:
            problems.append(f"{where}: {module} (installed by no distribution)")
        elif not provided_by & allowed:
            problems.append(f"{where}: {module} ({', '.join(sorted(provided_by))})")
    return sorted(set(problems))


def test_runtime_code_imports_only_runtime_pins():
    settings_modules = [("settings", path.split(".", 1)[0]) for path in settings_paths()]
    distributions = packages_distributions()
    # Only dotted strings naming an importable top-level package are import paths (not "a.b" prose).
    settings_modules = [(where, module) for where, module in settings_modules
                        if module in distributions or module in FIRST_PARTY]
    problems = unpinned_imports(project_files(developer=False), pinned(ROOT / "requirements.txt"), settings_modules)
    assert problems == [], "imported at run time but not pinned in requirements.txt:\n" + "\n".join(problems)


def test_developer_code_imports_only_pinned_tools():
    problems = unpinned_imports(project_files(developer=True), pinned(ROOT / "requirements-dev.txt"))
    assert problems == [], "imported by tests, bench or scripts but not pinned in requirements-dev.txt:\n" + "\n".join(
        problems
    )


def test_import_check_names_a_dev_only_import(tmp_path):
    module = tmp_path / "exporter.py"
    module.write_text(
        "import json\nimport stripe\nfrom dateutil.relativedelta import relativedelta\n"
        "try:\n    import yaml_extras\nexcept ImportError:\n    yaml_extras = None\n"
    )
    assert unpinned_imports([module], pinned(ROOT / "requirements.txt")) == [
        "exporter.py:3: dateutil (python-dateutil)"
    ]
