"""``teamweather analyze``: txt/csv/tsv in, one JSON object per message out, in order."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from analyzers.lexicon import LexiconAnalyzer
from analyzers.pseudonymise import Pseudonymiser
from bot.analyze_cli import InputError, analyze, read_messages
from bot.cli import cli
from storage import connect
from storage import models as registry

cli.add_command(analyze)  # what bot/cli.py does (idempotent)

KEY = "test-pseudonym-key-0123456789abcdef"
ENV = {"TEAMWEATHER_PSEUDONYM_KEY": KEY}
MESSAGES = [
    "the deploy is green, nice work everyone :tada:",
    "I can't keep up with these tickets, third weekend in a row",
    "",
    "ping alice@example.com about https://example.com/x before 5551234567",
]
LEXICON = LexiconAnalyzer()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "teamweather.yaml"
    path.write_text(f"database: {tmp_path / 'tw.db'}\ndigest:\n  stress_threshold: 0.3\n")
    return path


def run(config: Path | None, *args: str, stdin: str | None = None, env: dict[str, str] = ENV) -> Result:
    """``teamweather [--config CONFIG] analyze ARGS``; without CONFIG, in a folder holding no
    teamweather.yaml (as `teamweather analyze messages.txt` runs on a fresh machine)."""
    if config:
        return CliRunner().invoke(cli, ["--config", str(config), "analyze", *args], input=stdin, env=env)
    with tempfile.TemporaryDirectory() as empty, contextlib.chdir(empty):
        return CliRunner().invoke(cli, ["analyze", *args], input=stdin, env=env)


def records(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_txt_file_gives_one_object_per_line_in_order(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "messages.txt"
    path.write_text("\n".join(MESSAGES) + "\n")
    out = records(run(config, str(path), "--baseline", "--chunk", "3"))  # order kept across chunks
    pseudonymiser = Pseudonymiser(KEY.encode())
    expected = LEXICON.analyze([pseudonymiser.text(m) for m in MESSAGES])
    assert len(out) == len(MESSAGES)
    for record, analysis in zip(out, expected):
        assert set(record) == {"sentiment", "sentiment_probs", "stress", "stressed", "model"}
        assert record["sentiment"] == analysis.sentiment
        probs = record["sentiment_probs"]
        assert list(probs) == ["negative", "neutral", "positive"]
        assert list(probs.values()) == pytest.approx(analysis.sentiment_probs, abs=1e-6)
        assert record["stress"] == pytest.approx(analysis.stress, abs=1e-6)
        assert record["stressed"] == (analysis.stress >= 0.3)  # digest.stress_threshold
        assert record["model"] == LEXICON.version
    assert out[0]["sentiment"] == "positive"


def test_text_is_pseudonymised_unless_raw(tmp_path: Path, config: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = LexiconAnalyzer.analyze

    def recording(self: LexiconAnalyzer, texts: list[str]) -> Any:
        seen.extend(texts)
        return original(self, texts)

    monkeypatch.setattr(LexiconAnalyzer, "analyze", recording)
    path = tmp_path / "m.txt"
    path.write_text(MESSAGES[3] + "\n")
    records(run(config, str(path), "--baseline"))
    assert "alice@example.com" not in seen[0] and "5551234567" not in seen[0]
    seen.clear()
    records(run(config, str(path), "--baseline", "--raw"))
    assert seen == [MESSAGES[3]]


def test_csv_tsv_and_stdin(tmp_path: Path, config: Path) -> None:
    csv_path = tmp_path / "export.csv"
    csv_path.write_text('user,text,ts\nU1,"thanks, great job!",1\nU2,"multi\nline",2\n\nU3,ok,3\n',
                        encoding="utf-8-sig")
    assert len(records(run(config, str(csv_path), "--baseline"))) == 3
    tsv_path = tmp_path / "export.tsv"
    tsv_path.write_text("Text\tuser\nawful day\tU1\n")
    [one] = records(run(config, str(tsv_path), "--baseline"))
    assert one["sentiment"] == "negative"
    piped = records(run(config, "-", "--baseline", stdin="great\nterrible\n"))
    assert [r["sentiment"] for r in piped] == ["positive", "negative"]
    piped_csv = records(run(config, "-", "--baseline", "--format", "csv", stdin="text\nhello\n"))
    assert len(piped_csv) == 1


def one_error_line(result: Result) -> str:
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("Error: ")
    return line


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("a.csv", "user,message\nU1,hi\n", "a.csv: line 1: no 'text' column in the CSV header (columns: 'user', 'message')"),
    ("b.csv", "user,text\nU1,hi\nU2,hi,extra\n", "b.csv: line 3: expected 2 fields as in the header, found 3"),
    ("c.csv", 'user,text\nU1,"fine"\nU2,"bad"quote\n', "c.csv: line 3: malformed CSV"),
    ("d.txt", b"fine\n\xff\xfe broken\n", "d.txt: line 2: not UTF-8 text"),
])
def test_malformed_input_names_the_line(tmp_path: Path, config: Path, name: str,
                                         content: str | bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert expected in one_error_line(run(config, str(path), "--baseline"))


def test_bad_invocations(tmp_path: Path, config: Path) -> None:
    assert "does not exist" in one_error_line(run(config, str(tmp_path / "missing.txt")))
    odd = tmp_path / "messages.json"
    odd.write_text("{}\n")
    assert "give --format" in one_error_line(run(config, str(odd)))
    path = tmp_path / "m.txt"
    path.write_text("hi\n")
    [record] = records(run(None, str(path), "--raw", "--baseline"))
    assert record["model"] == LEXICON.version
    assert "not both" in one_error_line(run(config, str(path), "--baseline", "--model", str(tmp_path)))
    short_key = one_error_line(run(config, str(path), env={"TEAMWEATHER_PSEUDONYM_KEY": "short"}))
    assert "at least 16 bytes" in short_key  # a key that is configured must be usable
    missing = one_error_line(run(tmp_path / "nope.yaml", str(path), "--baseline"))
    assert "nope.yaml: no such file" in missing  # a settings file named with --config must exist


THROWAWAY = "No pseudonym key configured: pseudonymising with a throwaway random key"


@pytest.mark.parametrize("with_settings_file", [False, True])
def test_without_a_key_a_throwaway_one_pseudonymises(tmp_path: Path, config: Path, with_settings_file: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """As the README shows it: no settings file and no key needed, since the output holds no
    pseudonym; the text is still pseudonymised, and stderr says which key did it."""
    seen: list[str] = []
    original = LexiconAnalyzer.analyze
    monkeypatch.setattr(LexiconAnalyzer, "analyze", lambda self, texts: seen.extend(texts) or original(self, texts))
    path = tmp_path / "messages.txt"
    path.write_text(MESSAGES[3] + "\n")
    result = run(config if with_settings_file else None, str(path), "--baseline", env={"TEAMWEATHER_PSEUDONYM_KEY": ""})
    assert len(records(result)) == 1
    assert seen and "alice@example.com" not in seen[0] and "5551234567" not in seen[0]
    [note] = result.stderr.splitlines()
    assert note.startswith(THROWAWAY)
    assert THROWAWAY not in run(config, str(path), "--baseline").stderr  # with the configured key: no note


def no_model(directory: Path, threads: int | None) -> LexiconAnalyzer:
    raise AssertionError("the model was loaded before the input was checked")


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("empty.txt", "", "empty.txt: is empty: there are no messages to score"),
    ("header.csv", "user,text\n", "header.csv: has a header but no rows: there are no messages to score"),
    ("bad.csv", "user,message\nU1,hi\n", "bad.csv: line 1: no 'text' column"),
    ("bad.txt", b"\xff\xfe broken\n", "bad.txt: line 1: not UTF-8 text"),
])
def test_the_input_is_checked_before_the_model_loads(tmp_path: Path, config: Path, name: str,
                                                     content: str | bytes, expected: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.analyze_cli._load_classifier", no_model)
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert one_error_line(run(config, str(path))).startswith(f"Error: {path}{expected.removeprefix(name)}")


def test_empty_standard_input_is_an_error(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.analyze_cli._load_classifier", no_model)
    assert one_error_line(run(config, "-", stdin="")) == "Error: <stdin>: is empty: there are no messages to score"
    assert "there are no messages" in one_error_line(run(None, "-", "--raw", "--format", "csv", stdin=""))


def test_a_directory_is_named_as_one(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.analyze_cli._load_classifier", no_model)
    for folder in (tmp_path / "export", tmp_path / "export.txt"):
        folder.mkdir()
        line = one_error_line(run(config, str(folder)))
        assert "is a directory" in line and "no such file" not in line and "format" not in line


def test_streams_in_chunks() -> None:
    """A long input is read lazily: taking the first messages reads only the first lines."""
    consumed: list[int] = []
    lines = b"".join(b"message %d\n" % i for i in range(100_000))
    messages = read_messages(io.BytesIO(lines), "txt", "big.txt", consumed.append)
    first = [next(messages) for _ in range(3)]
    assert [m.text for m in first] == ["message 0", "message 1", "message 2"]
    assert len(consumed) == 3
    with pytest.raises(InputError, match="line 2"):
        list(read_messages(io.BytesIO(b"text\nok,\"x\n"), "csv", "x.csv"))


def test_model_option_and_registry_use_the_classifier(tmp_path: Path, config: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from analyzers.model_dir import HEAD_SHAPES, ModelCard, ModelConfig, write_model_dir

    # A saved version with random heads on the untouched base (what Classifier.fresh().save()
    # writes, without loading the encoder a third time) and its own stress threshold.
    model = tmp_path / "model-t"
    torch.manual_seed(0)
    heads = {name: torch.randn(shape) for name, shape in HEAD_SHAPES.items()}
    write_model_dir(model, ModelConfig(version="t", stress_threshold=0.37), heads, {}, ModelCard())
    path = tmp_path / "m.txt"
    path.write_text("\n".join(MESSAGES) + "\n")
    out = records(run(config, str(path), "--model", str(model), "--chunk", "3"))
    assert [r["model"] for r in out] == ["t"] * len(MESSAGES)
    assert [r["stressed"] for r in out] == [r["stress"] >= 0.37 for r in out]
    assert len({r["stress"] for r in out}) == len(MESSAGES)  # really scored, per message
    # The registry's active version is used when no --model is given (not loaded again here).
    db = connect(tmp_path / "tw.db")
    with db.conn:
        registry.register(db, "t", str(model), ("sentiment", "stress"), {}, 1.0)
        registry.promote(db, "t", 2.0)
    db.close()
    loaded: list[Path] = []

    def load(directory: Path, threads: int | None) -> LexiconAnalyzer:
        loaded.append(directory)
        return LEXICON

    monkeypatch.setattr("bot.analyze_cli._load_classifier", load)
    result = run(config, str(path))
    assert loaded == [model] and len(records(result)) == len(MESSAGES)
    assert "bundled model" not in result.stderr


def test_without_a_model_or_registry_the_bundled_classifier_scores(tmp_path: Path,
                                                                   config: Path) -> None:
    from analyzers.bundled import bundled_version

    path = tmp_path / "m.txt"
    path.write_text("thanks so much, the release went perfectly!\n"
                    "I'm drowning, three incidents today and the deadline is tomorrow\n")
    result = run(config, str(path))
    happy, swamped = records(result)
    assert f"using the bundled model {bundled_version()}" in result.stderr
    assert happy["model"] == swamped["model"] == bundled_version() != LEXICON.version
    assert happy["sentiment"] == "positive" and swamped["sentiment"] == "negative"
    assert swamped["stress"] > happy["stress"]
