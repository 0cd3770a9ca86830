"""The import graph of cxchange, read from the source with ast (nothing is imported or run).

Run it to see the house: `make graph` (or `.venv/bin/python tests/module_graph.py`) prints each
module of cxchange, app.py, app_pages/ and their cxchange imports, by layer; tests/test_layers.py
holds the rules over the same graph.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

VOCABULARY = {"cxchange.model", "cxchange.settings", "cxchange.hierarchy", "cxchange.text"}
"""Imported by anyone; import only each other."""
SHELLS = {"cxchange.ui", "cxchange.cli", "cxchange.__main__", "cxchange.pulse_web", "server"}
"""The Streamlit-aware module, the command line, the pulse's respondent page and the server that serves it
beside the app."""


@dataclass
class Module:
    """One source file: its dotted name, its layer and what it imports (at the top and inside functions)."""

    name: str
    path: Path
    imports: set[str] = field(default_factory=set)
    nested_imports: list[tuple[int, str]] = field(default_factory=list)

    @property
    def layer(self) -> str:
        if self.name in VOCABULARY:
            return "vocabulary"
        if self.name == "cxchange.store" or self.name.startswith("cxchange.store."):
            return "store"
        if self.name == "cxchange.migrations":
            return "schema"
        if self.name == "cxchange.services":
            return "services"
        if self.name in SHELLS:
            return "shell"
        if self.name.startswith("app_pages.") or self.name == "app":
            return "page"
        return "pure"


def module_name(path: Path) -> str:
    """The dotted name of a source file of the project."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imported(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The modules an import statement names (for `from cxchange import store`: cxchange.store)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def read_module(path: Path) -> Module:
    """Parse one file's imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    module = Module(name, path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names = _imported(node, package)
        if id(node) in top_level:
            module.imports.update(names)
        else:
            module.nested_imports += [(node.lineno, name) for name in names]
    return module


def project_modules() -> dict[str, Module]:
    """Every module of cxchange, app.py and app_pages/, by name."""
    paths = [
        *sorted((ROOT / "cxchange").rglob("*.py")), ROOT / "app.py", ROOT / "server.py",
        *sorted((ROOT / "app_pages").glob("*.py")),
    ]  # fmt: skip
    modules = {module.name: module for module in map(read_module, paths) if module.name != "cxchange"}
    for module in modules.values():
        # `from cxchange import store` names both cxchange and cxchange.store: keep only real modules
        # of ours, and third-party top-level packages.
        module.imports = {
            name
            for name in module.imports
            if name in modules or not (name == "cxchange" or name.startswith(("cxchange.", "app_pages")))
        }
        module.imports.discard("cxchange")
    return modules


def internal_imports(module: Module, modules: dict[str, Module]) -> set[str]:
    """The project modules `module` imports at the top, with submodules of store counted as store."""
    return {_collapse(name) for name in module.imports if name in modules} - {_collapse(module.name)}


def _collapse(name: str) -> str:
    return "cxchange.store" if name.startswith("cxchange.store") else name


def cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Every import cycle between project modules (store counted as one), each as the path round it."""
    graph = {_collapse(name): set() for name in modules}
    for module in modules.values():
        graph[_collapse(module.name)] |= internal_imports(module, modules)
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def report() -> str:
    """The graph as text: each module, its layer, and the project modules it imports."""
    modules = project_modules()
    order = ["vocabulary", "pure", "schema", "store", "services", "shell", "page"]
    lines = []
    for layer in order:
        lines.append(f"{layer}:")
        for module in sorted((m for m in modules.values() if m.layer == layer), key=lambda m: m.name):
            uses = sorted(internal_imports(module, modules))
            short = ", ".join(name.removeprefix("cxchange.") for name in uses) or "-"
            lines.append(f"  {module.name.removeprefix('cxchange.'):28} -> {short}")
    found = cycles(modules)
    lines.append("cycles: " + ("; ".join(" -> ".join(cycle) for cycle in found) if found else "none"))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report() + "\n")
