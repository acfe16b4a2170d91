"""Scale benchmark of the transcript search: a synthetic archive of N hours of Italian speech.

    .venv/bin/python bench/search_scale.py --hours 200            # the target size
    .venv/bin/python bench/search_scale.py --hours 5 --monolithic # quick, and one-file index too

It generates transcripts with realistic segment lengths (Whisper-like: about 11 words, 2.4 words
per second) and vocabulary (Italian function words, a Zipf-distributed lexicon of real frequent
words followed by generated Italian-like words with real inflections, and the network's domain
phrases), then measures:

* index build time (passages, lunr.py, shards, files) and peak memory;
* the bytes a browser downloads before the first result, gzip-compressed, per query: lunr.js,
  lunr.stemmer.support.js, lunr.it.js, cerca.js, the manifest, the shards of the query's words
  and the text file of the first hit (p50 / p95 / max over the queries);
* query latency in lunr.js (node, the page's own engine from cerca.js) over the queries, cold
  (shards parsed and joined for that query) and warm (shards already loaded).

Targets: <= 1.5 MB downloaded before the first result, <= 50 ms p95. Never run by the tests.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from lgnet.archive import Archive, City, Item  # noqa: E402
from lgnet.index import (  # noqa: E402
    build_lunr,
    collect_passages,
    gzip_size,
    italian,
    publish_search,
    write_index,
)
from lgnet.project import Project  # noqa: E402
from lgnet.transcripts import Segment, Transcript  # noqa: E402

NODE_CHECK = ROOT / "tests" / "js" / "lunr_check.js"
CERCA_JS = ROOT / "docs" / "assets" / "lgnet" / "cerca.js"

CITY_NAMES = (
    "agrigento bologna bolzano caserta catania firenze genova latina milano napoli palermo "
    "perugia potenza roma sassari taranto torino trieste"
)
CITIES = CITY_NAMES.split()

# Frequent content words of spoken Italian about social services, most frequent first.
COMMON_WORDS = """
persone cosa fatto anni casa lavoro servizi progetto comune città tempo parte modo momento
persona situazione percorso territorio operatori rete accoglienza migranti documenti permesso
soggiorno residenza salute lingua famiglia famiglie bambini donne ragazzi strada notte dormitorio
mensa bisogno aiuto sostegno richiesta problema problemi servizio sociale sociali uffici ufficio
associazioni volontari cooperativa mediatori mediatore comunità giorno giorni settimana mese
mesi anno prima dopo insieme sempre ancora molto poco tanto tutto niente qualcosa detto dire
fare andare vedere sapere venire dare stare parlare lavorare capire trovare pensare chiedere
aiutare accompagnare ascoltare incontrare conoscere arrivare entrare uscire restare vivere
abitare dormire mangiare pagare cercare ottenere rinnovare presentare aspettare iniziare
esperienza difficoltà possibilità informazioni risposta risposte domanda domande pratica
pratiche questura prefettura ospedale medico medici sanitaria sanitario sanitarie tessera
codice fiscale contratto affitto alloggio alloggi appartamento appartamenti struttura strutture
centro centri sportello sportelli unico équipe multidisciplinare itinerante unità progetti
inclusione integrazione marginalità povertà fragilità vulnerabilità dipendenze salute mentale
psicologo psicologa assistente assistenti educatore educatrice operatrice operatore avvocato
legale tutela diritti diritto formazione corso corsi scuola tirocinio tirocini occupazione
impiego reddito sussidio bonus contributo fondi finanziamento ministero interno prefetture anci
cittalia partner enti ente pubblico privato terzo settore tavolo tavoli coordinamento riunione
incontri laboratorio workshop testimonianza storia storie racconto viaggio paese paesi origine
nigeria senegal gambia marocco tunisia egitto pakistan bangladesh ucraina albania romania
mediazione culturale linguistica orientamento presa carico emergenza abitativa abitative
housing first soluzioni temporanee coabitazione dormitori pronto intervento invernale freddo
caldo inverno estate covid pandemia vaccino vaccini tampone quarantena lockdown
"""
COMMON = COMMON_WORDS.split()

DOMAIN_PHRASES = [
    "emergenza abitativa",
    "sportello unico",
    "one stop shop",
    "presa in carico",
    "mediazione culturale",
    "permesso di soggiorno",
    "assistenza sanitaria",
    "prestazioni sanitarie",
    "residenza fittizia",
    "housing first",
    "unità di strada",
    "équipe multidisciplinare",
    "soluzioni abitative",
    "codice fiscale",
    "tessera sanitaria",
    "salute mentale",
    "impegno civico",
    "pronto intervento sociale",
    "centro di accoglienza",
    "servizio sociale professionale",
]

QUERIES = [
    *DOMAIN_PHRASES,  # 20 phrases of the network's work
    "abitativa",
    "sanitarie",
    "mediatori",
    "questura",
    "coabitazione",
    "tirocini",
    "dormitorio",
    "vulnerabilità",
    "ospedale",
    "affitto",
    "prefettura",
    "vaccino",
    "nigeria",
    "avvocato",
    "contratto",  # 15 single words of the domain
    "persone",
    "casa",
    "lavoro",
    "servizi",
    "progetto",
    "città",
    "operatori",
    "documenti",
    "famiglie",
    "territorio",  # 10 of the most frequent content words: the largest postings
    "rinnovare il permesso di soggiorno in questura",
    "donne con bambini in dormitorio",
    "tirocinio formativo",
    "psicologa dipendenze",
    "ragazzi gambia senegal",  # 5 longer or rarer queries
]

# Syllables and inflections for generated Italian-like words (the long tail of the lexicon).
CONTENT_RANK_OFFSET = 50
ONSET_LETTERS = "b c d f g l m n p r s t v z br cr tr pr gr st sp sc ch gl gn"
ONSETS = ONSET_LETTERS.split()
VOWELS = list("aeiouaeio")
ENDINGS = [
    ["o", "a", "i", "e"],
    ["zione", "zioni"],
    ["ità"],
    ["are", "ato", "ata", "ati", "ando", "iamo", "ano", "ava", "avano"],
    ["ere", "uto", "endo", "ono", "eva"],
    ["ire", "ito", "isce", "iscono"],
    ["mente"],
    ["ivo", "iva", "ivi", "ive"],
    ["ista", "isti", "iste"],
    ["ale", "ali"],
    ["oso", "osa", "osi", "ose"],
    ["ente", "enti", "enza", "enze"],
]


def generated_lexicon(rng: random.Random, lemmas: int) -> list[list[str]]:
    """Italian-looking lemmas, each with its inflected forms."""
    seen: set[str] = set()
    out: list[list[str]] = []
    while len(out) < lemmas:
        syllables = rng.choice((2, 2, 3, 3, 3, 4))
        root = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
        root = root[:-1]
        if root in seen:
            continue
        seen.add(root)
        forms = [root + e for e in rng.choice(ENDINGS)]
        out.append(forms)
    return out


class SpeechModel:
    """Draws Whisper-like segments of Italian speech."""

    def __init__(self, rng: random.Random, lemmas: int) -> None:
        self.rng = rng
        stops = sorted(italian().stop_words)
        rng.shuffle(stops)
        self.stops = stops
        self.stop_weights = [1 / (r + 1) ** 1.1 for r in range(len(stops))]
        lexicon = [[w] for w in COMMON] + generated_lexicon(rng, lemmas)
        self.lexicon = lexicon
        # Zipf with an offset: the most frequent content word is about 0.2% of all words, as
        # "persone" or "casa" are in spoken Italian, not 5% as with a plain 1/rank.
        weights = [1 / (r + CONTENT_RANK_OFFSET) for r in range(len(lexicon))]
        total = 0.0
        self.cum: list[float] = []
        for w in weights:
            total += w
            self.cum.append(total)
        total = 0.0
        self.stop_cum: list[float] = []
        for w in self.stop_weights:
            total += w
            self.stop_cum.append(total)

    def words(self, count: int) -> list[str]:
        rng = self.rng
        out: list[str] = []
        while len(out) < count:
            roll = rng.random()
            if roll < 0.004:
                out += rng.choice(DOMAIN_PHRASES).split()
            elif roll < 0.46:
                out.append(rng.choices(self.stops, cum_weights=self.stop_cum)[0])
            else:
                lemma = rng.choices(self.lexicon, cum_weights=self.cum)[0]
                out.append(rng.choice(lemma))
        return out

    def segment_words(self) -> int:
        return max(2, min(30, round(self.rng.gauss(11, 4.5))))

    def transcript(self, item_id: str, duration: float) -> Transcript:
        segments = []
        t = 0.0
        while t < duration:
            words = self.words(self.segment_words())
            length = len(words) / self.rng.uniform(2.0, 2.8)
            text = " ".join(words)
            text = text[0].upper() + text[1:] + self.rng.choice([".", ".", ",", "?"])
            segments.append(Segment(start=t, end=t + length, text=text))
            t += length + self.rng.uniform(0.0, 0.3)
        return Transcript(item_id, "it", t, "automatico", {"engine": "bench"}, segments)


KINDS = [  # kind, share of recordings, minutes (min, max)
    ("workshop", 0.25, (45, 120)),
    ("testimonianza", 0.35, (5, 25)),
    ("pillola", 0.25, (2, 6)),
    ("docufilm", 0.15, (20, 50)),
]
AREAS = ["abitare", "presa-in-carico", "impegno-civico"]


def synthetic_archive(hours: float, seed: int, lemmas: int) -> tuple[Archive, dict[str, Any]]:
    rng = random.Random(seed)
    model = SpeechModel(rng, lemmas)
    cities = {slug: City(slug=slug, name=slug.capitalize()) for slug in CITIES}
    cities["rete"] = City(slug="rete", name="Rete LGNet")
    items: dict[str, Item] = {}
    transcripts: dict[str, Transcript] = {}
    total = 0.0
    n = 0
    while total < hours * 3600:
        kind, _, (low, high) = rng.choices(KINDS, weights=[k[1] for k in KINDS])[0]
        city = rng.choice([*CITIES, "rete"])
        minutes = rng.uniform(low, high)
        item_id = f"{city}-{kind}-{n:04d}"
        n += 1
        items[item_id] = Item.model_validate(
            {
                "id": item_id,
                "title": f"{kind.capitalize()} {n} a {city.capitalize()} sull'accoglienza",
                "kind": kind,
                "city": city,
                "date": f"{rng.choice(range(2019, 2025))}-{rng.randint(1, 12):02d}",
                "media": f"media/{item_id}.mp4",
                "access": "pubblico",
                "areas": rng.sample(AREAS, rng.choice((1, 1, 2))),
            }
        )
        transcripts[item_id] = model.transcript(item_id, minutes * 60)
        total += transcripts[item_id].duration
    return Archive(items=items, cities=cities, glossary=[]), transcripts


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def run_engine(assets: Path, fresh: bool, repeat: int) -> list[dict[str, Any]]:
    done = subprocess.run(
        ["node", str(NODE_CHECK), "engine", str(assets), str(CERCA_JS)],
        input=json.dumps(
            {"queries": [{"q": q, "limit": 1} for q in QUERIES], "fresh": fresh, "repeat": repeat}
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def measure_layout(label: str, project: Project, site: Path) -> dict[str, Any]:
    publish_search(project, "pubblico", site)
    assets = site / "assets" / "cerca"
    gz = {p.relative_to(assets).as_posix(): gzip_size(p) for p in assets.rglob("*.js")}
    raw = {p.relative_to(assets).as_posix(): p.stat().st_size for p in assets.rglob("*.js")}
    fixed = sum(gz[f] for f in ("lunr.js", "lunr.stemmer.support.js", "lunr.it.js"))
    fixed += gzip_size(CERCA_JS)
    cold = run_engine(assets, fresh=True, repeat=1)
    warm = run_engine(assets, fresh=False, repeat=6)
    first_bytes = [fixed + sum(gz[f] for f in q["firstResultFiles"]) for q in cold]
    cold_ms = [q["times"][0] for q in cold]
    parse_ms = [q["parseMs"] for q in cold]
    warm_ms = [statistics.median(q["times"][1:]) for q in warm]
    shard_gz = [v for k, v in gz.items() if k.startswith("indice/")]
    text_gz = [v for k, v in gz.items() if k.startswith("testi/")]
    return {
        "layout": label,
        "files": len(gz),
        "index_raw_bytes": sum(v for k, v in raw.items() if k.startswith(("indice/", "testi/"))),
        "index_gzip_bytes": sum(shard_gz) + sum(text_gz) + gz["manifest.js"],
        "shards": len(shard_gz),
        "shard_gzip_max": max(shard_gz),
        "shard_gzip_median": statistics.median(shard_gz),
        "text_files": len(text_gz),
        "text_gzip_median": statistics.median(text_gz),
        "manifest_gzip": gz["manifest.js"],
        "lunr_and_page_js_gzip": fixed,
        "first_result_bytes_p50": percentile(first_bytes, 50),
        "first_result_bytes_p95": percentile(first_bytes, 95),
        "first_result_bytes_max": max(first_bytes),
        "cold_query_ms_p50": percentile(cold_ms, 50),
        "cold_query_ms_p95": percentile(cold_ms, 95),
        "cold_parse_ms_p50": percentile(parse_ms, 50),
        "cold_parse_ms_p95": percentile(parse_ms, 95),
        "warm_query_ms_p50": percentile(warm_ms, 50),
        "warm_query_ms_p95": percentile(warm_ms, 95),
        "hits_p50": percentile([len(q["refs"]) for q in cold], 50),
        "hits_max": max(len(q["refs"]) for q in cold),
        "queries_without_hits": sum(1 for q in cold if not q["refs"]),
        "slowest_warm": sorted(
            ((round(ms, 1), q["q"], len(q["refs"])) for ms, q in zip(warm_ms, warm, strict=True)),
            reverse=True,
        )[:5],
        "slowest_cold": sorted(
            ((round(ms, 1), q["q"], len(q["refs"])) for ms, q in zip(cold_ms, cold, strict=True)),
            reverse=True,
        )[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=200.0, help="hours of speech (200)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lemmas", type=int, default=30000, help="lexicon size (30000)")
    parser.add_argument(
        "--passage-words",
        default="40",
        help="comma-separated passage sizes in words to compare (0 = one segment each)",
    )
    parser.add_argument("--shards", type=int, default=None, help="force a number of shards")
    parser.add_argument(
        "--monolithic", action="store_true", help="also measure a one-file index (shards=1)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the sites in this folder")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()

    t0 = time.perf_counter()
    archive, transcripts = synthetic_archive(args.hours, args.seed, args.lemmas)
    words = sum(len(s.text.split()) for t in transcripts.values() for s in t.segments)
    segments = sum(len(t.segments) for t in transcripts.values())
    seconds = sum(t.duration for t in transcripts.values())
    vocabulary = {
        w for t in transcripts.values() for s in t.segments for w in italian().words(s.text)
    }
    corpus_info = {
        "hours": round(seconds / 3600, 1),
        "recordings": len(archive.items),
        "segments": segments,
        "words": words,
        "words_per_segment": round(words / segments, 1),
        "distinct_words": len(vocabulary),
        "distinct_stems": len({italian().stem(w) for w in vocabulary}),
        "generation_s": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps(corpus_info, indent=1), flush=True)

    work = Path(args.keep or tempfile.mkdtemp(prefix="lgnet-bench-"))
    figures: dict[str, Any] = {"corpus": corpus_info, "runs": []}
    for size in [int(s) for s in args.passage_words.split(",")]:
        t1 = time.perf_counter()
        corpus = collect_passages(archive, transcripts, "pubblico", passage_words=size)
        t2 = time.perf_counter()
        serialized = build_lunr(corpus.passages)
        t3 = time.perf_counter()
        layouts = [("sharded", args.shards)]
        if args.monolithic:
            layouts.append(("monolithic", 1))
        for label, shards in layouts:
            project = Project(work / f"p{size}-{label}")
            t4 = time.perf_counter()
            result = write_index(project, corpus, serialized, shards=shards)
            t5 = time.perf_counter()
            run = {
                "passage_words": size,
                "passages": result.passages,
                "build_passages_s": round(t2 - t1, 1),
                "build_lunr_s": round(t3 - t2, 1),
                "build_write_s": round(t5 - t4, 1),
                "build_total_s": round(t3 - t1 + t5 - t4, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                **measure_layout(label, project, work / f"site-{size}-{label}"),
            }
            figures["runs"].append(run)
            print(json.dumps(run, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), "utf-8")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
