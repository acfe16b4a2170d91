"""Transcription benchmark: `lgnet transcribe` side by side with plain faster-whisper.

Both systems use the same model (the bundled Whisper base, int8, CPU) on the same files, in one
run, on each instruction set: **AVX2** (CTranslate2 and its oneDNN matrix kernels held to AVX2
by environment variables, as on a processor without AVX-512) and **native** (what the engine
picks on this processor; lgnet adds its AVX-512 setting where the processor has it). Each
(system, ISA, file) runs in a fresh process so its peak memory can be measured; the model load
is outside the timed region for both and is reported on its own (cold start). The order of the
systems alternates, so both see the same machine load. Prints, per file and pooled: real-time
factor (wall time / audio time), CPU seconds, WER (lower case, punctuation removed) and peak
RSS; then the cold start, the name accuracy before and after the name correction, the
glossary-term recall, the robustness checks and, on request, where the time goes (--profile),
the two-hour memory check and the many-items throughput.

    .venv/bin/python bench/asr.py                 # everything but --profile/--two-hours/--throughput
    .venv/bin/python bench/asr.py --speed-only    # the speed/WER table and the cold start
    .venv/bin/python bench/asr.py --profile       # adds where lgnet's time goes, per ISA
    .venv/bin/python bench/asr.py --only names    # just the name accuracy
    .venv/bin/python bench/asr.py --two-hours     # adds the 2-hour memory / loop check (~20 min)
    .venv/bin/python bench/asr.py --throughput    # adds items/hour for the demo archive x10
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.asr_quality import CLIPS, normalise, pooled_wer, references, wer  # noqa: E402
from tests.media_factory import concat, music, noise, silence  # noqa: E402

DATA = ROOT / "tests" / "data"

# What a processor without AVX-512 runs: CTranslate2's own kernels (softmax, layer norm, the
# beam search's top-k) and the matrix products of oneDNN, which CTranslate2 uses on AMD and
# which picks its own instruction set (CT2_FORCE_CPU_ISA alone leaves it on AVX-512 VNNI).
ISA_ENV = {
    "AVX2": {"CT2_FORCE_CPU_ISA": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "native": {},
}

# Narrations for the glossary test: every sentence says some glossary terms.
GLOSSARY_SENTENCES = [
    "Il Comune di Palermo ha aperto un one-stop-shop per la presa in carico socio sanitaria.",
    "Le équipe itineranti e le unità di strada incontrano le persone nei quartieri.",
    "Il progetto è finanziato dal FAMI e coordinato dal Ministero dell'Interno con ANCI e Cittalia.",
    "A Perugia la rete LGNet ha lavorato sull'emergenza abitativa e sulla co-abitazione solidale.",
    "I progetti di impegno civico curano il verde pubblico a Bologna, Torino e Trieste.",
    "Dopo LGNetEA è nato LGNet2, con sedici città tra cui Genova, Napoli e Sassari.",
    "Lo sportello unico di Roma collabora con il Sistema di accoglienza e integrazione SAI.",
    "Il workshop ha discusso di one-stop-shop, unità mobili ed équipe multidisciplinari.",
]

# The name-accuracy set: sentences full of the network's names (cities, programmes, bodies),
# each spoken by several synthetic voices at several speeds (an Italian voice with variants,
# and a Spanish one reading Italian: an accent).
NAME_SENTENCES = [
    "Le città di LGNet2 sono Bologna, Bolzano, Caserta, Firenze, Genova e Latina.",
    "Con loro ci sono Milano, Napoli, Palermo, Perugia, Potenza e Roma.",
    "Completano la rete Sassari, Taranto, Torino e Trieste.",
    "Agrigento e Catania hanno partecipato soltanto a LGNetEA.",
    "Il programma LGNetEA è stato cofinanziato dal FAMI.",
    "Il Ministero dell'Interno coordina la rete con ANCI e Cittalia.",
    "A Palermo il Safe Space è stato aperto al Centro Penc.",
    "A Bolzano il partner della rete è l'azienda dei servizi sociali ASSB.",
    "A Genova lavora con la rete anche ANCI Liguria.",
    "Da Torino a Trieste, da Firenze a Napoli, i comuni di LGNet2 lavorano insieme.",
]
NAME_VOICES = [
    ("it+m3", 150), ("it+f3", 170), ("it+m1", 190), ("it+f2", 140), ("it+m6", 160),
    ("es", 155),
]  # fmt: skip


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(system: str, path: str, hints: str) -> None:
    """Run one system on one file in this process; print a JSON line.

    `hints` chooses how lgnet offers the glossary to the model: default (what `lgnet
    transcribe` does), none, prompt or hotwords.
    """
    from dataclasses import replace

    from lgnet.archive import load_archive
    from lgnet.asr import resolve_model
    from lgnet.engine import plain_model, prefer_avx512
    from lgnet.media import extract_audio, open_audio, probe
    from lgnet.names import NameCorrector
    from lgnet.project import Project
    from lgnet.transcribe import FAST, RAPID, decode, load_decoder_model

    spec = resolve_model(None)
    duration = probe(Path(path)).duration
    raw = ""
    if system in ("plain", "plain-cores", "plain-avx512"):
        if system == "plain-avx512":
            prefer_avx512()  # the one engine setting lgnet adds, given to plain as well
        # "plain" is the baseline exactly: `WhisperModel(base, device="cpu",
        # compute_type="int8")`, faster-whisper's own thread count (CTranslate2's default, 4).
        # Measured on 2 cores it is a little faster than one thread per core ("plain-cores").
        threads = (os.cpu_count() or 2) if system == "plain-cores" else 0
        model = plain_model(spec.source, cpu_threads=threads)
        cpu0, start = _cpu_seconds(), time.perf_counter()
        segments, _ = model.transcribe(path, language="it", beam_size=5)
        text = " ".join(s.text.strip() for s in segments)
    else:
        base = RAPID if system == "lgnet-veloce" else FAST
        options = base if hints == "default" else replace(base, glossary_hints=hints)
        vocabulary = load_archive(Project(ROOT)).vocabulary()
        corrector = NameCorrector(vocabulary)
        cores = os.cpu_count() or 2
        model = load_decoder_model(spec, options, cores)
        corrector.frequency("a")  # the word list is loaded with the model, outside the timing
        cpu0, start = _cpu_seconds(), time.perf_counter()
        audio = open_audio(extract_audio(Path(path)))
        segments = decode(model, audio, options, vocabulary, workers=cores)
        raw = " ".join(s.text for s in segments)
        if options.correct_names:
            segments, _ = corrector.correct(segments)
        text = " ".join(s.text for s in segments)
    elapsed = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu0
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "cpu": cpu,
                "duration": duration,
                "text": text,
                "raw": raw or text,
                "rss": _peak_rss_mb(),
                "isa": os.environ.get("CT2_FORCE_CPU_ISA", ""),
            }
        )
    )


def _cpu_steal() -> tuple[int, int]:
    """(steal, total) jiffies of the whole machine: on a virtual machine the host may take CPU
    time away ("steal"), which makes wall-clock timings unreliable, more so for plain
    faster-whisper, whose threads wait for each other."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def _load() -> float:
    """The machine's 1-minute load average: above the core count, other processes shared the
    CPU with the run (timings noisy; ratios from one interleaved run still comparable)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError):
        return 0.0


def _env(cache: Path, isa: str) -> dict[str, str]:
    env = {**os.environ, "LGNET_CACHE_DIR": str(cache)}
    for name in ("CT2_FORCE_CPU_ISA", "ONEDNN_MAX_CPU_ISA"):
        env.pop(name, None)
    env.update(ISA_ENV[isa])
    return env


def _linked_models(cache: Path) -> None:
    model_cache = Path.home() / ".cache" / "lgnet" / "models"
    if model_cache.exists() and not (cache / "models").exists():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "models").symlink_to(model_cache)


def run_worker(
    system: str, path: Path, cache: Path, hints: str = "default", isa: str = "native"
) -> dict[str, float | str]:
    env = _env(cache, isa)
    _linked_models(cache)
    # a fresh audio cache for every run: lgnet's audio extraction is part of its time
    shutil.rmtree(cache / "audio", ignore_errors=True)
    steal0, total0 = _cpu_steal()
    out = subprocess.run(
        [sys.executable, __file__, "--worker", system, str(path), hints],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    steal1, total1 = _cpu_steal()
    result: dict[str, float | str] = json.loads(out.stdout.strip().splitlines()[-1])
    result["steal"] = (steal1 - steal0) / max(1, total1 - total0)
    result["load"] = _load()
    return result


def long_recording(folder: Path, minutes: float) -> tuple[Path, str]:
    """At least `minutes` of real speech: the clips over and over with varied pauses."""
    refs = references(DATA / "references.tsv")
    sources: list[Path] = []
    texts: list[str] = []
    total = 0.0
    durations = {c: float(r) for c, r in _durations().items()}
    while total < minutes * 60:
        for clip in CLIPS:
            sources.append(DATA / clip)
            texts.append(refs[clip])
            total += durations[clip] + 1.2
    return concat(sources, folder / f"lungo_{int(minutes)}min.wav", gap=1.2), " ".join(texts)


def _durations() -> dict[str, str]:
    import csv

    with (DATA / "references.tsv").open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {r["file"]: r["duration_s"] for r in rows if r["duration_s"]}


def _espeak(wav: Path, text: str, voice: str, speed: int) -> Path:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text],
        check=True,
        capture_output=True,
    )
    return wav


def synthetic_narrations(folder: Path) -> list[tuple[Path, str]]:
    if not shutil.which("espeak-ng"):
        print("espeak-ng non installato: salto il test del glossario (apt-get install espeak-ng)")
        return []
    voices = ["it+m3", "it+f3", "it+m1", "it+f2"]
    return [
        (_espeak(folder / f"glossario_{n}.wav", sentence, voices[n % 4], 150), sentence)
        for n, sentence in enumerate(GLOSSARY_SENTENCES)
    ]


def glossary_terms() -> list[str]:
    from lgnet.archive import load_archive
    from lgnet.project import Project

    return load_archive(Project(ROOT)).vocabulary()


def term_hits(terms: list[str], reference: str, hypothesis: str) -> tuple[int, int, int]:
    """(terms said, terms said and transcribed, terms transcribed but not said)."""
    ref, hyp = f" {normalise(reference)} ", f" {normalise(hypothesis)} "
    said = found = invented = 0
    for term in terms:
        t = f" {normalise(term)} "
        if t.strip() and t in ref:
            said += 1
            found += t in hyp
        elif t.strip() and t in hyp:
            invented += 1
    return said, found, invented


def max_repetition(text: str, n: int = 4) -> int:
    words = normalise(text).split()
    grams = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return max(grams.values(), default=0)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]

    def line(r):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"

    return "\n".join(
        [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    )


# --- speed and WER, per ISA ----------------------------------------------------------------------


def speed_table(
    files: list[tuple[Path, str]], cache: Path, isas: list[str], repeat: int
) -> dict[str, dict[str, list[dict[str, float | str]]]]:
    """Per ISA and system, one result per file (the median of `repeat` runs); prints the table."""
    from lgnet.engine import prefer_avx512

    systems = {isa: ["plain", "lgnet", "lgnet-veloce"] for isa in isas}
    avx512 = prefer_avx512({}) == "AVX512"
    if avx512 and "native" in systems:
        # lgnet asks CTranslate2 for its AVX-512 kernels where the engine would not pick them
        # (AMD): plain with that same setting shows what the rest of lgnet adds
        systems["native"].append("plain-avx512")
    results: dict[str, dict[str, list[dict[str, float | str]]]] = {
        isa: {s: [] for s in systems[isa]} for isa in isas
    }
    for n, (path, reference) in enumerate(files):
        runs: dict[tuple[str, str], list[dict[str, float | str]]] = {}
        for rep in range(max(1, repeat)):
            # systems interleaved: ISA by ISA, the order of the systems alternating
            for isa in isas:
                order = systems[isa] if (n + rep) % 2 == 0 else systems[isa][::-1]
                for system in order:
                    r = run_worker(system, path, cache, isa=isa)
                    runs.setdefault((isa, system), []).append(r)
                    print(  # as it comes, so a long run that fails later still says something
                        f"    {path.name} {isa} {system}: {float(r['elapsed']):.1f} s, "
                        f"CPU {float(r['cpu']):.1f} s, WER {wer(reference, str(r['text'])):.3f}",
                        file=sys.stderr,
                        flush=True,
                    )
        for (isa, system), done in runs.items():
            ordered = sorted(done, key=lambda r: float(r["elapsed"]))
            median = {**ordered[len(ordered) // 2]}
            median["steal"] = max(float(r["steal"]) for r in done)
            median["load"] = max(float(r["load"]) for r in done)
            results[isa][system].append(median)
        print(f"  {path.name}: fatto", file=sys.stderr, flush=True)

    rows = []
    for isa in isas:
        res = results[isa]
        for n, (path, reference) in enumerate(files):
            rows.append(_row(path.name, isa, [reference], {k: [v[n]] for k, v in res.items()}))
        if len(files) > 1:
            for label, upto in (("**pooled, shared files**", -1), ("**pooled, all**", None)):
                refs = [ref for _, ref in files[:upto]]
                rows.append(_row(label, isa, refs, {k: v[:upto] for k, v in res.items()}))
    header = ["file", "ISA", "audio s", "RTF plain", "RTF lgnet", "speed-up", "CPU s plain",
              "CPU s lgnet", "WER plain", "WER lgnet", "--veloce: RTF", "speed-up", "WER",
              "plain AVX-512: RTF", "WER", "RSS MB plain", "RSS MB lgnet", "steal max",
              "load max"]  # fmt: skip
    print(table(rows, header))
    for isa in isas:
        long_plain, long_lgnet = results[isa]["plain"][-1], results[isa]["lgnet"][-1]
        print(
            f"\n{isa}: ripetizioni (max occorrenze di uno stesso 4-gramma, registrazione lunga): "
            f"plain {max_repetition(str(long_plain['text']))}, lgnet "
            f"{max_repetition(str(long_lgnet['text']))} (il riferimento ne ha "
            f"{max_repetition(files[-1][1])})"
        )
    print("steal: CPU time the virtual machine's host took away during the runs; load: the")
    print("1-minute load average at the end of the runs (above the core count, other processes")
    print("shared the CPU: compare the systems within this run, by their ratio).")
    return results


def _row(
    name: str, isa: str, references: list[str], runs: dict[str, list[dict[str, float | str]]]
) -> list[str]:
    """One row of the table: one file (one reference, one run per system) or several pooled."""

    def total(system: str, key: str) -> float:
        return sum(float(r[key]) for r in runs[system])

    def rtf(system: str) -> float:
        return total(system, "elapsed") / total(system, "duration")

    def error(system: str) -> float:
        return pooled_wer([(ref, str(r["text"])) for ref, r in zip(references, runs[system],
                                                                     strict=True)])  # fmt: skip

    single = len(references) == 1
    p, g = runs["plain"], runs["lgnet"]
    has = {s: s in runs for s in ("lgnet-veloce", "plain-avx512")}
    return [
        name,
        isa,
        f"{total('plain', 'duration'):.0f}",
        f"{rtf('plain'):.3f}",
        f"{rtf('lgnet'):.3f}",
        f"{rtf('plain') / rtf('lgnet'):.2f}x",
        f"{total('plain', 'cpu'):.1f}",
        f"{total('lgnet', 'cpu'):.1f}",
        f"{error('plain'):.3f}",
        f"{error('lgnet'):.3f}",
        f"{rtf('lgnet-veloce'):.3f}" if has["lgnet-veloce"] else "",
        f"{rtf('plain') / rtf('lgnet-veloce'):.2f}x" if has["lgnet-veloce"] else "",
        f"{error('lgnet-veloce'):.3f}" if has["lgnet-veloce"] else "",
        f"{rtf('plain-avx512'):.3f}" if has["plain-avx512"] else "",
        f"{error('plain-avx512'):.3f}" if has["plain-avx512"] else "",
        f"{float(p[0]['rss']):.0f}" if single else "",
        f"{float(g[0]['rss']):.0f}" if single else "",
        f"{100 * max(float(r['steal']) for rs in runs.values() for r in rs):.0f}%",
        f"{max(float(r['load']) for rs in runs.values() for r in rs):.1f}",
    ]


# --- cold start ----------------------------------------------------------------------------------


def cold_worker(system: str) -> None:
    """The first run on a new machine: the bundled model assembled from its two packages and
    checked (lgnet), the model loaded, the first and a second short clip decoded."""
    from lgnet.asr import DEFAULT_MODEL, default_model_dir, load_model, resolve_model
    from lgnet.engine import plain_model
    from lgnet.media import extract_audio, open_audio
    from lgnet.transcribe import FAST, decode

    out: dict[str, float] = {}
    start = time.perf_counter()
    default_model_dir()  # the cache is empty: the model is assembled and checked
    out["assemble"] = time.perf_counter() - start
    clip = DATA / "picovoice_cheetah_test_it.wav"
    start = time.perf_counter()
    if system == "plain":
        model = plain_model(resolve_model(DEFAULT_MODEL).source)
        out["load"] = time.perf_counter() - start
        for key in ("first", "second"):
            start = time.perf_counter()
            list(model.transcribe(str(clip), language="it", beam_size=5)[0])
            out[key] = time.perf_counter() - start
    else:
        cores = os.cpu_count() or 2
        model = load_model(resolve_model(None), cpu_threads=1, num_workers=cores)
        out["load"] = time.perf_counter() - start
        for key in ("first", "second"):
            start = time.perf_counter()
            decode(model, open_audio(extract_audio(clip)), FAST, [], workers=cores)
            out[key] = time.perf_counter() - start
    print(json.dumps(out))


def cold_start(work: Path, isas: list[str]) -> None:
    rows = []
    for isa in isas:
        for system in ("plain", "lgnet"):
            cache = work / f"freddo-{isa}-{system}"  # empty: nothing assembled, nothing cached
            out = subprocess.run(
                [sys.executable, __file__, "--cold-worker", system],
                capture_output=True,
                text=True,
                check=True,
                env=_env(cache, isa),
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append([isa, system, f"{r['assemble']:.2f}", f"{r['load']:.2f}",
                         f"{r['first']:.2f}", f"{r['second']:.2f}"])  # fmt: skip
            shutil.rmtree(cache, ignore_errors=True)
    print("\nAvvio a freddo (s): modello ricomposto dai due pacchetti e verificato, caricato,")
    print("prima e seconda trascrizione di una clip di 5 s (nuovo processo, cache vuota):")
    print(table(rows, ["ISA", "system", "assemble", "load", "first clip", "second clip"]))


# --- where the time goes -------------------------------------------------------------------------


def profile_worker(path: str) -> None:
    """lgnet on one file with one replica decoding one batch at a time, each step timed in CPU
    seconds of the process: audio decoding and resampling, conversion to float, VAD, features,
    encoder, beam search, temperature fallback, word alignment."""
    import numpy as np

    from lgnet.asr import load_model, resolve_model
    from lgnet.decoding import FAST, decode, speech_spans, windows
    from lgnet.media import extract_audio, open_audio

    model = load_model(resolve_model(None), cpu_threads=1, num_workers=1)
    steps: dict[str, float] = {}
    cache = Path(os.environ["LGNET_CACHE_DIR"]) / "audio"
    shutil.rmtree(cache, ignore_errors=True)
    cpu = time.process_time()
    samples = open_audio(extract_audio(Path(path)))
    steps["audio (decode, resample)"] = time.process_time() - cpu
    cpu = time.process_time()
    floats = [np.asarray(samples[lo:hi], dtype=np.float32) / 32768 for lo, hi in windows(samples)]
    steps["to float"] = time.process_time() - cpu
    cpu = time.process_time()
    for audio in floats:
        speech_spans(audio, FAST)
    steps["VAD"] = time.process_time() - cpu
    model.profile = {}
    cpu, wall = time.process_time(), time.perf_counter()
    decode(model, samples, FAST, [], workers=1)
    total = time.process_time() - cpu
    steps.update(model.profile)
    steps["decode, all steps"] = total
    steps["decode, wall"] = time.perf_counter() - wall
    print(json.dumps(steps))


def profile(path: Path, cache: Path, isas: list[str]) -> None:
    results = {}
    for isa in isas:
        _linked_models(cache)
        out = subprocess.run(
            [sys.executable, __file__, "--profile-worker", str(path)],
            capture_output=True,
            text=True,
            check=True,
            env=_env(cache, isa),
        )
        results[isa] = json.loads(out.stdout.strip().splitlines()[-1])
    names = list(dict.fromkeys(k for r in results.values() for k in r))
    rows = [[name, *(f"{results[isa].get(name, 0.0):.2f}" for isa in isas)] for name in names]
    print(f"\nDove va il tempo (lgnet, una replica, un lotto alla volta, {path.name}; CPU s):")
    print("(the decode's steps include its VAD, measured separately above it)")
    print(table(rows, ["step", *isas]))


# --- names ---------------------------------------------------------------------------------------


def names_set(folder: Path) -> list[tuple[Path, str]]:
    """The name-accuracy set: each sentence by three voices (a different three each time)."""
    if not shutil.which("espeak-ng"):
        print("espeak-ng non installato: salto l'accuratezza dei nomi (apt-get install espeak-ng)")
        return []
    out = []
    for n, sentence in enumerate(NAME_SENTENCES):
        for k in range(3):
            voice, speed = NAME_VOICES[(n + 2 * k) % len(NAME_VOICES)]
            wav = folder / f"nomi_{n}_{voice.replace('+', '')}_{speed}.wav"
            out.append((_espeak(wav, sentence, voice, speed), sentence))
    return out


def names_worker(listing: str) -> None:
    """lgnet (glossary hints as `lgnet transcribe` uses them) on each file, before and after
    the name correction, and plain faster-whisper; one model load for all the files."""
    from lgnet.archive import load_archive
    from lgnet.asr import load_model, resolve_model
    from lgnet.engine import plain_model
    from lgnet.media import extract_audio, open_audio
    from lgnet.names import NameCorrector
    from lgnet.project import Project
    from lgnet.transcribe import FAST, decode

    vocabulary = load_archive(Project(ROOT)).vocabulary()
    corrector = NameCorrector(vocabulary)
    cores = os.cpu_count() or 2
    model = load_model(resolve_model(None), cpu_threads=1, num_workers=cores)
    plain = plain_model(resolve_model(None).source)
    out = []
    for path in json.loads(listing):
        segments = decode(model, open_audio(extract_audio(Path(path))), FAST, vocabulary,
                          workers=cores)  # fmt: skip
        fixed, corrections = corrector.correct(segments)
        plain_text = " ".join(s.text for s in plain.transcribe(path, language="it", beam_size=5)[0])
        out.append({
            "before": " ".join(s.text for s in segments),
            "after": " ".join(s.text for s in fixed),
            "plain": plain_text,
            "corrections": [c.as_json() for c in corrections],
        })  # fmt: skip
    print(json.dumps(out))


def name_hits(names: list[str], reference: str, hypothesis: str) -> tuple[int, int, int]:
    """(names said, said and written, written but not said), names compared without case,
    accents or punctuation, as whole words."""
    from lgnet.names import fold

    ref, hyp = f" {fold(normalise(reference))} ", f" {fold(normalise(hypothesis))} "
    said = found = invented = 0
    for name in names:
        key = f" {fold(normalise(name))} "
        said_n, written_n = ref.count(key), hyp.count(key)
        said += said_n
        found += min(said_n, written_n)
        invented += max(0, written_n - said_n)
    return said, found, invented


def name_accuracy(
    work: Path, cache: Path, real: dict[str, list[dict[str, float | str]]] | None,
    files: list[tuple[Path, str]],
) -> None:  # fmt: skip
    from lgnet.names import correctable_names

    names = correctable_names(glossary_terms())
    spoken = names_set(work)
    if spoken:
        _linked_models(cache)
        out = subprocess.run(
            [sys.executable, __file__, "--names-worker", json.dumps([str(p) for p, _ in spoken])],
            capture_output=True,
            text=True,
            check=True,
            env=_env(cache, "native"),
        )
        results = json.loads(out.stdout.strip().splitlines()[-1])
        rows = []
        for label, key in (("plain faster-whisper", "plain"), ("lgnet, prima della correzione",
                           "before"), ("lgnet, dopo la correzione (predefinito)", "after")):  # fmt: skip
            said = found = invented = 0
            for (_, sentence), r in zip(spoken, results, strict=True):
                s, f, i = name_hits(names, sentence, r[key])
                said, found, invented = said + s, found + f, invented + i
            pairs = [(sentence, r[key]) for (_, sentence), r in zip(spoken, results, strict=True)]
            rows.append([label, f"{found}/{said} = {found / said:.0%}", str(invented),
                         f"{pooled_wer(pairs):.3f}"])  # fmt: skip
        print(
            f"\nNomi della rete ({len(NAME_SENTENCES)} frasi x 3 voci sintetiche espeak-ng, "
            f"{len({v for v, _ in NAME_VOICES})} voci, {min(s for _, s in NAME_VOICES)}-"
            f"{max(s for _, s in NAME_VOICES)} parole/min):"
        )
        print(table(rows, ["sistema", "nomi scritti giusti", "nomi inventati", "WER"]))
        corrections = [c for r in results for c in r["corrections"]]
        wrong = [
            c for c, r, (_, sentence) in
            ((c, r, s) for r, s in zip(results, spoken, strict=True) for c in r["corrections"])
            if f" {normalise(c['to'])} " not in f" {normalise(sentence)} "
        ]  # fmt: skip
        print(
            f"Correzioni: {len(corrections)}, di cui verso un nome non detto: {len(wrong)} "
            f"{[(c['from'], c['to']) for c in wrong]}"
        )
    if real:
        before = [(ref, str(r["raw"])) for (_, ref), r in zip(files, real["lgnet"], strict=True)]
        after = [(ref, str(r["text"])) for (_, ref), r in zip(files, real["lgnet"], strict=True)]
        changed = sum(b != a for (_, b), (_, a) in zip(before, after, strict=True))
        print(
            f"Parlato reale (le clip, longform_dev.mp4 e la registrazione lunga): WER lgnet "
            f"{pooled_wer(before):.3f} prima della correzione dei nomi, {pooled_wer(after):.3f} "
            f"dopo ({changed} file con correzioni)"
        )


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--cold-worker", help=argparse.SUPPRESS)
    parser.add_argument("--profile-worker", help=argparse.SUPPRESS)
    parser.add_argument("--names-worker", help=argparse.SUPPRESS)
    parser.add_argument(
        "--long-minutes", type=float, default=10, help="length of the long recording"
    )
    parser.add_argument(
        "--isa", choices=["both", "AVX2", "native"], default="both", help="instruction sets"
    )
    parser.add_argument("--long-only", action="store_true", help="speed table: long file only")
    parser.add_argument("--profile", action="store_true", help="also where lgnet's time goes")
    parser.add_argument("--two-hours", action="store_true", help="also the 2-hour memory check")
    parser.add_argument(
        "--throughput", action="store_true", help="also items/hour, demo archive x10"
    )
    parser.add_argument("--skip-robustness", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=1,
        help="timed runs per system and file, alternating (the median is reported)",
    )  # fmt: skip
    parser.add_argument("--speed-only", action="store_true", help="only speed/WER + cold start")
    parser.add_argument(
        "--only", choices=["two-hours", "throughput", "names", "profile", "cold"],
        help="just this part (no speed table)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    if args.cold_worker:
        cold_worker(args.cold_worker)
        return
    if args.profile_worker:
        profile_worker(args.profile_worker)
        return
    if args.names_worker:
        names_worker(args.names_worker)
        return

    work = Path(tempfile.mkdtemp(prefix="lgnet-bench-"))
    cache = work / "cache"
    isas = ["AVX2", "native"] if args.isa == "both" else [args.isa]
    try:
        if args.only:
            if args.only == "two-hours":
                two_hours(work, cache)
            elif args.only == "throughput":
                throughput(work)
            elif args.only == "names":
                name_accuracy(work, cache, None, [])
            elif args.only == "cold":
                cold_start(work, isas)
            else:
                profile(long_recording(work, args.long_minutes)[0], cache, isas)
            return
        run(args, work, cache, isas)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path, cache: Path, isas: list[str]) -> None:
    refs = references(DATA / "references.tsv")
    files = [(DATA / c, refs[c]) for c in CLIPS]
    files.append((DATA / "longform_dev.mp4", refs["longform_dev.mp4"]))
    files.append(long_recording(work, args.long_minutes))
    if args.long_only:
        files = files[-1:]
    print(f"CPU: {os.cpu_count()} core; modello: Whisper base int8 (lo stesso per i due sistemi)")
    print(f"ISA: {', '.join(isas)} (AVX2: {ISA_ENV['AVX2']})\n")
    results = speed_table(files, cache, isas, args.repeat)
    cold_start(work, isas)
    if args.profile:
        profile(files[-1][0], cache, isas)
    if args.speed_only:
        return
    native = results.get("native") or results[isas[0]]
    name_accuracy(work, cache, native if not args.long_only else None, files)

    # glossary terms: with and without hints; and no invented terms on speech without them
    terms = glossary_terms()
    narrations = synthetic_narrations(work)
    if narrations:
        grows = []
        modes = (("lgnet senza glossario", "none"), ("lgnet (glossario auto, predefinito)", "default"),
                 ("lgnet glossario sempre (hotwords)", "hotwords"))  # fmt: skip
        for label, hints in modes:
            said = found = invented = 0
            for wav, sentence in narrations:
                r = run_worker("lgnet", wav, cache, hints)
                s, f, i = term_hits(terms, sentence, str(r["text"]))
                said, found, invented = said + s, found + f, invented + i
            clean_invented = 0
            for path, reference in files[:7]:
                r = run_worker("lgnet", path, cache, hints)
                clean_invented += term_hits(terms, reference, str(r["text"]))[2]
            grows.append(
                [label, f"{found}/{said} = {found / said:.0%}", str(invented), str(clean_invented)]
            )
        plain_found = plain_said = 0
        for wav, sentence in narrations:
            r = run_worker("plain", wav, cache)
            s, f, _ = term_hits(terms, sentence, str(r["text"]))
            plain_said, plain_found = plain_said + s, plain_found + f
        grows.insert(
            0,
            [
                "plain faster-whisper",
                f"{plain_found}/{plain_said} = {plain_found / plain_said:.0%}",
                "",
                "",
            ],
        )
        print("\nTermini del glossario (narrazioni sintetiche espeak-ng):")
        print(table(grows, ["sistema", "termini riconosciuti", "termini inventati (narrazioni)",
                            "termini inventati (clip reali senza termini)"]))  # fmt: skip

    if not args.skip_robustness:
        rrows = []
        for name, maker in (("silenzio", silence), ("rumore", noise), ("musica", music)):
            path = maker(work / f"{name}.wav", 60)
            p, g = run_worker("plain", path, cache), run_worker("lgnet", path, cache)
            rrows.append([f"{name} 60 s", repr(str(p["text"])[:60]), repr(str(g["text"])[:60])])
        print("\nRobustezza (testo prodotto):")
        print(table(rrows, ["audio", "plain", "lgnet"]))

    if args.two_hours:
        two_hours(work, cache)

    if args.throughput:
        throughput(work)


def two_hours(work: Path, cache: Path) -> None:
    """Peak memory, speed, accuracy and repetition on two hours of real speech (lgnet only)."""
    path, reference = long_recording(work, 120)
    r = run_worker("lgnet", path, cache)
    print(
        f"\nDue ore ({float(r['duration']) / 60:.0f} min): RTF {float(r['elapsed']) / float(r['duration']):.3f}, "
        f"RSS massimo {float(r['rss']):.0f} MB, WER {wer(reference, str(r['text'])):.3f}, "
        f"ripetizioni max {max_repetition(str(r['text']))} (riferimento {max_repetition(reference)})"
    )


def throughput(work: Path) -> None:
    """Items/hour: the demo archive x10 with automatic jobs, and x2 with one job at a time."""
    from lgnet.archive import load_archive
    from lgnet.project import Project
    from lgnet.transcribe import TranscribeRequest, default_jobs, transcribe_archive

    for jobs, copies in ((1, 2), (default_jobs(), 10)):
        root = work / f"tp{jobs}-{copies}"
        shutil.copytree(ROOT / "archive", root / "archive")
        (root / "mkdocs.yml").write_text("site_name: t\n")
        items = root / "archive" / "items"
        for src in list(items.glob("*.yml")):
            text = src.read_text().replace("media: media/", f"media: {ROOT}/archive/media/")
            text += "\nexternal_media: true\n" if "external_media" not in text else ""
            for k in range(copies):
                (items / f"{src.stem}-{k}.yml").write_text(text)
            src.unlink()
        project = Project(root)
        archive = load_archive(project)
        start = time.perf_counter()
        result = transcribe_archive(project, archive, TranscribeRequest(jobs=jobs, progress=False))
        elapsed = time.perf_counter() - start
        n = len(result.transcribed)
        print(f"\n--jobs {jobs}, archivio demo x{copies}: {n} registrazioni ({result.audio_seconds / 60:.1f} min di audio) in "
              f"{elapsed:.0f} s = {n / elapsed * 3600:.0f} registrazioni/ora")  # fmt: skip


if __name__ == "__main__":
    main()
