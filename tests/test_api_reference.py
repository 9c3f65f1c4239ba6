"""The API reference (``docs/api/*.md``, rendered by mkdocstrings) shows every public name.

mkdocstrings leaves out what has no docstring (``show_if_no_docstring: false``) and
the inherited methods a page does not list, so a public constant documented by a
comment, or a mixin's method, would silently vanish from the reference. These tests
read the pages' ``::: name`` directives and the package as griffe (mkdocstrings'
loader) reads it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

griffe = pytest.importorskip("griffe")

API_PAGES = Path(__file__).resolve().parent.parent / "docs" / "api"
PUBLIC_MODULES = (
    "npc_classify",
    "npc_classify.compressors",
    "npc_classify.datasets",
    "npc_classify.evaluation",
    "npc_classify.reports",
    "npc_classify.coding.arithmetic",
    "npc_classify.coding.ppm",
    "npc_classify.coding.cm",
    "npc_classify.coding.deflate",
)
_DIRECTIVE = re.compile(r"^::: ([\w.]+)\n((?:[ \t]+.*\n)*)", flags=re.MULTILINE)
_INHERITED = re.compile(r"inherited_members: \[([^\]]*)\]")


def rendered_directives() -> dict[str, list[str]]:
    """Each ``::: path`` of the API pages, with the inherited members it lists."""
    directives = {}
    for page in sorted(API_PAGES.glob("*.md")):
        for match in _DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            listed = _INHERITED.search(match.group(2))
            names = listed.group(1).split(",") if listed else []
            directives[match.group(1)] = [name.strip() for name in names if name.strip()]
    return directives


@pytest.fixture(scope="module")
def package() -> Any:
    return griffe.load("npc_classify", resolve_aliases=True, resolve_external=False)


def lookup(package: Any, path: str) -> Any:
    """The griffe object of a dotted path that starts with ``npc_classify``."""
    inner = path.removeprefix("npc_classify").lstrip(".")
    return package[inner] if inner else package


def rendered(package: Any) -> dict[str, list[str]]:
    """The canonical path of each object the pages render, with the inherited members
    listed for it; a module rendered whole renders its public members too."""
    objects = {}
    for path, inherited in rendered_directives().items():
        obj = lookup(package, path)
        objects[obj.canonical_path] = inherited
        if obj.is_module:
            for member in obj.members.values():
                if member.is_public and not member.is_module:
                    objects.setdefault(member.canonical_path, [])
    return objects


def test_the_directive_reader_finds_options():
    directives = rendered_directives()
    assert "npc_classify.datasets" in directives
    assert "kneighbors" in directives["npc_classify.NCDClassifier"]


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_name_is_rendered_with_a_docstring(module, package):
    shown = rendered(package)
    missing = []
    for name, member in lookup(package, module).members.items():
        if not member.is_public or member.is_module:
            continue
        if member.canonical_path not in shown:
            missing.append(f"{module}.{name}: no ::: directive renders it")
        if member.docstring is None:
            missing.append(f"{module}.{name}: no docstring, so the page leaves it out")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_no_public_constant_is_assigned_by_unpacking(module, package):
    """griffe, and so the reference, does not see ``A, B = 1, 2``: assign them one by one."""
    source = ast.parse(Path(lookup(package, module).filepath).read_text(encoding="utf-8"))
    unpacked = [
        name.id
        for statement in source.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Tuple)
        for name in target.elts
        if isinstance(name, ast.Name) and not name.id.startswith("_")
    ]
    assert not unpacked, f"{module} assigns {unpacked} by unpacking"


def test_every_public_method_of_a_rendered_class_is_shown(package):
    """Each public method of a rendered class is shown on its page or on a base's.

    A method without a docstring is shown only where a rendered base class
    documents it; an inherited one only where the page lists it or its class is
    rendered too.
    """
    shown = rendered(package)
    missing = []
    for path, inherited in shown.items():
        cls = lookup(package, path)
        if not cls.is_class:
            continue
        for name, member in cls.all_members.items():
            if name.startswith("_") or not (member.is_function or "property" in member.labels):
                continue
            documented_where = [
                base.canonical_path
                for base in cls.mro()
                if name in base.members and base.members[name].docstring is not None
            ]
            if member.docstring is None and not set(documented_where) & set(shown):
                missing.append(f"{path}.{name}: no docstring, and no rendered base documents it")
            owner = member.canonical_path.rpartition(".")[0]
            if owner not in set(shown) | {cls.canonical_path} and name not in inherited:
                missing.append(f"{path}.{name}: inherited from {owner}, which no page renders")
    assert not missing, "\n".join(missing)
