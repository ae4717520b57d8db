"""Reading YAML files (configuration, the training catalog) with one-line errors."""

from __future__ import annotations

import yaml

__all__ = ["parse_yaml"]


def parse_yaml(text: str, source: str, error: type[Exception]) -> object:
    """Parse YAML; a syntax error becomes ``error`` naming ``source`` and the line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{source}: not valid YAML{_yaml_problem(exc)}") from None


_YAML_HINTS = {
    "'\\t'": "indent with spaces, not tabs",
    "mapping values are not allowed": "a value containing ': ' must be quoted",
}


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Where and why a YAML error happened, on one line: " at line 3, column 5: reason"."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return f": {' '.join(str(exc).split())}"
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = " ".join((exc.problem or "").split())
    reason = problem
    if exc.context:
        context = " ".join(exc.context.split())
        started = exc.context_mark
        if started is not None and (mark is None or started.line != mark.line):
            context += f" started at line {started.line + 1}"
        reason = f"{reason} ({context})" if reason else context
    for clue, hint in _YAML_HINTS.items():
        if clue in problem:
            reason += f"; {hint}"
    return f"{where}: {reason}" if reason else where
