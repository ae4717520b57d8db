"""The bundled base encoder is found and its weights are verified before use."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from analyzers.base_model import BASE_SHA256, NEEDED, WEIGHTS, packaged_dir, sha256_of, verified_dir
from domain.errors import ModelError


def test_the_installed_package_holds_the_expected_weights() -> None:
    directory = verified_dir()
    assert directory == packaged_dir()
    assert sha256_of(directory / WEIGHTS) == BASE_SHA256


def copy_of_base(tmp_path: Path) -> Path:
    target = tmp_path / "base"
    target.mkdir()
    for name in NEEDED:
        if name != WEIGHTS:
            shutil.copy(packaged_dir() / name, target / name)
    (target / WEIGHTS).write_bytes(b"not the weights")
    return target


def test_altered_weights_are_refused_naming_both_hashes(tmp_path: Path) -> None:
    directory = copy_of_base(tmp_path)
    with pytest.raises(ModelError) as err:
        verified_dir(directory)
    actual = hashlib.sha256(b"not the weights").hexdigest()
    assert actual in str(err.value) and BASE_SHA256 in str(err.value)
    assert verified_dir(directory, expected_sha256=actual) == directory


def test_missing_files_are_named(tmp_path: Path) -> None:
    directory = copy_of_base(tmp_path)
    (directory / "tokenizer.json").unlink()
    (directory / WEIGHTS).unlink()
    with pytest.raises(ModelError, match="incomplete: model.safetensors, tokenizer.json missing"):
        verified_dir(directory)
