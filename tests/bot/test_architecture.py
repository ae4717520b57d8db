"""The core stays platform-neutral: only adapters import a platform SDK."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder")
NEUTRAL = ["bot/core.py", "bot/texts.py", "bot/worker.py", "bot/errors.py", "bot/config.py",
           "bot/digests.py", "bot/delivery.py", "bot/digest_render.py", "bot/scheduler.py", "bot/jobs.py",
           *[str(p.relative_to(ROOT)) for p in (ROOT / "storage").glob("*.py")],
           *[str(p.relative_to(ROOT)) for p in (ROOT / "analyzers").glob("*.py")]]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_neutral_modules_import_no_platform_sdk() -> None:
    offenders = {
        rel: sorted(m for m in imported_modules(ROOT / rel) if m.startswith(PLATFORM_SDKS) or m.startswith("bot.slack"))
        for rel in NEUTRAL
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(NEUTRAL) > 10  # the globs found the packages
