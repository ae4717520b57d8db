"""``teamweather models``: register, list, promote and rollback through the command line."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import torch
from click.testing import CliRunner, Result

from analyzers.bundled import bundled_version
from analyzers.model_dir import HEAD_SHAPES, ModelCard, ModelConfig, write_model_dir
from bot.cli import cli
from bot.models_cli import format_metrics, models
from storage import audit, connect
from storage import models as registry

cli.add_command(models)  # what bot/cli.py does (idempotent)


def model_dir(parent: Path, version: str, **metrics: float) -> Path:
    """A valid model version directory (random heads on the untouched base encoder)."""
    heads = {name: torch.randn(shape) for name, shape in HEAD_SHAPES.items()}
    directory = parent / version
    write_model_dir(directory, ModelConfig(version=version), heads, {}, ModelCard(metrics=metrics))
    return directory


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "teamweather.yaml"
    path.write_text(f"database: {tmp_path / 'tw.db'}\n")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "models", *args])


def test_help_on_every_subcommand() -> None:
    for sub in ([], ["list"], ["register"], ["promote"], ["rollback"]):
        result = CliRunner().invoke(cli, ["models", *sub, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_register_promote_list_rollback(tmp_path: Path, config: Path) -> None:
    one = model_dir(tmp_path, "m-1", sentiment_macro_recall=0.715, stress_f1=0.82, ece=0.03)
    two = model_dir(tmp_path, "m-2", sentiment_macro_recall=0.73)

    empty = run(config, "list")
    assert empty.exit_code == 0 and "No model versions registered" in empty.output
    assert f"the bundled model {bundled_version()} scores" in empty.output

    result = run(config, "register", str(one))
    assert result.exit_code == 0, result.output
    assert "m-1: registered (not active" in result.output
    result = run(config, "register", str(two), "--promote")
    assert result.exit_code == 0 and "m-2: registered and active" in result.output

    listed = run(config, "list")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert "VERSION" in lines[0] and "METRICS" in lines[0]
    row_one = next(line for line in lines if " m-1 " in line)
    row_two = next(line for line in lines if " m-2 " in line)
    assert row_two.startswith("*") and not row_one.startswith("*")
    assert "sentiment_macro_recall=0.715 stress_f1=0.82 ece=0.03" in row_one
    assert "sentiment,stress" in row_one and str(one.resolve()) in row_one

    result = run(config, "promote", "m-1")
    assert result.exit_code == 0 and "m-1 is now the active version (was m-2)" in result.output
    assert "already the active" in run(config, "promote", "m-1").output

    result = run(config, "rollback")
    assert result.exit_code == 0 and "m-2 is active again (rolled back from m-1)" in result.output
    db = connect(tmp_path / "tw.db")
    active = registry.active(db)
    assert active is not None and active.version == "m-2"
    actions = [e["action"] for e in audit.entries(db) if e["action"].startswith("model_")]
    assert actions == ["model_registered", "model_registered", "model_promoted",
                       "model_promoted", "model_rolled_back"]

    # m-2 was the first version promoted: rolling it back returns to the bundled model.
    result = run(config, "rollback")
    assert result.exit_code == 0, result.output
    assert f"the bundled model {bundled_version()} scores messages again" in result.output
    assert registry.active(db) is None
    assert f"No version is active: the bundled model {bundled_version()}" in run(config, "list").output


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ")
    return line


def test_errors_are_one_clear_line(tmp_path: Path, config: Path) -> None:
    assert "nothing to roll back" in one_error_line(run(config, "rollback"))
    assert "no model version 'nope'" in one_error_line(run(config, "promote", "nope"))
    assert "no such model directory" in one_error_line(run(config, "register", str(tmp_path / "x")))
    (tmp_path / "notamodel").mkdir()
    assert "teamweather-model.json is missing" in one_error_line(
        run(config, "register", str(tmp_path / "notamodel")))
    one = model_dir(tmp_path, "m-1")
    assert run(config, "register", str(one)).exit_code == 0
    assert "already registered" in one_error_line(run(config, "register", str(one)))
    tampered = model_dir(tmp_path / "copy", "m-3")
    (tampered / "heads.safetensors").write_bytes(b"tampered")
    assert "has been altered" in one_error_line(run(config, "register", str(tampered)))


def test_works_in_any_click_group(tmp_path: Path) -> None:
    """The lead may mount it elsewhere: the config path comes from the parent's ctx.obj."""
    path = tmp_path / "other.yaml"
    path.write_text(f"database: {tmp_path / 'other.db'}\n")

    @click.group()
    @click.pass_context
    def group(ctx: click.Context) -> None:
        ctx.obj = path

    group.add_command(models)
    result = CliRunner().invoke(group, ["models", "rollback"])
    assert "nothing to roll back" in one_error_line(result)
    assert (tmp_path / "other.db").exists()


def test_format_metrics_puts_the_quality_gates_first() -> None:
    metrics = {"a": 1, "stress_f1": 0.8123456, "note": "text", "sentiment_macro_recall": 0.7,
               "b": 2, "c": 3}
    assert format_metrics(metrics) == "sentiment_macro_recall=0.7 stress_f1=0.8123 a=1 b=2 (+1 more)"
    assert format_metrics({}) == "-"
