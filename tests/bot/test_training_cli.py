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


def test_train_help_names_the_command_and_describes_every_option() -> None:
    from training.train import _parser

    result = CliRunner().invoke(cli, ["train", "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("usage: teamweather train ")
    assert "python -m training.train" not in result.output
    text = " ".join(result.output.split())
    assert "--lr X Peak AdamW learning rate of the encoder parameters that train. (default: 5e-05)" in text
    for action in _parser()._actions:
        described = (action.help or "").split("(default:")[0].strip()
        assert described, f"{action.option_strings} has no description"


def test_train_mistakes_are_one_line(tmp_path: Path) -> None:
    data = write_toy_data(tmp_path / "data")
    bad = CliRunner().invoke(cli, ["train", "--data", str(data), "--out", str(tmp_path / "m"), "--encoder", "top-9"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert bad.output.strip().splitlines()[-1].startswith("teamweather train: error: invalid TrainSettings: encoder must be")
    flag = CliRunner().invoke(cli, ["train", "--out", str(tmp_path / "m"), "--class-weighting", "maybe"])
    assert flag.exit_code == 2 and "expected true or false, not 'maybe'" in flag.output
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    busy = CliRunner().invoke(cli, ["train", "--data", str(data), "--out", str(taken), "--encoder", "heads"])
    assert busy.exit_code == 1 and "Traceback" not in busy.output
    assert busy.output.strip() == f"Error: {taken} already holds files; choose a new output directory"
