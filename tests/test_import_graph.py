"""The import graph of the project's own packages, built by grimp from every import statement.

Two rules of docs/architecture.md: no module imports itself back through others (a circle), and only the
entry points import the factory module `ptsp.app`, so a station or the API never reaches for the app.
"""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("ptsp", "kiosk", "counter", "display", "printers")
FACTORY = "ptsp.app"
ENTRY_POINTS = ("ptsp.cli",)  # the `ptsp` command; tests and bench build apps too, but are not packages here


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=False)


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Return each strongly connected group of two or more modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_circles_finds_a_planted_circle() -> None:
    planted = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        planted.add_module(module)
    planted.add_import(importer="a.x", imported="a.y")
    planted.add_import(importer="a.y", imported="a.z")
    planted.add_import(importer="a.z", imported="a.x")
    assert circles(planted) == [["a.x", "a.y", "a.z"]]


def test_no_module_imports_itself_back(graph: grimp.ImportGraph) -> None:
    assert circles(graph) == [], "import circles (move the shared piece into a module both can import)"


def test_only_the_entry_points_import_the_factory(graph: grimp.ImportGraph) -> None:
    importers = {
        module
        for module in graph.find_modules_that_directly_import(FACTORY)
        if not module.startswith(ENTRY_POINTS)
    }
    assert importers == set(), "import ptsp.context (clock, sessions) or ptsp.extensions instead of ptsp.app"
