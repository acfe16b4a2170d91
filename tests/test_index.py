"""The search index: Italian analysis equal to lunr.it, passages, audiences, shards, and the
real lunr.js (from the installed MkDocs, run in node) answering like lunr.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgnet.archive import load_archive
from lgnet.errors import IndexError_
from lgnet.index import (
    FORMAT,
    build_index,
    data_script,
    index_dir,
    index_is_current,
    italian,
    load_index,
    lunr_js_files,
    merge_shards,
    passages_of,
    publish_search,
    shard_of,
    split_shards,
)
from lgnet.project import Project
from lgnet.transcripts import Segment, Transcript, Word, load_transcripts, write_transcript

JS = Path(__file__).resolve().parent / "js" / "lunr_check.js"
CERCA_JS = Path(__file__).resolve().parents[1] / "docs" / "assets" / "lgnet" / "cerca.js"

# --- a small archive with known sentences ------------------------------------------------------

CITIES = [
    {"slug": "palermo", "name": "Palermo", "region": "Sicilia"},
    {"slug": "bologna", "name": "Bologna", "region": "Emilia-Romagna"},
    {"slug": "torino", "name": "Torino", "region": "Piemonte"},
    {"slug": "rete", "name": "Rete LGNet"},
]

# id -> (item fields, [(start, end, text)])
RECORDINGS: dict[str, tuple[dict[str, Any], list[tuple[float, float, str]]]] = {
    "palermo-safe-space": (
        {
            "title": "Safe Space al Centro Penc",
            "kind": "testimonianza",
            "city": "palermo",
            "date": "2023-11-03",
            "areas": ["presa-in-carico"],
            "redactions": [{"start": 10.05, "end": 10.6, "reason": "nome di una beneficiaria"}],
        },
        [
            (0.0, 4.0, "Buongiorno, sono la coordinatrice del progetto a Palermo."),
            (4.0, 8.0, "Qui al centro abbiamo aperto uno sportello unico per le persone migranti."),
            (8.0, 12.0, "La prima a entrare è stata Fatimazahra Bennani, una ragazza di Lagos."),
            (12.0, 20.0, "Lo chiamiamo anche one stop shop: un solo posto per tutti i servizi."),
            (20.0, 27.5, "Senza residenza l'assistenza sanitaria era quasi impossibile."),
            (27.5, 33.0, "Con la mediazione culturale le persone capiscono i propri diritti."),
            (33.0, 40.0, "Poi abbiamo parlato dell'emergenza abitativa in città."),
        ],
    ),
    "bologna-abitare": (
        {
            "title": "Workshop sull'abitare a Bologna",
            "kind": "workshop",
            "city": "bologna",
            "date": "2024-02",
            "areas": ["abitare"],
        },
        [
            (0.0, 6.0, "Il tema di oggi è l'emergenza abitativa nelle grandi città."),
            (6.0, 13.0, "Abbiamo cercato soluzioni abitative temporanee con il privato sociale."),
            (13.0, 19.0, "Gli appartamenti in coabitazione funzionano meglio dei dormitori."),
            (19.0, 26.0, "Il Comune ha messo a disposizione alloggi per l'accoglienza."),
            (26.0, 33.0, "Ci siamo seduti sul divano per parlare dei divani usati."),
            (33.0, 40.0, "Nel 2019 l'articolo 18 ha cambiato molte cose."),
        ],
    ),
    "torino-salute": (
        {
            "title": "Pillola: prestazioni sanitarie",
            "kind": "pillola",
            "city": "torino",
            "date": 2022,
            "areas": ["presa-in-carico"],
        },
        [
            (0.0, 5.0, "Le prestazioni sanitarie di base devono essere garantite a tutti."),
            (5.0, 11.0, "L'équipe itinerante porta la visita medica in strada."),
            (11.0, 18.0, "Lo sportello unico di Torino orienta verso l'assistenza sanitaria."),
        ],
    ),
    "rete-racconto": (
        {
            "title": "Racconto della rete",
            "kind": "docufilm",
            "city": "rete",
            "date": "2024-01-15",
            "areas": ["impegno-civico", "abitare"],
        },
        [
            (0.0, 7.0, "Sedici città hanno costruito una rete per l'inclusione."),
            (7.0, 14.0, "In ogni città uno sportello unico accoglie chi ha bisogno."),
            (14.0, 22.0, "Le politiche abitative cambiano da un territorio all'altro."),
        ],
    ),
    "bologna-interno": (
        {
            "title": "Riunione interna degli operatori",
            "kind": "workshop",
            "city": "bologna",
            "date": "2024-03-01",
            "access": "operatori",
            "areas": ["abitare"],
        },
        [(0.0, 6.0, "Nella riunioneinterna parliamo di emergenza abitativa e casi difficili.")],
    ),
    "palermo-riservato": (
        {
            "title": "Colloquio riservato",
            "kind": "testimonianza",
            "city": "palermo",
            "date": "2023-05-05",
            "access": "riservato",
        },
        [(0.0, 5.0, "Un racconto segretissimo sull'assistenza sanitaria negata.")],
    ),
}
NO_TRANSCRIPT = "torino-senza-testo"
PUBLIC_IDS = ["bologna-abitare", "palermo-safe-space", "rete-racconto", "torino-salute"]


def make_search_project(root: Path) -> Project:
    """A complete small project (items, media stand-ins, transcripts) under `root`."""
    archive = root / "archive"
    (archive / "items").mkdir(parents=True)
    (archive / "media").mkdir()
    (archive / "cities.yml").write_text(yaml.safe_dump(CITIES, allow_unicode=True), "utf-8")
    (archive / "glossary.yml").write_text("[]\n", "utf-8")
    (root / "mkdocs.yml").write_text("site_name: Prova\n", "utf-8")
    items = {key: fields for key, (fields, _) in RECORDINGS.items()}
    items[NO_TRANSCRIPT] = {
        "title": "Registrazione ancora da trascrivere",
        "kind": "pillola",
        "city": "torino",
        "date": "2024",
    }
    for item_id, fields in items.items():
        (archive / "media" / f"{item_id}.mp4").write_bytes(b"\0")
        data = {"access": "pubblico", **fields, "media": f"media/{item_id}.mp4"}
        (archive / "items" / f"{item_id}.yml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8"
        )
    for item_id, (_, segments) in RECORDINGS.items():
        segs = []
        for start, end, text in segments:
            words = []
            if "Fatimazahra" in text:  # word timings, so only the name is redacted
                step = (end - start) / len(text.split())
                words = [
                    Word(start + n * step, start + (n + 1) * step, " " + w)
                    for n, w in enumerate(text.split())
                ]
            segs.append(Segment(start, end, text, words=words))
        transcript = Transcript(
            id=item_id,
            language="it",
            duration=segments[-1][1],
            status="revisionato",
            provenance={"engine": "test"},
            segments=segs,
        )
        write_transcript(root / "transcripts", transcript)
    return Project(root)


def build(project: Project, audience: str = "pubblico", **kwargs: Any) -> Any:
    archive = load_archive(project)
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    return build_index(project, archive, transcripts, audience, **kwargs)


@pytest.fixture
def search_project(tmp_path: Path) -> Project:
    return make_search_project(tmp_path / "progetto")


def all_index_text(project: Project, audience: str) -> str:
    folder = index_dir(project, audience)
    return "\n".join(p.read_text("utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


def mkdocs_search_dir() -> Path:
    return lunr_js_files()["lunr.js"].parents[2]


def node(*args: str, data: Any) -> Any:
    if shutil.which("node") is None:
        pytest.fail("node non trovato: installare Node.js (serve per il controllo con lunr.js)")
    done = subprocess.run(
        ["node", str(JS), *args],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- Italian analysis -------------------------------------------------------------------------


def test_italian_morphology_folds_inflections() -> None:
    it = italian()
    assert it.stem("abitativa") == it.stem("abitative") == it.stem("abitativo")
    assert it.stem("sanitarie") == it.stem("sanitaria") == it.stem("sanitario")
    assert it.stem("soluzione") == it.stem("soluzioni")
    assert it.words("Dell'Emergenza, l'équipe!") == ["dell", "emergenza", "l", "équipe"]
    assert it.terms("della emergenza") == [it.stem("emergenza")]  # "della" is a stop word
    assert it.words("nel 2019 l'articolo 18") == ["nel", "2019", "l", "articolo", "18"]


# Roots and endings that exercise every suffix class of the Italian Snowball stemmer.
ROOTS = (
    "abit sanit accogl soluz emergen sportell serviz lavor cas parl cred sent mediaz inclus "
    "assist operat cittad divan integr residen document perman finanz comun formaz benefic"
)
ENDINGS = (
    "a e i o are ere ire ando endo ato ata ati ate ito iti ivo iva ive ivi ativa ative azione "
    "azioni ità mente amente ista isti ismo ezza anza enza ice ici iche abile ibile atore "
    "atrice logia oso osa uzione ario aria arie ari iamo ete ono avano ebbero erebbe glielo "
    "ci si andosi endola ìa è ò ù uì qua ui uio"
)


def _vocabulary() -> list[str]:
    """Words from the fixture, plus endings of every Italian suffix class on common roots."""
    words = set()
    for _, segments in RECORDINGS.values():
        for _, _, text in segments:
            words.update(italian().words(text))
    words.update(r + e for r in ROOTS.split() for e in ENDINGS.split())
    words.update(["divano", "divani", "divanetto", "divando", "2019", "18", "covid19", "è"])
    return sorted(words)


def test_python_stemmer_equals_lunr_it_stemmer() -> None:
    words = _vocabulary()
    js = node("stem", str(mkdocs_search_dir()), data=words)
    different = [
        (w, italian().stem(w), j) for w, j in zip(words, js, strict=True) if italian().stem(w) != j
    ]
    assert not different


def test_stop_words_word_characters_and_hash_equal_lunr_it() -> None:
    it = italian()
    probes = [*sorted(it.stop_words), "emergenza", "sportello", "casa", "perche", "piu"]
    texts = [text for _, segs in RECORDINGS.values() for _, _, text in segs]
    texts += ["«Sportello-unico» (one stop shop) — l’accoglienza… 2019/20 Ω ﬁ", "e per di più"]
    js = node(
        "analyzer", str(mkdocs_search_dir()), str(CERCA_JS), data={"words": probes, "texts": texts}
    )
    assert js["wordCharacters"] == it.word_characters
    assert js["stop"] == [it.is_stop_word(w) for w in probes]
    assert js["trimmed"] == [it.trim(w) for w in probes]
    assert js["words"] == [it.words(t) for t in texts]
    assert js["queryWords"] == [it.query_words(t) for t in texts]
    assert js["shards"] == [shard_of(w, 61) for w in probes]


# --- passages and audiences -------------------------------------------------------------------


def test_public_index_holds_only_published_items(search_project: Project) -> None:
    result = build(search_project)
    assert result.summary() == (
        "Indice di ricerca: 6 passaggi da 4 registrazioni (pubblico); 1 registrazione senza "
        "trascrizione (eseguire 'lgnet transcribe')"
    )
    text = all_index_text(search_project, "pubblico")
    for absent in (
        "riunioneinterna",
        "segretissimo",
        "bologna-interno",
        "palermo-riservato",
        "Riunione interna",
        "Colloquio riservato",
    ):
        assert absent not in text
    manifest = load_index(search_project, "pubblico").manifest
    assert [e["id"] for e in manifest["items"]] == PUBLIC_IDS
    assert manifest["format"] == FORMAT


def test_operators_index_adds_operators_items_but_never_reserved(search_project: Project) -> None:
    build(search_project, "operatori")
    text = all_index_text(search_project, "operatori")
    assert "riunioneinterna" in text
    assert "segretissimo" not in text and "palermo-riservato" not in text


def test_redacted_words_are_not_indexed(search_project: Project) -> None:
    build(search_project)
    text = all_index_text(search_project, "pubblico")
    assert "Fatimazahra" not in text and "Bennani" not in text
    assert "fatimazahr" not in text and "bennan" not in text
    assert "è stata [omissis] una ragazza di Lagos" in text


def test_passages_join_segments_up_to_the_word_target(search_project: Project) -> None:
    archive = load_archive(search_project)
    transcript = load_transcripts(search_project.transcripts, ["palermo-safe-space"])
    item = archive.items["palermo-safe-space"]
    one = passages_of(item, transcript["palermo-safe-space"], words=0)
    assert len(one) == 7 and one[1].start == 4.0
    joined = passages_of(item, transcript["palermo-safe-space"], words=20)
    assert [len(p.segments) for p in joined] == [2, 2, 3]
    assert joined[1].start == 8.0 and joined[1].end == 20.0


def test_rebuild_replaces_the_folder_and_a_failed_build_keeps_the_old_one(
    search_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(search_project)
    folder = index_dir(search_project, "pubblico")
    (folder / "stale.json").write_text("{}", "utf-8")
    build(search_project, shards=4)
    assert not (folder / "stale.json").exists()
    assert sorted(p.name for p in (folder / "indice").iterdir()) == [f"{n}.json" for n in range(4)]
    before = all_index_text(search_project, "pubblico")

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError("disco pieno")

    monkeypatch.setattr("lgnet.index.os.replace", boom)
    with pytest.raises(OSError):
        build(search_project, shards=2)
    assert all_index_text(search_project, "pubblico") == before
    assert [p.name for p in folder.parent.iterdir()] == ["pubblico"]  # no temporaries left


def _stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_an_unchanged_index_is_kept_and_a_changed_one_rebuilt(search_project: Project) -> None:
    first = build(search_project)
    folder = index_dir(search_project, "pubblico")
    files = _stats(folder)
    again = build(search_project)
    assert _stats(folder) == files  # nothing rewritten
    assert again.summary() == first.summary() and again.words == first.words
    assert again.shards == first.shards and again.segments == first.segments

    build(search_project, force=True)
    assert _stats(folder) != files

    # A new sentence in a transcript: a new index, which finds it.
    path = search_project.transcripts / "torino-salute.json"
    data = json.loads(path.read_text("utf-8"))
    data["segments"][0]["text"] = "Parliamo di ippoterapia nelle comunità."
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    build(search_project)
    assert "ippoterapia" in all_index_text(search_project, "pubblico")


def test_an_index_whose_files_were_touched_is_rebuilt(search_project: Project) -> None:
    build(search_project)
    folder = index_dir(search_project, "pubblico")
    before = all_index_text(search_project, "pubblico")
    shard = folder / "indice" / "0.json"
    assert "sportell" in shard.read_text("utf-8")
    shard.write_text(shard.read_text("utf-8").replace("sportell", "sportelx"), "utf-8")
    build(search_project)
    assert all_index_text(search_project, "pubblico") == before

    (folder / "testi" / "0.json").unlink()
    build(search_project)
    assert all_index_text(search_project, "pubblico") == before

    (folder / "estraneo.json").write_text("{}", "utf-8")  # publish_search would copy it
    build(search_project)
    assert not (folder / "estraneo.json").exists()


def test_touched_inputs_with_the_same_content_keep_the_index_current(
    search_project: Project,
) -> None:
    build(search_project)
    item = search_project.items_dir / "palermo-safe-space.yml"
    os.utime(item, ns=(1, 1))
    stored = load_index(search_project, "pubblico")
    assert not index_is_current(search_project, stored)
    build(search_project)
    assert index_is_current(search_project, load_index(search_project, "pubblico"))


def test_shards_split_and_merge_back_to_the_same_index(search_project: Project) -> None:
    build(search_project, shards=1)
    whole = load_index(search_project, "pubblico")
    serialized = merge_shards(whole.manifest["lunr"], [whole.read("indice/0.json")])
    parts = split_shards(serialized, 8)
    merged = merge_shards(whole.manifest["lunr"], parts)
    assert merged["invertedIndex"] == serialized["invertedIndex"]
    assert dict(map(tuple, merged["fieldVectors"])) == dict(map(tuple, serialized["fieldVectors"]))


def test_publish_copies_index_and_lunr(search_project: Project, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with pytest.raises(IndexError_, match="indice di ricerca mancante: eseguire 'lgnet index'"):
        publish_search(search_project, "pubblico", site)
    build(search_project, shards=2)
    publish_search(search_project, "pubblico", site)
    assets = site / "assets" / "cerca"
    names = sorted(p.relative_to(assets).as_posix() for p in assets.rglob("*.js"))
    assert names == [
        "indice/0.js",
        "indice/1.js",
        "lunr.it.js",
        "lunr.js",
        "lunr.stemmer.support.js",
        "manifest.js",
        "testi/0.js",
    ]
    manifest = (assets / "manifest.js").read_text("utf-8")
    assert manifest.startswith('lgnetCercaDati("manifest",JSON.parse(\'{')
    assert (assets / "lunr.js").read_bytes() == lunr_js_files()["lunr.js"].read_bytes()
    with pytest.raises(IndexError_):
        publish_search(search_project, "operatori", site)


def test_published_data_files_keep_every_character() -> None:
    data = {"t": 'l\'«hub» \\ "apici" \u2028 \u2029 </script> \n ü €', "n": [1.5, 2]}
    source = data_script("testi/0", json.dumps(data, ensure_ascii=False))
    done = subprocess.run(
        ["node", str(JS), "data"], input=source, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == {"key": "testi/0", "data": data}


# --- lunr.js answers like lunr.py ------------------------------------------------------------

RAW_QUERIES = [
    "abitativa",
    "abitative",
    "sanitarie",
    "sanitaria",
    "sportello unico",
    "+sportello +unico",
    "emergenza abitativa",
    "one stop shop",
    "assistenza",
    "divano",
    "2019",
    "città",
    "équipe itinerante",
    "parola-inesistente",
]


def test_lunr_js_loads_the_python_index_and_answers_the_same(
    search_project: Project, tmp_path: Path
) -> None:
    from lunr.index import Index

    build(search_project, shards=1, passage_words=0)  # one segment per passage: more documents
    stored = load_index(search_project, "pubblico")
    serialized = merge_shards(stored.manifest["lunr"], [stored.read("indice/0.json")])
    path = tmp_path / "index.json"
    path.write_text(json.dumps(serialized), "utf-8")
    index = Index.load(serialized)
    python = [[[r["ref"], r["score"]] for r in index.search(q)] for q in RAW_QUERIES]
    js = node("raw", str(mkdocs_search_dir()), str(path), data=RAW_QUERIES)
    for query, py_hits, js_hits in zip(RAW_QUERIES, python, js, strict=True):
        assert [r for r, _ in js_hits] == [r for r, _ in py_hits], query
        assert [s for _, s in js_hits] == pytest.approx([s for _, s in py_hits]), query
    found = dict(zip(RAW_QUERIES, python, strict=True))
    assert found["abitativa"] == found["abitative"] and len(found["abitativa"]) >= 4
    assert found["sanitarie"] == found["sanitaria"] and len(found["sanitaria"]) >= 3
    assert found["parola-inesistente"] == []
