"""What a JavaScript or TypeScript module exports and imports, read from its syntax tree.

Exports: CommonJS (``exports.x =``, ``module.exports.x =``, ``exports["x"] =``,
``module.exports = { x, y: ..., z() {} }``) and ES modules (``export const/let/var``,
``export [async] function``, ``export { a as b }``, ``export default``), in .js, .mjs,
.cjs and TypeScript files alike. Each export says whether its value is a function
(a function or arrow, or a name bound to one in the module), a call (``middy(fn)``),
something else, or unknown (re-exported from elsewhere), with the function's
parameter names: detection ranks candidates with them.

Imports: the module names of ``import ... from``, ``import()``, ``export ... from``
and ``require()`` with a literal string, with their lines, for the build's check
that every package a handler loads is shipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .syntax import line_of, string_value, text_of

FUNCTIONS = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                       "function", "generator_function", "arrow_function", "method_definition"})
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                       "non_null_expression", "type_assertion"})

_NAMES = frozenset({"identifier", "shorthand_property_identifier"})


@dataclass(frozen=True)
class Export:
    """One exported name: ``kind`` is "function", "call", "other" or "unknown"."""

    name: str
    line: int
    kind: str
    params: tuple[str, ...] = ()
    typed: str = ""  # the TypeScript type it is declared with (``Handler``, ``SQSHandler``), if any


def _unwrap(node):
    while node is not None and node.type in _WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    return node


def _params(function) -> tuple[str, ...]:
    single = function.child_by_field_name("parameter")
    if single is not None:
        return (text_of(single),)
    params = function.child_by_field_name("parameters")
    names = []
    for param in params.named_children if params is not None else ():
        pattern = param.child_by_field_name("pattern") or param
        if pattern.type == "assignment_pattern":
            pattern = pattern.child_by_field_name("left") or pattern
        names.append(text_of(pattern) if pattern.type == "identifier" else "")
    return tuple(names)


def _bindings(root) -> dict[str, object]:
    """Top-level names bound to a value node: functions, classes and const/let/var declarations."""
    bound: dict[str, object] = {}
    for statement in root.named_children:
        node = statement.child_by_field_name("declaration") if statement.type == "export_statement" else statement
        if node is None:
            continue
        if node.type in FUNCTIONS or node.type == "class_declaration":
            name = node.child_by_field_name("name")
            if name is not None:
                bound[text_of(name)] = node
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                name = declarator.child_by_field_name("name")
                if declarator.type == "variable_declarator" and name is not None and name.type == "identifier":
                    bound[text_of(name)] = declarator
    return bound


def _declared(node) -> tuple[object, str]:
    """(value, declared type) of a ``const x: T = value`` declarator; any other node is its own value."""
    if node is None or node.type != "variable_declarator":
        return node, ""
    annotation = node.child_by_field_name("type")
    return node.child_by_field_name("value"), text_of(annotation).lstrip(": ") if annotation is not None else ""


def _export(name: str, at, value, bound: dict) -> Export:
    value, typed = _declared(value)
    value = _unwrap(value)
    if value is not None and value.type in _NAMES and text_of(value) in bound:
        value, bound_type = _declared(bound[text_of(value)])
        value, typed = _unwrap(value), typed or bound_type
    if value is None:
        return Export(name, line_of(at), "unknown", typed=typed)
    if value.type in FUNCTIONS:
        return Export(name, line_of(at), "function", _params(value), typed)
    if value.type in ("call_expression", "await_expression"):
        return Export(name, line_of(at), "call", typed=typed)
    return Export(name, line_of(at), "unknown" if value.type in _NAMES else "other", typed=typed)


def _exported_name(left) -> str | None:
    """``x`` for ``exports.x``, ``module.exports.x`` and ``exports["x"]``; "" for ``module.exports``."""
    if left.type == "member_expression":
        target, prop = left.child_by_field_name("object"), text_of(left.child_by_field_name("property"))
        if text_of(target) in ("exports", "module.exports"):
            return prop
        if text_of(target) == "module" and prop == "exports":
            return ""
    if left.type == "subscript_expression" and text_of(left.child_by_field_name("object")) in (
            "exports", "module.exports"):
        return string_value(left.child_by_field_name("index"))
    return None


def _object_exports(obj, bound: dict) -> list[Export]:
    found = []
    for member in obj.named_children:
        if member.type == "shorthand_property_identifier":
            found.append(_export(text_of(member), member, member, bound))
        elif member.type == "pair":
            key = member.child_by_field_name("key")
            name = string_value(key) if key.type == "string" else text_of(key)
            found.append(_export(name, member, member.child_by_field_name("value"), bound))
        elif member.type == "method_definition":
            found.append(_export(text_of(member.child_by_field_name("name")), member, member, bound))
    return found


def _commonjs(statement, bound: dict) -> list[Export]:
    assignment = statement.named_children[0] if statement.named_children else None
    if assignment is None or assignment.type != "assignment_expression":
        return []
    name = _exported_name(assignment.child_by_field_name("left"))
    value = _unwrap(assignment.child_by_field_name("right"))
    if name is None or value is None:
        return []
    if name:
        # module.exports.a = exports.a = fn: the value is the innermost right-hand side.
        while value.type == "assignment_expression":
            value = _unwrap(value.child_by_field_name("right"))
        return [_export(name, statement, value, bound)]
    if value.type == "identifier" and text_of(value) in bound:
        value = _unwrap(_declared(bound[text_of(value)])[0])
    return _object_exports(value, bound) if value is not None and value.type == "object" else []


def _esm(statement, bound: dict) -> list[Export]:
    declaration = statement.child_by_field_name("declaration")
    if any(child.type == "default" for child in statement.children):
        return [_export("default", statement, declaration or statement.child_by_field_name("value"), bound)]
    if declaration is not None:
        if declaration.type in ("lexical_declaration", "variable_declaration"):
            return [_export(text_of(d.child_by_field_name("name")), d, d, bound)
                    for d in declaration.named_children if d.type == "variable_declarator"]
        name = declaration.child_by_field_name("name")
        return [_export(text_of(name), declaration, declaration, bound)] if name is not None else []
    clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
    elsewhere = statement.child_by_field_name("source") is not None
    found = []
    for spec in clause.named_children if clause is not None else ():
        local, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
        value = None if elsewhere else local
        found.append(_export(text_of(alias or local), spec, value, {} if elsewhere else bound))
    return found


def exports(root) -> list[Export]:
    """Every name the module rooted at ``root`` exports, in source order."""
    bound = _bindings(root)
    found: list[Export] = []
    for statement in root.named_children:
        if statement.type == "expression_statement":
            found.extend(_commonjs(statement, bound))
        elif statement.type == "export_statement":
            found.extend(_esm(statement, bound))
    return found


def _walk(node):
    """Every node below ``node`` in source order, except inside ``try`` blocks and type-only imports."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "try_statement" or any(child.type == "type" for child in current.children):
            continue
        yield current
        stack.extend(reversed(current.named_children))


def imports(root) -> list[tuple[str, int]]:
    """(module specifier, line) of every static import, re-export, ``import()`` and ``require()`` of a
    literal string, in source order; not those inside ``try`` (optional dependencies) and not TypeScript's
    type-only imports, which load nothing."""
    found = []
    for node in _walk(root):
        if node.type in ("import_statement", "export_statement"):
            source = node.child_by_field_name("source")
            if source is None and node.type == "import_statement":  # TS: import x = require("y")
                clause = next((c for c in node.named_children if c.type == "import_require_clause"), None)
                source = clause.child_by_field_name("source") if clause is not None else None
            name = string_value(source)
            if name is not None:
                found.append((name, line_of(node)))
        elif node.type == "call_expression":
            function = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            if function is not None and text_of(function) in ("require", "import") and arguments is not None:
                literal = arguments.named_children[0] if arguments.named_children else None
                name = string_value(literal)
                if name is not None:
                    found.append((name, line_of(node)))
    return found
