"""Who speaks when: speaker turns suggested from the audio (the optional `speakers` extra).

The voice model is Resemblyzer's GE2E speaker encoder (Apache-2.0, Corentin Jemine), whose
trained weights ship inside the `resemblyzer` wheel. Resemblyzer itself runs them with
PyTorch, gigabytes for one small LSTM, so the wheel is installed without its dependencies
(`make speakers`) and nothing of it is imported: its weights file, a legacy (pre-zip) torch
pickle, is read here with an unpickler that accepts only the three globals such a file
needs, and the network (40 mel bands -> 3-layer LSTM -> linear -> ReLU -> L2 norm) runs in
numpy, many windows at once.

The pipeline: speech regions (Silero VAD, through `lgnet.engine`) -> windows of 1.6 s every
0.8 s -> one voice embedding per window -> agglomerative clustering on cosine distance (with a
threshold, or into a given number of voices) -> each window reassigned to its nearest voice ->
smoothed turns -> labels S1, S2... in order of first appearance. The result is a suggestion
for a person to check by listening: `lgnet speakers ID --suggest` writes it to a YAML file,
never into the archive. See devdocs/diarization.md for the measured error rate.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import functools
import importlib.metadata
import io
import os
import pickle
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from lgnet.errors import ModelError
from lgnet.timecode import clock

if TYPE_CHECKING:
    from lgnet.project import Project

SAMPLE_RATE = 16_000
# Resemblyzer's hparams.py: 25 ms windows every 10 ms, 40 mel bands, partials of 160 frames.
N_FFT = 400
HOP = 160
N_MELS = 40
WINDOW_FRAMES = 160
HIDDEN = 256
LAYERS = 3
# Resemblyzer normalises the volume of an utterance to -30 dBFS (raising it only): the model
# reads a power spectrogram, not a log one, so the level of its input matters.
TARGET_DBFS = -30.0

WEIGHTS_ENV = "LGNET_SPEAKER_WEIGHTS"
WEIGHTS_IN_WHEEL = "resemblyzer/pretrained.pt"
INSTALL_HINT = (
    "il riconoscimento delle voci è un'estensione facoltativa non installata: eseguire "
    "'make speakers' (installa il pacchetto resemblyzer senza PyTorch) e riprovare"
)


class SpeakerModelError(ModelError):
    """The voice model (the optional extra) is missing or its weights cannot be read."""


# --- the weights -------------------------------------------------------------------------------


def weights_path() -> Path:
    """Where the voice model's weights are: $LGNET_SPEAKER_WEIGHTS if set, else the file the
    `resemblyzer` wheel installed (found from its metadata, without importing it: importing
    would import torch). SpeakerModelError with the install hint when there is none."""
    env = os.environ.get(WEIGHTS_ENV)
    if env:
        path = Path(env)
    else:
        try:
            located = importlib.metadata.distribution("resemblyzer").locate_file(WEIGHTS_IN_WHEEL)
        except importlib.metadata.PackageNotFoundError:
            raise SpeakerModelError(INSTALL_HINT) from None
        path = Path(str(located))
    if not path.is_file():
        raise SpeakerModelError(f"{path}: file dei pesi mancante; {INSTALL_HINT}")
    return path


@dataclasses.dataclass(frozen=True)
class _Storage:
    key: str
    size: int


@dataclasses.dataclass(frozen=True)
class _TensorRef:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


class _FloatStorage:
    """Stands for `torch.FloatStorage` (only ever compared, never built)."""


def _rebuild_tensor_v2(
    storage: _Storage,
    offset: int,
    shape: tuple[int, ...],
    stride: tuple[int, ...],
    _requires_grad: bool = False,
    _hooks: Any = None,
    *_rest: Any,
) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(shape), tuple(stride))


class _WeightsUnpickler(pickle.Unpickler):
    """Builds nothing but dicts, lists, numbers, strings and references to float storages."""

    ALLOWED: dict[tuple[str, str], Any] = {  # noqa: RUF012 - read-only table
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        ("torch", "FloatStorage"): _FloatStorage,
    }

    def __init__(self, file: IO[bytes], where: Path) -> None:
        super().__init__(file)
        self.where = where
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise SpeakerModelError(
                f"{self.where}: il file dei pesi chiede l'oggetto {module}.{name}, non previsto "
                "in un file di soli pesi; file rifiutato (reinstallare con 'make speakers')"
            ) from None

    def persistent_load(self, pid: Any) -> _Storage:
        # ('storage', storage type, key, device, number of elements, view metadata)
        if (
            not isinstance(pid, tuple)
            or len(pid) < 5
            or pid[0] != "storage"
            or pid[1] is not _FloatStorage
        ):
            raise SpeakerModelError(f"{self.where}: riferimento a dati non previsto: {pid!r}")
        key, size = str(pid[2]), int(pid[4])
        known = self.storages.setdefault(key, _Storage(key, size))
        if known.size != size:
            raise SpeakerModelError(f"{self.where}: dimensioni incoerenti per i dati {key}")
        return known


LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def read_legacy_torch(path: Path) -> dict[str, Any]:
    """The object saved in a legacy (non-zip) `torch.save` file, with every tensor as a
    float32 numpy array. Refuses any global other than a float tensor's (SpeakerModelError):
    a pickle may otherwise run arbitrary code."""
    data = path.read_bytes()
    stream = io.BytesIO(data)
    try:
        head = [_WeightsUnpickler(stream, path).load() for _ in range(3)]
        if head[0] != LEGACY_MAGIC or head[1] != 1001:
            raise SpeakerModelError(
                f"{path}: non è un file di pesi PyTorch nel formato atteso (formato legacy)"
            )
        if not isinstance(head[2], dict) or not head[2].get("little_endian", False):
            raise SpeakerModelError(f"{path}: file di pesi big-endian, non supportato")
        unpickler = _WeightsUnpickler(stream, path)
        obj = unpickler.load()
        keys = _WeightsUnpickler(stream, path).load()
        arrays: dict[str, np.ndarray] = {}
        for key in keys:
            (count,) = struct.unpack("<q", stream.read(8))
            storage = unpickler.storages.get(str(key))
            if storage is None or storage.size != count:
                raise SpeakerModelError(f"{path}: dati {key} non dichiarati o di altra misura")
            raw = stream.read(4 * count)
            if len(raw) != 4 * count:
                raise SpeakerModelError(f"{path}: file dei pesi troncato")
            arrays[str(key)] = np.frombuffer(raw, dtype="<f4")
    except (pickle.UnpicklingError, EOFError, struct.error, ValueError, TypeError) as exc:
        raise SpeakerModelError(f"{path}: file dei pesi illeggibile ({exc})") from None
    saved: dict[str, Any] = _materialise(obj, arrays, path)
    if not isinstance(saved, dict):
        raise SpeakerModelError(f"{path}: il file dei pesi non contiene un dizionario")
    return saved


def _materialise(obj: Any, arrays: dict[str, np.ndarray], path: Path) -> Any:
    if isinstance(obj, _TensorRef):
        flat = arrays.get(obj.storage.key)
        if flat is None:
            raise SpeakerModelError(f"{path}: mancano i dati {obj.storage.key}")
        extent = obj.offset + sum((n - 1) * s for n, s in zip(obj.shape, obj.stride, strict=True))
        if obj.shape and extent >= flat.size:
            raise SpeakerModelError(f"{path}: un tensore esce dai suoi dati")
        view = np.lib.stride_tricks.as_strided(
            flat[obj.offset :],
            shape=obj.shape,
            strides=tuple(4 * s for s in obj.stride),
            writeable=False,
        )
        return np.array(view, dtype=np.float32)
    if isinstance(obj, dict):
        return {k: _materialise(v, arrays, path) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_materialise(v, arrays, path) for v in obj)
    return obj


# --- the features ------------------------------------------------------------------------------


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """The Slaney mel scale (librosa's default): linear to 1 kHz, logarithmic above."""
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    mels = hz / f_sp
    above = hz >= min_log_hz
    mels[above] = min_log_hz / f_sp + np.log(hz[above] / min_log_hz) / logstep
    return mels


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    hz = f_sp * mels
    above = mels >= min_log_mel
    hz[above] = min_log_hz * np.exp(logstep * (mels[above] - min_log_mel))
    return hz


@functools.cache
def mel_filters() -> np.ndarray:
    """Triangular Slaney-normalised mel filters, (40, 201), as `librosa.filters.mel` makes
    them for 16 kHz, n_fft 400 (Resemblyzer's features)."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    edges = _mel_to_hz(np.linspace(0.0, _hz_to_mel(np.array([SAMPLE_RATE / 2.0]))[0], N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    filters = np.maximum(0.0, np.minimum(lower, upper))
    filters *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return filters.astype(np.float32)


@functools.cache
def _hann() -> np.ndarray:
    n = np.arange(N_FFT)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)).astype(np.float32)  # periodic


def mel_frames(audio: np.ndarray) -> np.ndarray:
    """The mel power spectrogram (frames, 40), float32, one frame every 10 ms centred on
    sample 160*i (librosa's `center=True` with reflected edges), as Resemblyzer computes it."""
    return mel_range(audio, 1.0, 0, 1 + len(audio) // HOP)


def mel_range(samples: np.ndarray, gain: float, first: int, last: int) -> np.ndarray:
    """Frames `first` to `last` (excluded) of `mel_frames(samples * gain)`, reading only the
    samples they need (int16 or float samples), in blocks: a two-hour recording never
    holds its whole spectrogram, nor its audio as floats."""
    out = np.empty((max(0, last - first), N_MELS), dtype=np.float32)
    block = 3000
    for start in range(first, last, block):
        stop = min(last, start + block)
        lo, hi = start * HOP - N_FFT // 2, (stop - 1) * HOP + N_FFT // 2
        audio = _as_float(samples[max(lo, 0) : max(min(hi, len(samples)), 0)]) * np.float32(gain)
        left, right = max(0, -lo), max(0, hi - max(lo, len(samples)))
        if left or right:
            mode = "reflect" if audio.size > max(left, right) else "constant"
            audio = np.pad(audio, (left, right), mode=mode)  # type: ignore[call-overload]
        frames = np.lib.stride_tricks.sliding_window_view(audio, N_FFT)[::HOP][: stop - start]
        spectrum = np.fft.rfft(frames * _hann(), axis=1)
        power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
        out[start - first : stop - first] = power @ mel_filters().T
    return out


def volume_gain(speech: np.ndarray) -> float:
    """The factor that brings `speech` to -30 dBFS, never below 1 (Resemblyzer's
    `normalize_volume(..., increase_only=True)`)."""
    if speech.size == 0:
        return 1.0
    rms = float(np.sqrt(np.mean(np.square(speech, dtype=np.float64))))
    if rms <= 0:
        return 1.0
    change = TARGET_DBFS - 20 * np.log10(rms)
    return float(10 ** (change / 20)) if change > 0 else 1.0


def _one_blas_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise SpeakerModelError(f"manca il pacchetto threadpoolctl; {INSTALL_HINT}") from None
    return threadpool_limits(1, user_api="blas")


# --- the voice encoder -------------------------------------------------------------------------


class VoiceEncoder:
    """Resemblyzer's speaker encoder in numpy: (windows, 160, 40) mel -> (windows, 256)
    L2-normalised embeddings (PyTorch's LSTM gate order: input, forget, cell, output)."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.layers: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        try:
            for n in range(LAYERS):
                w_ih = weights[f"lstm.weight_ih_l{n}"]
                w_hh = weights[f"lstm.weight_hh_l{n}"]
                bias = weights[f"lstm.bias_ih_l{n}"] + weights[f"lstm.bias_hh_l{n}"]
                inputs = N_MELS if n == 0 else HIDDEN
                if w_ih.shape != (4 * HIDDEN, inputs) or w_hh.shape != (4 * HIDDEN, HIDDEN):
                    raise KeyError(f"lstm layer {n}")
                order = np.r_[0 : 2 * HIDDEN, 3 * HIDDEN : 4 * HIDDEN, 2 * HIDDEN : 3 * HIDDEN]
                self.layers.append(
                    (
                        np.ascontiguousarray(w_ih[order].T),
                        np.ascontiguousarray(w_hh[order].T),
                        bias[order].astype(np.float32),
                    )
                )
            self.linear_w = weights["linear.weight"].T.copy()
            self.linear_b = weights["linear.bias"]
        except KeyError as exc:
            raise SpeakerModelError(f"pesi del modello delle voci incompleti ({exc})") from None

    @classmethod
    def load(cls, path: Path | None = None) -> VoiceEncoder:
        path = path or weights_path()
        saved = read_legacy_torch(path)
        state = saved.get("model_state") if isinstance(saved, dict) else None
        if not isinstance(state, dict):
            raise SpeakerModelError(f"{path}: manca 'model_state' nel file dei pesi")
        return cls(state)

    def embed(self, mels: np.ndarray, batch: int = 64) -> np.ndarray:
        """Embeddings of windows of mel frames (n, frames, 40), `batch` windows at a time.

        The LSTM's step is a small matrix product, where BLAS threads cost more than they
        give (measured: 13 ms a window on one thread, 17-270 ms on two on a busy machine):
        BLAS runs on one thread and the batches are spread over the cores instead (numpy
        releases the GIL while it computes)."""
        out = np.empty((len(mels), HIDDEN), dtype=np.float32)
        starts = range(0, len(mels), batch)

        def run(start: int) -> None:
            out[start : start + batch] = self._forward(mels[start : start + batch])

        with _one_blas_thread():
            workers = min(len(starts), os.cpu_count() or 1, 4)
            if workers <= 1:
                for start in starts:
                    run(start)
            else:
                with concurrent.futures.ThreadPoolExecutor(workers) as pool:
                    list(pool.map(run, starts))
        return out

    def _forward(self, mels: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(mels, dtype=np.float32)
        count, steps, _ = x.shape
        h = np.zeros((count, HIDDEN), dtype=np.float32)
        gates = np.empty((count, 4 * HIDDEN), dtype=np.float32)
        for w_ih, w_hh, bias in self.layers:
            # The input's part of every gate, for all steps at once; only h waits for the loop.
            gates_in = (x.reshape(count * steps, -1) @ w_ih + bias).reshape(count, steps, -1)
            h = np.zeros((count, HIDDEN), dtype=np.float32)
            c = np.zeros((count, HIDDEN), dtype=np.float32)
            seq = np.empty((count, steps, HIDDEN), dtype=np.float32)
            for t in range(steps):
                np.matmul(h, w_hh, out=gates)
                gates += gates_in[:, t]
                # Columns are reordered to (i, f, o, g): one tanh call makes the three
                # sigmoids (sigmoid(x) = (1 + tanh(x / 2)) / 2), one more the cell input.
                sig = gates[:, : 3 * HIDDEN]
                sig *= 0.5
                np.tanh(sig, out=sig)
                sig += 1.0
                sig *= 0.5
                g = np.tanh(gates[:, 3 * HIDDEN :])
                c *= sig[:, HIDDEN : 2 * HIDDEN]
                g *= sig[:, :HIDDEN]
                c += g
                h = np.tanh(c)
                h *= sig[:, 2 * HIDDEN :]
                seq[:, t] = h
            x = seq
        raw = np.maximum(h @ self.linear_w + self.linear_b, 0.0)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        result: np.ndarray = raw / np.maximum(norms, 1e-12)
        return result


# --- diarization -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DiarizeSettings:
    """The choices of `diarize`, measured on the assembled conversations of
    bench/diarization.py (see devdocs/diarization.md)."""

    hop_frames: int = 80  # a window (1.6 s) every 0.8 s
    # Average-linkage cosine distance above which two groups of windows are different voices.
    threshold: float = 0.30
    min_turn: float = 1.0  # seconds: a shorter run between two other voices takes theirs
    max_pause: float = 1.0  # seconds: one voice's speech across a longer pause is two turns
    min_voice: float = 2.0  # seconds of speech a voice needs to stand on its own (no --voci)
    max_items: int = 3000  # clustering works on at most this many windows (a sample)
    vad_threshold: float = 0.5
    min_silence_ms: int = 300
    speech_pad_ms: int = 100
    vad_block_seconds: int = 600


@dataclasses.dataclass(frozen=True)
class SpeakerTurn:
    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclasses.dataclass(frozen=True)
class Diarization:
    """Suggested turns (labels S1, S2... in order of first appearance) of one recording."""

    turns: list[SpeakerTurn]
    duration: float  # seconds of media
    speech: float  # seconds the VAD heard as speech
    windows: int  # voice embeddings computed

    @property
    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for turn in self.turns:
            seen.setdefault(turn.speaker, None)
        return list(seen)

    def speaking_time(self, speaker: str) -> float:
        return sum(t.duration for t in self.turns if t.speaker == speaker)


Progress = Callable[[float], None]


def speech_regions(samples: np.ndarray, settings: DiarizeSettings) -> list[tuple[int, int]]:
    """Sample ranges of 16 kHz audio (int16 or float) that the VAD hears as speech, found in
    blocks so a long recording is never converted to float all at once."""
    from lgnet.engine import speech_timestamps

    block = settings.vad_block_seconds * SAMPLE_RATE
    regions: list[tuple[int, int]] = []
    for start in range(0, len(samples), block):
        audio = _as_float(samples[start : start + block])
        found = speech_timestamps(
            audio,
            threshold=settings.vad_threshold,
            min_silence_duration_ms=settings.min_silence_ms,
            speech_pad_ms=settings.speech_pad_ms,
        )
        for s, e in found:
            s, e = s + start, e + start
            if regions and s <= regions[-1][1]:  # joined across a block boundary
                regions[-1] = (regions[-1][0], max(e, regions[-1][1]))
            else:
                regions.append((s, e))
    return regions


def _as_float(samples: np.ndarray) -> np.ndarray:
    if samples.dtype == np.int16 or samples.dtype == np.dtype("<i2"):
        return np.asarray(samples, dtype=np.float32) / 32768.0
    return np.asarray(samples, dtype=np.float32)


def _speech_gain(samples: np.ndarray, regions: Sequence[tuple[int, int]]) -> float:
    """The volume gain of the speech (Resemblyzer normalises what its VAD keeps)."""
    total, count = 0.0, 0
    for s, e in regions:
        part = _as_float(samples[s:e]).astype(np.float64)
        total += float(np.dot(part, part))
        count += part.size
    if count == 0:
        return 1.0
    return volume_gain(np.array([np.sqrt(total / count)], dtype=np.float64))


@dataclasses.dataclass(frozen=True)
class _Windows:
    starts: np.ndarray  # first mel frame of each window
    regions: np.ndarray  # index of the speech region each window belongs to


def _windows(frame_regions: Sequence[tuple[int, int]], total: int, hop: int) -> _Windows:
    """Windows of 160 frames covering each speech region; a short region gets one window
    centred on it (its neighbouring audio fills the rest)."""
    starts: list[int] = []
    owners: list[int] = []
    last_start = max(0, total - WINDOW_FRAMES)
    for n, (s, e) in enumerate(frame_regions):
        if e - s <= WINDOW_FRAMES:
            first = [min(max(0, (s + e) // 2 - WINDOW_FRAMES // 2), last_start)]
        else:
            first = list(range(s, e - WINDOW_FRAMES + 1, hop))
            if first[-1] + WINDOW_FRAMES < e:
                first.append(e - WINDOW_FRAMES)
        starts.extend(first)
        owners.extend([n] * len(first))
    return _Windows(np.array(starts, dtype=np.int64), np.array(owners, dtype=np.int64))


def _mel_windows(samples: np.ndarray, gain: float, windows: _Windows, region: int) -> np.ndarray:
    """The mel frames of one speech region's windows, (n, 160, 40): the region's frames are
    computed once and the windows are views of them."""
    mine = np.flatnonzero(windows.regions == region)
    first = int(windows.starts[mine].min())
    frames = mel_range(samples, gain, first, int(windows.starts[mine].max()) + WINDOW_FRAMES)
    offsets = windows.starts[mine] - first
    index = offsets[:, None] + np.arange(WINDOW_FRAMES)[None, :]
    return frames[index]


def _average_linkage(embeddings: np.ndarray, weights: np.ndarray) -> list[tuple[int, int, float]]:
    """The merges (a, b, height) of average-linkage clustering on cosine distance, lowest
    first, found by the nearest-neighbour chain (O(n^2) time and memory). A merge names two
    items, each standing for the cluster it belongs to at that height."""
    n = len(embeddings)
    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    dist = (1.0 - unit @ unit.T).astype(np.float64)
    np.fill_diagonal(dist, np.inf)
    size = weights.astype(np.float64).copy()
    first_active = 0
    merges: list[tuple[int, int, float]] = []
    chain: list[int] = []
    for _ in range(n - 1):
        if not chain:
            while not np.isfinite(size[first_active]):
                first_active += 1
            chain.append(first_active)
        while True:
            a = chain[-1]
            b = int(np.argmin(dist[a]))
            if len(chain) > 1 and dist[a, chain[-2]] <= dist[a, b]:
                break  # reciprocal nearest neighbours: merge them
            chain.append(b)
        a, b = chain.pop(), chain.pop()
        merges.append((a, b, float(dist[a, b])))
        # Lance-Williams for average linkage: row a now stands for both, row b is retired.
        merged = (size[a] * dist[a] + size[b] * dist[b]) / (size[a] + size[b])
        dist[a], dist[:, a] = merged, merged
        dist[b], dist[:, b] = np.inf, np.inf
        dist[a, a] = np.inf
        size[a] += size[b]
        size[b] = np.inf
    merges.sort(key=lambda m: m[2])
    return merges


def _cut(
    n: int, merges: list[tuple[int, int, float]], *, threshold: float, count: int | None
) -> np.ndarray:
    """Cluster numbers (0, 1...) of n items: the merges up to `threshold`, or as many as
    leave `count` clusters (average linkage never merges lower above a higher merge, so the
    lowest merges always form whole subtrees)."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    clusters = n
    for a, b, height in merges:
        if (clusters <= count) if count is not None else (height > threshold):
            break
        parent[root(b)] = root(a)
        clusters -= 1
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(root(i), len(numbers)) for i in range(n)], dtype=np.int64)


def cluster_voices(
    embeddings: np.ndarray,
    *,
    threshold: float,
    voices: int | None = None,
    min_windows: int = 1,
    max_items: int = 3000,
) -> np.ndarray:
    """A voice number for each window embedding (in order of first appearance).

    The windows (an evenly spaced sample of `max_items` of them in a long recording) are
    clustered by average linkage, then every window is assigned to the nearest voice
    (centroid), twice.
    A voice of fewer than `min_windows` windows is not one: its windows join the nearest
    other. With `voices`, the dendrogram is cut as low as needed to leave that many voices
    of at least `min_windows` windows (one stray window is not a voice)."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # A long recording: cluster an evenly spaced sample of the windows (whole windows, not
    # averages of neighbours, which would mix two voices at a change), then assign all.
    sample = np.unique(np.linspace(0, n - 1, min(n, max_items)).round().astype(np.int64))
    merges = _average_linkage(embeddings[sample], np.ones(len(sample)))
    size = len(sample)
    sample_min = max(1, round(min_windows * size / n))
    if voices is None:
        picked = _cut(size, merges, threshold=threshold, count=None)
    else:
        for count in range(max(1, min(voices, size)), size + 1):
            picked = _cut(size, merges, threshold=threshold, count=count)
            if int((np.bincount(picked) >= sample_min).sum()) >= voices:
                break
    counts = np.bincount(picked)
    keep = counts >= sample_min
    if not keep.any():
        keep = counts > 0
    labels = np.argmax(embeddings @ _centroids(embeddings[sample], picked, keep).T, axis=1)
    for _ in range(2):
        counts = np.bincount(labels)
        keep = counts >= min_windows
        if not keep.any():
            keep = counts > 0
        labels = np.argmax(embeddings @ _centroids(embeddings, labels, keep).T, axis=1)
    return _by_first_appearance(labels)


def _centroids(embeddings: np.ndarray, labels: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The unit mean embedding of each kept voice."""
    sums = np.zeros((len(keep), embeddings.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, embeddings)
    sums = sums[keep]
    result: np.ndarray = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    return result


def _by_first_appearance(labels: np.ndarray) -> np.ndarray:
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(int(x), len(numbers)) for x in labels], dtype=np.int64)


def diarize(
    samples: np.ndarray,
    encoder: VoiceEncoder,
    *,
    voices: int | None = None,
    settings: DiarizeSettings | None = None,
    progress: Progress | None = None,
) -> Diarization:
    """Suggested speaker turns of 16 kHz mono audio (int16 or float samples)."""
    settings = settings or DiarizeSettings()
    duration = len(samples) / SAMPLE_RATE
    regions = speech_regions(samples, settings)
    speech = sum(e - s for s, e in regions) / SAMPLE_RATE
    if not regions:
        return Diarization([], duration, 0.0, 0)
    gain = _speech_gain(samples, regions)
    total_frames = 1 + len(samples) // HOP
    frame_regions = [(s // HOP, max(s // HOP + 1, -(-e // HOP))) for s, e in regions]
    windows = _windows(frame_regions, total_frames, settings.hop_frames)
    embeddings = np.empty((len(windows.starts), HIDDEN), dtype=np.float32)
    # Regions are embedded a batch at a time (the LSTM runs on many windows at once).
    pending: list[int] = []
    pending_mels: list[np.ndarray] = []

    def flush() -> None:
        if pending:
            embeddings[pending] = encoder.embed(np.concatenate(pending_mels))
            pending.clear()
            pending_mels.clear()
            if progress is not None:
                progress(regions[int(windows.regions[done[0] - 1])][1] / SAMPLE_RATE)

    done = [0]
    for region in range(len(regions)):
        mine = np.flatnonzero(windows.regions == region)
        pending.extend(mine.tolist())
        pending_mels.append(_mel_windows(samples, gain, windows, region))
        done[0] = int(mine[-1]) + 1
        if len(pending) >= 256:
            flush()
    flush()
    min_windows = max(1, round(settings.min_voice * SAMPLE_RATE / (settings.hop_frames * HOP)))
    labels = cluster_voices(
        embeddings,
        threshold=settings.threshold,
        voices=voices,
        min_windows=min_windows,
        max_items=settings.max_items,
    )
    turns = _turns(frame_regions, windows, labels, settings)
    if progress is not None:
        progress(duration)
    return Diarization(turns, duration, speech, len(embeddings))


def _turns(
    frame_regions: Sequence[tuple[int, int]],
    windows: _Windows,
    labels: np.ndarray,
    settings: DiarizeSettings,
) -> list[SpeakerTurn]:
    """Each speech frame takes the voice of the nearest window centre in its region; runs
    of one voice become turns (across pauses up to `max_pause`); a turn shorter than
    `min_turn` between other voices' speech takes the voice of its longer neighbour; labels
    S1, S2... by first appearance."""
    runs: list[list[float]] = []  # [start s, end s, voice]
    centres = windows.starts + WINDOW_FRAMES // 2
    for region, (s, e) in enumerate(frame_regions):
        mine = np.flatnonzero(windows.regions == region)
        frames = np.arange(s, e)
        if len(mine) == 1:
            nearest = np.zeros(len(frames), dtype=np.int64)
        else:
            midpoints = (centres[mine][1:] + centres[mine][:-1]) / 2
            nearest = np.searchsorted(midpoints, frames)
        voice = labels[mine][nearest]
        changes = np.flatnonzero(np.diff(voice)) + 1
        for a, b in zip(np.r_[0, changes], np.r_[changes, len(frames)], strict=True):
            runs.append([(s + a) * HOP / SAMPLE_RATE, (s + b) * HOP / SAMPLE_RATE, voice[a]])
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for i, (run_start, run_end, run_voice) in enumerate(runs):
            if run_end - run_start >= settings.min_turn:
                continue
            before = runs[i - 1] if i > 0 and run_start - runs[i - 1][1] < 0.5 else None
            after = runs[i + 1] if i + 1 < len(runs) and runs[i + 1][0] - run_end < 0.5 else None
            near = [r for r in (before, after) if r is not None and r[2] != run_voice]
            if near:
                runs[i][2] = max(near, key=lambda r: r[1] - r[0])[2]
                changed = True
        merged: list[list[float]] = []
        for run in runs:
            if merged and merged[-1][2] == run[2] and run[0] - merged[-1][1] <= settings.max_pause:
                merged[-1][1] = run[1]
            else:
                merged.append(list(run))
        runs = merged
    relabel = _by_first_appearance(np.array([int(r[2]) for r in runs], dtype=np.int64))
    return [
        SpeakerTurn(round(float(r[0]), 2), round(float(r[1]), 2), f"S{int(label) + 1}")
        for r, label in zip(runs, relabel, strict=True)
    ]


# --- suggestions for an item -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Suggestion:
    path: Path
    item_id: str
    diarization: Diarization
    warnings: list[str]

    def summary(self, shown_path: str | None = None) -> str:
        where = shown_path or str(self.path)
        voices, turns = len(self.diarization.speakers), len(self.diarization.turns)
        if not turns:
            return f"{where}: nessun parlato trovato in {self.item_id}; file scritto senza turni"
        return (
            f"{where}: {voices} voci e {turns} turni suggeriti per {self.item_id}; "
            f"verificarli ascoltando, poi copiarli in archive/items/{self.item_id}.yml"
        )


def suggest_turns(
    project: Project,
    item_id: str,
    output: Path | None = None,
    *,
    overwrite: bool = False,
    voices: int | None = None,
) -> Suggestion:
    """Diarize an item's recording and write the suggested `speakers` and `turns` to a YAML
    file (default `<id>.turni.yml` in the current folder), never into the project's sources
    and never over a file without `overwrite`."""
    from lgnet.archive import load_archive
    from lgnet.errors import LgnetError
    from lgnet.fsutil import atomic_write_text
    from lgnet.media import extract_audio, media_sha256, open_audio
    from lgnet.outputs import check_output_file
    from lgnet.webmedia import PROGRESS_AFTER, progress_report

    archive = load_archive(project)
    item = archive.items.get(item_id)
    if item is None:
        raise LgnetError(f"registrazione sconosciuta: {item_id} (vedere archive/items/)")
    if voices is not None and voices < 1:
        raise LgnetError(f"--voci {voices}: indicare un numero di voci da 1 in su")
    target = check_output_file(
        project, output or Path(f"{item_id}.turni.yml"), overwrite, archive=archive
    )
    encoder = VoiceEncoder.load()  # before the long work: a missing extra says so at once
    media = item.media_path(project)
    samples = open_audio(extract_audio(media, media_sha256(media)))
    duration = len(samples) / SAMPLE_RATE
    if duration >= PROGRESS_AFTER:
        with progress_report(f"{item_id}: voci", duration) as advance:
            result = diarize(samples, encoder, voices=voices, progress=advance)
    else:
        result = diarize(samples, encoder, voices=voices)
    warnings = []
    if item.turns:
        warnings.append(
            f"archive/items/{item_id}.yml ha già {len(item.turns)} turni dati a mano: "
            "il file suggerito serve solo da confronto, la scheda non è stata toccata"
        )
    atomic_write_text(target, turns_yaml(item_id, item.title, result, voices))
    return Suggestion(target, item_id, result, warnings)


def turns_yaml(item_id: str, title: str, result: Diarization, voices: int | None) -> str:
    """The suggestion as YAML that `speakers:` and `turns:` of an item accept once every
    voice has a name or a role (left as comments: a voice copied unfilled is refused by
    `lgnet check`, so nothing unchecked is published)."""
    how = f"{voices} indicate con --voci" if voices else "numero trovato automaticamente"
    lines = [
        f"# Turni di parola SUGGERITI per {item_id}",
        f"# {_quoted(title)}",
        "# trovati automaticamente dalle voci con 'lgnet speakers --suggest' (modello",
        "# Resemblyzer).",
        "# Sono proposte da verificare ascoltando la registrazione: una voce può essere",
        "# divisa in due o due voci simili unite. Dopo il controllo copiare 'speakers' e",
        f"# 'turns' in archive/items/{item_id}.yml, dando a ogni voce il nome (solo con il",
        "# consenso della persona) o almeno il ruolo; 'lgnet check' controlla il risultato.",
        f"# Durata {clock(result.duration)}, parlato {clock(result.speech)}; "
        f"voci: {len(result.speakers)} ({how}).",
        "",
    ]
    if not result.turns:
        lines += ["# Nessun parlato trovato.", "speakers: []", "turns: []", ""]
        return "\n".join(lines)
    lines.append("speakers:")
    for label in result.speakers:
        mine = [t for t in result.turns if t.speaker == label]
        lines += [
            f"  - label: {label}  # {_turn_count(len(mine))}, "
            f"{clock(result.speaking_time(label))} in tutto, la prima volta a "
            f"{clock(mine[0].start)}",
            '    # name: "..."   # solo con il consenso della persona',
            '    # role: "..."   # per esempio: operatrice, ospite, partecipante',
        ]
    lines.append("turns:")
    for turn in result.turns:
        lines.append(
            f"  - {{start: {turn.start:.2f}, end: {turn.end:.2f}, speaker: {turn.speaker}}}"
            f"  # {clock(turn.start)}–{clock(turn.end)}"
        )
    lines.append("")
    return "\n".join(lines)


def _turn_count(count: int) -> str:
    return "1 turno" if count == 1 else f"{count} turni"


def _quoted(text: str) -> str:
    return "«" + " ".join(text.split()) + "»"
