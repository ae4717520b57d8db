"""``teamweather train`` and ``teamweather eval``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from analyzers.bundled import bundled_version
from bot.cli import cli
from training.evaluate import GATES
from toy_data import write_toy_data


def test_eval_measures_the_bundled_model_beside_the_lexicon(tmp_path: Path) -> None:
    data = write_toy_data(tmp_path / "data")
    result = CliRunner().invoke(cli, ["eval", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"| metric | lexicon | {bundled_version()} | gate |"
    for metric, goal in GATES:
        [row] = [line for line in result.output.splitlines() if line.startswith(f"| {metric} |")]
        assert f"≥ {goal:.0f}" in row


def test_eval_names_a_malformed_data_file(tmp_path: Path) -> None:
    data = write_toy_data(tmp_path / "data")
    (data / "sentiment" / "val.tsv").write_text("label\ttext\nhappy\tgood day\n")
    result = CliRunner().invoke(cli, ["eval", "--data", str(data)])
    assert result.exit_code != 0 and "val.tsv" in result.output and "Traceback" not in result.output


def test_train_writes_a_model_that_eval_measures(tmp_path: Path) -> None:
    data = write_toy_data(tmp_path / "data")
    out = tmp_path / "model"
    trained = CliRunner().invoke(cli, [
        "train", "--data", str(data), "--out", str(out), "--encoder", "heads",
        "--max-steps", "2", "--batch-size", "8", "--threads", "1", "--version", "toy-1",
    ])
    assert trained.exit_code == 0, trained.output
    assert (out / "teamweather-model.json").is_file()
    measured = CliRunner().invoke(cli, ["eval", "--data", str(data), "--model", str(out)])
    assert measured.exit_code == 0, measured.output
    assert measured.stdout.splitlines()[0] == "| metric | lexicon | toy-1 | gate |"
