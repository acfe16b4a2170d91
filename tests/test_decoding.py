"""How one recording is decoded (lgnet.decoding): chunks, batches, the glossary decision, the
speech the model left out decoded again, and no word written twice where decodings meet."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from lgnet.archive import load_archive
from lgnet.decoding import (
    FAST,
    batches,
    decode,
    join,
    merge_spans,
    quiet_cuts,
    speech_spans,
)
from lgnet.media import extract_audio, open_audio
from lgnet.project import Project
from lgnet.transcripts import Segment, Word

from .asr_quality import CLIPS, normalise, references, wer
from .conftest import DATA, REPO
from .media_factory import concat

REFS = references(DATA / "references.tsv")


def _segment(*words: tuple[float, float, str]) -> Segment:
    ws = [Word(a, b, w, 0.8) for a, b, w in words]
    return Segment(ws[0].start, ws[-1].end, "".join(w.word for w in ws).strip(), None, ws)


def _text(segments: list[Segment]) -> str:
    return " ".join(s.text for s in segments)


# --- where two decodings meet --------------------------------------------------------------------


def test_a_word_cut_short_at_the_edge_is_replaced_by_the_word_heard_whole() -> None:
    # the first decoding stopped inside "riconoscimento" and wrote "di"; the second one starts
    # at that word and hears it whole
    written = [_segment((1.0, 1.4, " il"), (1.4, 1.9, " di"))]
    found = [_segment((1.4, 2.6, " riconoscimento"), (2.6, 3.0, " facciale."))]
    assert _text(join(written, found, 1.4, 4.0) or []) == "il riconoscimento facciale."


def test_words_heard_by_both_decodings_are_written_once() -> None:
    written = [_segment((1.0, 1.4, " la"), (1.4, 1.9, " rete")), _segment((6.0, 6.5, " Roma."))]
    # the new decoding repeats the word before the stretch and the one after it
    found = [_segment((1.4, 1.9, " rete"), (2.0, 3.0, " dei comuni"), (6.0, 6.4, " Roma."))]
    assert _text(join(written, found, 1.4, 6.0) or []) == "la rete dei comuni Roma."
    # a new decoding that only repeats what was written adds nothing
    assert join(written, [_segment((1.4, 1.9, " rete"))], 1.4, 6.0) is None


def test_a_written_word_unlike_the_new_one_is_kept() -> None:
    written = [_segment((10.0, 10.6, " Corea."))]
    found = [_segment((10.0, 10.8, " Il"), (10.8, 11.5, " satellite"))]
    assert _text(join(written, found, 10.0, 14.0) or []) == "Corea. Il satellite"


# --- speech Whisper left out is decoded again ----------------------------------------------------

SENTENCE = (
    "Il satellite nello spazio riceve il segnale e poi lo rimanda indietro quasi all'istante."
)


class _EndsEarly:
    """Stands in for the Whisper model in one way only: it hears the words of the sentence at
    fixed times (0.6 s each from 0.8 s), but on every range it is given it stops writing after
    3.5 s, and writes the word it stops inside as a mishearing of its first two letters
    ("di" for "riceve"), as Whisper does when it ends a window before the speech does. What
    is under test is the decoder's recovery, with the real VAD on real speech."""

    def __init__(self, audio: np.ndarray, writes: bool = True) -> None:
        self.audio = audio
        self.writes = writes
        self.calls: list[tuple[float, float]] = []
        words = SENTENCE.split()
        self.script = [(0.8 + 0.6 * i, 1.4 + 0.6 * i, w) for i, w in enumerate(words)]

    def _offset(self, chunk: np.ndarray) -> float:
        k = int(np.flatnonzero(chunk)[0])
        for i in np.flatnonzero(self.audio == chunk[k]) - k:
            if np.array_equal(self.audio[i : i + 512], chunk[:512]):
                return float(i) / 16000
        raise AssertionError("chunk not found in the audio")

    def transcribe_chunks(self, chunks: list[np.ndarray], **_: object) -> list[list[object]]:
        out: list[list[object]] = []
        for chunk in chunks:
            start = self._offset(chunk)
            stop = start + 3.5
            self.calls.append((start, start + len(chunk) / 16000))
            words = []
            for a, b, w in self.script:
                if a < start - 0.05 or a >= stop:
                    continue
                heard = w if b <= stop else "di" if w == "riceve" else w[:2]
                words.append(
                    SimpleNamespace(
                        start=a - start, end=min(b, stop) - start, word=" " + heard, probability=0.9
                    )
                )
            if not self.writes or not words:
                out.append([])
                continue
            text = "".join(w.word for w in words)
            piece = SimpleNamespace(
                text=text, start=words[0].start, end=words[-1].end, avg_logprob=-0.2,
                no_speech_prob=0.01, words=words,
            )  # fmt: skip
            out.append([piece])
        return out


def test_speech_after_the_last_written_word_is_decoded_again_without_doubles() -> None:
    samples = open_audio(extract_audio(DATA / "fleurs_it_1521.wav"))  # one 10-second sentence
    audio = np.asarray(samples, dtype=np.float32) / 32768
    model = _EndsEarly(audio)
    segments = decode(model, samples, FAST, [])
    # the first pass stopped 3.5 s in, inside "riceve" (written "di"); the rest was decoded
    # again twice, each time from the start of the word cut short, which is replaced
    assert len(model.calls) == 3
    starts = [a for a, _ in model.calls]
    assert starts == sorted(starts) and starts[1] == pytest.approx(3.2, abs=0.01)
    assert _text(segments) == SENTENCE
    assert [w.word.strip() for s in segments for w in s.words] == SENTENCE.split()

    # nothing written at all (noise, music): no second try
    silent = _EndsEarly(audio, writes=False)
    assert decode(silent, samples, FAST, []) == []
    assert len(silent.calls) == 1


def test_speech_cut_without_a_pause_is_cut_at_its_quietest_moment() -> None:
    rate = 16000
    audio = np.random.RandomState(0).uniform(-0.5, 0.5, 40 * rate).astype(np.float32)
    audio[int(19.4 * rate) : int(19.5 * rate)] *= 0.01  # a short dip 0.6 s before the cut
    chunks = [(0, 20 * rate), (20 * rate, 38 * rate), (39 * rate, 40 * rate)]
    (a, b), (c, d), last = quiet_cuts(chunks, audio, 30 * rate)
    assert a == 0 and b == c and 19.4 * rate <= b <= 19.5 * rate and d == 38 * rate
    assert last == chunks[2]  # chunks that do not touch are left as they are
    # no chunk grows past the limit: the second one may not start earlier than 8 s before
    (_, b), (c, d) = quiet_cuts(chunks[:2], audio, 18 * rate + rate // 10)[:2]
    assert d - c <= 18 * rate + rate // 10 and b == c


def test_batches_keep_every_core_busy_and_lose_no_chunk() -> None:
    chunks = [(i * 100, i * 100 + i) for i in range(1, 21)]  # lengths 1..20
    out = batches(chunks, 4, 2)
    assert sorted(c for b in out for c in b) == chunks
    assert len(out) % 2 == 0 and max(len(b) for b in out) <= 4
    lengths = [b[0][1] - b[0][0] for b in out]
    assert lengths == sorted(lengths, reverse=True)  # the longest first
    assert [len(b) for b in batches(chunks[:3], 4, 2)] == [2, 1]
    assert batches([], 4, 2) == []


# --- the real model -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replicas() -> object:
    from lgnet.asr import resolve_model
    from lgnet.transcribe import load_decoder_model

    return load_decoder_model(resolve_model(None), FAST, 2)


def _doubled(words: list[str], n: int) -> set[str]:
    """n-grams written twice in a row ("di di", "il satellite il satellite")."""
    return {
        " ".join(words[i : i + n])
        for i in range(len(words) - 2 * n + 1)
        if words[i : i + n] == words[i + n : i + 2 * n]
    }


@pytest.mark.slow
def test_no_word_is_doubled_or_lost_where_chunks_and_recoveries_meet(
    replicas: object, tmp_path: Path
) -> None:
    """Real speech with no pauses between sentences, so the 30-second chunks are cut inside
    continuous speech and Whisper ends windows early and skips sentences (before the
    recovery covered skipped sentences, two whole sentences were lost here)."""
    order = CLIPS + CLIPS[3:] + CLIPS[:3] + CLIPS[5:] + CLIPS[:5]
    path = concat([DATA / c for c in order], tmp_path / "continuous.wav", gap=0.0)
    reference = " ".join(REFS[c] for c in order)
    samples = open_audio(extract_audio(path))
    chunks = merge_spans(
        speech_spans(np.asarray(samples, dtype=np.float32) / 32768, FAST),
        int(FAST.chunk_seconds * 16000),
    )
    assert len(chunks) >= 5  # many boundaries inside speech
    segments = decode(replicas, samples, FAST, [], workers=2)
    hypothesis = _text(segments)
    words, ref_words = normalise(hypothesis).split(), normalise(reference).split()
    for n in (1, 2, 3, 4):
        assert _doubled(words, n) <= _doubled(ref_words, n), (n, hypothesis)
    import jiwer

    alignment = jiwer.process_words(" ".join(ref_words), " ".join(words)).alignments[0]
    lost = [a.ref_end_idx - a.ref_start_idx for a in alignment if a.type == "delete"]
    assert max(lost, default=0) <= 2, hypothesis  # no phrase lost, at most a word or two
    assert wer(reference, hypothesis) <= 0.2
    starts = [s.start for s in segments]
    assert starts == sorted(starts)


@pytest.mark.slow
def test_while_the_glossary_is_decided_the_other_core_decodes_ahead(replicas: object) -> None:
    from dataclasses import replace

    class Recorder:
        """The real model, with every call to it recorded: (start, end, chunks, hints)."""

        def __init__(self) -> None:
            self.calls: list[tuple[float, float, int, bool]] = []

        def transcribe_chunks(self, chunks: list[object], **kwargs: object) -> list[list[object]]:
            start = time.perf_counter()
            out: list[list[object]] = replicas.transcribe_chunks(chunks, **kwargs)  # type: ignore[attr-defined]
            self.calls.append((start, time.perf_counter(), len(chunks), "hotwords" in kwargs))
            return out

    vocabulary = load_archive(Project(REPO)).vocabulary()
    # real speech about something else, several chunks: the second is decoded while the first
    # decides that no hints are needed, and kept; the text is what no hints at all give
    audio = open_audio(extract_audio(DATA / "longform_dev.mp4"))
    model = Recorder()
    auto = decode(model, audio, FAST, vocabulary, workers=2)
    (a0, a1, *_), (b0, b1, *_) = sorted(model.calls)[:2]
    assert max(a0, b0) < min(a1, b1)  # at the same time (a third call may redo a tail)
    assert not any(hints for *_, hints in model.calls)
    plain = decode(replicas, audio, replace(FAST, glossary_hints="none"), vocabulary, workers=2)
    # the same text but for a word or two: chunks batched differently are encoded with a
    # little more or less zero padding (a batch is as long as its longest chunk)
    assert wer(_text(plain), _text(auto)) < 0.1
    # with every core busy on other recordings, nothing is decoded on a guess
    busy = Recorder()
    again = decode(busy, audio, FAST, vocabulary, workers=2, idle_cores=lambda: False)
    assert wer(_text(auto), _text(again)) < 0.1
    (a0, a1, *_), (b0, b1, *_) = sorted(busy.calls)[:2]
    assert b0 >= a1  # the first chunk alone, then the rest

    # a narration about the network (it names ANCI and LGNetEA at once): the guess is
    # dropped, and every chunk, the first included, is decoded again with the hints
    narration = open_audio(extract_audio(REPO / "archive/media/rete-workshop-one-stop-shop.m4a"))
    model = Recorder()
    hinted = decode(model, narration, FAST, vocabulary, workers=2)
    first, guess = sorted(model.calls)[:2]
    assert first[2] == guess[2] == 1 and not first[3] and not guess[3]
    samples = np.asarray(narration, dtype=np.float32) / 32768
    chunks = merge_spans(speech_spans(samples, FAST), int(FAST.chunk_seconds * 16000))
    with_hints = [c for c in model.calls if c[3]]
    assert len(chunks) >= 2 and sum(c[2] for c in with_hints) >= len(chunks)
    # decided by the first chunk: no hinted decode before one of the two unhinted calls ended
    # (the two start together on two cores, so either may have been recorded first)
    assert min(c[0] for c in with_hints) >= min(first[1], guess[1])
    assert "ANCI" in _text(hinted)
