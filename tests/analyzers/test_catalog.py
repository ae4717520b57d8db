"""The bundled training catalog and the rules every catalog file must follow."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.catalog import TAGS, Catalog, CatalogError, CatalogItem, load_catalog

BUNDLED_FILE = Path(__file__).parents[2] / "analyzers" / "catalog.yaml"

GOOD_ITEM = """\
  - id: {id}
    title: {title}
    url: https://learning.example.com/{id}
    duration_minutes: 20
    tags: [{tags}]
    for: {audience}
"""


def write(tmp_path: Path, *items: str, head: str = "items:\n") -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(head + "".join(items), encoding="utf-8")
    return path


def item(id: str = "a", title: str = "A course", tags: str = "feedback", audience: str = "manager") -> str:
    return GOOD_ITEM.format(id=id, title=title, tags=tags, audience=audience)


def test_bundled_catalog_loads_from_package_data_and_matches_the_file() -> None:
    catalog = load_catalog()
    assert 8 <= len(catalog) <= 15
    assert catalog.items == load_catalog(BUNDLED_FILE).items
    assert len({i.id for i in catalog}) == len(catalog)


def test_bundled_catalog_covers_every_audience_and_tag() -> None:
    catalog = load_catalog()
    assert {i.audience for i in catalog} == {"manager", "employee", "both"}
    assert set().union(*(i.tags for i in catalog)) == TAGS


def test_bundled_urls_are_the_documented_placeholders() -> None:
    # They stand for an organisation's own learning platform and must be replaced there.
    assert all(i.url.startswith("https://learning.example.com/") for i in load_catalog())
    assert "REPLACE THE URLS" in BUNDLED_FILE.read_text(encoding="utf-8")


def test_a_custom_file_loads_with_its_fields(tmp_path: Path) -> None:
    path = write(tmp_path, item("listen", "Listening well", "feedback, conflict", "both"))
    catalog = load_catalog(path)
    assert catalog.source == str(path)
    listen = catalog.get("listen")
    assert (listen.title, listen.tags, listen.audience, listen.duration_minutes) == (
        "Listening well", ("feedback", "conflict"), "both", 20)
    assert listen.is_for("manager") and listen.is_for("employee")
    with pytest.raises(KeyError):
        catalog.get("missing")


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ((item("a"), item("b", tags="feedbak")), ["item 2 (id 'b')", "tags", "unknown tag", "'feedbak'"]),
        ((item("a"), item("a")), ["item 2 (id 'a')", "id used twice"]),
        ((item("a", audience="everyone"),), ["item 1 (id 'a')", "for"]),
        ((item("a") + "    colour: red\n",), ["item 1 (id 'a')", "colour", "unknown field"]),
        ((item("a", title="Coping with stress"),), ["item 1 (id 'a')", "stress tag"]),
        ((item("Bad Id"),), ["item 1 (id 'Bad Id')", "id"]),
        ((item("a").replace("https://", "javascript:"),), ["item 1 (id 'a')", "url"]),
        ((item("a").replace("duration_minutes: 20", "duration_minutes: 0"),), ["duration_minutes"]),
    ],
)
def test_validation_errors_name_the_file_the_item_and_the_field(
    tmp_path: Path, items: tuple[str, ...], expected: list[str]
) -> None:
    path = write(tmp_path, *items)
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for part in expected:
        assert part in message


def test_a_stress_item_with_the_stress_tag_is_valid(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, item("coping", "Coping with stress", "stress, wellbeing")))
    assert catalog.get("coping").tags == ("stress", "wellbeing")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("items: [", "not valid YAML at line 1"),
        ("- just a list\n", "a list under 'items'"),
        ("items: []\n", "no items"),
        ("items:\n" + item("a") + "extra: 1\n", "unknown top-level key(s): extra"),
    ],
)
def test_malformed_files_are_reported_with_their_name(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=f"^{path}: .*") as caught:
        load_catalog(path)
    assert expected in str(caught.value)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such file"):
        load_catalog(tmp_path / "nope.yaml")


def make(id: str, tags: tuple[str, ...], audience: str = "manager") -> CatalogItem:
    return CatalogItem.model_validate({
        "id": id, "title": id, "url": f"https://learning.example.com/{id}",
        "duration_minutes": 10, "tags": list(tags), "for": audience,
    })


def test_matching_ranks_by_shared_tags_then_file_order_and_filters() -> None:
    catalog = Catalog((
        make("one", ("focus",)),
        make("two", ("workload", "focus")),
        make("staff", ("workload", "focus"), "employee"),
        make("three", ("workload",), "both"),
        make("heavy", ("workload", "focus", "stress")),
    ))
    assert [i.id for i in catalog.matching(["workload", "focus"], "manager")] == ["two", "heavy", "one", "three"]
    assert [i.id for i in catalog.matching(["workload", "focus"], "manager", exclude_tags=["stress"])] == [
        "two", "one", "three"]
    assert [i.id for i in catalog.matching(["workload"], "employee", exclude_ids=["staff"])] == ["three"]
    assert catalog.matching(["onboarding"], "manager") == []
