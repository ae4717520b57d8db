"""``teamweather labels import`` and ``labels export``: pseudonymised, all or nothing, audited."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.labels_cli import EXPORT_COLUMNS
from storage import audit, connect, review

KEY = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32}
EMAIL = "dana.whitfield@example.com"
URL = "https://intranet.example.com/hr/case/4471"
PHONE = "+44 20 7946 0958"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "teamweather.yaml"
    path.write_text(f"database: {tmp_path / 'tw.db'}\n")
    return path


def run(config: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "labels", *args],
                              env=KEY if env is None else env)


def database(config: Path) -> sqlite_utils.Database:
    return connect(config.parent / "tw.db")


def stored_bytes(config: Path) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    return b"".join(p.read_bytes() for p in config.parent.glob("tw.db*"))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_pseudonymises_and_keeps_empty_cells_unlabelled(tmp_path: Path, config: Path) -> None:
    csv_file = write(tmp_path / "ours.csv",
                     "id,text,sentiment,stress,note\n"
                     f"1,\"mail {EMAIL} about {URL}, or call {PHONE}\",negative,1,x\n"
                     "2,release went out fine 🎉,Positive,,\n"
                     "3,\"two\nlines\",,no,\n")
    result = run(config, "import", str(csv_file))
    assert result.exit_code == 0, result.output
    assert "imported 3 labelled example(s) as import:ours.csv (2 with sentiment, 2 with stress)" in result.output
    assert "names written out were not" in result.output  # the limit is said, not hidden

    db = database(config)
    flags = review.labelled_flags(db)
    assert [(f.sentiment, f.stress, f.source) for f in flags] == [
        ("negative", True, "import:ours.csv"), ("positive", None, "import:ours.csv"),
        (None, False, "import:ours.csv")]
    assert flags[0].text == "mail <email> about <url>, or call <phone>"
    assert flags[1].text == "release went out fine :tada:"  # the form the classifier reads
    assert review.labels_for(db, flags[0].flag_id)[0].reviewer == "import"
    [entry] = audit.entries(db, "labels_imported")
    assert entry["subject"] == "import:ours.csv" and entry["detail"]["rows"] == 3
    db.close()
    on_disk = stored_bytes(config)
    for secret in (EMAIL, URL, "7946", "dana.whitfield"):
        assert secret.encode() not in on_disk


def test_a_bad_row_is_one_line_with_its_number_and_nothing_is_imported(tmp_path: Path, config: Path) -> None:
    good = "text,sentiment,stress\nfine day,positive,0\n\"a quoted\nline\",neutral,0\n"
    cases = {
        "happy": (good + "what a day,happy,0\n", ":5: sentiment 'happy' is not one of negative, neutral, positive"),
        "stress": (good + "what a day,positive,maybe\n", ":5: stress 'maybe' is not 1 or 0"),
        "neither": (good + "what a day,,\n", ":5: neither sentiment nor stress is labelled"),
        "empty": (good + "  ,positive,1\n", ":5: empty text"),
        "fields": (good + "what a day,positive\n", ":5: expected 3 fields"),
        "header": ("words,sentiment\nx,positive\n", ":1: the header lacks column(s) text, stress"),
    }
    for name, (content, message) in cases.items():
        path = write(tmp_path / f"{name}.csv", content)
        result = run(config, "import", str(path))
        assert result.exit_code == 1, (name, result.output)
        assert f"{path}{message}" in result.output, (name, result.output)
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    db = database(config)
    assert review.labelled_flags(db) == [] and audit.entries(db, "labels_imported") == []
    db.close()


def test_import_needs_the_pseudonym_key(tmp_path: Path, config: Path) -> None:
    path = write(tmp_path / "x.csv", "text,sentiment,stress\nfine,positive,0\n")
    result = run(config, "import", str(path), env={"TEAMWEATHER_PSEUDONYM_KEY": None})
    assert result.exit_code == 1 and "TEAMWEATHER_PSEUDONYM_KEY is not set" in result.output
    missing = run(config, "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and f"{tmp_path / 'nope.csv'}: no such file" in missing.output


def test_export_writes_reviewers_labels_for_audit_and_round_trips(tmp_path: Path, config: Path) -> None:
    db = database(config)
    t = 1_780_000_000.0
    with db.conn:
        flag = review.add(db, message_key="m1", workspace="T1", author="author-pseudonym",
                          day="2026-05-28", text="deploy is <url> again, <person> is on it",
                          policy="uncertain", policy_detail={}, sentiment="neutral",
                          probs=(0.3, 0.4, 0.3), stress=0.5, model_version="v", now=t, ttl_s=86400)
        assert flag is not None
        review.label(db, flag, "rev-a", now=t + 10, keep_until=t + 1e7, sentiment="negative", stress=True)
        review.label(db, flag, "rev-b", now=t + 20, keep_until=t + 1e7, sentiment="negative")
        open_flag = review.add(db, message_key="m2", workspace="T1", author="x", day="2026-05-28",
                               text="not labelled", policy="audit", policy_detail={}, sentiment="neutral",
                               probs=(0.3, 0.4, 0.3), stress=0.1, model_version="v", now=t, ttl_s=86400)
        assert open_flag is not None
    db.close()
    imported = write(tmp_path / "theirs.csv", "text,sentiment,stress\nall calm here,positive,0\n")
    assert run(config, "import", str(imported), "--source", "hr-2025").exit_code == 0

    out = tmp_path / "export.csv"
    result = run(config, "export", str(out), env={})  # export needs no key
    assert result.exit_code == 0, result.output
    assert f"{out}: exported 2 labelled example(s)" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    first = rows[0]
    assert first["text"] == "deploy is <url> again, <person> is on it"
    assert (first["sentiment"], first["stress"], first["source"]) == ("negative", "1", "review")
    assert first["reviewers"] == "rev-a rev-b"
    assert first["answers"].startswith("rev-a=negative/1@2026-05-28T")
    assert "rev-b=negative/-@" in first["answers"]
    assert first["labelled_at"] == "2026-05-28T20:27:00+00:00"
    assert "author-pseudonym" not in out.read_text()  # authors are never exported
    assert (rows[1]["source"], rows[1]["reviewers"]) == ("import:hr-2025", "import")
    db = database(config)
    assert audit.entries(db, "labels_exported")[0]["detail"] == {"rows": 2}
    db.close()

    # the export imports again as it is (into another database)
    other = tmp_path / "other" / "teamweather.yaml"
    other.parent.mkdir()
    other.write_text(f"database: {other.parent / 'tw.db'}\n")
    assert run(other, "import", str(out)).exit_code == 0
    db = connect(other.parent / "tw.db")
    again = review.labelled_flags(db)
    assert [(f.text, f.sentiment, f.stress) for f in again] == [
        ("deploy is <url> again, <person> is on it", "negative", True),
        ("all calm here", "positive", False)]
    db.close()


def test_help() -> None:
    for sub in ([], ["import"], ["export"]):
        result = CliRunner().invoke(cli, ["labels", *sub, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
