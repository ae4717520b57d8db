"""The package rules, checked on every module's imports (function-level imports included).

Layers, each importing only those before it: ``domain`` → ``storage`` → ``analyzers`` →
``training`` → ``bot``. Inside ``bot``, only the platform adapters (``bot/slack/``, later
``bot/teams/``) import a platform SDK, and nothing else imports an adapter except the one
place that chooses platforms (``bot/platforms.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
LAYERS = ("domain", "storage", "analyzers", "training", "bot")
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "microsoft_agents")
ADAPTERS = ("bot.slack", "bot.teams")
# The one module outside the adapters that may import them: it chooses which run.
CHOOSER = "bot/platforms.py"
# Modules outside the adapters that still import them or an SDK: the debts of the [teams]
# seam; the test fails if one is paid and left on the list, or if a new one appears.
NOT_YET_SEAMED: set[str] = set()


def modules() -> list[Path]:
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def layer_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in LAYERS else None


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_walk_finds_every_package() -> None:
    found = {rel(p).split("/")[0] for p in modules()}
    assert found == set(LAYERS)
    assert len(modules()) > 70


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_the_layers_before_it(layer: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    offenders = {
        rel(path): sorted(m for m in imported(path) if (other := layer_of(m)) and other not in allowed)
        for path in (ROOT / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_adapters_import_a_platform_sdk_or_an_adapter() -> None:
    offenders = {}
    for path in modules():
        name = rel(path)
        if name.startswith(("bot/slack/", "bot/teams/")):
            continue
        found = sorted(m for m in imported(path)
                       if m.startswith(PLATFORM_SDKS) or (m.startswith(ADAPTERS) and name != CHOOSER))
        if found:
            offenders[name] = found
    assert set(offenders) == NOT_YET_SEAMED, offenders


def test_the_adapters_do_not_import_each_other() -> None:
    for path in (ROOT / "bot" / "slack").rglob("*.py"):
        assert not {m for m in imported(path) if m.startswith("bot.teams")}, rel(path)
    for path in (ROOT / "bot" / "teams").rglob("*.py"):
        assert not {m for m in imported(path) if m.startswith(("bot.slack", "slack_"))}, rel(path)
