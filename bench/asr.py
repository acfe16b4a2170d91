"""Transcription benchmark: `lgnet transcribe` side by side with plain faster-whisper.

Both systems use the same model (the bundled Whisper base, int8, CPU) on the same files, in one
run. Each (system, file) pair runs in a fresh process so its peak memory can be measured; the
model load is outside the timed region for both. Prints, per file and pooled: real-time factor
(processing time / audio time), WER (lower case, punctuation removed) and peak RSS; then the
glossary-term recall with and without hints, the robustness checks and, on request, the
two-hour memory check and the many-items throughput.

    .venv/bin/python bench/asr.py                 # clips + long recording + glossary + robustness
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


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(system: str, path: str, hints: str) -> None:
    """Run one system on one file in this process; print a JSON line.

    `hints` chooses how lgnet offers the glossary to the model: default (what `lgnet
    transcribe` does), none, prompt or hotwords.
    """
    from dataclasses import replace

    from lgnet.archive import load_archive
    from lgnet.asr import load_model, resolve_model
    from lgnet.media import extract_audio, open_audio, probe
    from lgnet.project import Project
    from lgnet.transcribe import FAST, decode

    spec = resolve_model(None)
    duration = probe(Path(path)).duration
    if system in ("plain", "plain-cores", "plain-avx512"):
        if system == "plain-avx512":
            from lgnet.asr import prefer_avx512

            prefer_avx512()  # the one engine setting lgnet adds, given to plain as well
        from faster_whisper import WhisperModel

        # "plain" is the baseline exactly: `WhisperModel(base, device="cpu",
        # compute_type="int8")`, faster-whisper's own thread count (CTranslate2's default, 4).
        # Measured on 2 cores it is a little faster than one thread per core ("plain-cores").
        threads = (os.cpu_count() or 2) if system == "plain-cores" else 0
        model = WhisperModel(spec.source, device="cpu", compute_type="int8", cpu_threads=threads)
        start = time.perf_counter()
        segments, _ = model.transcribe(path, language="it", beam_size=5)
        text = " ".join(s.text.strip() for s in segments)
    else:
        options = FAST if hints == "default" else replace(FAST, glossary_hints=hints)
        vocabulary = load_archive(Project(ROOT)).vocabulary()
        cores = os.cpu_count() or 2
        model = load_model(
            spec, cpu_threads=1, num_workers=cores, trim_encoder=options.trim_encoder
        )
        start = time.perf_counter()
        audio = open_audio(extract_audio(Path(path)))
        segments = decode(model, audio, options, vocabulary, workers=cores)
        text = " ".join(s.text for s in segments)
    elapsed = time.perf_counter() - start
    print(
        json.dumps({"elapsed": elapsed, "duration": duration, "text": text, "rss": _peak_rss_mb()})
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


def run_worker(
    system: str, path: Path, cache: Path, hints: str = "default"
) -> dict[str, float | str]:
    env = {**os.environ, "LGNET_CACHE_DIR": str(cache)}
    if system != "lgnet":
        env.pop("CT2_FORCE_CPU_ISA", None)  # plain is faster-whisper exactly as it comes
    model_cache = Path.home() / ".cache" / "lgnet" / "models"
    if model_cache.exists() and not (cache / "models").exists():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "models").symlink_to(model_cache)
    # a fresh audio cache for every run: lgnet's ffmpeg extraction is part of its time
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


def synthetic_narrations(folder: Path) -> list[tuple[Path, str]]:
    if not shutil.which("espeak-ng"):
        print("espeak-ng non installato: salto il test del glossario (apt-get install espeak-ng)")
        return []
    out = []
    for n, sentence in enumerate(GLOSSARY_SENTENCES):
        wav = folder / f"glossario_{n}.wav"
        voice = ["it+m3", "it+f3", "it+m1", "it+f2"][n % 4]
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), sentence],
            check=True,
            capture_output=True,
        )
        out.append((wav, sentence))
    return out


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument(
        "--long-minutes", type=float, default=10, help="length of the long recording"
    )
    parser.add_argument("--two-hours", action="store_true", help="also the 2-hour memory check")
    parser.add_argument(
        "--throughput", action="store_true", help="also items/hour, demo archive x10"
    )
    parser.add_argument("--skip-robustness", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=1,
        help="timed runs per system and file, alternating (the median is reported)",
    )  # fmt: skip
    parser.add_argument("--speed-only", action="store_true", help="only the speed/WER table")
    parser.add_argument(
        "--only", choices=["two-hours", "throughput"], help="just this part (no speed table)"
    )
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return

    work = Path(tempfile.mkdtemp(prefix="lgnet-bench-"))
    cache = work / "cache"
    if args.only:
        if args.only == "two-hours":
            two_hours(work, cache)
        else:
            throughput(work)
        shutil.rmtree(work, ignore_errors=True)
        return
    refs = references(DATA / "references.tsv")
    files = [(DATA / c, refs[c]) for c in CLIPS]
    files.append((DATA / "longform_dev.mp4", refs["longform_dev.mp4"]))
    files.append(long_recording(work, args.long_minutes))
    print(f"CPU: {os.cpu_count()} core; modello: Whisper base int8 (lo stesso per i due sistemi)\n")

    from lgnet.asr import prefer_avx512

    # lgnet asks CTranslate2 for its AVX-512 kernels where the engine would not pick them (AMD):
    # plain faster-whisper with that same setting shows what the rest of lgnet adds
    systems = ["plain", "lgnet"]
    if prefer_avx512({}) == "AVX512":
        systems.insert(1, "plain-avx512")
        print(
            "CPU con AVX-512 non scelto da CTranslate2: anche 'plain AVX-512' (stessa impostazione di lgnet)\n"
        )
    rows = []
    pooled: dict[str, list[tuple[str, str]]] = {s: [] for s in systems}
    totals = {s: [0.0, 0.0] for s in pooled}
    shared_totals = {s: [0.0, 0.0] for s in pooled}
    long_texts = {}
    for n, (path, reference) in enumerate(files):
        runs: dict[str, list[dict[str, float | str]]] = {s: [] for s in systems}
        for rep in range(max(1, args.repeat)):
            for system in systems if (n + rep) % 2 == 0 else systems[::-1]:
                runs[system].append(run_worker(system, path, cache))
        results = {}
        for system, done in runs.items():
            ordered = sorted(done, key=lambda r: float(r["elapsed"]))
            results[system] = {
                **ordered[len(ordered) // 2],
                "steal": max(float(r["steal"]) for r in done),
            }
        for system, r in results.items():
            pooled[system].append((reference, str(r["text"])))
            totals[system][0] += float(r["elapsed"])
            totals[system][1] += float(r["duration"])
        p, g = results["plain"], results["lgnet"]
        a = results.get("plain-avx512")
        rows.append(
            [
                path.name,
                f"{float(p['duration']):.0f}",
                f"{float(p['elapsed']) / float(p['duration']):.3f}",
                *([f"{float(a['elapsed']) / float(a['duration']):.3f}"] if a else []),
                f"{float(g['elapsed']) / float(g['duration']):.3f}",
                f"{float(p['elapsed']) / float(g['elapsed']):.2f}x",
                *([f"{float(a['elapsed']) / float(g['elapsed']):.2f}x"] if a else []),
                f"{wer(reference, str(p['text'])):.3f}",
                *([f"{wer(reference, str(a['text'])):.3f}"] if a else []),
                f"{wer(reference, str(g['text'])):.3f}",
                f"{float(p['rss']):.0f}",
                f"{float(g['rss']):.0f}",
                f"{100 * max(float(r['steal']) for r in results.values()):.0f}%",
            ]
        )
        if path == files[-1][0]:
            long_texts = {s: str(r["text"]) for s, r in results.items()}
        else:
            for system, r in results.items():
                shared_totals[system][0] += float(r["elapsed"])
                shared_totals[system][1] += float(r["duration"])
        print(f"  {path.name}: fatto", file=sys.stderr, flush=True)
    isa = "plain-avx512" in systems

    def pooled_row(
        label: str, sums: dict[str, list[float]], pairs: dict[str, list[tuple[str, str]]]
    ) -> list[str]:
        rtf = {s: sums[s][0] / sums[s][1] for s in systems}
        return [
            label,
            f"{sums['plain'][1]:.0f}",
            f"{rtf['plain']:.3f}",
            *([f"{rtf['plain-avx512']:.3f}"] if isa else []),
            f"{rtf['lgnet']:.3f}",
            f"{rtf['plain'] / rtf['lgnet']:.2f}x",
            *([f"{rtf['plain-avx512'] / rtf['lgnet']:.2f}x"] if isa else []),
            f"{pooled_wer(pairs['plain']):.3f}",
            *([f"{pooled_wer(pairs['plain-avx512']):.3f}"] if isa else []),
            f"{pooled_wer(pairs['lgnet']):.3f}",
            "",
            "",
            "",
        ]

    # the shared files alone (the clips and longform_dev.mp4), then everything
    rows.append(
        pooled_row(
            "**pooled, shared files**", shared_totals, {s: p[:-1] for s, p in pooled.items()}
        )
    )
    rows.append(pooled_row("**pooled, all**", totals, pooled))
    header = ["file", "audio s", "RTF plain", *(["RTF plain AVX-512"] if isa else []), "RTF lgnet",
              "speed-up", *(["vs plain AVX-512"] if isa else []), "WER plain",
              *(["WER plain AVX-512"] if isa else []), "WER lgnet", "RSS MB plain", "RSS MB lgnet",
              "steal max"]  # fmt: skip
    print(table(rows, header))
    print(
        f"\nRipetizioni (max occorrenze di uno stesso 4-gramma, registrazione lunga): "
        f"plain {max_repetition(long_texts['plain'])}, lgnet {max_repetition(long_texts['lgnet'])} "
        f"(il riferimento ne ha {max_repetition(files[-1][1])})"
    )
    print("steal: CPU time the virtual machine's host took away during the runs; above a few")
    print("per cent the timings of that row are not reliable.")
    if args.speed_only:
        shutil.rmtree(work, ignore_errors=True)
        return

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
    shutil.rmtree(work, ignore_errors=True)


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
