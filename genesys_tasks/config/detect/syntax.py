"""Syntax trees of JavaScript, TypeScript, Java and Ruby sources, from the tree-sitter grammars.

Detection and the build's import check read real syntax trees instead of matching
text, so every export form, comment and string is seen as the language sees it.
The grammars are compiled wheels (tree-sitter-javascript, -typescript, -java, -ruby); they
are imported on the first parse, never when genesys or doit merely loads, and each
parser is made once per process. A plain install has them all; an install without a
language's extra (``Language.grammars``, as a generated CI job makes for a repo without
that language) says which extra to install (``MissingGrammar``, exit 2) when one is needed.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ...errors import MissingGrammar
from ...languages import BY_NAME
from .files import READ_LIMIT

# file suffix -> grammar
GRAMMARS = {
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".java": "java", ".rb": "ruby",
}
# grammar -> the language whose sources it reads
LANGUAGES = {"javascript": "nodejs", "typescript": "nodejs", "tsx": "nodejs", "java": "java", "ruby": "ruby"}


def _parser(grammar: str):
    try:
        return _made_parser(grammar)
    except ModuleNotFoundError as err:
        if not (err.name or "").startswith("tree_sitter"):
            raise
        language = BY_NAME[LANGUAGES[grammar]]
        raise MissingGrammar(language.label, err.name, language.grammars) from None


@functools.cache
def _made_parser(grammar: str):
    import tree_sitter

    if grammar == "javascript":
        import tree_sitter_javascript as module
        language = module.language()
    elif grammar in ("typescript", "tsx"):
        import tree_sitter_typescript as module
        language = module.language_typescript() if grammar == "typescript" else module.language_tsx()
    elif grammar == "ruby":
        import tree_sitter_ruby as module
        language = module.language()
    else:
        import tree_sitter_java as module
        language = module.language()
    return tree_sitter.Parser(tree_sitter.Language(language))


def parse_text(text: bytes | str, grammar: str):
    """The root node of ``text`` in ``grammar`` ("javascript", "typescript", "tsx", "java", "ruby")."""
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    return _parser(grammar).parse(data).root_node


def parse_file(path: Path | str):
    """The root node of a source file by its suffix (only its first ``READ_LIMIT`` bytes), or None when the
    suffix has no grammar or the file cannot be read."""
    grammar = GRAMMARS.get(Path(path).suffix)
    if grammar is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(READ_LIMIT)
    except OSError:
        return None
    return parse_text(data, grammar)


def text_of(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def line_of(node) -> int:
    """The 1-based line a node starts on."""
    return node.start_point[0] + 1


def string_value(node) -> str | None:
    """The value of a string literal node without its quotes, or None for anything else."""
    if node is None or node.type not in ("string", "template_string"):
        return None
    if node.type == "template_string" and any(c.type == "template_substitution" for c in node.named_children):
        return None
    return "".join(text_of(c) for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
