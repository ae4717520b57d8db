"""``teamweather labels import FILE.csv`` and ``teamweather labels export FILE.csv``.

Import brings labelled examples an organisation already has into the retraining loop. The
CSV needs the columns ``text``, ``sentiment`` (negative, neutral, positive) and ``stress``
(1/0, also yes/no or true/false); other columns are ignored, so an export can be imported
again. An empty sentiment or stress cell means "not labelled for that task"; a row needs at
least one of the two. Each text is brought to the form the classifier reads (emoji as
``:codes:``, as the adapters give it) and pseudonymised with the configured key (emails,
URLs, phone numbers, long numbers → placeholders) before it is stored, so what the file
held verbatim never reaches the database. Every row is checked first: a bad row stops the
import with one line naming its line number, and nothing is imported (all or nothing).
Imported examples are kept ``--retention-days`` days, like reviewers' labels.

Export writes what reviewers labelled, for audit: one row per labelled flag with its
pseudonymised text, the consensus ``sentiment`` and ``stress`` (what training uses), the
reviewers' pseudonyms and each one's answer, the source (``review`` or ``import:<file>``) and
the time of the latest answer (UTC). Both commands are recorded in the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import click
import sqlite_utils

from bot import config as config_module
from domain.errors import TeamweatherError

__all__ = ["labels", "EXPORT_COLUMNS", "IMPORT_COLUMNS", "DEFAULT_RETENTION_DAYS"]

IMPORT_COLUMNS = ("text", "sentiment", "stress")
EXPORT_COLUMNS = ("flag_id", "text", "sentiment", "stress", "source", "labelled_at", "reviewers",
                  "answers")
DEFAULT_RETENTION_DAYS = 365
SENTIMENTS = ("negative", "neutral", "positive")
_STRESS = {"1": True, "0": False, "yes": True, "no": False, "true": True, "false": False}
MAX_TEXT_CHARS = 10_000


class LabelFileError(TeamweatherError):
    """A label file that cannot be imported; the message names the file and line."""


@dataclass(frozen=True)
class Row:
    """One checked row of an import file (text not yet pseudonymised)."""

    line: int
    text: str
    sentiment: str | None
    stress: bool | None


def _config_path(ctx: click.Context) -> Path:
    return ctx.obj if isinstance(ctx.obj, Path) else config_module.DEFAULT_PATH


def read_rows(path: Path) -> list[Row]:
    """Every row of the import file, checked; LabelFileError naming the first bad line."""
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise LabelFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise LabelFileError(f"{path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise LabelFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise LabelFileError(f"{path}:1: empty file, expected a header row with "
                             f"{', '.join(IMPORT_COLUMNS)}") from None
    except csv.Error as exc:
        raise LabelFileError(f"{path}:1: {exc}") from None
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise LabelFileError(f"{path}:1: the header lacks column(s) {', '.join(missing)} "
                             f"(found {', '.join(header) or 'none'})")
    index = {name: header.index(name) for name in IMPORT_COLUMNS}
    rows: list[Row] = []
    start = reader.line_num + 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise LabelFileError(f"{path}:{line}: expected {len(header)} fields "
                                     f"({', '.join(header)}), found {len(fields)}")
            rows.append(_row(path, line, fields[index["text"]], fields[index["sentiment"]],
                             fields[index["stress"]]))
    except csv.Error as exc:
        raise LabelFileError(f"{path}:{reader.line_num}: {exc}") from None
    if not rows:
        raise LabelFileError(f"{path}: no labelled rows after the header")
    return rows


def _row(path: Path, line: int, text: str, sentiment: str, stress: str) -> Row:
    text = text.strip()
    if not text:
        raise LabelFileError(f"{path}:{line}: empty text")
    if len(text) > MAX_TEXT_CHARS:
        raise LabelFileError(f"{path}:{line}: the text is {len(text):,} characters, more than "
                             f"{MAX_TEXT_CHARS:,}")
    s = sentiment.strip().lower()
    if s and s not in SENTIMENTS:
        raise LabelFileError(f"{path}:{line}: sentiment {sentiment.strip()!r} is not one of "
                             f"{', '.join(SENTIMENTS)} (or empty: not labelled)")
    b = stress.strip().lower()
    if b and b not in _STRESS:
        raise LabelFileError(f"{path}:{line}: stress {stress.strip()!r} is not 1 or 0 (or "
                             "yes/no, true/false; empty: not labelled)")
    if not s and not b:
        raise LabelFileError(f"{path}:{line}: neither sentiment nor stress is labelled")
    return Row(line, text, s or None, _STRESS[b] if b else None)


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat(timespec="seconds")


def _answer(sentiment: str | None, stress: bool | None) -> str:
    return f"{sentiment or '-'}/{'-' if stress is None else int(stress)}"


def export_rows(db: sqlite_utils.Database) -> Iterator[dict[str, str]]:
    """The export's rows (see the module docstring), by time of the latest answer."""
    from storage import review

    for flag in review.labelled_flags(db):
        answers = review.labels_for(db, flag.flag_id)
        yield {
            "flag_id": str(flag.flag_id),
            "text": flag.text,
            "sentiment": flag.sentiment or "",
            "stress": "" if flag.stress is None else str(int(flag.stress)),
            "source": flag.source,
            "labelled_at": _iso(flag.labelled_at),
            "reviewers": " ".join(a.reviewer for a in answers),
            "answers": "; ".join(f"{a.reviewer}={_answer(a.sentiment, a.stress)}@{_iso(a.labelled_at)}"
                                 for a in answers),
        }


@click.group()
def labels() -> None:
    """Labelled examples for retraining: import an organisation's own, export reviewers'."""


@labels.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", help="Name recorded as the examples' source, import:NAME  [default: the file's name].")
@click.option("--retention-days", type=click.IntRange(min=1), default=DEFAULT_RETENTION_DAYS,
              show_default=True, help="Keep the imported examples this many days.")
@click.pass_context
def import_command(ctx: click.Context, file: Path, source: str | None, retention_days: int) -> None:
    """Import labelled examples from FILE (CSV with text, sentiment, stress), pseudonymised."""
    from analyzers.emoji_text import emoji_as_codes
    from analyzers.pseudonymise import Pseudonymiser
    from storage import audit, connect, review

    config = config_module.load(_config_path(ctx))  # the pseudonym key is required
    rows = read_rows(file)
    pseudonymise = Pseudonymiser(config.secrets.pseudonym_key).text
    name = f"import:{source or file.name}"
    texts = [pseudonymise(emoji_as_codes(row.text)) for row in rows]
    now = time.time()
    keep_until = now + retention_days * 86400
    db = connect(config.settings.database)
    try:
        with db.conn:
            for row, text in zip(rows, texts):
                review.add_imported(db, text=text, sentiment=row.sentiment, stress=row.stress,
                                    source=name, now=now, keep_until=keep_until)
            audit.record(db, "labels_imported", actor="cli", subject=name,
                         detail={"rows": len(rows), "retention_days": retention_days}, at=now)
    finally:
        db.close()
    sentiment = sum(r.sentiment is not None for r in rows)
    stress = sum(r.stress is not None for r in rows)
    click.echo(f"{file}: imported {len(rows)} labelled example(s) as {name} ({sentiment} with "
               f"sentiment, {stress} with stress), pseudonymised, kept {retention_days} days. Mentions, "
               "emails, phone numbers, links and numbers were replaced; names written out were not "
               "(the command has no member directory): remove them from the file first.")


@labels.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export_command(ctx: click.Context, file: Path) -> None:
    """Write every labelled example to FILE (CSV) for audit: pseudonymised text, labels,
    reviewer pseudonyms, source and time."""
    from storage import audit, connect

    settings = config_module.read_settings(_config_path(ctx))
    db = connect(settings.database)
    try:
        rows = list(export_rows(db))
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        try:
            file.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        except OSError as exc:
            raise LabelFileError(f"{file}: cannot write it ({exc.strerror})") from None
        with db.conn:
            audit.record(db, "labels_exported", actor="cli", subject=file.name,
                         detail={"rows": len(rows)})
    finally:
        db.close()
    click.echo(f"{file}: exported {len(rows)} labelled example(s).")
