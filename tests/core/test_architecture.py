"""The layering rules docs/architecture.md states, checked on the source itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 600
# Plain data files, exempt from the size rule.
DATA_FILES = {"directory/seed/data.py"}


def _python_files(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """Modules imported by ``path`` (function-level imports too unless ``top_level_only``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1]])
                base = f"{base}.{node.module}" if node.module else base
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_the_search_engines_import_nothing_from_the_application():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in _imports(path, top_level_only=False) if m.split(".")[0] == "directory"
        )
        for path in _python_files("search_index")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_module_level_import_circles():
    modules = {_module_name(p): p for p in _python_files("directory", "search_index")}
    graph = {
        name: {m for m in _imports(path, top_level_only=True) if m in modules and m != name}
        for name, path in modules.items()
    }
    # A package's __init__ is imported by each of its modules; importing a package is not a
    # cycle with its own modules unless the __init__ itself imports them at the top.
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_only_the_people_domain_constructs_a_person():
    offenders = []
    for path in _python_files("directory"):
        if path.relative_to(ROOT).parts[:2] == ("directory", "people"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name in ("Person", "ConsentRecord"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_source_file_is_too_big_to_read():
    big = {
        str(path.relative_to(ROOT)): n
        for path in _python_files("directory", "search_index", "bench", "scripts")
        if str(path.relative_to(ROOT)) not in DATA_FILES
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert big == {}, f"split these along their seams: {big}"


# A document named in the source: a path ending in ".md" (with its folders, if any).
_DOCUMENT = re.compile(r"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b")


def test_every_document_the_source_names_is_in_the_repository():
    """What the code relies on is written in the repository (docs/, README.md, bench/README.md):
    a document named in a comment, docstring or test resolves to a file inside it (from the
    repository's root, or from docs/ when named by its file name alone)."""
    missing = []
    for path in _python_files("directory", "search_index", "tests", "bench", "scripts"):
        for name in set(_DOCUMENT.findall(path.read_text(encoding="utf-8"))):
            targets = [(base / name).resolve() for base in (ROOT, ROOT / "docs")]
            if not any(t.is_relative_to(ROOT) and t.is_file() for t in targets):
                missing.append(f"{path.relative_to(ROOT)}: {name}")
    assert sorted(missing) == []


# Templates ask the policy (``can(...)``) who may see or do something; a role compared in a
# template would be a second, untested policy. Display-only uses are listed here, each with why.
TEMPLATE_ROLE_DISPLAY = {
    # The heading names the province whose initiatives the officer reads.
    ("templates/initiatives/inbox.html", "{% if current_user.role == 'province' %}"),
    # The admin's inbox holds every receiving body's initiatives: a column names the body.
    ("templates/initiatives/inbox.html", "{% if current_user.role == 'admin' %}"),
    # The heading names the province whose nominations the officer reads.
    ("templates/representatives/index.html", "{% elif current_user.role == 'province' %}"),
    # A line explaining what waits in this officer's inbox.
    ("templates/representatives/_inbox_section.html", "{% if current_user.role == 'province' %}"),
    ("templates/representatives/_inbox_section.html", "{% if current_user.is_approver %}"),
    ("templates/representatives/_inbox_section.html", "{% if current_user.role == 'embassy' %}"),
    # A line explaining to an embassy officer why proposals for unclaimed profiles reach them.
    ("templates/associations/proposals.html", "{% if current_user.role == 'embassy' %}"),
}
_TAG = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
_ROLE = re.compile(r"current_user\.(?:role|is_approver)\b")


def test_templates_ask_the_policy():
    found = {
        (str(path.relative_to(ROOT)), " ".join(tag.split()))
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for tag in _TAG.findall(path.read_text(encoding="utf-8"))
        if _ROLE.search(tag)
    }
    assert found - TEMPLATE_ROLE_DISPLAY == set(), "ask can(...) instead of comparing roles"
    assert TEMPLATE_ROLE_DISPLAY - found == set(), "remove allowances no template needs"
