"""The content is true to its sources and says plainly what this demo archive is.

These tests read the real files of the repository (hand-written pages, catalogue, training
paths, glossary, transcripts, the narration scripts) and check the claims an audit found
unsupported, so that they do not come back: what the sources do not say, dates that belong to
something else, areas a source contradicts, demo recordings passed off as the real ones, and
a few recurring Italian mistakes.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from lgnet.align import normalise
from lgnet.archive import load_archive
from lgnet.knowledge import load_sheets, load_sources, split_front_matter
from lgnet.project import Project
from lgnet.transcribe import ItemOutcome, TranscribeResult
from lgnet.transcripts import load_transcripts
from tests.conftest import REPO

# The hand-written knowledge pages this suite checks (the home page, docs/index.md, has its
# own owner and tests; generated pages are not hand-written).
PAGES = sorted(
    [REPO / "docs" / name for name in ("storia.md", "fonti.md", "glossario.md")]
    + [p for folder in ("modello", "citta", "guida") for p in (REPO / "docs" / folder).glob("*.md")]
)
DEMO = "archivio dimostrativo"


def items() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((REPO / "archive" / "items").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["date"] = str(data["date"])
        out[path.stem] = data
    return out


def transcript_text(item_id: str) -> str:
    data = json.loads((REPO / "transcripts" / f"{item_id}.json").read_text(encoding="utf-8"))
    return " ".join(s["text"] for s in data["segments"])


def prose(path: Path) -> str:
    """A page without fenced code, inline code and footnote definitions: the words readers read."""
    front, body = split_front_matter(path.read_text(encoding="utf-8"))
    body = re.sub(r"^```.*?^```", "", body, flags=re.MULTILINE | re.DOTALL)
    body = re.sub(r"`[^`\n]*`", "", body)
    return (front or "") + "\n" + body


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def demo_media() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_demo_media", REPO / "scripts" / "make_demo_media.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo_media", module)
    spec.loader.exec_module(module)
    return module


# --- what the sources do not say ------------------------------------------------------------


def test_lgnet_is_not_called_a_stable_programme() -> None:
    texts = [p.read_text(encoding="utf-8") for p in PAGES]
    texts += [p.read_text(encoding="utf-8") for p in (REPO / "archive").rglob("*.yml")]
    for text in texts:
        assert "programma stabile" not in flat(text).lower()


# Phrases two demo narrations once said although no source says them; their media were made
# again without them.
UNSUPPORTED_SPOKEN = ["fragilità sanitarie", "come i progetti di impegno civico"]


def test_unsupported_phrases_are_said_nowhere() -> None:
    module = demo_media()
    for recording in module.SYNTHETIC:
        for line in recording.lines:
            for phrase in UNSUPPORTED_SPOKEN:
                assert phrase not in flat(line.text).lower(), (recording.name, phrase)
    for path in sorted((REPO / "transcripts").glob("*.*")):
        text = flat(path.read_text(encoding="utf-8")).lower()
        for phrase in UNSUPPORTED_SPOKEN:
            assert phrase not in text, (path.name, phrase)
    # nor does any description still warn that a recording says them
    for item_id, data in items().items():
        assert "Attenzione" not in data["description"], item_id


# The texts the knowledge base and the narrations draw their facts from (not in the
# repository: shared/sources/ next to it, as for scripts/make_demo_media.py's real clips).
SOURCE_TEXTS = REPO.parent / "shared" / "sources"
# Number words a narration may say for a figure a source writes in digits (or in words).
NUMBER_WORDS = {"tre": "3", "sedici": "16", "diciotto": "18", "duecento": "200"}
# A line that cites no source speaks of the demo itself, and says so.
ABOUT_THE_DEMO = ("sintetic", "dimostrativ", "inventat", "fantasia", "archivio")


def fold(text: str) -> str:
    """Lower case without accents: how a name is looked for in a source."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def checkable_words(text: str) -> list[str]:
    """The words of a narrated line where an invention would show: figures, number words, and
    names (capitalised words not opening a sentence, words with inner capitals: LGNetEA)."""
    out = []
    for sentence in re.split(r"[.?!:;]\s+", text):
        for n, token in enumerate(re.findall(r"[^\W_]+", sentence)):
            name = (n > 0 and token[0].isupper()) or any(c.isupper() for c in token[1:])
            if token.isdigit() or fold(token) in NUMBER_WORDS or name:
                out.append(token)
    return out


# The words of each source (lower case, no accents, each once, sorted): what a narrated name
# or figure is looked up in. The texts themselves are not in the repository; this list is
# made from them (SOURCE_TEXTS) and kept in step by the test below.
SOURCE_WORDS = REPO / "tests" / "data" / "source_words.json"


def source_words(texts: dict[str, str]) -> dict[str, list[str]]:
    return {k: sorted(set(re.findall(r"[^\W_]+", fold(v)))) for k, v in sorted(texts.items())}


def test_the_source_word_lists_match_the_source_texts() -> None:
    if not SOURCE_TEXTS.is_dir():
        pytest.skip(f"{SOURCE_TEXTS} not found: the word lists cannot be compared with it")
    sources, _ = load_sources(Project(REPO))
    texts = {
        source_id: (SOURCE_TEXTS / source.file).read_text(encoding="utf-8")
        for source_id, source in sources.items()
        if source.file
    }
    expected = source_words(texts)
    # regenerate: json.dump(source_words(texts), ..., ensure_ascii=False, indent=0)
    assert json.loads(SOURCE_WORDS.read_text(encoding="utf-8")) == expected


def test_every_narrated_line_is_traceable_to_its_sources() -> None:
    words = {k: set(v) for k, v in json.loads(SOURCE_WORDS.read_text(encoding="utf-8")).items()}
    catalogue = items()
    module = demo_media()
    by_media = {Path(data["media"]).name: item_id for item_id, data in catalogue.items()}
    unsupported = []
    for recording in module.SYNTHETIC:
        redactions = catalogue[by_media[recording.name]].get("redactions", [])
        for line in recording.lines:
            if not line.sources:
                # about the demo, or fake contact details that the catalogue hides (omissis)
                hidden = bool(redactions) and (line.mark or "").startswith("omissis")
                assert hidden or any(w in fold(line.text) for w in ABOUT_THE_DEMO), line.text
                continue
            assert set(line.sources) <= set(words), (recording.name, line.sources)
            cited = set().union(*(words[s] for s in line.sources))
            for word in checkable_words(line.text):
                forms = {fold(word), NUMBER_WORDS.get(fold(word), fold(word))}
                if not forms & cited:
                    unsupported.append(f"{recording.name}: {word!r} in {line.text[:60]!r}")
    assert unsupported == []


def test_the_traceability_check_catches_an_invented_name_or_figure() -> None:
    words = checkable_words("A Palermo il Centro Aurora ha seguito 350 persone. Grazie, LGNet2.")
    assert words == ["Palermo", "Centro", "Aurora", "350", "LGNet2"]


# --- a demonstration archive, and what it is not -----------------------------------------


def test_every_synthetic_item_says_it_is_a_demonstration() -> None:
    synthetic = {k: v for k, v in items().items() if v.get("synthetic")}
    assert len(synthetic) >= 7
    for item_id, data in synthetic.items():
        description = flat(data["description"])
        assert description.startswith(("Demo sintetica", "Pillola dimostrativa")), item_id
        assert "registrazione reale" in description, item_id
        assert DEMO in description, item_id
        assert "Quando saranno aggiunte" in description, item_id
        assert "La data" in description, f"{item_id}: say what the date refers to"


def test_no_synthetic_item_is_catalogued_as_the_docufilm() -> None:
    for item_id, data in items().items():
        if data.get("synthetic"):
            assert data["kind"] != "docufilm", item_id


def test_the_synthetic_summary_is_a_pill_with_its_own_date() -> None:
    data = items()["rete-da-lgnetea-a-lgnet2"]
    sources, _ = load_sources(Project(REPO))
    assert data["kind"] == "pillola"
    assert data["date"] != sources["nova-2024-01-evento-conclusivo"].date
    assert data["date"] == items()["rete-prova-voci-reali"]["date"], "the year the demo was made"
    description = flat(data["description"])
    assert "Non è il docufilm «Ritratti – storie e voci dai comuni Lgnet»" in description
    assert "il docufilm non è in questo archivio" in description


def test_pages_do_not_imply_the_real_recordings_are_here() -> None:
    for path in PAGES:
        text = flat(prose(path))
        assert "se è presente nell'" not in text, path.name
        assert "Sono le registrazioni che questo sito raccoglie" not in text, path.name
        assert "si trovano le testimonianze, i workshop e il docufilm" not in text, path.name
        if "docufilm «Ritratti" in text and path.parent.name == "citta":
            assert "non è in questo archivio" in text, path.name
    storia = flat(prose(REPO / "docs" / "storia.md"))
    assert "non sono in questo archivio" in storia and "dimostrativo" in storia
    assert "Il docufilm non è in questo archivio" in storia
    modello = flat(prose(REPO / "docs" / "modello" / "index.md"))
    assert "l'archivio è dimostrativo" in modello
    presa = flat(prose(REPO / "docs" / "modello" / "presa-in-carico.md"))
    assert "ma non è in questo archivio" in presa
    glossary = yaml.safe_load((REPO / "archive" / "glossary.yml").read_text(encoding="utf-8"))
    docufilm = next(t for t in glossary if t["term"] == "docufilm")
    assert "Non è presente in questo archivio" in docufilm["definition"]


def test_training_path_notes_do_not_offer_the_docufilm() -> None:
    for path in (REPO / "archive" / "paths").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for excerpt in data["excerpts"]:
            note = flat(excerpt.get("note", ""))
            if "docufilm" in note:
                assert "non è in questo archivio" in note, (path.name, excerpt["item"])


# --- the demo workshop -----------------------------------------------------------------------

WORKSHOP = "rete-workshop-dimostrativo"


def test_the_demo_workshop_is_long_with_several_voices_and_says_it_is_synthetic() -> None:
    data = items()[WORKSHOP]
    assert (data["kind"], data["city"], data["access"]) == ("workshop", "rete", "pubblico")
    assert data["synthetic"] is True and data["media"].endswith(".mp4")
    transcript = json.loads((REPO / "transcripts" / f"{WORKSHOP}.json").read_text("utf-8"))
    assert transcript["duration"] >= 600
    module = demo_media()
    recording = module.DEMO_WORKSHOP
    assert len({line.voice for line in recording.lines}) >= 4
    # labelled as synthetic in the speech, on the picture and in the catalogue
    assert "voci sintetiche" in recording.lines[0].text
    assert "sintetic" in fold(recording.label) and "sintetic" in fold(recording.lines[0].slide[1])
    assert all("voce sintetica" in role for role in recording.roles.values())
    description = flat(data["description"])
    assert "non si è mai svolto" in description
    # no invented workshop date: the year the demo was made, as for the other generated pill
    assert data["date"] == items()["rete-da-lgnetea-a-lgnet2"]["date"]


def test_the_demo_workshop_names_its_voices_by_role_only() -> None:
    item = load_archive(Project(REPO)).items[WORKSHOP]
    assert len(item.speakers) >= 4
    for speaker in item.speakers:
        assert speaker.label and speaker.name is None and speaker.role
        assert "voce sintetica" in speaker.role
    voices = {line.speaker for line in demo_media().DEMO_WORKSHOP.lines}
    assert voices == set(item.speaker_labels()) == {t.speaker for t in item.turns}


def test_the_demo_workshops_turns_say_who_speaks_each_sentence() -> None:
    item = load_archive(Project(REPO)).items[WORKSHOP]
    turns = item.turns
    assert all(a.end < b.start for a, b in itertools.pairwise(turns)), "no overlaps"
    assert all(a.speaker != b.speaker for a, b in itertools.pairwise(turns)), "joined turns"
    transcript = load_transcripts(Project(REPO).transcripts, [WORKSHOP])[WORKSHOP]
    for segment in transcript.segments:
        turn = [t for t in turns if t.start <= segment.start and segment.end <= t.end]
        assert len(turn) == 1 and turn[0].speaker == segment.speaker, segment.text


def test_the_demo_workshops_chapters_have_synopses_and_keywords_said_in_them() -> None:
    item = load_archive(Project(REPO)).items[WORKSHOP]
    assert 6 <= len(item.chapters) <= 10
    transcript = load_transcripts(Project(REPO).transcripts, [WORKSHOP])[WORKSHOP]
    ends = [c.start for c in item.chapters[1:]] + [transcript.duration]
    marks = [line.mark for line in demo_media().DEMO_WORKSHOP.lines if line.mark]
    assert [c.title for c in item.chapters] == marks
    for chapter, end in zip(item.chapters, ends, strict=True):
        assert len(chapter.synopsis) > 40 and chapter.keywords, chapter.title
        said = normalise(
            " ".join(s.text for s in transcript.segments if chapter.start <= s.start < end)
        )
        for keyword in chapter.keywords:
            assert normalise(keyword) in said, (chapter.title, keyword)


# --- dates ------------------------------------------------------------------------------------


def test_item_dates_match_their_sources() -> None:
    sources, _ = load_sources(Project(REPO))
    catalogue = items()
    # a pill on one article, an event known only by its month: the source's own date
    assert catalogue["palermo-safe-space"]["date"] == sources["palermo-2023-11-03-lgnet2"].date
    assert catalogue["roma-evento-conclusivo"]["date"] == (
        sources["nova-2024-01-evento-conclusivo"].date
    )
    perugia = sources["comune-perugia-2023-04-19-lgnet2"].date
    assert perugia is not None
    assert catalogue["perugia-emergenza-abitativa"]["date"] == perugia[:4]


def test_the_workshop_does_not_carry_the_news_items_date() -> None:
    """The 24 March 2022 news item does not say on which day the workshop took place."""
    sources, _ = load_sources(Project(REPO))
    news = sources["workshop-lgnetea-2022-03-24"].date
    assert news == "2022-03-24"
    data = items()["rete-workshop-one-stop-shop"]
    assert data["date"] != news and len(data["date"]) == 4
    assert data["date"] == news[:4]
    description = flat(data["description"])
    assert "La data si riferisce al workshop reale" in description
    assert "24 marzo 2022" in description and "non dice in che giorno" in description
    for path in PAGES:
        text = flat(prose(path)).lower()
        assert "workshop del marzo 2022" not in text, path.name
        assert "secondo, nel marzo 2022" not in text, path.name
    glossary = (REPO / "archive" / "glossary.yml").read_text(encoding="utf-8")
    assert "nel marzo 2022" not in flat(glossary)


# --- areas ------------------------------------------------------------------------------------


def test_item_areas_agree_with_the_city_sheet() -> None:
    """An item of a city never claims an area the city's sources contradict."""
    sheets, problems = load_sheets(Project(REPO))
    assert problems == []
    catalogue = items()
    for item_id, data in catalogue.items():
        sheet = sheets.get(data["city"])
        if sheet is not None and sheet.front.areas is not None:
            assert set(data.get("areas", [])) <= set(sheet.front.areas.value), item_id
    assert set(catalogue["perugia-emergenza-abitativa"]["areas"]) == {"abitare", "presa-in-carico"}
    assert catalogue["genova-testimonianza-riservata"]["areas"] == [], "no source gives one"


# --- where the sources disagree ---------------------------------------------------------------


def test_the_sixteen_or_eighteen_disagreement_is_still_stated() -> None:
    storia = flat(prose(REPO / "docs" / "storia.md"))
    assert "Sedici o diciotto Comuni?" in storia
    assert "**sedici**" in storia and "**diciotto**" in storia
    fonti = flat(prose(REPO / "docs" / "fonti.md"))
    assert "sedici nella notizia del marzo 2022, diciotto nella pagina di progetto" in fonti
    glossary = yaml.safe_load((REPO / "archive" / "glossary.yml").read_text(encoding="utf-8"))
    lgnetea = next(t for t in glossary if t["term"] == "LGNetEA")
    assert "sedici oppure diciotto" in flat(lgnetea["definition"])


# --- Italian --------------------------------------------------------------------------------

ITALIAN_MISTAKES = [
    (re.compile(r"\blGNet"), "LGNet, in maiuscolo"),
    (re.compile(r"(?<![\w'’])a\s+[Aa]\w"), "«ad» davanti a una parola che inizia per a"),
    # "una o due righe" is right: the conjunction "o" (and "e") alone is no vowel-initial noun
    (re.compile(r"\b[Uu]na\s+(?![oe]\b)[aeiouAEIOUàèéìòù]"), "«un'» davanti a vocale"),
    (re.compile(r"trascrizione\s+(?:come\s+)?\W*revisionato"), "trascrizione revisionata"),
    (re.compile(r"\w - \w"), "lineetta «–» fra due frasi, non il trattino"),
    (re.compile(r"\b1 (?:trascritte|volte|registrazioni)\b"), "singolare dopo 1"),
]


def test_pages_and_catalogue_avoid_recurring_italian_mistakes() -> None:
    texts = {p.relative_to(REPO).as_posix(): p.read_text("utf-8") for p in PAGES}
    for folder in ("items", "paths"):
        for path in (REPO / "archive" / folder).glob("*.yml"):
            texts[path.relative_to(REPO).as_posix()] = path.read_text(encoding="utf-8")
    texts["archive/glossary.yml"] = (REPO / "archive" / "glossary.yml").read_text("utf-8")
    found = [
        f"{name}: {match.group(0)!r} ({why})"
        for name, text in texts.items()
        for pattern, why in ITALIAN_MISTAKES
        for match in pattern.finditer(text)
    ]
    assert found == []


def test_staff_guide_explains_slug_once_and_avoids_core() -> None:
    guide = {p.name: prose(p) for p in (REPO / "docs" / "guida").glob("*.md")}
    for name, text in guide.items():
        # the English word only in italics, where it is explained as the short name
        bare = re.findall(r"(?<![*\w])slug(?![*\w])", text)
        assert bare == [], name
        assert not re.search(r"\bcore\b", text), name
    explained = [n for n, t in guide.items() if "(in inglese *slug*" in flat(t)]
    assert "schede.md" in explained


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (["trascritto"], "1 trascritta, 0 già aggiornate, 0 revisionate (non toccate)"),
        (
            ["trascritto", "trascritto", "invariato", "protetto", "corretto"],
            "2 trascritte, 1 già aggiornata, 1 revisionata (non toccata), "
            "1 correzione dal VTT applicata",
        ),
    ],
)
def test_transcription_summary_agrees_with_its_numbers(outcomes: list[str], expected: str) -> None:
    result = TranscribeResult([ItemOutcome(f"r{n}", a) for n, a in enumerate(outcomes)])
    assert result.summary() == "Trascrizioni: " + expected


def test_transcription_speed_says_volta_for_one() -> None:
    result = TranscribeResult([ItemOutcome("r", "trascritto")], audio_seconds=60, elapsed=60)
    assert result.summary().endswith("(1,0 min di audio in 60 s, 1 volta il tempo reale)")
    result = TranscribeResult([ItemOutcome("r", "trascritto")], audio_seconds=600, elapsed=60)
    assert result.summary().endswith("(10,0 min di audio in 60 s, 10 volte il tempo reale)")
