"""What is wrong with a file of a registry, said plainly and located."""

from __future__ import annotations

from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file: where (registry-relative path, 1-based line) and what."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class FileProblems(Exception):
    """A file could not be read at all; carries the problems that say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def load_yaml(path: str, text: str) -> object:
    """Parse YAML text; raises FileProblems with the line of a syntax error."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise FileProblems([Problem(path, f"invalid YAML: {reason}", line)]) from None
    except yaml.YAMLError as exc:
        raise FileProblems([Problem(path, f"invalid YAML: {exc}")]) from None


def compose_yaml(text: str) -> yaml.Node | None:
    """The node tree of YAML text already known to parse: it locates values by line."""
    return yaml.compose(text, Loader=_Loader)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the value at `loc` (keys and list indexes) in a composed YAML tree."""
    best = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    node = v
                    best = k.start_mark.line + 1
                    break
            else:
                return best
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return best
            node = node.value[key]
            best = node.start_mark.line + 1
        else:
            return best
    return best
