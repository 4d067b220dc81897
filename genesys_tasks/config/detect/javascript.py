"""What a JavaScript or TypeScript module exports and imports, read from its syntax tree.

Exports: CommonJS (``exports.x =``, ``module.exports.x =``, ``exports["x"] =``,
``module.exports = { x, y: ..., z() {} }``, and what bundlers write: esbuild's
``__export(x_exports, { a: () => a })`` with ``0 && (module.exports = { a })``, tsc's
``Object.defineProperty(exports, "a", ...)``) and ES modules (``export const/let/var``,
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
    # a name or a member (``__webpack_exports__.hello``) is bound elsewhere: it may be a function
    unknown = value.type in _NAMES or value.type == "member_expression"
    return Export(name, line_of(at), "unknown" if unknown else "other", typed=typed)


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


def _expression(statement):
    return _unwrap(statement.named_children[0]) if statement.named_children else None


def _module_objects(root) -> set[str]:
    """Names bundlers fill and hand to ``module.exports``: esbuild's ``module.exports = __toCommonJS(x)``."""
    names = set()
    for statement in root.named_children:
        expression = _expression(statement) if statement.type == "expression_statement" else None
        if expression is None or expression.type != "assignment_expression" \
                or _exported_name(expression.child_by_field_name("left")) != "":
            continue
        value = _unwrap(expression.child_by_field_name("right"))
        if value is not None and value.type == "call_expression" \
                and text_of(value.child_by_field_name("function")) == "__toCommonJS":
            args = value.child_by_field_name("arguments").named_children
            names.update(text_of(a) for a in args[:1] if a.type == "identifier")
    return names


def _getter(member, bound: dict) -> Export | None:
    """``name: () => value`` (a getter as bundlers write it): the export of ``value``."""
    if member.type != "pair":
        return None
    key = member.child_by_field_name("key")
    name = string_value(key) if key.type == "string" else text_of(key)
    value = _unwrap(member.child_by_field_name("value"))
    if value is not None and value.type == "arrow_function":
        body = _unwrap(value.child_by_field_name("body"))
        return _export(name, member, body if body is not None and body.type in _NAMES else None, bound)
    return _export(name, member, value, bound)


def _bundled(statement, bound: dict, module_objects: set[str]) -> list[Export]:
    """The export forms bundlers and compilers write that cjs-module-lexer also reads:
    esbuild's ``0 && (module.exports = { a, b })`` annotation and ``__export(x_exports, { a: () => a })``,
    and ``Object.defineProperty(exports, "a", { get|value })`` (tsc's re-exports)."""
    expression = _expression(statement)
    if expression is None:
        return []
    if expression.type == "binary_expression" and text_of(expression.child_by_field_name("left")) == "0":
        right = _unwrap(expression.child_by_field_name("right"))
        if right is not None and right.type == "assignment_expression" \
                and _exported_name(right.child_by_field_name("left")) == "":
            value = _unwrap(right.child_by_field_name("right"))
            return _object_exports(value, bound) if value is not None and value.type == "object" else []
        return []
    if expression.type != "call_expression":
        return []
    function = text_of(expression.child_by_field_name("function"))
    args = expression.child_by_field_name("arguments").named_children
    if function == "__export" and len(args) == 2 and text_of(args[0]) in module_objects and args[1].type == "object":
        return [e for e in (_getter(m, bound) for m in args[1].named_children) if e is not None]
    if function == "Object.defineProperty" and len(args) == 3 and text_of(args[0]) in ("exports", "module.exports"):
        name = string_value(args[1])
        if not name or name == "__esModule" or args[2].type != "object":
            return []
        for member in args[2].named_children:
            key = member.child_by_field_name("key") if member.type == "pair" else None
            if text_of(key) in ("value", "get"):
                value = _unwrap(member.child_by_field_name("value"))
                arrow = text_of(key) == "get" and value is not None and value.type == "arrow_function"
                export = _getter(member, bound) if arrow else None
                return [Export(name, line_of(statement), export.kind if export else "unknown")]
            if member.type == "method_definition" and text_of(member.child_by_field_name("name")) == "get":
                return [Export(name, line_of(statement), "unknown")]
    return []


def exports(root) -> list[Export]:
    """Every name the module rooted at ``root`` exports, in source order (each name once)."""
    bound = _bindings(root)
    module_objects = _module_objects(root)
    found: dict[str, Export] = {}
    for statement in root.named_children:
        if statement.type == "expression_statement":
            made = _commonjs(statement, bound) or _bundled(statement, bound, module_objects)
        elif statement.type == "export_statement":
            made = _esm(statement, bound)
        else:
            continue
        for export in made:
            known = found.get(export.name)
            if known is None or known.kind in ("unknown", "other") and export.kind == "function":
                found[export.name] = export  # ``exports.a = void 0`` first, ``exports.a = a`` later: the function
    return list(found.values())


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
