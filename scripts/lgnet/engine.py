"""The one boundary to the speech engine: faster-whisper and, under it, CTranslate2.

Everything lgnet uses of faster-whisper beyond `WhisperModel(...).transcribe()` lives here:
private methods of `WhisperModel` (`_split_segments_by_timestamps`), its window-level steps
(`encode`, `get_prompt`, `generate_with_fallback`, `add_word_timestamps`), its option
dataclass, its tokenizer and VAD, and CTranslate2's `generate` / `align` keyword arguments and
instruction-set switch. The rest of lgnet talks to `ChunkModel.transcribe_chunks`,
`speech_timestamps`, `load_vad`, `prefer_avx512` and `engine_version` only.

`RELIED_ON` lists what this module relies on, and `contract_problems()` checks it against
the installed engine: `tests/test_engine.py` fails with one line per change (what moved,
what it was), so the faster-whisper pin in pyproject.toml can be raised with confidence.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import os
import re
import threading
import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

SAMPLE_RATE = 16000

# --- what lgnet relies on ---------------------------------------------------------------------

# (where, parameters a function or method must accept). A parameter listed here is passed by
# name somewhere in this module; a change of name or a removal breaks the decoding.
RELIED_ON_PARAMETERS: dict[str, tuple[str, ...]] = {
    "faster_whisper.WhisperModel.__init__": (
        "model_size_or_path", "device", "compute_type", "cpu_threads", "num_workers",
    ),
    "faster_whisper.WhisperModel.transcribe": (
        "language", "beam_size", "word_timestamps", "condition_on_previous_text",
        "no_speech_threshold", "log_prob_threshold", "compression_ratio_threshold",
        "hotwords", "initial_prompt", "vad_filter", "temperature", "suppress_tokens",
    ),
    "faster_whisper.WhisperModel.encode": ("features",),
    "faster_whisper.WhisperModel.get_prompt": (
        "tokenizer", "previous_tokens", "without_timestamps", "hotwords",
    ),
    "faster_whisper.WhisperModel.generate_with_fallback": (
        "encoder_output", "prompt", "tokenizer", "options",
    ),
    "faster_whisper.WhisperModel._split_segments_by_timestamps": (
        "tokenizer", "tokens", "time_offset", "segment_size", "segment_duration", "seek",
    ),
    "faster_whisper.WhisperModel.add_word_timestamps": (
        "segments", "tokenizer", "encoder_output", "num_frames", "prepend_punctuations",
        "append_punctuations", "last_speech_timestamp",
    ),
    "faster_whisper.WhisperModel.find_alignment": (
        "tokenizer", "text_tokens", "encoder_output", "num_frames",
    ),
    "faster_whisper.tokenizer.Tokenizer.__init__": (
        "tokenizer", "multilingual", "task", "language",
    ),
    "faster_whisper.transcribe.get_suppressed_tokens": ("tokenizer", "suppress_tokens"),
    "faster_whisper.transcribe.get_compression_ratio": ("text",),
    "faster_whisper.audio.pad_or_trim": ("array",),
    "faster_whisper.vad.get_speech_timestamps": ("audio", "vad_options"),
    # pybind11 functions: read from their docstring signature
    "ctranslate2.models.Whisper.generate": (
        "features", "prompts", "beam_size", "patience", "num_hypotheses", "length_penalty",
        "repetition_penalty", "no_repeat_ngram_size", "max_length", "return_scores",
        "return_no_speech_prob", "max_initial_timestamp_index", "suppress_blank",
        "suppress_tokens", "sampling_topk", "sampling_temperature",
    ),
    "ctranslate2.models.Whisper.encode": ("features",),
    "ctranslate2.models.Whisper.align": (
        "features", "start_sequence", "text_tokens", "num_frames", "median_filter_width",
    ),
}  # fmt: skip

# (dataclass, fields read or set by name)
RELIED_ON_FIELDS: dict[str, tuple[str, ...]] = {
    "faster_whisper.transcribe.TranscriptionOptions": (
        "beam_size", "best_of", "patience", "length_penalty", "repetition_penalty",
        "no_repeat_ngram_size", "log_prob_threshold", "no_speech_threshold",
        "compression_ratio_threshold", "condition_on_previous_text", "temperatures",
        "initial_prompt", "prefix", "suppress_blank", "suppress_tokens", "without_timestamps",
        "max_initial_timestamp", "word_timestamps", "prepend_punctuations",
        "append_punctuations", "multilingual", "clip_timestamps",
        "hallucination_silence_threshold", "hotwords",
    ),
    "faster_whisper.transcribe.Segment": (
        "id", "seek", "start", "end", "text", "tokens", "avg_logprob", "compression_ratio",
        "no_speech_prob", "words", "temperature",
    ),
    "faster_whisper.transcribe.Word": ("start", "end", "word", "probability"),
    "faster_whisper.vad.VadOptions": (
        "threshold", "min_silence_duration_ms", "speech_pad_ms", "max_speech_duration_s",
    ),
}  # fmt: skip

# Attributes of a loaded model (and of its parts) read by name.
RELIED_ON_MODEL_ATTRIBUTES = (
    "hf_tokenizer", "model", "feature_extractor", "max_length", "time_precision",
    "frames_per_second", "tokens_per_second",
)  # fmt: skip
RELIED_ON_FEATURE_ATTRIBUTES = ("hop_length", "time_per_frame", "__call__")
RELIED_ON_TOKENIZER_ATTRIBUTES = (
    "timestamp_begin", "eot", "sot_sequence", "sot_prev", "no_timestamps", "encode", "decode",
    "split_to_word_tokens",
)  # fmt: skip
RELIED_ON_RESULT_ATTRIBUTES = ("sequences_ids", "scores", "no_speech_prob")


def _resolve(dotted: str) -> Any:
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def _parameter_names(func: Any) -> set[str]:
    try:
        return set(inspect.signature(func).parameters)
    except (TypeError, ValueError):  # pybind11: "name(self: ..., a: int, *, b: int = 5) -> ..."
        doc = (getattr(func, "__doc__", None) or "").split("\n", 1)[0]
        inside = doc[doc.find("(") + 1 : doc.rfind(")")]
        return set(re.findall(r"(?:^|,\s*)\*?\s*(\w+)\s*:", inside))


def contract_problems(model: Any = None) -> list[str]:
    """What lgnet relies on that the installed engine no longer has, one line each (empty
    when everything is in place). With a loaded `model`, its attributes are checked too."""
    problems: list[str] = []
    for where, names in RELIED_ON_PARAMETERS.items():
        try:
            found = _parameter_names(_resolve(where))
        except (ImportError, AttributeError) as exc:
            problems.append(f"{where}: not found ({exc})")
            continue
        missing = [n for n in names if n not in found]
        if missing:
            problems.append(f"{where}: parameters {missing} gone (has {sorted(found)})")
    for where, names in RELIED_ON_FIELDS.items():
        try:
            fields = {f.name for f in dataclasses.fields(_resolve(where))}
        except (ImportError, AttributeError, TypeError) as exc:
            problems.append(f"{where}: not a dataclass any more ({exc})")
            continue
        missing = [n for n in names if n not in fields]
        if missing:
            problems.append(f"{where}: fields {missing} gone (has {sorted(fields)})")
    if model is not None:
        tokenizer = _tokenizer(model, "it")
        for label, obj, names in (
            ("WhisperModel instance", model, RELIED_ON_MODEL_ATTRIBUTES),
            ("WhisperModel.feature_extractor", model.feature_extractor,
             RELIED_ON_FEATURE_ATTRIBUTES),
            ("faster_whisper.tokenizer.Tokenizer", tokenizer, RELIED_ON_TOKENIZER_ATTRIBUTES),
        ):  # fmt: skip
            missing = [n for n in names if not hasattr(obj, n)]
            if missing:
                problems.append(f"{label}: attributes {missing} gone")
    return problems


# --- the processor's instruction set ---------------------------------------------------------

# CTranslate2's own kernels (softmax, layer norm, the beam search's top-k over Whisper's 51,865
# tokens...) have AVX-512 versions, but the engine picks them only on Intel processors: on an AMD
# processor with AVX-512 (Zen 4 and later) it runs the AVX2 ones. Measured here (AMD EPYC, one
# thread, 30 s of speech, beam 5): the same transcript, decoded 1.5x faster with AVX-512.
_AVX512_FLAGS = frozenset({"avx512f", "avx512bw", "avx512dq", "avx512vl"})
ISA_VARIABLE = "CT2_FORCE_CPU_ISA"


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
    if ISA_VARIABLE in env:
        return env[ISA_VARIABLE]
    if (cpu_flags() if flags is None else flags) >= _AVX512_FLAGS:
        env[ISA_VARIABLE] = "AVX512"
        return "AVX512"
    return ""


def engine_version() -> str:
    import faster_whisper

    return str(getattr(faster_whisper, "__version__", "unknown"))


# --- voice activity ------------------------------------------------------------------------------


def load_vad() -> Any:
    """The Silero voice-activity model shipped with faster-whisper (loaded once per process,
    with the speech model, rather than when the first recording is being decoded)."""
    from faster_whisper.vad import get_vad_model

    return get_vad_model()


def speech_timestamps(
    audio: Any,
    *,
    threshold: float,
    min_silence_duration_ms: int,
    speech_pad_ms: int,
    max_speech_duration_s: float = float("inf"),
) -> list[tuple[int, int]]:
    """Sample ranges of 16 kHz float audio that Silero hears as speech, padded."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        threshold=threshold,
        min_silence_duration_ms=min_silence_duration_ms,
        speech_pad_ms=speech_pad_ms,
        max_speech_duration_s=max_speech_duration_s,
    )
    return [(int(s["start"]), int(s["end"])) for s in get_speech_timestamps(audio, vad)]


# --- the chunk model -----------------------------------------------------------------------------


def _tokenizer(model: Any, language: str) -> Any:
    from faster_whisper.tokenizer import Tokenizer

    return Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
    )


@functools.cache
def chunk_model_class() -> type[Any]:
    """faster-whisper's model with two additions for speech already cut into chunks.

    * `transcribe_chunks`: each chunk (at most 30 s) is decoded as exactly one Whisper window,
      and several chunks are decoded in one batched beam search. With beam 5 on one core, a
      decoding step costs little more for four chunks than for one (the weights are read
      once per step), so the batch is where most of the decoder's time is saved. Per chunk,
      everything else is what `WhisperModel.transcribe` does with the same arguments:
      the same prompt (with the hotwords), timestamp rules, the temperature fallback (run
      for that chunk alone), the no-speech test and the word alignment. What it does not do
      is decode the rest of the window again after the last word: that "tail" is decoded
      by `lgnet.decoding` only when the VAD heard speech there.
    * An encoder that skips the zero padding of short windows (`trim`): Whisper always
      encodes 30 s of features, and the encoder's attention costs more than linearly in
      the window's length. CTranslate2 accepts shorter inputs, so the padding beyond the
      audio is cut, keeping `padding_frames` of it (measured: some padding keeps the
      accuracy of the full window).
    """
    import ctranslate2
    import numpy as np
    from faster_whisper import WhisperModel
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.transcribe import (
        Segment,
        TranscriptionOptions,
        Word,
        get_compression_ratio,
        get_suppressed_tokens,
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
        min_frames = 200  # a trimmed window is never shorter than this
        # CPU seconds of the process per step (features, encode, generate, fallback, align)
        # when set to a dict: meaningful with one decoding at a time, as bench/asr.py
        # --profile runs it (the engine computes in its own threads); None costs nothing
        profile: dict[str, float] | None = None
        _profile_lock = threading.Lock()

        @contextlib.contextmanager
        def _step(self, name: str) -> Iterator[None]:
            if self.profile is None:
                yield
                return
            start = time.process_time()
            try:
                yield
            finally:
                with self._profile_lock:
                    self.profile[name] = self.profile.get(name, 0.0) + time.process_time() - start

        def encode_chunks(self, features: Any, content: int) -> Any:
            """Encode a batch of 30-second feature windows whose audio fills `content`
            frames at most (trimmed when that is short)."""
            if self.trim and content <= self.max_content_frames:
                frames = min(
                    features.shape[-1], max(content + self.padding_frames, self.min_frames)
                )
                frames += frames % 2  # the encoder's convolution has stride 2
                features = np.ascontiguousarray(features[..., :frames])
            return self.encode(features)

        def transcribe_chunks(self, chunks: list[Any], **kwargs: Any) -> list[list[Any]]:
            """Decode each 16 kHz float32 chunk (at most 30 s) as one window, all in one
            batch; return, per chunk, faster-whisper `Segment`s timed from its start."""
            if not chunks:
                return []
            params = {**defaults, **kwargs}
            tokenizer = _tokenizer(self, params["language"])
            options = options_for(params, tokenizer)
            with self._step("features"):
                features = np.stack(
                    [pad_or_trim(self.feature_extractor(chunk)[..., :-1]) for chunk in chunks]
                )
            frames = [min(len(c) // self.feature_extractor.hop_length, 3000) for c in chunks]
            with self._step("encode"):
                encoded = self.encode_chunks(features, max(frames))
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
            with self._step("generate"):
                results = self._generate(encoded, prompt, len(chunks), options, sampling)
            outputs = np.asarray(encoded)
            found: list[list[Any]] = []
            for n, result in enumerate(results):
                own = ctranslate2.StorageView.from_array(np.ascontiguousarray(outputs[n : n + 1]))
                found.append(self._one_window(result, own, frames[n], prompt, tokenizer, options))
            return found

        def _generate(
            self, encoded: Any, prompt: list[int], count: int, options: Any, sampling: Any
        ) -> Any:
            return self.model.generate(
                encoded,
                [prompt] * count,
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
                with self._step("fallback"):
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
                with self._step("align"):
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


# --- forced alignment (lgnet.align) ------------------------------------------------------------

# faster-whisper's defaults for `transcribe` (punctuation glued to the word before/after).
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"


def tokenizer(model: Any, language: str) -> Any:
    """Whisper's tokenizer for transcribing `language`."""
    return _tokenizer(model, language)


def text_tokens(tokenizer: Any, text: str) -> list[int]:
    """The text's tokens as Whisper's decoder would have written them (leading space)."""
    return list(tokenizer.encode(" " + text.strip()))


def encode_window(model: Any, audio: Any, trim: bool) -> tuple[Any, int]:
    """Encoder output of one window (at most 30 s of 16 kHz float audio, zero-padded to
    Whisper's 30 s; with `trim`, short windows keep only part of the padding, see
    `ChunkModel.encode_chunks`) and the number of feature frames that hold audio."""
    import numpy as np
    from faster_whisper.audio import pad_or_trim

    features = model.feature_extractor(audio)[..., :-1]
    frames = min(len(audio) // model.feature_extractor.hop_length, features.shape[-1], 3000)
    if trim:
        return model.encode_chunks(np.stack([pad_or_trim(features)]), frames), frames
    return model.encode(pad_or_trim(features)), frames


def word_timings(
    model: Any, tokenizer: Any, tokens: list[int], encoded: Any, frames: int
) -> list[dict[str, Any]]:
    """Whisper's word timestamps for `tokens`, as if the decoder had written them in this
    window: dicts with word (leading space, punctuation attached), start, end (seconds from
    the window's start) and probability (the model's mean probability of the word's tokens).
    CTranslate2's `Whisper.align` plus Whisper's grouping of tokens into words, its
    punctuation merging and its "long word at a sentence boundary" rules."""
    duration = frames * model.feature_extractor.time_per_frame
    pieces = [[{"seek": 0, "start": 0.0, "end": duration, "tokens": tokens}]]
    model.add_word_timestamps(
        pieces,
        tokenizer,
        encoded,
        frames,
        PREPEND_PUNCTUATIONS,
        APPEND_PUNCTUATIONS,
        last_speech_timestamp=0.0,
    )
    return list(pieces[0][0].get("words") or [])


def create_model(
    source: str,
    *,
    cpu_threads: int,
    num_workers: int,
    trim: bool,
    padding_frames: int,
    max_content_frames: int,
    min_frames: int = 200,
) -> Any:
    """A `ChunkModel` on the CPU with int8 weights; raises whatever the engine raises."""
    settings = {
        "trim": trim,
        "padding_frames": padding_frames,
        "max_content_frames": max_content_frames,
        "min_frames": min_frames,
    }
    model_class: type[Any] = type("ChunkModel", (chunk_model_class(),), settings)
    return model_class(
        source,
        device="cpu",
        compute_type="int8",
        cpu_threads=cpu_threads,
        num_workers=num_workers,
    )


def plain_model(source: str, *, cpu_threads: int = 0) -> Any:
    """faster-whisper's own `WhisperModel`, as it comes (the benchmark's baseline)."""
    from faster_whisper import WhisperModel

    return WhisperModel(source, device="cpu", compute_type="int8", cpu_threads=cpu_threads)


__all__ = [
    "RELIED_ON_FIELDS",
    "RELIED_ON_PARAMETERS",
    "SAMPLE_RATE",
    "chunk_model_class",
    "contract_problems",
    "cpu_flags",
    "create_model",
    "encode_window",
    "engine_version",
    "load_vad",
    "plain_model",
    "prefer_avx512",
    "speech_timestamps",
    "text_tokens",
    "tokenizer",
    "word_timings",
]
