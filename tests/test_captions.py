"""Captions cut to subtitle norms from the word timings: 2 lines of 42 characters, 1–7 s,
17 characters per second where the timing allows, no overlaps, natural cuts and line breaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgnet.captions import (
    FUNCTION_WORDS,
    GAP,
    MAX_LINE,
    CaptionStats,
    Cue,
    ShownCue,
    break_lines,
    caption_problems,
    caption_stats,
    cue_problems,
    read_shown_cues,
    shown,
    transcript_cues,
)
from lgnet.transcripts import (
    Segment,
    Transcript,
    Word,
    read_transcript,
    render_srt,
    render_vtt,
)

from .conftest import DATA, REPO


def timed(text: str, start: float, step: float = 0.35) -> list[Word]:
    return [
        Word(start + n * step, start + (n + 1) * step - 0.03, " " + w, 0.9)
        for n, w in enumerate(text.split())
    ]


def transcript(
    *parts: tuple[str, float, str | None], duration: float = 0.0, step: float = 0.35
) -> Transcript:
    segments = []
    for text, start, speaker in parts:
        words = timed(text, start, step)
        segments.append(Segment(words[0].start, words[-1].end, text, speaker, words))
    end = segments[-1].end if segments else 0.0
    return Transcript("t", "it", duration or end + 2, "automatico", {}, segments)


def assert_norms(cues: list[Cue]) -> None:
    previous = float("-inf")
    for cue in cues:
        assert 1 <= len(cue.lines) <= 2, cue
        assert all(len(line) <= MAX_LINE for line in cue.lines), cue
        assert cue.start >= previous + GAP - 0.0005, cue  # never overlapping, a gap between
        assert cue.end > cue.start
        previous = cue.end


LONG = (
    "Nel quartiere il comune ha aperto uno sportello unico per la presa in carico delle "
    "persone migranti in condizioni di fragilità, con un'équipe multidisciplinare di "
    "operatori sociali, mediatori culturali e consulenti legali che lavorano insieme."
)


def test_a_long_sentence_is_cut_into_two_line_cues_of_42_characters() -> None:
    t = transcript((LONG, 0.0, None), step=0.5)  # about 15 characters per second
    cues = transcript_cues(t)
    assert len(cues) >= 4
    assert_norms(cues)
    assert " ".join(c.text for c in cues) == LONG  # the same words, in order
    stats = caption_stats(shown(cues))
    assert stats.meets_norms, stats
    for cue in cues:
        for line in cue.lines[:-1]:  # no line ends with an article or a preposition
            assert line.split()[-1].lower() not in FUNCTION_WORDS, cue.lines
        assert 1.0 <= cue.end - cue.start <= 7.0


def test_cues_are_cut_at_sentence_ends_and_clause_punctuation() -> None:
    text = (
        "Abbiamo aperto lo sportello a marzo. Le persone arrivano ogni giorno, "
        "soprattutto la mattina, e chiedono casa e lavoro."
    )
    cues = transcript_cues(transcript((text, 0.0, None), step=0.5))
    assert cues[0].text.endswith("marzo.")
    assert all(c.text[-1] in ".,;" for c in cues), [c.text for c in cues]


def test_short_sentences_are_merged_and_extended_into_pauses() -> None:
    t = transcript(("Sì.", 0.0, None), ("Grazie.", 0.5, None), ("Buongiorno a tutti.", 6.0, None))
    cues = transcript_cues(t)
    assert cues[0].text == "Sì. Grazie."  # two short sentences read as one cue
    assert cues[0].end - cues[0].start >= 1.0  # a short cue stays up for a second, in the pause
    assert_norms(cues)


def test_a_speaker_change_starts_a_new_cue_and_vtt_names_the_voice() -> None:
    t = transcript(("Buongiorno a tutte", 0.0, "Moderatrice"), ("e a tutti.", 1.2, "Sindaco"))
    cues = transcript_cues(t)
    assert [c.speaker for c in cues] == ["Moderatrice", "Sindaco"]
    vtt = render_vtt(t)
    assert "<v Moderatrice>Buongiorno a tutte\n" in vtt and "<v Sindaco>e a tutti.\n" in vtt
    srt = render_srt(t)
    assert "Moderatrice: Buongiorno a tutte" in srt and "Sindaco: e a tutti." in srt


def test_lines_are_not_broken_after_an_article_or_a_preposition() -> None:
    phrase = "il progetto di accoglienza della città metropolitana di Roma per le donne"
    tokens = phrase.split()
    lines, _ = break_lines(tokens) or ([], 0)
    assert len(lines) == 2 and all(len(x) <= MAX_LINE for x in lines)
    assert lines[0].split()[-1] not in FUNCTION_WORDS, lines
    assert break_lines(["x" * 30] * 3) is None  # does not fit in two lines


def test_a_segment_without_word_timings_is_split_by_characters() -> None:
    seg = Segment(10.0, 22.0, LONG)  # a person's edit: no word timings
    t = Transcript("t", "it", 30.0, "revisionato", {}, [seg])
    cues = transcript_cues(t)
    assert len(cues) >= 3
    assert_norms(cues)
    assert 9.6 <= cues[0].start <= 10.0 and cues[-1].end <= 23.0  # read a bit before, after
    assert " ".join(c.text for c in cues) == LONG


def test_words_running_into_each_other_never_make_cues_overlap() -> None:
    words = [Word(n * 0.2, n * 0.2 + 0.25, " parola", 0.9) for n in range(60)]  # overlapping
    seg = Segment(0.0, words[-1].end, " ".join(["parola"] * 60), None, words)
    cues = transcript_cues(Transcript("t", "it", 20.0, "automatico", {}, [seg]))
    assert_norms(cues)


def test_problems_name_the_cue_and_what_to_do() -> None:
    cues = read_shown_cues(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n" + "a" * 50 + "\n\n"
        "00:00:03.500 --> 00:00:06.000\nuno\ndue\ntre\n"
    )
    problems = cue_problems(cues)
    assert problems[0].startswith("sottotitolo 1 (00:00:01.00): riga di 50 caratteri")
    assert any("sottotitolo 2" in p and "3 righe" in p for p in problems)
    assert any("si sovrappone al precedente" in p for p in problems)
    assert caption_problems(transcript((LONG, 0.0, None), step=0.5)) == []


def test_a_very_long_token_is_cut_to_the_line_length() -> None:
    url = "https://www.comune.example.it/servizi/sportello-unico-migranti/orari"
    cues = transcript_cues(transcript((f"Scrivete a {url} per informazioni.", 0.0, None)))
    assert_norms(cues)


# --- the demo archive, as committed ----------------------------------------------------------


def demo_transcripts() -> list[Path]:
    return sorted((REPO / "transcripts").glob("*.json"))


def test_the_demo_archive_captions_meet_the_norms() -> None:
    total = CaptionStats()
    for path in demo_transcripts():
        t = read_transcript(path)
        cues = transcript_cues(t)
        assert_norms(cues)
        # hard norms on the SRT's lines ("Name:" at a turn's start included)
        assert caption_stats(shown(cues)).meets_hard_norms, path.name
        # what the player shows: the VTT names a turn's voice in a <v> tag, not in the text
        stats = caption_stats([ShownCue(c.start, c.end, tuple(c.unlabelled())) for c in cues])
        assert stats.meets_hard_norms, (path.name, stats)
        total.add(stats)
        # the committed files are the current rendering, so they are not a person's edit
        assert path.with_suffix(".vtt").read_text(encoding="utf-8") == render_vtt(t)
        assert path.with_suffix(".srt").read_text(encoding="utf-8") == render_srt(t)
        on_disk = caption_stats(read_shown_cues(path.with_suffix(".vtt").read_text()))
        assert on_disk == stats
    assert total.cues >= 50
    assert total.share(total.duration_ok) >= 95 and total.share(total.cps_ok) >= 95, total


# --- real speech, transcribed with the real model --------------------------------------------


@pytest.fixture(scope="module")
def speech_transcripts(tmp_path_factory: pytest.TempPathFactory) -> list[Transcript]:
    from lgnet.archive import load_archive
    from lgnet.project import Project
    from lgnet.transcribe import TranscribeRequest, transcribe_archive

    from .media_factory import concat

    root = tmp_path_factory.mktemp("speech")
    clips = sorted(p for p in DATA.iterdir() if p.suffix in (".mp3", ".wav"))
    # a longer recording: every clip three times over, short pauses (about 2.5 minutes)
    long = concat(clips * 3, root / "lungo.wav", gap=0.4)
    media = [*clips, DATA / "longform_dev.mp4", long]
    (root / "archive" / "items").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: t\n")
    (root / "archive" / "cities.yml").write_text("- {slug: rete, name: Rete LGNet}\n")
    (root / "archive" / "glossary.yml").write_text("[]\n")
    for path in media:
        item = path.stem.replace("_", "-").lower()
        (root / "archive" / "items" / f"{item}.yml").write_text(
            f"title: {item}\nkind: pillola\ncity: rete\ndate: 2024\naccess: pubblico\n"
            f"media: {path}\nexternal_media: true\n"
        )
    project = Project(root)
    transcribe_archive(project, load_archive(project), TranscribeRequest(progress=False))
    return [read_transcript(p) for p in sorted(project.transcripts.glob("*.json"))]


@pytest.mark.slow
def test_real_speech_captions_meet_the_norms(speech_transcripts: list[Transcript]) -> None:
    assert len(speech_transcripts) == 9
    total = CaptionStats()
    for t in speech_transcripts:
        cues = transcript_cues(t)
        assert_norms(cues)
        stats = caption_stats(shown(cues))
        assert stats.meets_hard_norms, (t.id, stats)
        assert stats.share(stats.duration_ok) >= 95 or stats.cues < 5, (t.id, stats)
        total.add(stats)
        assert " ".join(c.text for c in cues) == " ".join(t.text.split())
    assert total.cues >= 40
    assert total.share(total.duration_ok) >= 95 and total.share(total.cps_ok) >= 95, total
