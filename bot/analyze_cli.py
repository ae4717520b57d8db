"""``teamweather analyze PATH``: score a file of messages (an exported channel history, say).

Input: a ``.txt`` file with one message per line, or a ``.csv`` / ``.tsv`` file with a
``text`` column (``-`` reads standard input, as text unless ``--format`` says otherwise).
Output: one JSON object per message on standard output, in input order::

    {"sentiment": "negative", "sentiment_probs": {"negative": 0.81, "neutral": 0.15,
     "positive": 0.04}, "stress": 0.73, "stressed": true, "model": "minilm-2026-11-23"}

The file is streamed: read, pseudonymised, scored and written ``--chunk`` messages at a time,
so memory does not grow with its length. A progress bar on standard error (when it is a
terminal and the run takes more than a moment) counts bytes read. A line that cannot be read
(not UTF-8, a malformed CSV row) stops the run with one error naming the line; what was
scored before it has been written already. The input is checked (it is a readable file of a
known format, its first line reads, it is not empty) before a model loads.

Pseudonymisation (unless ``--raw``): with the bot's key when one is configured, else with a
throwaway random key (said on standard error): the output holds scores, no pseudonym.

Analyzer: ``--model DIR``, else the registry's active version (``teamweather models``), else
the model bundled with Teamweather (with a note on standard error); ``--baseline`` scores with
the lexicon baseline instead. The classifier (torch) is imported only when a model is used.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Sequence

import click
from click.core import ParameterSource

from analyzers.analyzer import SENTIMENT_LABELS, Analysis, Analyzer
from bot import config as config_module
from bot.config import Settings
from domain.errors import TeamweatherError

__all__ = ["analyze", "InputError", "read_messages", "result_json", "choose_analyzer"]

DEFAULT_CHUNK = 256
DEFAULT_STRESS_THRESHOLD = 0.5  # digest.stress_threshold's default, used without a config file
FORMATS = ("txt", "csv", "tsv")
_SUFFIXES = {".txt": "txt", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv"}
_DELIMITERS = {"csv": ",", "tsv": "\t"}


class InputError(TeamweatherError):
    """The input file cannot be read as messages; the message names the line."""


@dataclass(frozen=True)
class Message:
    line: int  # the physical line the message starts on, from 1
    text: str


def _decoded(stream: IO[bytes], name: str, progress: Callable[[int], None]) -> Iterator[str]:
    """The stream's lines as text (newlines kept, BOM dropped), reporting bytes read."""
    for number, raw in enumerate(stream, start=1):
        progress(len(raw))
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: line {number}: not UTF-8 text ({exc.reason} at byte "
                             f"{exc.start + 1})") from None


def _text_lines(lines: Iterable[str]) -> Iterator[Message]:
    for number, line in enumerate(lines, start=1):
        yield Message(number, line.rstrip("\r\n"))


def _table_rows(lines: Iterable[str], name: str, delimiter: str) -> Iterator[Message]:
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    kind = "CSV" if delimiter == "," else "TSV"
    try:
        header = next(reader, None)
        if header is None:
            return
        columns = [c.strip().lower() for c in header]
        if "text" not in columns:
            shown = ", ".join(repr(c) for c in header) or "none"
            raise InputError(f"{name}: line 1: no 'text' column in the {kind} header "
                             f"(columns: {shown})")
        index = columns.index("text")
        start = reader.line_num + 1
        for row in reader:
            if not row:  # a blank line is no record
                start = reader.line_num + 1
                continue
            if len(row) != len(header):
                raise InputError(f"{name}: line {start}: expected {len(header)} fields as in the "
                                 f"header, found {len(row)}")
            yield Message(start, row[index])
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{name}: line {reader.line_num}: malformed {kind} ({exc})") from None


def read_messages(stream: IO[bytes], fmt: str, name: str,
                  progress: Callable[[int], None] = lambda n: None) -> Iterator[Message]:
    """Messages of a txt/csv/tsv byte stream, lazily, in order; InputError naming the line."""
    lines = _decoded(stream, name, progress)
    if fmt == "txt":
        return _text_lines(lines)
    if fmt in _DELIMITERS:
        return _table_rows(lines, name, _DELIMITERS[fmt])
    raise ValueError(f"unknown format {fmt!r}")


def result_json(result: Analysis, threshold: float, model: str) -> str:
    """One output line."""
    return json.dumps({
        "sentiment": result.sentiment,
        "sentiment_probs": {label: round(p, 6) for label, p in zip(SENTIMENT_LABELS, result.sentiment_probs)},
        "stress": round(result.stress, 6),
        "stressed": result.stress >= threshold,
        "model": model,
    })


def _load_classifier(directory: Path, threads: int | None) -> Analyzer:
    from analyzers.classifier import Classifier  # torch and transformers: only when needed

    if not directory.is_dir():
        raise InputError(f"--model {directory}: no such model directory")
    return Classifier.load(directory, threads=threads)


def choose_analyzer(
    model_dir: Path | None,
    database: Path | None,
    *,
    threads: int | None = None,
    note: Callable[[str], None] = lambda s: None,
) -> Analyzer:
    """``--model DIR``, else the active registry version in ``database`` (when that file
    exists: it is never created here), else the bundled model (saying so through ``note``)."""
    if model_dir is not None:
        return _load_classifier(model_dir, threads)
    if database is not None and database.is_file():
        from storage import connect
        from storage import models as registry

        db = connect(database)
        try:
            entry = registry.active(db)
        finally:
            db.close()
        if entry is not None:
            return _load_classifier(Path(entry.path), threads)
        where = f"none active in {database}"
    else:
        where = "no model registry found"
    from analyzers.bundled import BUNDLED_DIR, bundled_version

    note(f"No model given and {where}: using the bundled model {bundled_version()}.")
    return _load_classifier(BUNDLED_DIR, threads)


def _format_of(path: str, given: str | None) -> str:
    if given is not None:
        return given
    if path == "-":
        return "txt"
    fmt = _SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise click.UsageError(f"cannot tell the format of {path} from its extension "
                               "(.txt, .csv or .tsv): give --format")
    return fmt


def _settings_file(ctx: click.Context) -> Path | None:
    """The settings file to read: the one given with --config (which must exist), else
    teamweather.yaml when there is one, else None (defaults, and no key configured)."""
    config_path = ctx.obj if isinstance(ctx.obj, Path) else config_module.DEFAULT_PATH
    root = ctx.find_root()
    given = (root is not ctx
             and root.get_parameter_source("config_path") is ParameterSource.COMMANDLINE)
    return config_path if given or config_path.is_file() else None


def _pseudonymiser_text(settings: Settings, source: str) -> Callable[[str], str]:
    """Pseudonymise with the configured key, or, when none is configured, a throwaway one:
    the output holds scores only, no pseudonym, so which key replaced the names is moot."""
    from analyzers.pseudonymise import Pseudonymiser

    key = config_module.configured_pseudonym_key(settings, None, source)
    if key is None:
        click.echo("No pseudonym key configured: pseudonymising with a throwaway random key "
                   "(the output holds no pseudonyms, so none is needed).", err=True)
        key = secrets.token_bytes(32)
    return Pseudonymiser(key).text


def _score_chunks(messages: Iterator[Message], analyzer: Analyzer, prepare: Callable[[str], str],
                  threshold: float, chunk: int) -> Iterator[str]:
    """Output lines, scoring ``chunk`` messages at a time."""
    while True:
        batch: Sequence[Message] = list(itertools.islice(messages, chunk))
        if not batch:
            return
        results = analyzer.analyze([prepare(m.text) for m in batch])
        if len(results) != len(batch):
            raise RuntimeError(f"{analyzer.name} returned {len(results)} results for {len(batch)} texts")
        yield "\n".join(result_json(r, threshold, analyzer.version) for r in results)


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True,
                                        allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Input format.  [default: from the extension; txt for -]")
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Model directory.  [default: the registry's active version, else the "
                   "bundled model]")
@click.option("--baseline", is_flag=True,
              help="Score with the lexicon baseline (VADER and a stress word list) instead of "
                   "a model.")
@click.option("--raw", is_flag=True,
              help="Score the text as it is, without replacing mentions, e-mail addresses, "
                   "URLs and numbers by placeholders first.")
@click.option("--chunk", type=click.IntRange(1, 65536), default=DEFAULT_CHUNK, show_default=True,
              help="Messages read and scored at a time (memory use grows with it, not with the file).")
@click.option("--threads", type=click.IntRange(1, 256), help="CPU threads for a model.")
@click.pass_context
def analyze(ctx: click.Context, path: str, fmt: str | None, model_dir: Path | None,
            baseline: bool, raw: bool, chunk: int, threads: int | None) -> None:
    """Score the messages in PATH (- for standard input) and write one JSON object per
    message to standard output: a .txt file has one message per line, a .csv or .tsv file a
    'text' column. The text is pseudonymised first unless --raw is given (with the bot's key
    when one is configured, else a throwaway one: the output holds no pseudonyms)."""
    try:
        if baseline and model_dir is not None:
            raise click.UsageError("give --model or --baseline, not both")
        _analyze(ctx, path, fmt, model_dir, baseline, raw, chunk, threads)
    except TeamweatherError as exc:
        raise click.ClickException(str(exc)) from None


def _analyze(ctx: click.Context, path: str, fmt: str | None, model_dir: Path | None,
             baseline: bool, raw: bool, chunk: int, threads: int | None) -> None:
    fmt = _format_of(path, fmt)
    config_path = _settings_file(ctx)
    settings = config_module.read_settings(config_path) if config_path else Settings()
    database = settings.database if config_path else None
    threshold = settings.digest.stress_threshold if config_path else DEFAULT_STRESS_THRESHOLD

    from tqdm import tqdm

    err = sys.stderr
    out = sys.stdout
    with contextlib.ExitStack() as stack:
        if path == "-":
            stream: IO[bytes] = sys.stdin.buffer  # not ours to close
            total: int | None = None
            name = "<stdin>"
        else:
            try:
                stream = stack.enter_context(open(path, "rb"))
            except OSError as exc:
                raise InputError(f"{path}: cannot read it ({exc.strerror})") from None
            total = os.fstat(stream.fileno()).st_size
            name = path
        # disable=None: no bar unless stderr is a terminal; delay: none for short inputs.
        bar = stack.enter_context(tqdm(total=total, unit="B", unit_scale=True, file=err,
                                       disable=None, delay=1.0, desc="analyze", leave=False))
        read = [0]

        def progress(n: int) -> None:
            read[0] += n
            bar.update(n)

        messages = read_messages(stream, fmt, name, progress)
        # The first message (its line's encoding, a table's header) is checked before a model
        # loads, which can take a while.
        first = next(messages, None)
        if first is None:
            what = "is empty" if read[0] == 0 else "has a header but no rows"
            raise InputError(f"{name}: {what}: there are no messages to score")

        from bot import platforms

        plain = platforms.plain_text("slack")  # exports are Slack message text: markup, escapes
        scrub = str if raw else _pseudonymiser_text(settings, str(config_path or config_module.DEFAULT_PATH))

        def prepare(text: str) -> str:
            return scrub(plain(text))
        analyzer: Analyzer
        if baseline:
            from analyzers.lexicon import LexiconAnalyzer

            analyzer = LexiconAnalyzer()
        else:
            analyzer = choose_analyzer(model_dir, database, threads=threads,
                                       note=lambda s: click.echo(s, err=True))
        threshold = float(getattr(analyzer, "stress_threshold", threshold))
        for lines in _score_chunks(itertools.chain([first], messages), analyzer, prepare,
                                   threshold, chunk):
            out.write(lines + "\n")
            out.flush()
