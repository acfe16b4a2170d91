"""Speaker turns from the audio (lgnet.diarize, the optional `speakers` extra): the weights
reader, the numpy voice encoder on real voices, diarization of a conversation assembled from
real clips (bench/diarization.py), and `lgnet speakers --suggest`."""

from __future__ import annotations

import itertools
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import yaml
from bench.diarization import CONVERSATIONS, assemble, der
from click.testing import CliRunner

from lgnet import diarize
from lgnet.archive import Speaker, Turn
from lgnet.cli import main
from lgnet.media import extract_audio, load_audio

from .conftest import DATA, REPO

ITEM = "rete-prova-voci-reali"  # the seven real clips joined with 0.8 s pauses


@pytest.fixture(scope="module")
def encoder() -> diarize.VoiceEncoder:
    return diarize.VoiceEncoder.load()


def clip(name: str) -> np.ndarray:
    return load_audio(extract_audio(DATA / name))


# --- the weights -------------------------------------------------------------------------------


def test_weights_are_read_from_the_wheel_without_torch() -> None:
    saved = diarize.read_legacy_torch(diarize.weights_path())
    state = saved["model_state"]
    assert state["lstm.weight_ih_l0"].shape == (1024, 40)
    for layer in range(3):
        assert state[f"lstm.weight_hh_l{layer}"].shape == (1024, 256)
        assert state[f"lstm.bias_ih_l{layer}"].shape == (1024,)
    assert state["linear.weight"].shape == (256, 256)
    assert all(a.dtype == np.float32 and np.isfinite(a).all() for a in state.values())
    # the LSTM's tensors are views at different offsets of one storage: not the same numbers
    assert not np.array_equal(state["lstm.weight_hh_l1"], state["lstm.weight_hh_l2"])
    import sys

    assert "torch" not in sys.modules and "resemblyzer" not in sys.modules


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _legacy_file(path: Path, obj: object) -> None:
    with path.open("wb") as out:
        for head in (diarize.LEGACY_MAGIC, 1001, {"little_endian": True}):
            pickle.dump(head, out, protocol=2)
        pickle.dump(obj, out, protocol=2)
        pickle.dump([], out, protocol=2)


def test_weights_file_asking_for_other_globals_is_refused_before_running_them(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pt"
    _legacy_file(evil, {"model_state": _Evil(marker)})
    with pytest.raises(diarize.SpeakerModelError, match=r"system.*non previsto"):
        diarize.read_legacy_torch(evil)
    assert not marker.exists()


def test_truncated_or_foreign_weights_give_one_clear_error(tmp_path: Path) -> None:
    real = diarize.weights_path().read_bytes()
    cut = tmp_path / "cut.pt"
    cut.write_bytes(real[: len(real) // 2])
    with pytest.raises(diarize.SpeakerModelError, match=r"troncato|illeggibile"):
        diarize.read_legacy_torch(cut)
    other = tmp_path / "other.pt"
    other.write_bytes(b"PK\x03\x04" + b"\0" * 64)  # a zip-format torch file
    with pytest.raises(diarize.SpeakerModelError):
        diarize.read_legacy_torch(other)
    bad = tmp_path / "bad.pt"
    _legacy_file(bad, {"model_state": {}})
    with pytest.raises(diarize.SpeakerModelError, match="incompleti"):
        diarize.VoiceEncoder.load(bad)
    assert struct.calcsize("<q") == 8  # the element count before each storage


# --- features and embeddings -------------------------------------------------------------------


def test_mel_frames_of_a_range_match_the_whole_spectrogram() -> None:
    audio = clip("picovoice_cheetah_test_it.wav")
    whole = diarize.mel_frames(audio)
    assert whole.shape == (1 + len(audio) // 160, 40)
    samples = (audio * 32768).astype(np.int16)
    part = diarize.mel_range(samples, 2.0, 100, 400)
    expected = diarize.mel_frames(samples.astype(np.float32) / 32768 * 2.0)[100:400]
    assert np.allclose(part, expected, rtol=1e-4, atol=1e-6)
    # Slaney mel filters: 40 triangles, each of area-normalised height, covering 0-8 kHz
    filters = diarize.mel_filters()
    assert filters.shape == (40, 201) and (filters.max(axis=1) > 0).all()


def test_batched_encoder_matches_the_textbook_lstm(encoder: diarize.VoiceEncoder) -> None:
    # PyTorch's LSTM equations, one window and one step at a time, in float64, from the
    # weights as saved: the batched, reordered, in-place version must give the same vector.
    state = diarize.read_legacy_torch(diarize.weights_path())["model_state"]
    audio = clip("picovoice_leopard_test_it.wav")
    mels = diarize.mel_frames(audio * diarize.volume_gain(audio))
    windows = np.stack([mels[0:160], mels[150:310]])

    def sigmoid(x: np.ndarray) -> np.ndarray:
        result: np.ndarray = 1 / (1 + np.exp(-x))
        return result

    expected = []
    for window in windows.astype(np.float64):
        x = window
        for layer in range(3):
            w_ih, w_hh = state[f"lstm.weight_ih_l{layer}"], state[f"lstm.weight_hh_l{layer}"]
            b = state[f"lstm.bias_ih_l{layer}"] + state[f"lstm.bias_hh_l{layer}"]
            h, c, out = np.zeros(256), np.zeros(256), []
            for step in x:
                i, f, g, o = np.split(w_ih @ step + w_hh @ h + b, 4)
                c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
                h = sigmoid(o) * np.tanh(c)
                out.append(h)
            x = np.array(out)
        raw = np.maximum(state["linear.weight"] @ h + state["linear.bias"], 0)
        expected.append(raw / np.linalg.norm(raw))
    assert np.allclose(encoder.embed(windows), np.array(expected), atol=2e-4)


def test_same_voice_is_closer_than_other_voices(encoder: diarize.VoiceEncoder) -> None:
    names = [
        "cv_it_19574384.mp3",
        "cv_it_19574386.mp3",  # the same contributor as the one above (bench/diarization.py)
        "fleurs_it_1521.wav",
        "picovoice_cheetah_test_it_2024.wav",
        "picovoice_leopard_test_it.wav",
    ]
    halves: dict[str, list[np.ndarray]] = {}
    for name in names:
        audio = clip(name)
        audio = audio * diarize.volume_gain(audio)
        mels = diarize.mel_frames(audio)
        windows = np.stack([mels[i : i + 160] for i in range(0, len(mels) - 160, 40)])
        emb = encoder.embed(windows)
        assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-4) and (emb >= 0).all()
        half = len(emb) // 2
        halves[name] = [_mean(emb[:half]), _mean(emb[half:])]
    for name, (first, second) in halves.items():
        others = [float(first @ h) for other, hs in halves.items() if other != name for h in hs]
        if name.startswith("cv_it_1957438"):
            others = [s for s in others if s < 0.65]  # leave out the same contributor's clip
        assert float(first @ second) > max(others) + 0.1, name
    cv = halves["cv_it_19574384.mp3"][0] @ halves["cv_it_19574386.mp3"][0]
    fleurs = halves["cv_it_19574384.mp3"][0] @ halves["fleurs_it_1521.wav"][0]
    assert cv > fleurs + 0.1


def _mean(emb: np.ndarray) -> np.ndarray:
    mean = emb.mean(axis=0)
    result: np.ndarray = mean / np.linalg.norm(mean)
    return result


# --- diarization -------------------------------------------------------------------------------


def test_three_voice_conversation_is_diarized(encoder: diarize.VoiceEncoder) -> None:
    # 21 s: three real voices, each twice, pauses of 0-1.5 s (one change without a pause).
    name, pieces, pauses = next(c for c in CONVERSATIONS if c[0] == "3 voci")
    conv = assemble(name, pieces, pauses, seed=2)
    result = diarize.diarize(conv.audio, encoder)
    score = der(conv.reference, [(t.start, t.end, t.speaker) for t in result.turns], conv.duration)
    # The bench measures 0.1 % here (0.6 % pooled over five conversations). Merging two
    # voices or losing one turn costs 10 % or more on this conversation; under 5 % every
    # turn is found and only its edges may move by a few frames.
    assert score.der < 0.05, score
    assert result.speakers == ["S1", "S2", "S3"]
    assert [t.speaker for t in result.turns] == ["S1", "S2", "S3", "S1", "S2", "S3"]
    one_voice = diarize.diarize(conv.audio, encoder, voices=1)
    assert one_voice.speakers == ["S1"]


def test_silence_gives_no_turns(encoder: diarize.VoiceEncoder) -> None:
    result = diarize.diarize(np.zeros(16000 * 3, dtype=np.float32), encoder)
    assert result.turns == [] and result.speech == 0.0


# --- lgnet speakers ----------------------------------------------------------------------------


def test_cli_suggest_writes_turns_the_item_schema_accepts(in_tmp: Path) -> None:
    result = CliRunner().invoke(main, ["speakers", ITEM, "--suggest", "--root", str(REPO)])
    assert result.exit_code == 0, result.output
    out = in_tmp / f"{ITEM}.turni.yml"
    assert str(out) in result.output and "verificarli ascoltando" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# Turni di parola SUGGERITI per {ITEM}")
    assert f"archive/items/{ITEM}.yml" in text
    data = yaml.safe_load(text)
    turns = [Turn(**t) for t in data["turns"]]
    labels = [s["label"] for s in data["speakers"]]
    # copied as written, a voice has neither name nor role: the schema refuses it
    with pytest.raises(ValueError, match="indicare il nome o almeno il ruolo"):
        Speaker(**data["speakers"][0])
    speakers = [Speaker(**s, role="partecipante") for s in data["speakers"]]
    assert [s.label for s in speakers] == [f"S{n}" for n in range(1, len(speakers) + 1)]
    # seven sentences by six voices (the two Common Voice clips are one contributor's)
    assert len(turns) == 7 and 5 <= len(labels) <= 7
    assert all(a.end <= b.start for a, b in itertools.pairwise(turns))
    assert turns[0].start >= 0 and turns[-1].end <= 55.3
    first_seen = list(dict.fromkeys(t.speaker for t in turns))
    assert first_seen == labels

    # never over the file without --overwrite: one line, exit 1, the file as it was
    out.write_text(text + "# nota\n", encoding="utf-8")
    again = CliRunner().invoke(main, ["speakers", ITEM, "--suggest", "--root", str(REPO)])
    assert again.exit_code == 1
    assert again.output.strip().splitlines() == [
        f"errore: {out}: il file esiste già; usare --overwrite per sostituirlo oppure "
        "indicare un altro nome con -o"
    ]
    assert out.read_text(encoding="utf-8").endswith("# nota\n")
    forced = CliRunner().invoke(
        main, ["speakers", ITEM, "--suggest", "--overwrite", "--voci", "2", "--root", str(REPO)]
    )
    assert forced.exit_code == 0, forced.output
    text = out.read_text(encoding="utf-8")
    assert "# nota" not in text and "2 indicate con --voci" in text
    assert len(yaml.safe_load(text)["speakers"]) == 2
    assert not list(in_tmp.glob(".tmp-*"))


def test_cli_never_writes_into_the_sources(tmp_path: Path) -> None:
    target = REPO / "archive" / "items" / f"{ITEM}.turni.yml"
    result = CliRunner().invoke(
        main, ["speakers", ITEM, "--suggest", "-o", str(target), "--root", str(REPO)]
    )
    assert result.exit_code == 1
    assert "non può essere usato come file di uscita" in result.output
    assert not target.exists()


def test_cli_without_the_extra_says_how_to_install_it(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(diarize.WEIGHTS_ENV, str(in_tmp / "manca" / "pretrained.pt"))
    result = CliRunner().invoke(main, ["speakers", ITEM, "--suggest", "--root", str(REPO)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "make speakers" in lines[0] and "Traceback" not in result.output
    assert not list(in_tmp.iterdir())


def test_cli_bad_arguments(in_tmp: Path) -> None:
    unknown = CliRunner().invoke(main, ["speakers", "nessuna", "--suggest", "--root", str(REPO)])
    assert unknown.exit_code == 1 and "registrazione sconosciuta: nessuna" in unknown.output
    zero = CliRunner().invoke(
        main, ["speakers", ITEM, "--suggest", "--voci", "0", "--root", str(REPO)]
    )
    assert zero.exit_code == 1 and "--voci" in zero.output
    assert not list(in_tmp.iterdir())
