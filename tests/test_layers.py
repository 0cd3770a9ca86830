"""The house rules of STYLE.md, read from the source: who may import whom, and who may write."""

from __future__ import annotations

import inspect
import re

import pytest
from module_graph import ROOT, cycles, internal_imports, project_modules

from cxchange import store

MODULES = project_modules()
WRITES = re.compile(
    r"\b(INSERT|UPDATE|DELETE|REPLACE)\b|\.(insert|insert_all|upsert|upsert_all|delete_where|executemany)\(|"
    r"origin\.backup\("
)
"""What a store function that writes contains: an SQL statement that changes rows, or a sqlite-utils write."""


def _layer(*layers: str):
    return [module for module in MODULES.values() if module.layer in layers]


def _third_party(module) -> set[str]:
    return {name.split(".")[0] for name in module.imports if not name.startswith(("cxchange", "app_pages"))}


def store_writes() -> set[str]:
    """`module.function` of every store function that changes the database."""
    found = set()
    for part in ("settings", "org", "responses", "outcomes", "kotter", "actions", "champions", "health"):
        module = getattr(store, part)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and WRITES.search(inspect.getsource(function)):
                found.add(f"{part}.{name}")
    for name in ("insert_rows", "clear_data", "restore"):
        found.add(name)
    return found


def test_there_is_no_import_cycle():
    assert cycles(MODULES) == []


def test_vocabulary_imports_only_vocabulary():
    for module in _layer("vocabulary"):
        assert {name for name in internal_imports(module, MODULES) if MODULES[name].layer != "vocabulary"} == set(), (
            module.name
        )


@pytest.mark.parametrize("layer", ["vocabulary", "pure", "schema"])
def test_pure_modules_know_no_storage_and_no_screen(layer):
    forbidden = {"cxchange.store", "cxchange.services", *(module.name for module in _layer("shell", "page"))}
    # The schema is sqlite-utils' Migrations; no other pure module touches sqlite-utils.
    libraries = {"streamlit"} if layer == "schema" else {"streamlit", "sqlite_utils"}
    for module in _layer(layer):
        assert not internal_imports(module, MODULES) & forbidden, module.name
        assert not _third_party(module) & libraries, module.name


def test_store_imports_only_the_vocabulary_and_the_schema():
    for module in _layer("store"):
        internal = internal_imports(module, MODULES) - {"cxchange.store"}
        # sealing: the encrypted backup format, pure and importing no project module
        assert internal <= {"cxchange.model", "cxchange.settings", "cxchange.migrations", "cxchange.sealing"}, (
            module.name
        )
        assert "streamlit" not in _third_party(module), module.name
    assert internal_imports(MODULES["cxchange.sealing"], MODULES) == set()


def test_services_know_no_screen():
    module = MODULES["cxchange.services"]
    assert "streamlit" not in _third_party(module)
    assert not internal_imports(module, MODULES) & {
        name for name in MODULES if MODULES[name].layer in ("shell", "page")
    }


def test_only_ui_imports_streamlit_in_the_package():
    for module in MODULES.values():
        if module.name.startswith("cxchange") and module.name != "cxchange.ui":
            assert "streamlit" not in _third_party(module), module.name


def test_no_import_inside_a_function_and_no_import_after_code():
    for module in MODULES.values():
        ours = [(line, name) for line, name in module.nested_imports if name.startswith("cxchange")]
        assert ours == [], f"{module.path}: imports inside functions at {ours}"
    for path in (ROOT / "cxchange").rglob("*.py"):
        assert "noqa: E402" not in path.read_text(encoding="utf-8"), path


def test_pages_and_shells_write_only_through_services():
    writes = store_writes()
    assert {"actions.insert_action", "champions.insert_champion", "settings.save_settings", "insert_rows"} <= writes
    for module in _layer("page", "shell"):
        text = module.path.read_text(encoding="utf-8")
        used = set(re.findall(r"\bstore\.((?:[a-z]+\.)?[a-z_]+)\b", text))
        assert not used & writes, f"{module.name} writes through the store: {sorted(used & writes)}"
        if module.layer == "page":  # a page's write runs through ui.call, on a connection closed after it
            assert not used & {"open_db", "connect"}, f"{module.name} opens the store itself"
        assert "sqlite_utils" not in _third_party(module) or module.name == "cxchange.ui", module.name


def test_every_store_write_has_a_caller_in_services_or_the_store():
    """A write nobody calls through services is dead code or a way round the checks."""
    services_text = (ROOT / "cxchange" / "services.py").read_text(encoding="utf-8")
    store_text = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "cxchange" / "store").glob("*.py"))
    for write in store_writes():
        name = write.rsplit(".", 1)[-1]
        in_services = re.search(rf"\bstore\.{re.escape(write)}\(", services_text)
        in_store = re.search(rf"(?<![.\w]){re.escape(name)}\(", store_text.replace(f"def {name}(", ""))
        assert in_services or in_store, f"store.{write} is never called by services"


def test_pages_write_through_use_cases_that_check_who_asks():
    # ui.call hands the signed-in person to the use case; a lambda or a store function would run unchecked
    # (ui.call refuses them at run time too, since they take no `actor`).
    for path in sorted((ROOT / "app_pages").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for first in re.findall(r"ui\.call\(\s*([^,)\s]+)", text):
            assert first.startswith("services.") or first == "service", f"{path.name}: ui.call({first}, …)"
