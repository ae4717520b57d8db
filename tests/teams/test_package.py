"""The Microsoft Teams app package (bot/teams/package.py, ``teamweather teams-package``): exactly
a manifest and two icons, the manifest complete for schema 1.17 with the bot, its commands and
resource-specific consent to read enrolled channels without @mentions."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from bot import texts as t
from bot.cli import cli
from bot.teams import package

APP_ID = "0b5e7c52-3f0a-4d7e-9a51-6c2f1e8d9b01"
KEY_ENV = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32}


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    config = tmp_path / "teamweather.yaml"
    config.write_text("")
    return CliRunner().invoke(cli, ["--config", str(config), "teams-package", *args],
                              env={**KEY_ENV, "MICROSOFT_APP_ID": "", **(env or {})})


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def manifest_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(unzip(path)["manifest.json"])
    return data


def test_the_package_holds_exactly_the_manifest_and_two_icons(tmp_path: Path) -> None:
    out = tmp_path / "teamweather-teams.zip"
    result = run(tmp_path, str(out), "--app-id", APP_ID, "--domain", "teamweather.example.org")
    assert result.exit_code == 0, result.output
    files = unzip(out)
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    assert package.problems(files) == []
    color = Image.open(io.BytesIO(files["color.png"]))
    outline = Image.open(io.BytesIO(files["outline.png"]))
    assert (color.format, color.size) == ("PNG", (192, 192))
    assert (outline.format, outline.size, outline.mode) == ("PNG", (32, 32), "RGBA")
    data = outline.tobytes()
    pixels = [tuple(data[i:i + 4]) for i in range(0, len(data), 4)]
    assert pixels[0][3] == 0 and any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)
    assert {p[:3] for p in pixels if p[3]} == {(255, 255, 255)}  # white on transparent
    assert f"{out}: Teams app package for Teamweather" in result.output


def test_the_manifest_declares_the_bot_its_commands_and_resource_specific_consent(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    assert run(tmp_path, str(out), "--app-id", APP_ID.upper(), "--domain", "teamweather.example.org").exit_code == 0
    m = manifest_of(out)
    assert m["$schema"] == "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
    assert m["manifestVersion"] == "1.17" and m["version"] == "0.1.0"
    assert m["id"] == APP_ID.upper() and m["icons"] == {"color": "color.png", "outline": "outline.png"}
    [bot] = m["bots"]
    assert bot["botId"] == APP_ID.upper() and sorted(bot["scopes"]) == ["personal", "team"]
    commands = {c["scopes"][0]: [x["title"] for x in c["commands"]] for c in bot["commandLists"]}
    assert commands == {"personal": ["status", "pause", "resume", "forget-me", "mydata", "mytraining", "help"],
                        "team": ["optin", "optout", "help"]}
    assert {x["title"]: x["description"] for c in bot["commandLists"] for x in c["commands"]}["forget-me"] == \
        t.TEAMS_PERSONAL_COMMANDS["forget-me"]
    assert m["authorization"] == {"permissions": {"resourceSpecific": [
        {"name": "ChannelMessage.Read.Group", "type": "Application"}]}}
    assert m["webApplicationInfo"]["id"] == APP_ID.upper() and m["webApplicationInfo"]["resource"]
    assert m["validDomains"] == ["teamweather.example.org"]
    assert set(m["developer"]) == {"name", "websiteUrl", "privacyUrl", "termsOfUseUrl"}


def test_placeholder_urls_are_flagged_until_replaced(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    flagged = run(tmp_path, str(out), "--app-id", APP_ID)
    assert flagged.exit_code == 0
    assert flagged.output.count("warning: the package names placeholder") == 3
    assert manifest_of(out)["developer"]["privacyUrl"] == "https://teamweather.example.com/privacy"
    assert manifest_of(out)["validDomains"] == []
    own = run(tmp_path, str(out), "--app-id", APP_ID, "--website-url", "https://mood.example.org/",
              "--privacy-url", "https://mood.example.org/privacy", "--terms-url", "https://mood.example.org/terms",
              "--name", "Mood", "--app-version", "1.2.3")
    assert own.exit_code == 0 and "warning" not in own.output
    m = manifest_of(out)
    assert m["developer"]["termsOfUseUrl"] == "https://mood.example.org/terms" and m["version"] == "1.2.3"
    assert m["name"] == {"short": "Mood", "full": "Mood: weekly team mood"}


def test_the_app_id_comes_from_microsoft_app_id_when_not_given(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    result = run(tmp_path, str(out), env={"MICROSOFT_APP_ID": APP_ID})
    assert result.exit_code == 0, result.output
    assert manifest_of(out)["id"] == APP_ID


def one_error_line(result: Result) -> str:
    assert result.exit_code != 0 and "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ")
    return line


def test_a_missing_app_id_is_one_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    line = one_error_line(run(tmp_path, str(out)))
    assert "no Microsoft app id: pass --app-id or set MICROSOFT_APP_ID" in line
    assert not out.exists()


def test_a_malformed_app_id_or_field_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    assert "is not a GUID" in one_error_line(run(tmp_path, str(out), "--app-id", "not-a-guid"))
    line = one_error_line(run(tmp_path, str(out), "--app-id", APP_ID, "--name", "N" * 31, "--domain", "https://x.example.com/a",
                              "--app-version", "1.0", "--privacy-url", "http://plain.example.com"))
    for problem in ("name.short is longer than 30", "validDomains: 'https://x.example.com/a'", "version is not x.y.z",
                    "developer.privacyUrl is not an https:// URL"):
        assert problem in line
    assert not out.exists()


def test_without_a_usable_config_the_error_says_to_pass_the_app_id(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "missing.yaml"), "teams-package", str(tmp_path / "a.zip")],
                                env={**KEY_ENV, "MICROSOFT_APP_ID": APP_ID})
    assert "no such file" in one_error_line(result) and "(or pass --app-id)" in result.output


def test_problems_names_what_teams_would_refuse() -> None:
    app = package.App(app_id=APP_ID, version="0.1.0")
    good = package.files(app)
    assert package.problems(good) == []
    assert package.problems({**good, "extra.txt": b""}) == ["the package must hold exactly manifest.json, color.png, outline.png"]
    data = json.loads(good["manifest.json"])
    del data["developer"]["privacyUrl"]
    data["bots"][0]["commandLists"][0]["commands"] *= 3
    data["webApplicationInfo"]["resource"] = ""
    broken = {**good, "manifest.json": json.dumps(data).encode()}
    assert package.problems(broken) == [
        "developer.privacyUrl is missing",
        "webApplicationInfo.resource is missing (resource-specific consent needs one)",
        "developer.privacyUrl is not an https:// URL",
        "bots[0].commandLists[0] has more than 10 commands",
    ]
    square = io.BytesIO()
    Image.new("RGBA", (32, 32), (255, 0, 0, 255)).save(square, format="PNG")
    assert package.problems({**good, "outline.png": square.getvalue()}) == ["outline.png must be white on transparent"]
    assert package.problems({**good, "color.png": good["outline.png"]}) == ["color.png must be a 192 × 192 PNG"]
    assert package.problems({**good, "manifest.json": b"{"}) == ["manifest.json is not JSON"]


def test_the_same_inputs_give_the_same_zip(tmp_path: Path) -> None:
    app = package.App(app_id=APP_ID, version="0.1.0")
    package.write(tmp_path / "a.zip", app)
    package.write(tmp_path / "b.zip", app)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


@pytest.mark.parametrize("command", [["teams-package"]])
def test_the_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "--app-id" in result.output and "MICROSOFT_APP_ID" in result.output
