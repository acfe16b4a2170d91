"""The contract with the speech engine: what lgnet.engine relies on in faster-whisper and
CTranslate2 is still there. When a new faster-whisper breaks it, these tests say what changed,
one line each, before any transcript comes out wrong."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lgnet import engine
from lgnet.media import extract_audio, open_audio

from .conftest import DATA, REPO


@pytest.fixture(scope="module")
def model() -> object:
    from lgnet.asr import load_model, resolve_model

    return load_model(resolve_model(None), cpu_threads=1, num_workers=1)


def test_what_lgnet_relies_on_is_in_the_installed_engine(model: object) -> None:
    problems = engine.contract_problems(model)
    assert not problems, "faster-whisper/CTranslate2 changed:\n" + "\n".join(problems)


def test_a_change_is_named_not_hidden() -> None:
    """The checker itself: a parameter or field the engine does not have is reported."""
    saved = dict(engine.RELIED_ON_PARAMETERS), dict(engine.RELIED_ON_FIELDS)
    try:
        engine.RELIED_ON_PARAMETERS["faster_whisper.WhisperModel.get_prompt"] += ("prefixes",)
        engine.RELIED_ON_PARAMETERS["ctranslate2.models.Whisper.generate"] += ("top_p",)
        engine.RELIED_ON_FIELDS["faster_whisper.transcribe.Word"] += ("confidence",)
        engine.RELIED_ON_PARAMETERS["faster_whisper.WhisperModel.split_by_time"] = ("x",)
        problems = engine.contract_problems()
    finally:
        engine.RELIED_ON_PARAMETERS.clear()
        engine.RELIED_ON_PARAMETERS.update(saved[0])
        engine.RELIED_ON_FIELDS.clear()
        engine.RELIED_ON_FIELDS.update(saved[1])
    assert len(problems) == 4, problems
    assert any("get_prompt" in p and "prefixes" in p for p in problems)
    assert any("Whisper.generate" in p and "top_p" in p for p in problems)
    assert any("Word" in p and "confidence" in p for p in problems)
    assert any("split_by_time: not found" in p for p in problems)


def test_one_short_window_goes_through_every_internal_step(model: object) -> None:
    """Features, trimmed encoder, prompt with hotwords, batched beam search, the temperature
    fallback (forced by an impossible log-prob threshold), the split by timestamps and the
    word alignment, on one real 5-second sentence."""
    import numpy as np

    audio = np.asarray(open_audio(extract_audio(DATA / "picovoice_cheetah_test_it.wav")))
    chunk = audio.astype(np.float32) / 32768
    (pieces,) = model.transcribe_chunks(  # type: ignore[attr-defined]
        [chunk], language="it", beam_size=5, word_timestamps=True, hotwords="vetta"
    )
    text = " ".join(p.text for p in pieces).lower()
    assert "vetta" in text and "cresta" in text
    words = [w for p in pieces for w in p.words]
    assert words and all(0 <= w.start <= w.end <= 5.5 for w in words)
    assert all(0 <= w.probability <= 1 for w in words)
    (fallback,) = model.transcribe_chunks(  # type: ignore[attr-defined]
        [chunk], language="it", beam_size=5, log_prob_threshold=0.0, temperature=[0.0, 0.5]
    )
    assert fallback and fallback[0].temperature == 0.5


def test_only_the_engine_module_imports_the_engine() -> None:
    """One boundary: no other module of the package imports faster-whisper or CTranslate2."""
    offenders = []
    for path in sorted((REPO / "scripts" / "lgnet").rglob("*.py")):
        if path.name == "engine.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] in ("faster_whisper", "ctranslate2") for n in names):
                offenders.append(f"{Path(path).relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_a_given_text_is_timed_word_by_word(model: object) -> None:
    """The steps forced alignment uses (lgnet.align): the encoder on one window, the decoder
    given the text instead of choosing it, the cross-attention timing each word."""
    import numpy as np

    audio = np.asarray(open_audio(extract_audio(DATA / "picovoice_cheetah_test_it.wav")))
    chunk = audio.astype(np.float32) / 32768
    tokenizer = engine.tokenizer(model, "it")
    tokens = engine.text_tokens(tokenizer, "Dal passo si sale sulla vetta lungo la cresta sud.")
    for trim in (False, True):
        encoded, frames = engine.encode_window(model, chunk, trim)
        words = engine.word_timings(model, tokenizer, tokens, encoded, frames)
        assert [w["word"].strip() for w in words][-2:] == ["cresta", "sud."]
        starts = [w["start"] for w in words]
        assert starts == sorted(starts) and starts[0] >= 0 and words[-1]["end"] <= 5.0
