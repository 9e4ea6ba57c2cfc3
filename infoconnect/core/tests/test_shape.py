"""The code keeps its shape: read from the source tree, so a change that breaks it fails here.

- every module imports at its top (one documented optional dependency aside), so the import
  graph below is the whole truth;
- no actions module imports a tasks module, and no two ``infoconnect`` modules import each
  other, directly or round a longer loop;
- every module of an ``actions/`` package can be read at once (at most 400 lines);
- a lifecycle model's state column is written only by its lifecycle, or by a hot-path
  statement declared on one of its edges.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from infoconnect.core.lifecycle import lifecycles

PACKAGE = Path(__file__).resolve().parents[2]
ROOT = PACKAGE.parent
MAX_ACTIONS_LINES = 400
# Function-local imports allowed, by module, with why.
LOCAL_IMPORTS_ALLOWED: dict[str, str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, tuple[Path, ast.Module]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).parts
        if "tests" in relative or "migrations" in relative:
            continue
        found[_module_name(path)] = (path, ast.parse(path.read_text(), filename=str(path)))
    return found


SOURCES = _sources()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module):
    """Imports that run when the module loads (TYPE_CHECKING blocks do not)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            stack.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            stack.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                stack.extend(handler.body)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The infoconnect modules an import statement loads."""
    names: set[str] = set()
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            is_package = SOURCES[module][0].name == "__init__.py"
            anchor = package[: len(package) - node.level + (1 if is_package else 0)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            child = f"{base}.{alias.name}"
            names.add(child if child in SOURCES else base)
    return {name for name in names if name in SOURCES}


def import_graph() -> dict[str, set[str]]:
    return {
        module: set().union(*(_targets(module, node) for node in _top_level_imports(tree)))
        - {module}
        for module, (_path, tree) in SOURCES.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_modules_import_at_their_top():
    local = []
    for module, (path, tree) in SOURCES.items():
        if module in LOCAL_IMPORTS_ALLOWED:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if module.endswith(".apps") and node.name == "ready":
                    # Django's rule: an AppConfig imports what needs the app registry in ready().
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        local.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert local == []


def test_no_actions_module_imports_a_tasks_module():
    graph = import_graph()
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if ".actions" in module
        for target in targets
        if target.endswith(".tasks") or ".tasks." in target
    ]
    assert wrong == []


def test_no_import_cycle_among_infoconnect_modules():
    assert _cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_every_actions_module_reads_at_once():
    long = {
        str(path.relative_to(ROOT)): length
        for module, (path, _tree) in SOURCES.items()
        if ".actions" in module
        and (length := len(path.read_text().splitlines())) > MAX_ACTIONS_LINES
    }
    assert long == {}


def _state_writes(tree: ast.Module, field: str) -> list[int]:
    """Lines that write ``field``: ``.update(field=…)``, ``x.field = …`` or SQL ``SET field``."""
    lines = []
    sql = re.compile(rf"\bSET\s+(\w+\s*=\s*[^,]+,\s*)*{field}\s*=", re.IGNORECASE)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "bulk_update"}
            and any(keyword.arg == field for keyword in node.keywords)
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == field for t in targets):
                lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if sql.search(node.value):
                lines.append(node.lineno)
    return lines


def test_lifecycle_states_are_written_only_by_their_lifecycle():
    registered = lifecycles()
    assert registered, "no lifecycle is registered"
    hot_paths = {edge.hot_path for lc in registered for edge in lc.edges if edge.hot_path}
    # Each app's state-holding columns: a lifecycle's field is guarded within its app.
    fields_by_app: dict[str, set[str]] = {}
    for lifecycle in registered:
        fields_by_app.setdefault(lifecycle.model._meta.app_label, set()).add(lifecycle.field)
    wrong = []
    for module, (path, tree) in SOURCES.items():
        parts = module.split(".")
        if (
            parts[-1] == "lifecycle"
            or module in hot_paths
            or module == "infoconnect.core.lifecycle"
        ):
            continue
        app = parts[1] if len(parts) > 1 else ""
        # "state" belongs to lifecycle models wherever it is written; other fields in their app.
        fields = {"state"} | fields_by_app.get(app, set())
        for field in sorted(fields):
            wrong += [
                f"{path.relative_to(ROOT)}:{line} writes {field}"
                for line in _state_writes(tree, field)
            ]
    assert wrong == []


@pytest.mark.parametrize(
    "source, field, expected",
    [
        ("Order.objects.filter(pk=1).update(state='paid')", "state", [1]),
        ("order.state = 'paid'", "state", [1]),
        ("SQL = 'UPDATE shop_order SET paid_at = %s, state = %s WHERE id = %s'", "state", [1]),
        ("Order.objects.filter(state='paid').update(note='x')", "state", []),
        ("event = OrderEvent(from_state='a', to_state='b')", "state", []),
    ],
)
def test_the_state_write_finder(source, field, expected):
    assert _state_writes(ast.parse(source), field) == expected
