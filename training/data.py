"""Loading the bootstrap data (``../shared/data``, see its README) into training examples.

Three data sets, each with a ``train`` and a ``val`` split:

``sentiment/{split}.tsv``
    SemEval-2017 Task 4 / TweetEval tweets; CSV-quoted TSV with columns ``label`` (negative,
    neutral, positive) and ``text``. Examples have task ``"sentiment"``.
``stress/{split}.csv``
    Dreaddit Reddit segments; CSV with columns ``id, subreddit, post_id, text, label,
    confidence`` (``label`` 1 = stressed). Examples have task ``"stress"``.
``workplace/{split}.tsv``
    Synthetic workplace chat written for the project; raw (unquoted) TSV with columns
    ``sentiment, stress, sector, text``. Examples have task ``"both"``. Its ``train`` split also
    takes ``workplace/train_more.tsv`` when that file is there (a second batch by three more
    writers under the same guidelines, about half hard cases); ``val.tsv`` stays the measure.

Texts are unescaped as they are loaded (:func:`unescape_entities`): the tweets are
HTML-escaped as TweetEval publishes them (``&amp;``, ``&lt;``, ``&gt;``), while the classifier
reads the core's plain, unescaped text. Dreaddit and the workplace chat hold none of these
three escapes; they go through the same function, so every data file is read alike.

Every row is checked: a missing column, an unknown label, an empty text or a row with the
wrong number of fields raises :class:`DataError` naming the file and the line. Only the
requested split is read; nothing here ever looks for a test split.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Iterator, Literal, Mapping, Sequence

from analyzers.analyzer import SENTIMENT_LABELS
from analyzers.emoji_text import emoji_as_codes

__all__ = [
    "DATASETS",
    "EXTRA_TRAIN",
    "DataError",
    "Example",
    "Task",
    "load_dataset",
    "load_sentiment",
    "load_split",
    "load_stress",
    "load_workplace",
    "unescape_entities",
]

Task = Literal["sentiment", "stress", "both"]
Split = Literal["train", "val"]

#: Data set name -> (relative path pattern, task). Names are used as metric prefixes.
DATASETS: Final[Mapping[str, tuple[str, Task]]] = {
    "sentiment": ("sentiment/{split}.tsv", "sentiment"),
    "stress": ("stress/{split}.csv", "stress"),
    "workplace": ("workplace/{split}.tsv", "both"),
}


_ENTITIES: Final = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def unescape_entities(text: str) -> str:
    """Undo the three HTML escapes of the tweets (``&amp;`` last, so ``&amp;lt;`` stays the
    literal ``&lt;`` that was written); any other entity stays as it is."""
    for escaped, plain in _ENTITIES:
        text = text.replace(escaped, plain)
    return text


class DataError(ValueError):
    """A data file is missing or malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text. ``sentiment`` is None unless the task is sentiment or both,
    ``stress`` is None unless the task is stress or both."""

    text: str
    task: Task
    sentiment: str | None
    stress: bool | None
    source: str = ""

    def __post_init__(self) -> None:
        if self.task not in ("sentiment", "stress", "both"):
            raise ValueError(f"unknown task {self.task!r}")
        if (self.sentiment is not None) != (self.task in ("sentiment", "both")):
            raise ValueError(f"task {self.task!r} and sentiment {self.sentiment!r} disagree")
        if (self.stress is not None) != (self.task in ("stress", "both")):
            raise ValueError(f"task {self.task!r} and stress {self.stress!r} disagree")
        if self.sentiment is not None and self.sentiment not in SENTIMENT_LABELS:
            raise ValueError(f"unknown sentiment label {self.sentiment!r}")

    @property
    def sentiment_index(self) -> int:
        """Position of the sentiment label in ``SENTIMENT_LABELS``; -1 when unlabelled."""
        return -1 if self.sentiment is None else SENTIMENT_LABELS.index(self.sentiment)


def _rows(path: Path, *, delimiter: str, quoted: bool,
          required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; DataError on a missing file, missing columns or
    a row with the wrong number of fields."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter=delimiter,
                            quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError(f"{path}:1: empty file, expected a header row") from None
        missing = [c for c in required if c not in header]
        if missing:
            raise DataError(f"{path}:1: header lacks column(s) {', '.join(missing)} "
                            f"(found {', '.join(header)})")
        start = reader.line_num + 1
        try:
            for fields in reader:
                line = start
                start = reader.line_num + 1
                if not fields or all(not x.strip() for x in fields):
                    continue
                if len(fields) != len(header):
                    raise DataError(f"{path}:{line}: expected {len(header)} fields "
                                    f"({', '.join(header)}), found {len(fields)}")
                yield line, dict(zip(header, fields))
        except csv.Error as exc:
            raise DataError(f"{path}:{reader.line_num}: {exc}") from None


def _text(path: Path, line: int, row: Mapping[str, str]) -> str:
    text = row["text"].strip()
    if not text:
        raise DataError(f"{path}:{line}: empty text")
    return emoji_as_codes(unescape_entities(text))  # the form the adapters give the classifier


def _sentiment(path: Path, line: int, value: str, column: str) -> str:
    label = value.strip()
    if label not in SENTIMENT_LABELS:
        raise DataError(f"{path}:{line}: {column} {value!r} is not one of "
                        f"{', '.join(SENTIMENT_LABELS)}")
    return label


def _stress(path: Path, line: int, value: str, column: str) -> bool:
    flag = value.strip()
    if flag not in ("0", "1"):
        raise DataError(f"{path}:{line}: {column} {value!r} is not 0 or 1")
    return flag == "1"


def load_sentiment(path: Path) -> list[Example]:
    """Tweets from a quoted TSV with ``label`` and ``text`` (task ``sentiment``)."""
    return [Example(_text(path, line, row), "sentiment",
                    _sentiment(path, line, row["label"], "label"), None, "sentiment")
            for line, row in _rows(path, delimiter="\t", quoted=True, required=("label", "text"))]


def load_stress(path: Path) -> list[Example]:
    """Dreaddit segments from a CSV with ``text`` and ``label`` (task ``stress``)."""
    return [Example(_text(path, line, row), "stress", None,
                    _stress(path, line, row["label"], "label"), "stress")
            for line, row in _rows(path, delimiter=",", quoted=True, required=("text", "label"))]


def load_workplace(path: Path) -> list[Example]:
    """Workplace chat from a raw TSV with ``sentiment``, ``stress`` and ``text`` (task
    ``both``)."""
    return [Example(_text(path, line, row), "both",
                    _sentiment(path, line, row["sentiment"], "sentiment"),
                    _stress(path, line, row["stress"], "stress"), "workplace")
            for line, row in _rows(path, delimiter="\t", quoted=False,
                                   required=("sentiment", "stress", "text"))]


_LOADERS = {"sentiment": load_sentiment, "stress": load_stress, "workplace": load_workplace}


#: Further files a data set's train split takes when they exist (the second workplace batch).
EXTRA_TRAIN: Final[Mapping[str, tuple[str, ...]]] = {"workplace": ("workplace/train_more.tsv",)}


def load_dataset(data_dir: Path, name: str, split: Split) -> list[Example]:
    """One split of one data set (``sentiment``, ``stress`` or ``workplace``); a train split
    includes the set's :data:`EXTRA_TRAIN` files that exist."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; expected one of {', '.join(DATASETS)}")
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val', not {split!r}")
    pattern, _task = DATASETS[name]
    examples = _LOADERS[name](Path(data_dir) / pattern.format(split=split))
    if split == "train":
        for extra in EXTRA_TRAIN.get(name, ()):
            if (Path(data_dir) / extra).is_file():
                examples += _LOADERS[name](Path(data_dir) / extra)
    return examples


def load_split(data_dir: Path, split: Split,
               names: Sequence[str] = tuple(DATASETS)) -> dict[str, list[Example]]:
    """The given split of each named data set, keyed by data set name."""
    return {name: load_dataset(data_dir, name, split) for name in names}
