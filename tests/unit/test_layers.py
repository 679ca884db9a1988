"""Dependencies point inward (see the README's architecture section).

Read from the source with `ast`, so a forbidden import fails here even when it sits in a
function body or behind `TYPE_CHECKING`. Each rule names a layer and what it must not reach.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

# The composition root: the only modules that read settings and build adapters.
ROOT = frozenset(
    {
        "app.main",
        "app.bootstrap",
        "app.bootstrap_storage",
        "app.cli",
        "app.serve",
        "app.connection_warmup",
        "app.worker",
        "app.storage_cli",
    }
)
OUTER = ROOT | {"app.config", "app.devtools"}
# Modules whose import means I/O, a clock or the network: never in pure code.
IMPURE = frozenset(
    {"aiosqlite", "asyncio", "datetime", "httpx", "os", "pathlib", "socket", "time", "valkey"}
)

RULES: dict[str, frozenset[str]] = {
    # layer: the app packages it must not import
    "app.domain": frozenset({"app.adapters", "app.api", "app.parsers", "app.services"}) | OUTER,
    "app.parsers": frozenset({"app.adapters", "app.api", "app.services", "app.ports"}) | OUTER,
    "app.ports": frozenset({"app.adapters", "app.api", "app.services"}) | OUTER,
    "app.services": frozenset({"app.adapters", "app.api", "app.metrics"}) | OUTER,
    "app.adapters": frozenset({"app.api"}) | OUTER,
    "app.api": frozenset({"app.adapters"}) | OUTER,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute module names `path` imports (relative imports resolved)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _modules(layer: str) -> list[Path]:
    directory = APP / layer.removeprefix("app.")
    return sorted(directory.rglob("*.py")) if directory.is_dir() else [directory.with_suffix(".py")]


@pytest.mark.parametrize("layer", sorted(RULES))
def test_a_layer_imports_nothing_further_out(layer: str) -> None:
    modules = _modules(layer)
    assert modules, f"no modules found for {layer}"
    breaches = [
        f"{_module_name(path)} imports {name}"
        for path in modules
        for name in sorted(_imports(path))
        if any(_within(name, banned) for banned in RULES[layer])
    ]

    assert breaches == []


@pytest.mark.parametrize("layer", ["app.domain", "app.parsers"])
def test_pure_layers_do_no_io_and_read_no_clock(layer: str) -> None:
    breaches = [
        f"{_module_name(path)} imports {name}"
        for path in _modules(layer)
        for name in sorted(_imports(path))
        if name.split(".", 1)[0] in IMPURE
    ]

    assert breaches == []


def test_only_the_composition_root_reads_settings() -> None:
    readers = {
        _module_name(path)
        for path in APP.rglob("*.py")
        if any(_within(name, "app.config") for name in _imports(path))
    }

    assert readers <= ROOT, sorted(readers - ROOT)


def test_the_rules_see_a_breach() -> None:
    """The import reader is what every rule relies on: it must find a real import."""
    assert "app.domain.errors" in _imports(APP / "parsers" / "career.py")
    assert "app.parsers._stat_names" in _imports(APP / "parsers" / "_career_summary.py")
