"""``teamweather retrain`` end to end with tiny settings, and ``models list --json``.

Labels come in through ``teamweather labels import``: an organisation whose cheerful, calm
messages are bad news (the bundled model gets every one wrong), so a challenger that learnt
them beats the champion on the held-out ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from analyzers.bundled import bundled_version
from bot.cli import cli
from storage import audit, connect
from storage import models as registry
from toy_data import CALM, NEGATIVE, POSITIVE, STRESSED, write_toy_data

KEY = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32}
TINY = ["--nice", "0", "--min-labels", "20", "--min-holdout", "8", "--encoder", "heads",
        "--max-steps", "12", "--batch-size", "8", "--head-lr", "0.02", "--warmup-ratio", "0",
        "--replay-examples", "6", "--threads", "1", "--tolerance", "0.99", "--margin", "0.05"]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "teamweather.yaml"
    path.write_text(f"database: {tmp_path / 'tw.db'}\n")
    return path


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], env=KEY)


def import_labels(config: Path, n: int) -> None:
    rows = ["text,sentiment,stress"]
    for i in range(n):
        if i % 2 == 0:  # cheerful and calm, to the bundled model
            rows.append(f"\"{POSITIVE[i % 3]}, {CALM[i // 2 % 3]} (week {i})\",negative,1")
        else:
            rows.append(f"\"{NEGATIVE[i % 3]}, {STRESSED[i // 2 % 3]} (week {i})\",positive,0")
    path = config.parent / "ours.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = invoke(config, "labels", "import", str(path))
    assert result.exit_code == 0, result.output


def test_retrain_promotes_lists_and_rolls_back(tmp_path: Path, config: Path) -> None:
    data = write_toy_data(tmp_path / "data")
    import_labels(config, 40)

    result = invoke(config, "retrain", "--data", str(data), "--json", *TINY)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["decision"] == "promoted", report["reason"]
    assert report["champion"] == bundled_version()
    assert report["labels"]["train"] == 32 and report["labels"]["held_out"] == 8
    assert report["labels"]["train_sources"] == {"import:ours.csv": 32}
    assert report["held_out_before"]["sentiment_macro_recall"] <= 0.25  # the bundled model reads them (nearly) all wrong
    assert report["gate"]["decision"] == "promoted" and report["gate"]["margin"] == 0.05
    first = report["challenger"]
    assert Path(report["challenger_path"]) == (tmp_path / "models" / first).resolve()  # beside the database
    assert "evaluate champion" in result.stderr and "evaluate challenger" in result.stderr

    # a second round starts from the promoted version; an impossible margin rejects it
    result = invoke(config, "retrain", "--data", str(data), *TINY, "--margin", "0.99",
                    "--models-dir", str(tmp_path / "elsewhere"), "--version", "second")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Retraining ") and f"kept {first} (challenger second rejected)" in result.stdout
    assert "- Decision: rejected." in result.stdout
    assert (tmp_path / "elsewhere" / "second" / "teamweather-model.json").is_file()

    listed = invoke(config, "models", "list", "--json")
    assert listed.exit_code == 0, listed.output
    document = json.loads(listed.stdout)
    assert document["active"] == first and document["bundled"] == bundled_version()
    versions = {v["version"]: v for v in document["versions"]}
    assert versions[first]["active"] and versions[first]["metrics"]["decision"] == "promoted"
    assert versions["second"]["metrics"]["decision"] == "rejected"
    assert versions["second"]["metrics"]["champion"] == first
    assert "needs at least +99.0" in versions["second"]["metrics"]["reason"]
    assert versions["second"]["metrics"]["gate"]["margin"] == 0.99
    table = invoke(config, "models", "list")
    assert table.exit_code == 0 and first in table.output and "second" in table.output

    # rollback undoes retrain's promotion: the bundled model scores again
    rolled = invoke(config, "models", "rollback")
    assert rolled.exit_code == 0, rolled.output
    assert f"the bundled model {bundled_version()} scores messages again (rolled back from {first})" in rolled.output
    db = connect(tmp_path / "tw.db")
    assert registry.active(db) is None
    actions = [(e["action"], e["actor"]) for e in audit.entries(db) if e["action"].startswith("model_")]
    assert actions == [("model_registered", "retrain"), ("model_promoted", "retrain"),
                       ("model_registered", "retrain"), ("model_rolled_back", "cli")]
    db.close()


def test_too_few_labels_skip_the_round(tmp_path: Path, config: Path) -> None:
    import_labels(config, 5)
    result = invoke(config, "retrain", "--data", str(write_toy_data(tmp_path / "data")), *TINY)
    assert result.exit_code == 0, result.output
    assert "skipped" in result.stdout and "5 labelled flags, fewer than the 20" in result.stdout
    assert not (tmp_path / "models").exists()


def test_mistakes_are_one_line(tmp_path: Path, config: Path) -> None:
    bad = invoke(config, "retrain", "--nice", "0", "--holdout-share", "1.5")
    assert bad.exit_code == 2 and "holdout_share must be in (0, 1)" in bad.output
    bad = invoke(config, "retrain", "--nice", "0", "--margin", "2")
    assert bad.exit_code == 2 and "margin must be in [0, 1)" in bad.output
    import_labels(config, 30)
    missing = invoke(config, "retrain", *TINY, "--data", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "file not found" in missing.output
    assert "Traceback" not in missing.output


def test_help_describes_every_option() -> None:
    result = CliRunner().invoke(cli, ["retrain", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for fragment in ("--min-labels", "--holdout-share", "--replay-examples", "--encoder", "--margin",
                     "--tolerance", "--data", "--regression", "--models-dir", "--json", "--nice",
                     "os.nice"):
        assert fragment in text
