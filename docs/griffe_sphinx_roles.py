"""A griffe extension for the docs build: Sphinx roles in docstrings become links.

The package's numpy-style docstrings cross-reference with Sphinx roles
(``:class:`~npc_classify.compressors.Compressor```, ``:meth:`compress```), which
``help()`` and IDEs show as they are. mkdocstrings renders Markdown, so here each
role becomes an optional autorefs link: a link where the target is documented on
the site, plain code otherwise (no warning either way). Numpy ``References``
entries written as ``.. [1] ...`` become a numbered list. Used by ``mkdocs.yml``
only; the package does not import it.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`(~?)([\w.]+)`")
_CITATION = re.compile(r"^(\s*)\.\. \[(\d+)\] ", flags=re.MULTILINE)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles and citations in every docstring before it is parsed."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is None:
            return

        def link(match: re.Match[str]) -> str:
            short, target = match.group(1) == "~", match.group(2)
            title = target.rsplit(".", 1)[-1] if short else target
            return (
                f'<autoref identifier="{_resolve(obj, target)}" optional>'
                f"<code>{title}</code></autoref>"
            )

        text = _ROLE.sub(link, obj.docstring.value)
        obj.docstring.value = _CITATION.sub(r"\g<1>\g<2>. ", text)


def _resolve(obj: griffe.Object, target: str) -> str:
    """The full path of ``target`` as written in ``obj``'s docstring, or ``target``."""
    if target.startswith("npc_classify."):
        return target
    head, _, rest = target.partition(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        if head in scope.members:
            member = scope.members[head]
            path = member.target_path if member.is_alias else member.path
            return f"{path}.{rest}" if rest else path
        scope = scope.parent
    try:
        path = obj.resolve(head)
    except (griffe.NameResolutionError, AttributeError):
        return target
    return f"{path}.{rest}" if rest else path
