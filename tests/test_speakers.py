"""Speakers (lgnet.speakers): hand-given turns applied as a derived view, voices shown by their
name or by their role alone, caption voices mapped back to labels, segments naming a voice the
item lacks reported, the "Chi parla" search filter, and no name of a role-only speaker in any
published file of a built site."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from markupsafe import escape

from lgnet.archive import Item
from lgnet.build import run_build
from lgnet.captions import speaker_label
from lgnet.cli import main
from lgnet.corrections import sync_corrections
from lgnet.errors import TranscriptError
from lgnet.index import index_dir, load_index, passages_of, publish_search
from lgnet.pages.recording import segment_lines
from lgnet.project import Project
from lgnet.search import format_hits, run_search
from lgnet.speakers import (
    VoiceNames,
    apply_turns,
    label_problems,
    published_transcript,
    shown_voices,
    voices,
)
from lgnet.transcripts import (
    Segment,
    Transcript,
    TranscriptFiles,
    Word,
    read_transcript,
    render_srt,
    render_vtt,
    write_transcript,
)

from .conftest import copy_project
from .test_index import CERCA_JS, build, make_search_project, node

SPEAKERS = [
    {"label": "mod", "name": "Anna Moderatrice", "role": "moderazione"},
    {"role": "operatrice"},  # S2: shown by role only
    {"role": "operatrice"},  # S3: the same role, told apart by a number
]


def make_item(**changes: Any) -> Item:
    base: dict[str, Any] = {
        "id": "prova",
        "title": "Prova",
        "kind": "workshop",
        "city": "rete",
        "date": "2024",
        "media": "media/prova.mp4",
        "access": "pubblico",
        "speakers": SPEAKERS,
    }
    return Item.model_validate({**base, **changes})


def timed(start: float, text: str, step: float = 0.5, **fields: Any) -> Segment:
    """A segment whose words last `step` seconds each."""
    words = [
        Word(start + n * step, start + (n + 1) * step, " " + w, 0.9)
        for n, w in enumerate(text.split())
    ]
    return Segment(start, words[-1].end, text, words=words, **fields)


def transcript(*segments: Segment) -> Transcript:
    return Transcript("prova", "it", 60.0, "automatico", {"engine": "test"}, list(segments))


# --- voices ------------------------------------------------------------------------------------


def test_voices_show_the_name_or_the_role_alone_and_number_look_alikes() -> None:
    item = make_item()
    shown = {label: (v.shown, v.described) for label, v in voices(item).items()}
    assert shown == {
        "mod": ("Anna Moderatrice", "Anna Moderatrice (moderazione)"),
        "S2": ("operatrice 1", "operatrice 1"),
        "S3": ("operatrice 2", "operatrice 2"),
    }


def test_caption_voices_map_back_to_labels_and_an_unknown_one_is_named() -> None:
    names = VoiceNames(make_item())
    assert names.label("Anna Moderatrice") == names.label("anna  moderatrice") == "mod"
    assert names.label("moderazione") == names.label("MOD") == "mod"
    assert names.label("Anna Moderatrice (moderazione)") == "mod"
    assert names.label("operatrice 2") == names.label("S3") == "S3"
    assert names.label("operatrice") is None  # two voices have that role: not a guess
    message = names.unknown("Mario Rossi")
    assert "\n" not in message
    assert message.startswith("la voce «Mario Rossi» non è tra le voci di prova (mod «Anna")
    assert "archive/items/prova.yml" in message


# --- turns -------------------------------------------------------------------------------------


def test_turns_label_words_by_midpoint_and_split_sentences_where_the_voice_changes() -> None:
    item = make_item(
        turns=[
            {"start": 0, "end": 2.1, "speaker": "mod"},
            {"start": 2.1, "end": 10, "speaker": "S2"},
        ]
    )
    # words of 0.5 s from 0.0: "bene" (1.5-2.0) is the moderator's, "grazie" (2.0-2.5,
    # midpoint 2.25) is the operator's
    seg = timed(0.0, "Una domanda per voi bene grazie della domanda", reviewed=True)
    seg.end = 4.6
    out = apply_turns(transcript(seg), item)
    assert [(s.speaker, s.text) for s in out.segments] == [
        ("mod", "Una domanda per voi"),
        ("S2", "bene grazie della domanda"),
    ]
    first, second = out.segments
    assert (first.start, first.end, second.start, second.end) == (0.0, 2.0, 2.0, 4.6)
    assert [w.word for w in second.words] == [" bene", " grazie", " della", " domanda"]
    assert first.reviewed and second.reviewed  # flags and timings come along
    assert first.words[0].probability == 0.9
    assert apply_turns(out, item).segments == out.segments  # idempotent


def test_a_word_in_pieces_is_never_split_between_two_voices() -> None:
    item = make_item(
        turns=[
            {"start": 0, "end": 1.0, "speaker": "mod"},
            {"start": 1.0, "end": 9, "speaker": "S2"},
        ]
    )
    # "psico-socio-legali" as Whisper writes it: three pieces, the word's midpoint at 0.9 s
    pieces = [(" interventi", 0.0, 0.6), (" psico", 0.6, 0.8), ("-socio", 0.8, 1.0)]
    pieces += [("-legali", 1.0, 1.2), (" alle", 1.2, 1.4), (" persone.", 1.4, 1.8)]
    text = "interventi psico-socio-legali alle persone."
    seg = Segment(0.0, 1.8, text, words=[Word(a, b, w) for w, a, b in pieces])
    out = apply_turns(transcript(seg), item)
    assert [(s.speaker, s.text) for s in out.segments] == [
        ("mod", "interventi psico-socio-legali"),
        ("S2", "alle persone."),
    ]


def test_a_sentence_without_word_timings_takes_the_turn_it_overlaps_most() -> None:
    item = make_item(
        turns=[{"start": 0, "end": 3, "speaker": "mod"}, {"start": 3, "end": 20, "speaker": "S3"}]
    )
    edited = Segment(2.0, 9.0, "Una frase riscritta da una persona.")
    out = apply_turns(transcript(edited), item)
    assert [(s.speaker, s.text, s.start, s.end) for s in out.segments] == [
        ("S3", edited.text, 2.0, 9.0)
    ]


def test_a_speaker_chosen_by_a_person_wins_and_gaps_keep_the_sentence_together() -> None:
    item = make_item(
        turns=[{"start": 0, "end": 1.3, "speaker": "mod"}, {"start": 5, "end": 9, "speaker": "S2"}]
    )
    chosen = timed(0.0, "Parla la seconda operatrice", speaker="S3")
    gap = timed(1.0, "tra due turni resta insieme")  # 1.0-3.5: only "tra" is in a turn
    silence = timed(20.0, "nessun turno qui")
    out = apply_turns(transcript(chosen, gap, silence), item)
    assert [(s.speaker, s.text) for s in out.segments] == [
        ("S3", chosen.text),
        ("mod", gap.text),
        (None, silence.text),
    ]
    assert apply_turns(transcript(chosen), make_item()).segments == [chosen]  # no turns


def test_published_view_never_touches_the_curated_transcript(tmp_path: Path) -> None:
    item = make_item(
        turns=[
            {"start": 0, "end": 1.2, "speaker": "mod"},
            {"start": 1.2, "end": 9, "speaker": "S2"},
        ],
        redactions=[{"start": 1.0, "end": 1.5, "reason": "nome"}],
    )
    original = transcript(timed(0.0, "Sono io Giulia e parlo"))
    write_transcript(tmp_path, original)
    before = TranscriptFiles(tmp_path, "prova").json.read_bytes()
    view = published_transcript(read_transcript(TranscriptFiles(tmp_path, "prova").json), item)
    assert [(s.speaker, s.text) for s in view.segments] == [
        ("mod", "Sono io"),
        ("S2", "[omissis] e parlo"),
    ]
    assert TranscriptFiles(tmp_path, "prova").json.read_bytes() == before
    assert read_transcript(TranscriptFiles(tmp_path, "prova").json).segments[0].speaker is None


# --- captions and the page ---------------------------------------------------------------------


def test_captions_name_voices_with_v_tags_and_srt_prefixes_at_turn_starts() -> None:
    item = make_item(
        turns=[{"start": 0, "end": 3, "speaker": "mod"}, {"start": 3, "end": 30, "speaker": "S2"}]
    )
    view = shown_voices(
        published_transcript(
            transcript(
                timed(0.0, "Benvenute e benvenuti."),
                timed(3.0, "Grazie, comincio io."),
                timed(5.0, "Poi parliamo dello sportello."),
                Segment(8.0, 9.0, "Voce sconosciuta.", speaker="Giulia"),
            ),
            item,
        ),
        item,
    )
    vtt = render_vtt(view)
    assert "<v Anna Moderatrice>Benvenute e benvenuti." in vtt
    assert "<v operatrice 1>Grazie, comincio io." in vtt
    assert "Giulia" not in vtt and "<v mod>" not in vtt and "S2" not in vtt
    srt = render_srt(view)
    assert "Anna Moderatrice: Benvenute e benvenuti." in srt
    assert srt.count("operatrice 1:") == 1  # named at the start of the turn only
    assert "Giulia" not in srt


def test_a_long_voice_name_fits_a_line_of_its_own_in_the_srt() -> None:
    role = "referente comunale, esperienza di Palermo (voce sintetica)"
    item = make_item(speakers=[{"role": role}])
    view = shown_voices(transcript(timed(0.0, "Il nome completo è LGNetEA.", speaker="S1")), item)
    srt = render_srt(view)
    assert "referente comunale, esperienza di Palermo:\nIl nome completo è LGNetEA." in srt
    assert f"<v {role}>Il nome completo è LGNetEA." in render_vtt(view)
    assert speaker_label("x" * 60) == "x" * 40 + "…:"
    assert speaker_label("Anna Moderatrice") == "Anna Moderatrice:"


def test_the_page_names_the_voice_at_each_change_with_the_role_beside_a_name() -> None:
    item = make_item(
        turns=[{"start": 0, "end": 3, "speaker": "mod"}, {"start": 3, "end": 30, "speaker": "S3"}]
    )
    lines = segment_lines(
        item,
        transcript(
            timed(0.0, "Prima domanda."),
            timed(3.0, "Rispondo io."),
            timed(4.0, "E aggiungo una cosa."),
            Segment(9.0, 9.5, "Altro.", speaker="Giulia"),  # not a voice of the item
        ),
    )
    assert [(line.speaker, line.role) for line in lines] == [
        ("Anna Moderatrice", "moderazione"),
        ("operatrice 2", None),  # role only: the role is what is shown
        (None, None),
        (None, None),
    ]


# --- lgnet check -------------------------------------------------------------------------------


def test_a_segment_naming_a_voice_the_item_lacks_is_one_problem_line() -> None:
    item = make_item()
    problems = label_problems(
        item,
        transcript(
            Segment(0, 1, "Uno.", speaker="mod"),
            Segment(61, 62, "Due.", speaker="Moderatrice"),
            Segment(63, 64, "Tre.", speaker="Moderatrice"),
        ),
        "transcripts/prova.json",
    )
    assert len(problems) == 1
    line = str(problems[0])
    assert line.startswith("transcripts/prova.json: 'segments[1].speaker': segmento 2 (1:01)")
    assert "(e altri 1 segmenti)" in line and "'Moderatrice'" in line
    assert "archive/items/prova.yml" in line and "label: Moderatrice" in line
    assert "\n" not in line


# --- corrections: voices written in a caption file ------------------------------------------


def _voiced_project(root: Path) -> Project:
    project = make_search_project(root)
    path = project.items_dir / "torino-salute.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["speakers"] = SPEAKERS
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return project


def test_a_vtt_naming_voices_by_shown_name_is_imported_as_labels(tmp_path: Path) -> None:
    project = _voiced_project(tmp_path / "p")
    files = TranscriptFiles(project.transcripts, "torino-salute")
    text = files.vtt.read_text(encoding="utf-8")
    cues = text.split("\n\n")
    cues[1] = cues[1].replace("\nLe prestazioni", "\n<v Anna Moderatrice>Le prestazioni")
    cues[2] = re.sub(r"\n(L'équipe)", r"\n<v operatrice 2>\1", cues[2])
    files.vtt.write_text("\n\n".join(cues), encoding="utf-8")
    assert sync_corrections(project.transcripts, "torino-salute")
    after = read_transcript(files.json)
    assert [s.speaker for s in after.segments][:2] == ["mod", "S3"]
    # the working file names voices by label; the published one by name (see the build test)
    assert "<v mod>" in files.vtt.read_text(encoding="utf-8")


def test_a_vtt_naming_a_voice_the_item_lacks_is_refused_with_one_line(tmp_path: Path) -> None:
    project = _voiced_project(tmp_path / "p")
    files = TranscriptFiles(project.transcripts, "torino-salute")
    before = files.json.read_bytes()
    text = files.vtt.read_text(encoding="utf-8")
    files.vtt.write_text(text.replace("\nLe prestazioni", "\n<v Mario Rossi>Le prestazioni"))
    with pytest.raises(TranscriptError) as err:
        sync_corrections(project.transcripts, "torino-salute")
    lines = err.value.lines()
    assert len(lines) == 1 and "\n" not in lines[0]
    assert re.match(r".*torino-salute\.vtt: riga \d+: la voce «Mario Rossi» non è tra", lines[0])
    assert files.json.read_bytes() == before  # nothing written
    done = CliRunner().invoke(main, ["check", "--root", str(project.root)])
    assert done.exit_code == 1 and "la voce «Mario Rossi»" in done.output
    assert "Traceback" not in done.output


def test_the_correction_view_offers_shown_names_and_saves_labels(tmp_path: Path) -> None:
    from dataclasses import replace

    from lgnet.archive import load_item
    from lgnet.correction_view import CorrectionView, EditedCue

    project = _voiced_project(tmp_path / "p")
    item, _ = load_item(project.items_dir / "torino-salute.yml", project)
    assert item is not None
    view = CorrectionView(project, "codice")
    state = view.state(item)
    assert state["speakers"] == ["Anna Moderatrice", "operatrice 1", "operatrice 2"]
    cues = [EditedCue(c["start"], c["end"], c["text"], c["speaker"]) for c in state["cues"]]
    cues[0] = replace(cues[0], speaker="operatrice 2")
    reply = view.save(item, state["sha"], cues, [])
    assert reply.status == 200, reply.body
    files = TranscriptFiles(project.transcripts, "torino-salute")
    assert read_transcript(files.json).segments[0].speaker == "S3"
    assert "<v S3>" in files.vtt.read_text(encoding="utf-8")
    again = view.state(item)
    assert again["cues"][0]["speaker"] == "operatrice 2"
    before = files.vtt.read_bytes()
    cues[0] = replace(cues[0], speaker="Mario Rossi")
    refused = view.save(item, again["sha"], cues, [])
    assert refused.status == 422
    answer = json.loads(refused.body)
    assert "sottotitolo 1: la voce «Mario Rossi» non è tra le voci" in answer["errore"]
    assert answer["sottotitolo"] == 0 and files.vtt.read_bytes() == before


# --- search: "Chi parla" -------------------------------------------------------------------------

ROLES = {
    "palermo-safe-space": {
        "speakers": [
            {"label": "coord", "role": "coordinatrice"},
            {"label": "ben", "role": "beneficiaria"},
        ],
        "turns": [
            {"start": 0, "end": 12, "speaker": "coord"},
            {"start": 12, "end": 27.5, "speaker": "ben"},
            {"start": 27.5, "end": 40, "speaker": "coord"},
        ],
    },
    "torino-salute": {"speakers": [{"name": "Dottoressa Neri", "role": "medica"}]},
}


@pytest.fixture
def role_project(tmp_path: Path) -> Project:
    project = make_search_project(tmp_path / "progetto")
    for item_id, fields in ROLES.items():
        path = project.items_dir / f"{item_id}.yml"
        data = {**yaml.safe_load(path.read_text(encoding="utf-8")), **fields}
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    files = TranscriptFiles(project.transcripts, "torino-salute")
    saved = read_transcript(files.json)
    saved.segments[2].speaker = "S1"  # chosen by a person: the doctor
    write_transcript(project.transcripts, saved)
    build(project, passage_words=0)
    return project


def test_passages_are_one_speakers_words_and_carry_the_role(role_project: Project) -> None:
    manifest = load_index(role_project, "pubblico").manifest
    entries = {e["id"]: e for e in manifest["items"]}
    palermo = entries["palermo-safe-space"]
    assert palermo["roles"] == ["coordinatrice"] * 3 + ["beneficiaria"] * 2 + ["coordinatrice"] * 2
    assert entries["torino-salute"]["roles"] == [None, None, "medica"]
    assert "roles" not in entries["bologna-abitare"]
    stored = index_dir(role_project, "pubblico")
    everything = " ".join(p.read_text("utf-8") for p in stored.rglob("*.json"))
    assert "Dottoressa Neri" not in everything  # roles only, never names
    item = make_item(turns=[{"start": 0, "end": 4, "speaker": "mod"}])
    two = passages_of(item, transcript(timed(0, "Uno due tre"), timed(5, "quattro cinque")))
    assert [(p.role, p.text) for p in two] == [
        ("moderazione", "Uno due tre"),
        (None, "quattro cinque"),
    ]


def test_the_role_filter_keeps_what_that_role_says(role_project: Project) -> None:
    everything = run_search(role_project, "sanitaria")
    assert everything.facets["role"] == {"beneficiaria": 1, "medica": 1}
    only = run_search(role_project, "sanitaria", role="medica")
    assert [(h.id, h.role) for h in only.hits] == [("torino-salute", "medica")]
    assert only.facets["role"] == everything.facets["role"]  # its own facet is not narrowed
    assert "parla: medica" in format_hits(only.hits, "sanitaria", color=False)
    runner = CliRunner()
    root = ["--root", str(role_project.root)]
    done = runner.invoke(main, ["search", "sanitaria", "--role", "beneficiaria", "--json", *root])
    assert done.exit_code == 0, done.output
    assert [(h["id"], h["role"]) for h in json.loads(done.output)] == [
        ("palermo-safe-space", "beneficiaria")
    ]
    wrong = runner.invoke(main, ["search", "sanitaria", "--role", "medico", *root])
    assert wrong.exit_code == 1
    assert "errore: ruolo di chi parla sconosciuto 'medico' (forse 'medica'?)" in wrong.output
    assert "Traceback" not in wrong.output


def test_the_page_engine_filters_by_role_like_lgnet_search(
    role_project: Project, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    publish_search(role_project, "pubblico", site)
    queries: list[dict[str, Any]] = [
        {"q": "sanitaria"},
        {"q": "sanitaria", "filters": {"role": ["medica"]}},
        {"q": "sportello", "filters": {"role": ["coordinatrice"], "city": ["palermo"]}},
    ]
    answers = node(
        "engine", str(site / "assets" / "cerca"), str(CERCA_JS), data={"queries": queries}
    )
    stored = load_index(role_project, "pubblico")
    for query, answer in zip(queries, answers, strict=True):
        single = {k: v[0] for k, v in query.get("filters", {}).items()}
        results = run_search(role_project, query["q"], limit=100, stored=stored, **single)
        assert answer["refs"] == [h.ref for h in results.hits], query
        assert answer["facets"] == results.facets, query
    assert [h["id"] for h in answers[1]["hits"]] == ["torino-salute"]


# --- no leak: a voice shown by role only has no name anywhere -------------------------------

WORKSHOP = "rete-workshop-one-stop-shop"
NAME_LIKE_LABEL = "Zelinda"  # an operator's label for a voice that consented to its role only
NAMED = "Referente di un Comune della rete"


def single_item_project(dest: Path, item_id: str) -> Project:
    """A copy of the project with one recording left (its citations and excerpts only)."""
    project = copy_project(dest)
    for other in project.items_dir.glob("*.yml"):
        if other.stem != item_id:
            other.unlink()
            for derived in project.transcripts.glob(f"{other.stem}.*"):
                derived.unlink()
    for page in project.docs.rglob("*.md"):  # citations of the recordings removed above
        text = page.read_text(encoding="utf-8")
        if "[[prova:" in text:
            kept = [line for line in text.splitlines() if "[[prova:" not in line]
            page.write_text("\n".join(kept) + "\n", encoding="utf-8")
    for path in project.paths_dir.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["excerpts"] = [e for e in data["excerpts"] if e["item"] == item_id]
        if data["excerpts"]:
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        else:
            path.unlink()
    return project


@dataclass
class RoleOnly:
    project: Project
    first: str  # the first sentence: the role-only voice with a name-like label
    named: str  # the first part of a sentence split between two voices: the named voice
    other: str  # its second part: another voice shown by role only


def role_only_project(dest: Path) -> RoleOnly:
    """A copy with the multi-voice workshop alone, its turns written from its transcript: its
    first voice is labelled with a first name but shown by role only, and the sixth sentence
    is split between a named voice and another role-only one."""
    project = single_item_project(dest, WORKSHOP)
    transcript = read_transcript(TranscriptFiles(project.transcripts, WORKSHOP).json)
    segs = transcript.segments
    split = segs[5]
    k = next(
        n for n in range(len(split.words) // 2, len(split.words)) if split.words[n].word[0] == " "
    )
    boundary = split.words[k].start
    item_file = project.items_dir / f"{WORKSHOP}.yml"
    item = yaml.safe_load(item_file.read_text(encoding="utf-8"))
    item["speakers"] = [
        {"label": NAME_LIKE_LABEL, "role": "moderazione (voce sintetica)"},
        {"label": "S2", "name": NAMED, "role": "referente comunale (voce sintetica)"},
        {"label": "S3", "role": "operatore (voce sintetica)"},
    ]
    item["turns"] = [
        {"start": 0, "end": round(segs[4].end, 3), "speaker": NAME_LIKE_LABEL},
        {"start": round(split.start - 0.05, 3), "end": round(boundary, 3), "speaker": "S2"},
        {"start": round(boundary, 3), "end": round(segs[8].end, 3), "speaker": "S3"},
        {
            "start": round(segs[9].start, 3),
            "end": round(transcript.duration, 3),
            "speaker": NAME_LIKE_LABEL,
        },
    ]
    item_file.write_text(yaml.safe_dump(item, allow_unicode=True), encoding="utf-8")
    return RoleOnly(
        project,
        first=segs[0].text.split()[0],
        named="".join(w.word for w in split.words[:k]).strip(),
        other="".join(w.word for w in split.words[k:]).strip(),
    )


def test_a_role_only_voice_has_no_name_in_any_published_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    made = role_only_project(tmp_path / "p")
    project = made.project
    before = TranscriptFiles(project.transcripts, WORKSHOP).json.read_bytes()
    run_build(project, transcribe=False, site_url="https://www.comune.example.it/lgnet/")
    site = project.site
    leaks = []
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace").lower()
            if NAME_LIKE_LABEL.lower() in data:
                leaks.append(str(path.relative_to(site)))
    assert leaks == []
    assert (site / "archivio" / WORKSHOP / "manifest.json").is_file()  # open data were scanned
    # what is shown instead: the roles, and the name of the voice that gave it
    vtt = (site / "media" / f"{WORKSHOP}.vtt").read_text(encoding="utf-8")
    assert f"<v moderazione (voce sintetica)>{made.first}" in vtt
    assert f"<v {NAMED}>{made.named.split()[0]}" in vtt
    assert f"<v operatore (voce sintetica)>{made.other.split()[0]}" in vtt
    srt = (site / "media" / f"{WORKSHOP}.srt").read_text(encoding="utf-8")
    assert f"moderazione (voce sintetica): {made.first}" in srt
    page = (site / "archivio" / WORKSHOP / "index.html").read_text(encoding="utf-8")
    named = (
        f'<span class="lgnet-voce">{NAMED} <span class="lgnet-ruolo">'
        "(referente comunale (voce sintetica))</span>:</span>"
    )
    assert f'{named} <span class="lgnet-passaggio">{escape(made.named)}</span>' in page
    other = '<span class="lgnet-voce">operatore (voce sintetica):</span>'
    assert f'{other} <span class="lgnet-passaggio">{escape(made.other)}</span>' in page
    manifest = (site / "assets" / "cerca" / "manifest.js").read_text(encoding="utf-8")
    assert "operatore (voce sintetica)" in manifest and NAMED not in manifest
    assert TranscriptFiles(project.transcripts, WORKSHOP).json.read_bytes() == before
