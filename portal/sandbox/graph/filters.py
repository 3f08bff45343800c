"""The small part of OData `$filter` these endpoints support, compiled to a Django `Q`.

Grammar: comparisons `prop eq literal`, the function `startswith(prop, 'text')`, `and`/`or` and
parentheses. Each collection declares which properties, functions and connectives it accepts (the
inventory documents `eq` only, combined with `and`; user search also needs `startswith` and `or`).
String comparisons are case-insensitive, like Graph's directory.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from portal.sandbox.graph import errors

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+)(?![\w.])|(?P<name>[A-Za-z_][\w]*(?:/[A-Za-z_][\w]*)*)"
    r"|(?P<punct>[(),]))"
)


UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


@dataclass(frozen=True)
class Compare:
    path: str
    op: str
    value: Any


@dataclass(frozen=True)
class Function:
    name: str
    path: str
    value: Any


@dataclass(frozen=True)
class Logical:
    op: str  # "and" | "or"
    left: Node
    right: Node


Node = Compare | Function | Logical


@dataclass(frozen=True)
class Field:
    orm: str
    kind: str  # "string" | "int" | "enum" | "bool" | "uuid"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterSpec:
    fields: Mapping[str, Field]
    functions: frozenset[str] = frozenset()
    connectives: frozenset[str] = frozenset({"and"})
    error: errors.ErrorKind = errors.BAD_REQUEST
    _by_lower: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_lower", {name.lower(): spec for name, spec in self.fields.items()})

    def field_for(self, path: str) -> Field:
        spec = self._by_lower.get(path.lower())
        if spec is None:
            raise self.error(f"Invalid filter clause: property '{path}' is not supported in a filter.")
        return spec


class _Parser:
    def __init__(self, text: str, spec: FilterSpec) -> None:
        self.spec = spec
        self.tokens: list[tuple[str, str]] = []
        position = 0
        text = text.strip()
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                raise spec.error("Invalid filter clause: syntax error.")
            kind = match.lastgroup
            assert kind is not None
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
            while position < len(text) and text[position].isspace():
                position += 1
        self.index = 0

    def fail(self, what: str = "syntax error") -> errors.GraphError:
        return self.spec.error(f"Invalid filter clause: {what}.")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.fail("unexpected end of the expression")
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        _, text = self.take()
        if text != value:
            raise self.fail(f"expected '{value}'")

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "name" and token[1].lower() == word:
            self.index += 1
            return True
        return False

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise self.fail()
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.keyword("or"):
            node = Logical("or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_primary()
        while self.keyword("and"):
            node = Logical("and", node, self.parse_primary())
        return node

    def parse_primary(self) -> Node:
        kind, text = self.take()
        if text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if kind != "name":
            raise self.fail()
        following = self.peek()
        if following is not None and following[1] == "(":
            self.take()
            path_kind, path = self.take()
            if path_kind != "name":
                raise self.fail()
            self.expect(",")
            value = self.literal()
            self.expect(")")
            return Function(text.lower(), path, value)
        op_kind, op = self.take()
        if op_kind != "name":
            raise self.fail()
        return Compare(text, op.lower(), self.literal())

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return int(text)
        if kind == "name" and text.lower() in {"true", "false"}:
            return text.lower() == "true"
        if kind == "name" and text.lower() == "null":
            return None
        raise self.fail("expected a literal")


def compile_filter(text: str, spec: FilterSpec) -> Q:
    return _compile(_Parser(text, spec).parse(), spec)


def _compile(node: Node, spec: FilterSpec) -> Q:
    if isinstance(node, Logical):
        if node.op not in spec.connectives:
            raise spec.error(f"Invalid filter clause: '{node.op}' is not supported here.")
        left, right = _compile(node.left, spec), _compile(node.right, spec)
        return left & right if node.op == "and" else left | right
    target = spec.field_for(node.path)
    if isinstance(node, Function):
        if node.name not in spec.functions or target.kind != "string" or not isinstance(node.value, str):
            raise spec.error(f"Invalid filter clause: '{node.name}' is not supported on '{node.path}'.")
        return Q(**{f"{target.orm}__istartswith": node.value})
    if node.op != "eq":
        raise spec.error(f"Invalid filter clause: operator '{node.op}' is not supported (only 'eq').")
    return _equals(target, node, spec)


def _equals(target: Field, node: Compare, spec: FilterSpec) -> Q:
    value = node.value
    if value is None:
        return Q(**{f"{target.orm}__isnull": True})
    mismatch = spec.error(f"Invalid filter clause: the value for '{node.path}' has the wrong type.")
    if target.kind == "string":
        if not isinstance(value, str):
            raise mismatch
        return Q(**{f"{target.orm}__iexact": value})
    if target.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise mismatch
        return Q(**{target.orm: value})
    if target.kind == "bool":
        if not isinstance(value, bool):
            raise mismatch
        return Q(**{target.orm: value})
    if target.kind == "enum":
        # `unknownFutureValue` is a member of every evolvable Graph enumeration (the status and
        # hash-function ones included): a valid value that no object has today.
        if isinstance(value, str) and value.lower() == UNKNOWN_FUTURE_VALUE.lower():
            return Q(pk__in=[])
        canonical = {choice.lower(): choice for choice in target.choices}
        if not isinstance(value, str) or value.lower() not in canonical:
            raise spec.error(f"Invalid filter clause: '{value}' is not a valid value for '{node.path}'.")
        return Q(**{target.orm: canonical[value.lower()]})
    # uuid: a well-formed id that matches nothing is simply no result, not an error.
    if not isinstance(value, str):
        raise mismatch
    try:
        return Q(**{target.orm: uuid.UUID(value)})
    except ValueError:
        return Q(pk__in=[])
