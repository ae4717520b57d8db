"""The bundled learning catalog and roles, and the rules every learning catalog file follows."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
import yaml

from analyzers.catalog import CatalogError
from analyzers.learning_catalog import (
    FORMATS,
    LearningCatalog,
    LearningItem,
    check_roles,
    load_learning_catalog,
    parse_learning_catalog,
)

ANALYZERS = Path(__file__).parents[2] / "analyzers"
BUNDLED_FILE = ANALYZERS / "learning_catalog.yaml"
ROLES_FILE = ANALYZERS / "learning_roles.example.yaml"

QUIZ = """\
    quiz:
      - {question: "One?", choices: [a, b, c], answer: 0}
      - {question: "Two?", choices: [a, b], answer: 1}
      - {question: "Three?", choices: [a, b, c, d], answer: 3}
"""


def item(id: str = "a", *, level: int = 1, skills: str = "{testing: 1}", prerequisites: str = "[]",
         extra: str = "") -> str:
    return (
        f"  - id: {id}\n    title: The {id} course\n    description: What {id} teaches.\n"
        f"    skills: {skills}\n    level: {level}\n    minutes: 30\n    format: course\n"
        f"    url: https://learning.example.com/{id}\n    prerequisites: {prerequisites}\n{extra}"
    )


def write(tmp_path: Path, *items: str) -> Path:
    path = tmp_path / "learning.yaml"
    path.write_text("items:\n" + "".join(items), encoding="utf-8")
    return path


def test_the_bundled_catalog_loads_from_package_data_and_matches_the_file() -> None:
    catalog = load_learning_catalog()
    assert len(catalog) >= 60
    assert catalog.items == load_learning_catalog(BUNDLED_FILE).items
    assert len({i.id for i in catalog}) == len(catalog)
    assert {i.format for i in catalog} == set(FORMATS) == set(get_args(LearningItem.model_fields["format"].annotation))
    assert all(i.url == f"https://learning.example.com/{i.id}" for i in catalog)
    assert "REPLACE THE URLS" in BUNDLED_FILE.read_text(encoding="utf-8")


def test_the_bundled_catalog_is_consistent() -> None:
    catalog = load_learning_catalog()
    assert len(catalog.skills()) == 13
    for entry in catalog:
        assert all(catalog.get(p).level < entry.level for p in entry.prerequisites), entry.id
        assert ("wellbeing" in entry.tags) == ("wellbeing" in entry.skills), entry.id
    assert len(catalog.tagged("wellbeing")) >= 5
    assert sum(1 for i in catalog if i.quiz) >= 10
    for entry in catalog:
        for question in entry.quiz:
            assert 0 <= question.answer < len(question.choices)


def test_the_example_roles_target_skills_the_bundled_catalog_teaches() -> None:
    roles = yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8"))
    assert len(roles) == 6
    check_roles(roles, load_learning_catalog())


def test_a_custom_file_loads_with_its_fields(tmp_path: Path) -> None:
    path = write(tmp_path, item("base"), item("next", level=2, skills="{testing: 2, data: 1}",
                                            prerequisites="[base]", extra="    tags: [remote]\n" + QUIZ))
    catalog = load_learning_catalog(path)
    assert catalog.source == str(path) and len(catalog) == 2
    nxt = catalog.get("next")
    assert (nxt.skills, nxt.level, nxt.prerequisites, nxt.tags) == ({"testing": 2, "data": 1}, 2, ("base",), ("remote",))
    assert [q.answer for q in nxt.quiz] == [0, 1, 3]
    assert nxt.text() == "The next course. What next teaches."
    assert catalog.skills() == frozenset({"testing", "data"})
    assert catalog.tagged("remote") == [nxt] and catalog.tagged("ai") == []
    assert [i.id for i in catalog] == ["base", "next"]
    with pytest.raises(KeyError):
        catalog.get("missing")


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ((item("a"), item("b").replace("    minutes: 30\n", "")), "item 2 (id 'b'): minutes: Field required"),
        ((item("a", skills="{docker: 6}"),),
         "item 1 (id 'a'): skills.docker: Input should be less than or equal to 5"),
        ((item("a", level=0),), "item 1 (id 'a'): level: Input should be greater than or equal to 1"),
        ((item("a", prerequisites="[ghost]"),), "item 1 (id 'a'): prerequisites: no item has the id 'ghost'"),
        ((item("a", prerequisites="[c]"), item("b", prerequisites="[a]"), item("c", prerequisites="[b]")),
         "item 1 (id 'a'): prerequisites: they loop back on themselves (a -> c -> b -> a)"),
        ((item("a", prerequisites="[a]"),), "item 1 (id 'a'): prerequisites: they loop back"),
        ((item("a", extra=QUIZ.replace("answer: 3", "answer: 4")),),
         "item 1 (id 'a'): quiz.2.answer: 4 is not the index of a choice (0 to 3)"),
        ((item("a", extra=QUIZ.replace("[a, b]", "[a, a]")),), "item 1 (id 'a'): quiz.1.choices: the choices must be distinct"),
        ((item("a", extra=QUIZ.replace("[a, b]", "[a]")),), "item 1 (id 'a'): quiz.1.choices"),
        ((item("a", extra="\n".join(QUIZ.splitlines()[:3]) + "\n"),), "item 1 (id 'a'): quiz: a quiz has 3 to 5 questions, not 2"),
        ((item("a"), item("a")), "item 2 (id 'a'): id used twice"),
        ((item("a", skills="{}"),), "item 1 (id 'a'): skills"),
        ((item("a").replace("format: course", "format: podcast"),), "item 1 (id 'a'): format"),
        ((item("a").replace("https://", "javascript:"),), "item 1 (id 'a'): url"),
        ((item("a", extra="    colour: red\n"),), "item 1 (id 'a'): colour: unknown field"),
        ((item("Bad Id"),), "item 1 (id 'Bad Id'): id"),
    ],
)
def test_errors_are_one_line_naming_the_file_the_item_and_the_field(
    tmp_path: Path, items: tuple[str, ...], expected: str
) -> None:
    path = write(tmp_path, *items)
    with pytest.raises(CatalogError) as caught:
        load_learning_catalog(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {expected}")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "a list under 'items'"),
        ({"items": []}, "the catalog has no items"),
        ({"items": [], "roles": {}}, "unknown top-level key(s): roles"),
    ],
)
def test_malformed_files_are_reported_with_their_name(data: object, expected: str) -> None:
    with pytest.raises(CatalogError, match=r"^learning\.yaml: ") as caught:
        parse_learning_catalog(data, "learning.yaml")
    assert expected in str(caught.value)


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such file"):
        load_learning_catalog(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("items: [", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML at line 1"):
        load_learning_catalog(bad)


@pytest.fixture
def small() -> LearningCatalog:
    raw = yaml.safe_load("items:\n" + item("a", skills="{testing: 2, data: 1}") + item("b", skills="{design: 1}"))
    return parse_learning_catalog(raw, "small.yaml")


def test_check_roles_accepts_taught_skills_and_levels(small: LearningCatalog) -> None:
    check_roles({"tester": {"testing": 5, "data": 1}, "designer": {"design": 3}, "empty": {}}, small)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({"tester": {"testing": 3, "kubernetes": 2}}, "role 'tester': kubernetes: no item of small.yaml teaches this skill"),
        ({"tester": {"testing": 6}}, "role 'tester': testing: the target level must be an integer 1 to 5, not 6"),
        ({"tester": {"testing": 0}}, "role 'tester': testing"),
        ({"tester": {"testing": "3"}}, "role 'tester': testing"),
        ({"tester": {"testing": True}}, "role 'tester': testing"),
    ],
)
def test_check_roles_names_the_role_and_the_skill(
    small: LearningCatalog, roles: dict[str, dict[str, int]], expected: str
) -> None:
    with pytest.raises(CatalogError) as caught:
        check_roles(roles, small)
    assert str(caught.value).startswith(expected)
