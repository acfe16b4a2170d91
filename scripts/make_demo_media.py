#!/usr/bin/env python3
"""Regenerate the demo media shipped in archive/media/.

The demo archive mixes two kinds of recordings:

* synthetic Italian narrations (espeak-ng) of facts about LGNet taken from the public
  sources, some with a slide-show picture drawn by ffmpeg; they are labelled as synthetic
  in the picture, in the speech itself and in archive/items/*.yml;
* real read sentences (Common Voice, FLEURS, Picovoice test clips) from the shared
  evaluation set, joined into one video that exercises transcription of real voices.

The generated files are committed, so building the site never needs espeak-ng: this script
exists to make them again (for example after changing a narration). It uses only the
standard library plus the `espeak-ng` and `ffmpeg` programs.

Times that the catalogue depends on (chapters, and the redacted span of the Palermo pill
where a fake phone number and e-mail are said) are printed at the end; copy them into
archive/items/ if they change. Output is byte-identical from run to run on the same
versions of espeak-ng and ffmpeg.
"""

from __future__ import annotations

import argparse
import array
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import wave
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
RATE = 22050  # espeak-ng's native rate; plenty for speech and keeps files small
SPEED = 160  # words per minute
HEADER = "LGNet – Rete dei Comuni"
SYNTHETIC_LABEL = "Narrazione sintetica (espeak-ng) · demo di LGNet Archivio"
REAL_LABEL = "Voci reali: frasi lette, non materiale LGNet"
SIZE = "640x360"
FPS = 10

# Voices: espeak-ng Italian variant and pitch (0-99). Whisper base understands the male
# variants best; the female one and the pitches tell the workshop speakers apart.
Voice = tuple[str, int]
NARRATOR: Voice = ("it+m3", 50)
MODERATOR: Voice = ("it+f5", 50)
REFERENT: Voice = ("it+m6", 30)
OPERATOR: Voice = ("it+m1", 50)


@dataclass
class Line:
    """One sentence (or a few) spoken by one voice, followed by a pause."""

    text: str
    voice: Voice = NARRATOR
    pause: float = 0.6
    slide: tuple[str, str] | None = None  # (heading, body) shown from this line on
    mark: str | None = None  # name under which this line's span is reported
    # What the committed media file says instead of `text`, when the narration was corrected
    # after the file was made (see `Recording.spoken_sha256` and `narration`).
    spoken: str | None = None


@dataclass
class Recording:
    """One output file made of synthetic lines."""

    name: str  # file name in archive/media/
    lines: list[Line]
    video: bool = False
    label: str = SYNTHETIC_LABEL
    lead_in: float = 0.4  # silence before the first line
    # sha256 of the committed file whose lines say their `spoken` text: a file made again by
    # this script says `text`, and its transcript must be aligned to that instead.
    spoken_sha256: str | None = None


@dataclass
class Span:
    mark: str
    start: float  # speech starts
    end: float  # speech ends
    owned_from: float  # the line's share of the surrounding pauses (and its slide) starts
    owned_to: float


@dataclass
class Built:
    name: str
    duration: float
    size: int
    spans: list[Span] = field(default_factory=list)


# --- narrations ------------------------------------------------------------------------------
# Written for this demo from the texts in shared/sources/ (only facts stated there).

DOCUFILM = Recording(
    name="rete-da-lgnetea-a-lgnet2.mp4",
    video=True,
    lines=[
        Line(
            "Questa narrazione sintetica racconta LGNet, la Rete dei Comuni per una rapida "
            "risposta e servizi per l'inclusione d'emergenza.",
            slide=(
                "Narrazione sintetica",
                "Rete dei Comuni per una rapida risposta\n"
                "e servizi per l'inclusione d'emergenza\nin aree urbane svantaggiate",
            ),
            mark="Introduzione",
        ),
        Line(
            "Tutto comincia con LGNetEA, una misura emergenziale attivata nel 2019 e "
            "co-finanziata dal Fondo Asilo Migrazione e Integrazione, il FAMI, dell'Unione "
            "europea. Capofila è il Ministero dell'Interno, insieme ad ANCI, Cittalia e "
            "ANCIcomunicare.",
            slide=(
                "Da LGNetEA…",
                "Misura emergenziale attivata nel 2019\n"
                "Fondo Asilo Migrazione e Integrazione (FAMI)\n"
                "Ministero dell'Interno · ANCI · Cittalia",
            ),
            mark="Da LGNetEA a LGNet2",
        ),
        Line(
            "LGNet2 dà continuità a quelle azioni e replica un modello operativo "
            "sperimentato con successo, in sedici città: Bologna, Bolzano, Caserta, Firenze, "
            "Genova, Latina, Milano, Napoli, Palermo, Perugia, Potenza, Roma, Sassari, "
            "Taranto, Torino e Trieste.",
            slide=(
                "…a LGNet2: sedici città",
                "Bologna · Bolzano · Caserta · Firenze\n"
                "Genova · Latina · Milano · Napoli\nPalermo · Perugia · Potenza · Roma\n"
                "Sassari · Taranto · Torino · Trieste",
            ),
        ),
        Line(
            "Tre gli ambiti di azione. L'abitare, con risposte all'emergenza abitativa e "
            "dimore temporanee. La presa in carico, con sportelli unici, detti one stop shop, "
            "unità di strada ed équipe itineranti. E l'impegno civico: cura del verde, cura "
            "della persona, messa in sicurezza del territorio.",
            slide=(
                "Tre ambiti di azione",
                "Abitare: emergenza abitativa\n"
                "Presa in carico: one stop shop, unità di strada\n"
                "Impegno civico: verde, persona, territorio",
            ),
            mark="Tre ambiti di azione",
        ),
        Line(
            "Nel gennaio 2024 l'evento conclusivo di LGNet2 si è tenuto a Roma, nella sede "
            "del Parlamento europeo in Piazza Venezia. Lì è stato proiettato il docufilm "
            "Ritratti, storie e voci dai comuni LGNet, realizzato da ANCIcomunicare.",
            slide=(
                "Roma, gennaio 2024",
                "Evento conclusivo di LGNet2\n"
                "Docufilm «Ritratti – storie e voci\ndai comuni Lgnet» (ANCIcomunicare)",
            ),
            mark="L'evento conclusivo a Roma",
        ),
        Line(
            "Questo video non è quel docufilm, ma una narrazione sintetica per provare l'archivio.",
            slide=(
                "Narrazione sintetica",
                "Non è il docufilm originale:\n"
                "voce generata con espeak-ng\nper la demo di LGNet Archivio",
            ),
            pause=0.8,
        ),
    ],
)

WORKSHOP = Recording(
    name="rete-workshop-one-stop-shop.m4a",
    lines=[
        Line(
            "Buongiorno. Questa è una ricostruzione sintetica, con voci generate al computer, "
            "del secondo workshop tematico del progetto LGNetEA, svolto in videoconferenza "
            "dalla Sala Conferenze di ANCI.",
            voice=MODERATOR,
            mark="Apertura",
        ),
        Line(
            "Il tema: dalla strada allo sportello, con i punti unici di accesso e le unità "
            "mobili di pronta assistenza.",
            voice=MODERATOR,
            pause=0.9,
        ),
        Line(
            "Cominciamo dallo sportello unico. Che cosa fa un one stop shop?",
            voice=MODERATOR,
            pause=0.8,
            mark="Lo sportello unico",
        ),
        Line(
            "Lo sportello unico offre interventi psico-socio-legali alle persone migranti "
            "regolarmente soggiornanti in condizioni di particolare vulnerabilità. Si regge "
            "su squadre di lavoro multidisciplinari, che intercettano le situazioni di "
            "maggiore disagio e ne curano la presa in carico.",
            voice=REFERENT,
            pause=0.9,
        ),
        Line(
            "E per chi allo sportello non arriva?",
            voice=MODERATOR,
            pause=0.8,
            mark="Unità di strada ed équipe itineranti",
        ),
        Line(
            "Lì entrano in gioco le unità di strada e le équipe multidisciplinari itineranti. "
            "Sono unità mobili di pronta assistenza che raggiungono le aree a rischio di "
            "marginalizzazione.",
            voice=OPERATOR,
            pause=0.9,
            spoken="Lì entrano in gioco le unità di strada e le équipe multidisciplinari "
            "itineranti. Sono unità mobili di pronta assistenza che raggiungono le aree a rischio "
            "di marginalizzazione, dove si concentrano emergenze abitative e fragilità sanitarie.",
        ),
        Line(
            "Abbiamo discusso le leve e i fattori di rischio, i modelli organizzativi, le "
            "reti e le competenze che danno valore aggiunto a questi servizi.",
            voice=REFERENT,
            pause=0.9,
        ),
        Line(
            "Grazie a tutti. Ricordo che questa registrazione è sintetica e serve solo a "
            "provare l'archivio.",
            voice=MODERATOR,
            pause=0.8,
            mark="Conclusioni",
        ),
    ],
    spoken_sha256="6caedef45432be95310aca7eca73cca10901ca1aed461c700e99dddbed009b56",
)

PALERMO = Recording(
    name="palermo-safe-space.mp4",
    video=True,
    lines=[
        Line(
            "Palermo è uno dei sedici Comuni della rete LGNet2, finanziata dal Fondo FAMI e "
            "coordinata dal Ministero dell'Interno con ANCI e Cittalia.",
            slide=(
                "Palermo nella rete LGNet2",
                "Fondo FAMI 2014-2020\nMinistero dell'Interno · ANCI · Cittalia",
            ),
        ),
        Line(
            "In città è nato un polo one stop shop di presa in carico socio sanitaria, per le "
            "situazioni di fragilità sanitaria che non trovano risposte rapide nel sistema "
            "sanitario pubblico.",
            slide=(
                "Polo «one stop shop»",
                "Presa in carico socio-sanitaria\nper le fragilità sanitarie",
            ),
        ),
        Line(
            "Al Centro Penc è stato attivato il Safe Space, uno spazio al femminile per mamme, "
            "adolescenti e mamme con bambini, con laboratori di informatica, sartoria, ballo, "
            "cittadinanza attiva, supporto scolastico e benessere mentale.",
            slide=(
                "Safe Space al Centro Penc",
                "Mamme, adolescenti, mamme con bambini\n"
                "Informatica · sartoria · ballo\ncittadinanza attiva · supporto scolastico\n"
                "benessere mentale",
            ),
        ),
        Line(
            "In tutto le attività hanno coinvolto duecento beneficiari.",
            slide=("200 beneficiari", "Attività di LGNet2 a Palermo"),
        ),
        # Fake contact details, said on their own so the redaction span is exact.
        Line(
            "Per informazioni chiamare il 333 123 4567, oppure scrivere a sportello "
            "chiocciola esempio punto invalid.",
            slide=("Contatti (di fantasia)", "Tel. 333 123 4567\nsportello@esempio.invalid"),
            mark="omissis: recapiti di fantasia",
            pause=0.7,
        ),
        Line(
            "Questa pillola è una narrazione sintetica. Il numero e l'indirizzo appena citati "
            "sono inventati.",
            slide=(
                "Narrazione sintetica",
                "Voce generata con espeak-ng\nper la demo di LGNet Archivio",
            ),
            pause=0.8,
        ),
    ],
)

PERUGIA = Recording(
    name="perugia-emergenza-abitativa.m4a",
    lines=[
        Line(
            "Questa è una testimonianza sintetica sul ruolo del Comune di Perugia nella rete "
            "LGNet2.",
            voice=REFERENT,
        ),
        Line(
            "Perugia ha portato nel progetto il proprio modello strutturato di intervento in "
            "emergenza e un'esperienza specifica in questo campo.",
            voice=REFERENT,
        ),
        Line(
            "Il lavoro si è concentrato sulle risposte all'emergenza abitativa, e sulla "
            "valorizzazione degli spazi di aggregazione, con attività laboratoriali inclusive "
            "sul territorio.",
            voice=REFERENT,
        ),
        Line(
            "Il progetto nel suo insieme vuole arginare l'esclusione sociale, abitativa e "
            "sanitaria dei migranti regolarmente soggiornanti usciti dai percorsi di "
            "accoglienza, con percorsi di inserimento abitativo, rifugi protetti e "
            "co-abitazione solidale per le situazioni d'emergenza.",
            voice=REFERENT,
            pause=0.8,
        ),
    ],
)

ROMA = Recording(
    name="roma-evento-conclusivo.m4a",
    lines=[
        Line(
            "Roma, gennaio 2024. Narrazione sintetica. I Comuni della rete LGNet2 e ANCI "
            "Liguria si sono ritrovati nella sede del Parlamento europeo in Piazza Venezia "
            "per l'evento conclusivo del progetto, con amministratori, dirigenti e funzionari "
            "comunali.",
        ),
        Line(
            "Le persone migranti beneficiarie hanno avuto servizi di pronta assistenza, "
            "supporto psico-socio-legale, supporto all'inclusione abitativa e accesso ad "
            "azioni di impegno civico.",
        ),
        Line(
            "I risultati presentati sono ampiamente superiori agli indicatori previsti, sia "
            "per numero di beneficiari raggiunti sia per servizi territoriali attivati.",
            pause=0.8,
        ),
    ],
)

BOLZANO = Recording(
    name="bolzano-nota-operatori.m4a",
    lines=[
        Line(
            "Nota sintetica per gli operatori della rete. A Bolzano il progetto LGNet2 è "
            "rappresentato dall'Azienda Servizi Sociali di Bolzano.",
            voice=OPERATOR,
        ),
        Line(
            "Per la presa in carico il modello prevede lo sportello unico, le unità di "
            "strada e le équipe itineranti di pronta assistenza.",
            voice=OPERATOR,
            pause=0.8,
        ),
    ],
)

GENOVA = Recording(
    name="genova-testimonianza-riservata.m4a",
    lines=[
        Line(
            "Questa è una testimonianza sintetica e riservata, che serve a provare i permessi "
            "di consultazione. Mi chiamo Sara Lontano, un nome inventato.",
            voice=MODERATOR,
        ),
        Line(
            "In Liguria la rete conta anche su ANCI Liguria, uno degli enti che sostengono le "
            "iniziative urbane sul territorio.",
            voice=MODERATOR,
            pause=0.8,
            spoken="In Liguria la rete conta anche su ANCI Liguria, uno degli enti che sostengono "
            "le iniziative urbane sul territorio, come i progetti di impegno civico.",
        ),
    ],
    spoken_sha256="e2b956b0a01a536daaa4629c80a2c8b99d753b0a129dd4c842696d070256c696",
)

SYNTHETIC = [DOCUFILM, WORKSHOP, PALERMO, PERUGIA, ROMA, BOLZANO, GENOVA]


def narration(rec: Recording, media_sha256: str | None = None) -> list[str]:
    """The text of each line as the media file with this sha256 says it.

    Two narrations were corrected after their media were made, to drop words no source
    supports; the committed files were kept (regenerating changes every byte) and still say
    the earlier `spoken` text, which their catalogue entries point out. A file with another
    hash (made again by this script) says `text`. Used by scripts/align_demo.py to align
    the transcripts to what the audio says.
    """
    old = media_sha256 is not None and media_sha256 == rec.spoken_sha256
    return [line.spoken if old and line.spoken else line.text for line in rec.lines]


# Real clips, in the order of the evaluation set's longform_dev.mp4 (0.8 s pauses), so the
# reference transcript in references.tsv applies to the joined file as well.
REAL_NAME = "rete-prova-voci-reali.mp4"
REAL_GAP = 0.8
REAL_CLIPS = [
    ("fleurs_it_1521.wav", "FLEURS, Conneau et al. 2022 · CC-BY-4.0"),
    ("picovoice_cheetah_test_it_2024.wav", "Picovoice (test di cheetah) · Apache-2.0"),
    ("cv_it_19574384.mp3", "Mozilla Common Voice · CC0-1.0"),
    ("picovoice_leopard_test_it.wav", "Picovoice (test di leopard) · Apache-2.0"),
    ("cv_it_19574386.mp3", "Mozilla Common Voice · CC0-1.0"),
    ("picovoice_cheetah_test_it.wav", "Picovoice (test di cheetah) · Apache-2.0"),
    ("cv_it_20030672.mp3", "Mozilla Common Voice · CC0-1.0"),
]


# --- audio -----------------------------------------------------------------------------------


def run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{result.stderr.strip()}")


def ffmpeg(*args: str | Path) -> None:
    run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *map(str, args)])


def to_pcm(src: Path, dst: Path) -> None:
    """Decode any audio (or a video's sound) to the mono 16-bit WAV the script works on."""
    ffmpeg("-i", src, "-vn", "-ac", "1", "-ar", str(RATE), "-c:a", "pcm_s16le", dst)


def read_pcm(path: Path) -> array.array[int]:
    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2 or wav.getframerate() != RATE:
            sys.exit(f"{path}: expected {RATE} Hz mono 16-bit PCM")
        samples = array.array("h")
        samples.frombytes(wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def write_pcm(path: Path, samples: array.array[int]) -> None:
    data = array.array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(data.tobytes())


def trim(samples: array.array[int], threshold: int = 300, margin: float = 0.05) -> array.array[int]:
    """Cut espeak-ng's leading and trailing silence, so pauses are exactly what we ask."""
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return samples
    pad = int(margin * RATE)
    return samples[max(0, loud[0] - pad) : loud[-1] + pad]


def silence(seconds: float) -> array.array[int]:
    return array.array("h", bytes(2 * round(seconds * RATE)))


def speak(line: Line, tmp: Path, index: int) -> array.array[int]:
    out = tmp / f"line{index:02d}.wav"
    raw = tmp / f"line{index:02d}-raw.wav"
    variant, pitch = line.voice
    run(["espeak-ng", "-v", variant, "-s", str(SPEED), "-p", str(pitch), "-w", str(raw), line.text])
    to_pcm(raw, out)  # espeak-ng writes 22050 Hz mono already; this guards other builds
    return trim(read_pcm(out))


def narrate(rec: Recording, tmp: Path) -> tuple[array.array[int], list[tuple[float, float]]]:
    """The recording's audio, and the (start, end) of every line in seconds."""
    audio = silence(rec.lead_in)
    times = []
    for index, line in enumerate(rec.lines):
        speech = speak(line, tmp, index)
        start = len(audio) / RATE
        audio += speech
        times.append((start, len(audio) / RATE))
        audio += silence(line.pause)
    return audio, times


# --- picture ---------------------------------------------------------------------------------


def drawtext(text: str, tmp: Path, tag: str, **opts: str | int | float | Path) -> str:
    """A drawtext filter reading its text from a file (no escaping of the text needed)."""
    path = tmp / f"text-{tag}.txt"
    path.write_text(text, encoding="utf-8")
    args: dict[str, str | int | float | Path] = {
        "fontfile": FONT,
        "textfile": path,
        "expansion": "none",
        "fontcolor": "white",
    }
    args.update(opts)
    return "drawtext=" + ":".join(f"{key}={value}" for key, value in args.items())


def slide_filters(slides: list[tuple[float, float, str, str]], label: str, tmp: Path) -> list[str]:
    """Header, footer label and one heading + body per (start, end, heading, body)."""
    filters = [
        "drawbox=x=0:y=0:w=iw:h=46:color=0x0b2545:t=fill",
        drawtext(HEADER, tmp, "header", fontfile=FONT_BOLD, fontsize=22, x=20, y=12),
        "drawbox=x=0:y=ih-38:w=iw:h=38:color=0x0b2545:t=fill",
        drawtext(label, tmp, "label", fontsize=16, fontcolor="0xffd166", x=20, y="h-28"),
    ]
    for index, (start, end, heading, body) in enumerate(slides):
        enable = f"enable='between(t,{start:.3f},{end:.3f})'"
        heading = "\n".join(textwrap.wrap(heading, 40))
        filters.append(
            drawtext(
                heading, tmp, f"h{index}", fontfile=FONT_BOLD, fontsize=30, x="(w-text_w)/2", y=86
            )
            + ":"
            + enable
        )
        filters.append(
            drawtext(body, tmp, f"b{index}", fontsize=21, line_spacing=10, x="(w-text_w)/2", y=160)
            + ":"
            + enable
        )
    return filters


def encode(wav: Path, out: Path, tmp: Path, filters: list[str] | None, bitrate: str) -> None:
    with wave.open(str(wav), "rb") as audio:
        duration = audio.getnframes() / RATE
    args: list[str | Path] = []
    if filters is not None:
        script = tmp / f"{out.stem}-filters.txt"
        script.write_text(
            f"color=c=0x13315c:s={SIZE}:r={FPS}:d={duration:.3f}," + ",".join(filters) + "[v]",
            encoding="utf-8",
        )
        # The picture comes from the filter graph; the only input file is the sound (0).
        args += ["-filter_complex_script", script, "-i", wav, "-map", "[v]", "-map", "0:a"]
        args += ["-c:v", "libx264", "-preset", "veryslow", "-crf", "30", "-tune", "stillimage"]
        args += ["-pix_fmt", "yuv420p", "-g", str(FPS * 4), "-threads", "1"]
    else:
        args += ["-i", wav, "-vn"]
    args += ["-c:a", "aac", "-b:a", bitrate, "-ac", "1", "-ar", str(RATE)]
    args += ["-movflags", "+faststart", "-map_metadata", "-1"]
    # No metadata and bit-exact muxing: regenerating gives byte-identical files.
    args += ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    args += ["-t", f"{duration:.3f}", out]
    ffmpeg(*args)


# --- recordings ------------------------------------------------------------------------------


def build_synthetic(rec: Recording, out_dir: Path, tmp: Path) -> Built:
    work = tmp / rec.name
    work.mkdir()
    audio, times = narrate(rec, work)
    wav = work / "audio.wav"
    write_pcm(wav, audio)
    duration = len(audio) / RATE
    filters = None
    # Each line "owns" the time from the middle of the pause before it to the middle of the
    # pause after it: slides change there, so a redaction of that span hides both the words
    # and the slide that shows them.
    cuts = [0.0] + [(end + nxt) / 2 for (_, end), (nxt, _) in itertools.pairwise(times)]
    cuts.append(duration)
    if rec.video:
        slides: list[tuple[float, float, str, str]] = []
        for index, line in enumerate(rec.lines):
            if line.slide:
                if slides:
                    slides[-1] = (slides[-1][0], cuts[index], *slides[-1][2:])
                slides.append((cuts[index], duration, *line.slide))
        filters = slide_filters(slides, rec.label, work)
    out = out_dir / rec.name
    encode(wav, out, work, filters, "48k")
    spans = [
        Span(line.mark, start, end, cuts[index], cuts[index + 1])
        for index, (line, (start, end)) in enumerate(zip(rec.lines, times, strict=True))
        if line.mark
    ]
    return Built(rec.name, duration, out.stat().st_size, spans)


def build_real(eval_dir: Path, out_dir: Path, tmp: Path) -> Built:
    work = tmp / REAL_NAME
    work.mkdir()
    audio = array.array("h")
    slides = []
    spans = []
    for index, (clip, source) in enumerate(REAL_CLIPS):
        path = eval_dir / clip
        if not path.is_file():
            sys.exit(f"{path}: clip not found (use --eval-dir)")
        wav = work / f"clip{index}.wav"
        to_pcm(path, wav)
        if index:
            audio += silence(REAL_GAP)
        start = len(audio) / RATE
        audio += read_pcm(wav)
        end = len(audio) / RATE
        slides.append(
            (
                start if index else 0.0,
                end,
                f"Frase letta {index + 1} di {len(REAL_CLIPS)}",
                f"Fonte: {source}\n\nProva di trascrizione\ncon voci reali",
            )
        )
        spans.append(Span(clip, start, end, start, end))
    duration = len(audio) / RATE
    # Each slide stays up until the next clip starts.
    slides = [
        (s[0], slides[i + 1][0] if i + 1 < len(slides) else duration, s[2], s[3])
        for i, s in enumerate(slides)
    ]
    wav = work / "audio.wav"
    write_pcm(wav, audio)
    out = out_dir / REAL_NAME
    encode(wav, out, work, slide_filters(slides, REAL_LABEL, work), "64k")
    return Built(REAL_NAME, duration, out.stat().st_size, spans)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Regenerate the demo media in archive/media/ (synthetic espeak-ng "
        "narrations about LGNet and a video of real Italian read sentences).",
    )
    parser.add_argument(
        "--eval-dir",
        type=Path,
        default=REPO.parent / "shared" / "eval" / "it-speech",
        help="folder with the real Italian clips (default: ../shared/eval/it-speech "
        "next to the repository)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "archive" / "media",
        help="where to write the media (default: archive/media/ of this repository)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="FILE",
        help="make only these files (names as in archive/media/, e.g. palermo-safe-space.mp4)",
    )
    parser.add_argument("--json", action="store_true", help="print the timings as JSON")
    args = parser.parse_args(argv)

    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: install it (Debian: apt-get install {tool})")
    names = [r.name for r in SYNTHETIC] + [REAL_NAME]
    wanted = set(args.only or names)
    unknown = wanted - set(names)
    if unknown:
        sys.exit(f"unknown file(s): {', '.join(sorted(unknown))}; known: {', '.join(names)}")
    args.out.mkdir(parents=True, exist_ok=True)

    built = []
    with tempfile.TemporaryDirectory(prefix="lgnet-demo-") as tmp_name:
        tmp = Path(tmp_name)
        for rec in SYNTHETIC:
            if rec.name in wanted:
                built.append(build_synthetic(rec, args.out, tmp))
        if REAL_NAME in wanted:
            built.append(build_real(args.eval_dir, args.out, tmp))

    if args.json:
        print(
            json.dumps(
                [
                    {
                        "file": b.name,
                        "duration": round(b.duration, 2),
                        "bytes": b.size,
                        "spans": [
                            {
                                "mark": s.mark,
                                "start": round(s.start, 2),
                                "end": round(s.end, 2),
                                "owned_from": round(s.owned_from, 2),
                                "owned_to": round(s.owned_to, 2),
                            }
                            for s in b.spans
                        ],
                    }
                    for b in built
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for b in built:
            print(f"{b.name:40} {b.duration:6.1f} s {b.size / 1024:7.0f} KiB")
            for s in b.spans:
                print(
                    f"    speech {s.start:6.2f} – {s.end:6.2f}  "
                    f"(with pauses {s.owned_from:6.2f} – {s.owned_to:6.2f})  {s.mark}"
                )
        total = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
        print(f"{'total in ' + str(args.out):40} {total / 1024 / 1024:14.2f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
