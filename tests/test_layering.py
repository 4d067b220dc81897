"""The import rules DESIGN.md states, read off the source: commands do not import each other (what
two share lives below them) nor the doit deploy layer; the deploy wiring keeps no module-global state."""

from __future__ import annotations

import ast
from pathlib import Path

import genesys_tasks

PACKAGE = Path(genesys_tasks.__file__).parent
COMMANDS = PACKAGE / "commands"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, as dotted names relative to the package (``commands.delete``)."""
    package = path.parent.relative_to(PACKAGE).parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[:len(package) - node.level + 1])
            module = base + (node.module.split(".") if node.module else [])
            found.add(".".join(module))
            found.update(".".join(module + [alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("genesys_tasks."):
            found.add(node.module.removeprefix("genesys_tasks."))
    return found


def test_no_command_imports_another_command():
    commands = {p.stem for p in COMMANDS.glob("*.py") if p.stem != "__init__"}
    crossing = {p.name: sorted(m for m in _imports(p) if m.startswith("commands.") and m.split(".")[1] in commands)
                for p in COMMANDS.glob("*.py")}
    assert {name: found for name, found in crossing.items() if found} == {}


def test_no_command_imports_the_doit_deploy_layer():
    assert {p.name for p in COMMANDS.glob("*.py") if "tasks.deploy" in _imports(p)} == set()


def test_the_deploy_and_doit_layers_keep_no_module_global_caches():
    mutable = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
    found = []
    for folder in (PACKAGE / "tasks", PACKAGE / "deploy"):
        for path in folder.rglob("*.py"):
            for node in ast.parse(path.read_text()).body:
                value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
                targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
                names = [t.id for t in targets if isinstance(t, ast.Name) and t.id != "__all__"]
                # a table is named in capitals and never changed; a cache is a lower-case (or _private) global
                if isinstance(value, mutable) and any(n.startswith("_") or not n.isupper() for n in names):
                    found.append(f"{path.relative_to(PACKAGE)}: {names}")
    assert found == []
