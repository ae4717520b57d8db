"""Loading the three data sets from tiny fixture files; malformed rows name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.data import DataError, Example, load_dataset, load_split, unescape_entities

SENTIMENT = 'label\ttext\npositive\t"great day, ""really"""\nneutral\tmeeting at 3\n'
STRESS = ("id,subreddit,post_id,text,label,confidence\n"
          '1,anxiety,a1,"I can\'t sleep,\nthe deadline is killing me",1,0.8\n'
          "2,ptsd,b2,we had a calm weekend,0,1.0\n")
WORKPLACE = ("sentiment\tstress\tsector\ttext\n"
             'negative\t1\ttech\t"brain is mush, logging off\n'
             "positive\t0\toffice\tshipped it 🎉\n")


def write(root: Path, split: str = "train", sentiment: str = SENTIMENT, stress: str = STRESS,
          workplace: str = WORKPLACE) -> Path:
    for folder, name, body in (("sentiment", f"{split}.tsv", sentiment),
                               ("stress", f"{split}.csv", stress),
                               ("workplace", f"{split}.tsv", workplace)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(body, encoding="utf-8")
    return root


def test_load_split_reads_all_three(tmp_path: Path) -> None:
    sets = load_split(write(tmp_path), "train")
    assert sets["sentiment"] == [
        Example('great day, "really"', "sentiment", "positive", None, "sentiment"),
        Example("meeting at 3", "sentiment", "neutral", None, "sentiment"),
    ]
    assert sets["stress"][0].text == "I can't sleep,\nthe deadline is killing me"
    assert [e.stress for e in sets["stress"]] == [True, False]
    assert all(e.task == "stress" and e.sentiment is None for e in sets["stress"])
    # workplace TSV is raw: a leading quote is part of the text
    assert sets["workplace"][0] == Example('"brain is mush, logging off', "both", "negative",
                                           True, "workplace")
    assert sets["workplace"][1].sentiment_index == 2


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, workplace=WORKPLACE + "\n\n")
    assert len(load_dataset(tmp_path, "workplace", "train")) == 2


@pytest.mark.parametrize(
    ("folder", "body", "message"),
    [
        ("sentiment", SENTIMENT + "happy\tyay\n", "sentiment/train.tsv:4: label 'happy'"),
        ("sentiment", SENTIMENT + "neutral\t  \n", "sentiment/train.tsv:4: empty text"),
        ("sentiment", "lbl\ttext\n", "sentiment/train.tsv:1: header lacks column(s) label"),
        ("sentiment", "", "sentiment/train.tsv:1: empty file"),
        # the quoted text spans lines 2-3, so the bad row is on line 4
        ("stress", STRESS + "3,x,c3,fine,2,1.0\n", "stress/train.csv:5: label '2' is not 0 or 1"),
        ("stress", STRESS + "3,x,c3,too,few\n", "stress/train.csv:5: expected 6 fields"),
        ("workplace", WORKPLACE + "neutral\tyes\ttech\tok\n",
         "workplace/train.tsv:4: stress 'yes' is not 0 or 1"),
        ("workplace", WORKPLACE + "neutral\t0\ttech\tok\textra\n",
         "workplace/train.tsv:4: expected 4 fields"),
    ],
)
def test_malformed_rows_name_file_and_line(tmp_path: Path, folder: str, body: str,
                                           message: str) -> None:
    write(tmp_path, **{folder: body})
    with pytest.raises(DataError) as info:
        load_split(tmp_path, "train")
    assert message in str(info.value)


def test_missing_file_and_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="val.csv: file not found"):
        load_dataset(tmp_path, "stress", "val")
    with pytest.raises(ValueError, match="unknown data set"):
        load_dataset(tmp_path, "tweets", "train")
    with pytest.raises(ValueError, match="split must be"):
        load_dataset(tmp_path, "stress", "test")  # type: ignore[arg-type]


def test_example_checks_task_consistency() -> None:
    with pytest.raises(ValueError):
        Example("x", "sentiment", None, None)
    with pytest.raises(ValueError):
        Example("x", "both", "positive", None)
    with pytest.raises(ValueError):
        Example("x", "stress", "positive", True)
    assert Example("x", "stress", None, False).sentiment_index == -1


def test_unescape_entities_undoes_the_three_escapes_once() -> None:
    assert unescape_entities("a &amp; b &lt;3 &gt; &amp;lt;") == "a & b <3 > &lt;"
    assert unescape_entities("&quot;x&quot; &nbsp; & ;") == "&quot;x&quot; &nbsp; & ;"


def test_texts_are_unescaped_where_they_are_loaded(tmp_path: Path) -> None:
    write(tmp_path, sentiment=SENTIMENT + "positive\tR&amp;D &lt;3 &amp;lt;b&amp;gt;\n",
          stress=STRESS + "3,x,c3,me &amp; my &gt;_&lt;,1,1.0\n",
          workplace=WORKPLACE + "neutral\t0\ttech\tQ&amp;A at 3\n")
    sets = load_split(tmp_path, "train")
    assert sets["sentiment"][-1].text == "R&D <3 &lt;b&gt;"
    assert sets["stress"][-1].text == "me & my >_<"
    assert sets["workplace"][-1].text == "Q&A at 3"


def test_the_workplace_train_split_takes_the_second_batch_when_it_is_there(tmp_path):
    from training.data import load_dataset

    (tmp_path / "workplace").mkdir()
    header = "sentiment\tstress\tsector\ttext\n"
    (tmp_path / "workplace" / "train.tsv").write_text(header + "neutral\t0\ttech\tfirst batch\n", encoding="utf-8")
    (tmp_path / "workplace" / "val.tsv").write_text(header + "positive\t0\ttech\tmeasure\n", encoding="utf-8")
    assert [e.text for e in load_dataset(tmp_path, "workplace", "train")] == ["first batch"]
    (tmp_path / "workplace" / "train_more.tsv").write_text(header + "negative\t1\toffice\tsecond batch\n",
                                                          encoding="utf-8")
    assert [e.text for e in load_dataset(tmp_path, "workplace", "train")] == ["first batch", "second batch"]
    assert [e.text for e in load_dataset(tmp_path, "workplace", "val")] == ["measure"]
