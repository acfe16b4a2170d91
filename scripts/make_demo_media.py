#!/usr/bin/env python3
"""Regenerate the demo media shipped in archive/media/.

The demo archive mixes two kinds of recordings:

* synthetic Italian narrations (espeak-ng) of facts about LGNet taken from the public
  sources, some with a slide-show picture drawn by ffmpeg; they are labelled as synthetic
  in the picture, in the speech itself and in archive/items/*.yml;
* real read sentences (Common Voice, FLEURS, Picovoice test clips) from the shared
  evaluation set, joined into one video that exercises transcription of real voices.

One of the synthetic recordings is a demo workshop of about 13 minutes (DEMO_WORKSHOP):
five voices in invented roles, a 1280x720 picture at 2 frames per second whose slides follow
the chapters and whose lower third names the voice speaking. Every narrated line names the
sources (archive/sources.yml) its facts come from; tests/test_content.py checks its names and
figures against those texts.

The generated files are committed, so building the site never needs espeak-ng: this script
exists to make them again (for example after changing a narration). It uses only the
standard library plus the `espeak-ng` and `ffmpeg` programs.

Times that the catalogue depends on (chapters, speaker turns, and the redacted span of the
Palermo pill where a fake phone number and e-mail are said) are printed at the end, the
workshop's chapters and turns ready to paste; copy them into archive/items/ if they change.
Output is byte-identical from run to run on the same versions of espeak-ng and ffmpeg.
"""

from __future__ import annotations

import argparse
import array
import itertools
import json
import math
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
    # The ids (archive/sources.yml) of the sources this line's facts come from; empty only for
    # a line that speaks of the demo itself (tests/test_content.py checks both).
    sources: tuple[str, ...] = ()
    speaker: str | None = None  # label of the voice (the item's `speakers`), for turns


@dataclass
class Recording:
    """One output file made of synthetic lines."""

    name: str  # file name in archive/media/
    lines: list[Line]
    video: bool = False
    label: str = SYNTHETIC_LABEL
    lead_in: float = 0.4  # silence before the first line
    size: str = SIZE
    fps: int = FPS
    keyframe_seconds: float = 4.0
    crf: int = 30
    audio_bitrate: str = "48k"
    # Roles shown in a lower third while their voice speaks (label -> text), for a video
    # that looks like a filmed workshop.
    roles: dict[str, str] = field(default_factory=dict)


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
    turns: list[Turn] = field(default_factory=list)


@dataclass
class Turn:
    """One voice's consecutive lines: what the item's `turns` list by hand."""

    speaker: str
    start: float  # speech starts
    end: float  # speech ends
    owned_from: float
    owned_to: float


# --- narrations ------------------------------------------------------------------------------
# Written for this demo from the texts in shared/sources/ (only facts stated there). Each line
# names the sources (ids of archive/sources.yml) its facts come from.

WORKSHOP_NEWS = "workshop-lgnetea-2022-03-24"
PROJECT_PAGE = "progetto-lgnetea"
ROME_NEWS = "nova-2024-01-evento-conclusivo"
PERUGIA_PAGE = "comune-perugia-2023-04-19-lgnet2"
PALERMO_NEWS = "palermo-2023-11-03-lgnet2"
ALL_SOURCES = (WORKSHOP_NEWS, PROJECT_PAGE, ROME_NEWS, PERUGIA_PAGE, PALERMO_NEWS)

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
            sources=(PROJECT_PAGE,),
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
            sources=(PERUGIA_PAGE, PROJECT_PAGE, WORKSHOP_NEWS),
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
            sources=(ROME_NEWS, PERUGIA_PAGE),
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
            sources=(PROJECT_PAGE, PERUGIA_PAGE, PALERMO_NEWS, WORKSHOP_NEWS),
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
            sources=(ROME_NEWS, PROJECT_PAGE),
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
            sources=(WORKSHOP_NEWS,),
        ),
        Line(
            "Il tema: dalla strada allo sportello, con i punti unici di accesso e le unità "
            "mobili di pronta assistenza.",
            voice=MODERATOR,
            pause=0.9,
            sources=(WORKSHOP_NEWS,),
        ),
        Line(
            "Cominciamo dallo sportello unico. Che cosa fa un one stop shop?",
            voice=MODERATOR,
            pause=0.8,
            mark="Lo sportello unico",
            sources=(WORKSHOP_NEWS,),
        ),
        Line(
            "Lo sportello unico offre interventi psico-socio-legali alle persone migranti "
            "regolarmente soggiornanti in condizioni di particolare vulnerabilità. Si regge "
            "su squadre di lavoro multidisciplinari, che intercettano le situazioni di "
            "maggiore disagio e ne curano la presa in carico.",
            voice=REFERENT,
            pause=0.9,
            sources=(PROJECT_PAGE, WORKSHOP_NEWS),
        ),
        Line(
            "E per chi allo sportello non arriva?",
            voice=MODERATOR,
            pause=0.8,
            mark="Unità di strada ed équipe itineranti",
            sources=(WORKSHOP_NEWS,),
        ),
        Line(
            "Lì entrano in gioco le unità di strada e le équipe multidisciplinari itineranti: "
            "unità mobili di supporto e di pronta assistenza, per le situazioni di particolare "
            "vulnerabilità nelle aree a rischio di marginalizzazione.",
            voice=OPERATOR,
            pause=0.9,
            sources=(WORKSHOP_NEWS, PROJECT_PAGE),
        ),
        Line(
            "Abbiamo discusso le leve e i fattori di rischio, i modelli organizzativi, le "
            "reti e le competenze che danno valore aggiunto a questi servizi.",
            voice=REFERENT,
            pause=0.9,
            sources=(WORKSHOP_NEWS,),
        ),
        Line(
            "Grazie a tutti. Ricordo che questa registrazione è sintetica e serve solo a "
            "provare l'archivio.",
            voice=MODERATOR,
            pause=0.8,
            mark="Conclusioni",
        ),
    ],
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
            sources=(PALERMO_NEWS,),
        ),
        Line(
            "In città è nato un polo one stop shop di presa in carico socio sanitaria, per le "
            "situazioni di fragilità sanitaria che non trovano risposte rapide nel sistema "
            "sanitario pubblico.",
            slide=(
                "Polo «one stop shop»",
                "Presa in carico socio-sanitaria\nper le fragilità sanitarie",
            ),
            sources=(PALERMO_NEWS,),
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
            sources=(PALERMO_NEWS,),
        ),
        Line(
            "In tutto le attività hanno coinvolto duecento beneficiari.",
            slide=("200 beneficiari", "Attività di LGNet2 a Palermo"),
            sources=(PALERMO_NEWS,),
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
            sources=(PERUGIA_PAGE,),
        ),
        Line(
            "Perugia ha portato nel progetto il proprio modello strutturato di intervento in "
            "emergenza e un'esperienza specifica in questo campo.",
            voice=REFERENT,
            sources=(PERUGIA_PAGE,),
        ),
        Line(
            "Il lavoro si è concentrato sulle risposte all'emergenza abitativa, e sulla "
            "valorizzazione degli spazi di aggregazione, con attività laboratoriali inclusive "
            "sul territorio.",
            voice=REFERENT,
            sources=(PERUGIA_PAGE,),
        ),
        Line(
            "Il progetto nel suo insieme vuole arginare l'esclusione sociale, abitativa e "
            "sanitaria dei migranti regolarmente soggiornanti usciti dai percorsi di "
            "accoglienza, con percorsi di inserimento abitativo, rifugi protetti e "
            "co-abitazione solidale per le situazioni d'emergenza.",
            voice=REFERENT,
            pause=0.8,
            sources=(PERUGIA_PAGE,),
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
            sources=(ROME_NEWS,),
        ),
        Line(
            "Le persone migranti beneficiarie hanno avuto servizi di pronta assistenza, "
            "supporto psico-socio-legale, supporto all'inclusione abitativa e accesso ad "
            "azioni di impegno civico.",
            sources=(ROME_NEWS,),
        ),
        Line(
            "I risultati presentati sono ampiamente superiori agli indicatori previsti, sia "
            "per numero di beneficiari raggiunti sia per servizi territoriali attivati.",
            pause=0.8,
            sources=(ROME_NEWS,),
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
            sources=(PALERMO_NEWS,),
        ),
        Line(
            "Per la presa in carico il modello prevede lo sportello unico, le unità di "
            "strada e le équipe itineranti di pronta assistenza.",
            voice=OPERATOR,
            pause=0.8,
            sources=(WORKSHOP_NEWS, PROJECT_PAGE),
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
            "Nella rete di LGNetEA c'è anche ANCI Liguria, uno dei tre enti strumentali che "
            "sostengono le iniziative urbane in alcuni dei territori.",
            voice=MODERATOR,
            pause=0.8,
            sources=(PROJECT_PAGE,),
        ),
    ],
)

# A workshop of more than ten minutes with five voices, for the features of long recordings
# (chapters, speakers, turns). Every fact comes from the five sources; the voices say so where
# a fact belongs to one source, and where two sources disagree.
MOD = "moderatrice"
NETWORK = "referente-rete"
PALERMO_REF = "referente-palermo"
PERUGIA_REF = "referente-perugia"
STREET = "operatore"
CAST: dict[str, tuple[Voice, str]] = {
    MOD: (MODERATOR, "Moderatrice · voce sintetica"),
    NETWORK: (REFERENT, "Referente di un Comune della rete · voce sintetica"),
    PALERMO_REF: (("it+f2", 60), "Referente comunale (Palermo) · voce sintetica"),
    PERUGIA_REF: (("it+m4", 45), "Referente comunale (Perugia) · voce sintetica"),
    STREET: (OPERATOR, "Operatore di unità di strada · voce sintetica"),
}


def said(
    speaker: str,
    text: str,
    *sources: str,
    pause: float = 0.7,
    slide: tuple[str, str] | None = None,
    mark: str | None = None,
) -> Line:
    """A line of the demo workshop, in the voice of `speaker` (a label of CAST)."""
    voice = CAST[speaker][0]
    return Line(text, voice, pause, slide, mark, sources, speaker)


DEMO_WORKSHOP = Recording(
    name="rete-workshop-dimostrativo.mp4",
    video=True,
    size="1280x720",
    fps=2,
    keyframe_seconds=30.0,
    crf=32,
    audio_bitrate="32k",
    label="Workshop dimostrativo · voci sintetiche · non è un incontro reale",
    roles={label: role for label, (_, role) in CAST.items()},
    lines=[
        # --- Apertura
        said(
            MOD,
            "Buongiorno e benvenuti. Questo è un workshop dimostrativo con voci sintetiche: tutte "
            "le voci che sentirete sono generate al computer e non appartengono a persone reali.",
            mark="Apertura",
            slide=(
                "Workshop dimostrativo",
                "La rete LGNet raccontata dalle fonti pubbliche\n\n"
                "Voci sintetiche generate con espeak-ng\n"
                "Non è la registrazione di un incontro reale",
            ),
        ),
        said(
            MOD,
            "Non è la registrazione di un incontro che si è svolto davvero: serve a mostrare come "
            "questo archivio presenta un workshop lungo, con più voci, capitoli e trascrizione.",
        ),
        said(
            MOD,
            "Chi parla dice soltanto ciò che riportano cinque fonti pubbliche sul progetto: una "
            "notizia del marzo 2022 sul secondo workshop tematico, la pagina di presentazione di "
            "LGNetEA, una pagina del Comune di Perugia del 2023, una notizia su Palermo del "
            "novembre 2023 e una notizia sull'evento conclusivo di Roma, del gennaio 2024.",
            *ALL_SOURCES,
            slide=(
                "Cinque fonti pubbliche",
                "Notizia sul secondo workshop (marzo 2022)\n"
                "Pagine di LGNetEA e del Comune di Perugia\n"
                "Notizia su Palermo (novembre 2023)\n"
                "Notizia sull'evento conclusivo (gennaio 2024)",
            ),
        ),
        said(
            MOD,
            "Con me ci sono, in ruoli di fantasia, tre referenti comunali e un operatore di unità "
            "di strada. Quando le fonti non sono d'accordo, lo diremo.",
            pause=0.9,
        ),
        # --- La rete dei Comuni
        said(
            MOD,
            "Cominciamo dal principio. Che cos'è LGNetEA, e chi lo ha promosso?",
            PROJECT_PAGE,
            mark="La rete dei Comuni",
            slide=(
                "LGNetEA",
                "Rete dei Comuni per una rapida risposta\n"
                "e servizi per l'inclusione d'emergenza\n"
                "in aree urbane svantaggiate",
            ),
        ),
        said(
            NETWORK,
            "Il nome completo è LGNetEA, Rete dei Comuni per una rapida risposta e servizi per "
            "l'inclusione d'emergenza in aree urbane svantaggiate.",
            PROJECT_PAGE,
        ),
        said(
            NETWORK,
            "La notizia del 2022 lo chiama un progetto sperimentale, co-finanziato dal Fondo Asilo "
            "Migrazione e Integrazione, il FAMI, dell'Unione europea, nell'ambito delle Misure "
            "Emergenziali.",
            WORKSHOP_NEWS,
        ),
        said(
            NETWORK,
            "La pagina di progetto aggiunge che questa linea di finanziamento è gestita "
            "direttamente dalla Commissione europea, e che il progetto nasce per prendersi cura "
            "delle persone per prendersi cura delle città.",
            PROJECT_PAGE,
        ),
        said(
            NETWORK,
            "Capofila è il Ministero dell'Interno, con il Dipartimento per le Libertà Civili e "
            "l'Immigrazione. Con il Ministero lavorano ANCI, che rappresenta il sistema dei "
            "Comuni italiani, Cittalia e ANCIcomunicare.",
            PROJECT_PAGE,
            slide=(
                "Il partenariato",
                "Ministero dell'Interno (capofila)\n"
                "Dipartimento per le Libertà Civili\ne l'Immigrazione\n"
                "ANCI · Cittalia · ANCIcomunicare",
            ),
        ),
        said(MOD, "E i Comuni? Quanti sono?", PROJECT_PAGE, WORKSHOP_NEWS),
        said(
            NETWORK,
            "Qui le fonti non sono d'accordo. La notizia del marzo 2022 parla di una rete di "
            "sedici Comuni di medie e grandi dimensioni. La pagina di progetto ne elenca diciotto.",
            WORKSHOP_NEWS,
            PROJECT_PAGE,
            slide=(
                "Sedici o diciotto Comuni?",
                "Notizia del marzo 2022: sedici Comuni\n"
                "Pagina di progetto: diciotto Comuni\n"
                "(in più: Agrigento e Catania)",
            ),
        ),
        said(
            NETWORK,
            "I diciotto sono Agrigento, Bologna, Bolzano, Caserta, Catania, Firenze, Genova, "
            "Latina, Milano, Napoli, Palermo, Perugia, Potenza, Roma, Sassari, Taranto, Torino e "
            "Trieste. Agrigento e Catania non compaiono nell'elenco della notizia.",
            PROJECT_PAGE,
            WORKSHOP_NEWS,
        ),
        said(
            NETWORK,
            "La pagina di progetto nomina anche tre enti strumentali che sostengono le iniziative "
            "urbane in alcuni dei territori: ANCI Liguria, l'Azienda Servizi Sociali di Bolzano e "
            "l'Azienda Comunale per la Tutela Ambientale di Potenza.",
            PROJECT_PAGE,
            slide=(
                "Tre enti strumentali",
                "ANCI Liguria\nAzienda Servizi Sociali di Bolzano\n"
                "Azienda Comunale per la Tutela Ambientale\ndi Potenza",
            ),
        ),
        said(MOD, "A chi si rivolge il progetto?", PROJECT_PAGE),
        said(
            NETWORK,
            "Ai migranti regolarmente soggiornanti che, per condizioni di particolare "
            "vulnerabilità, non hanno ancora raggiunto un sufficiente livello di autonomia.",
            WORKSHOP_NEWS,
        ),
        said(
            NETWORK,
            "La pagina di progetto parla di territori dove è alta la presenza di cittadini di "
            "origine straniera non ancora integrati, e dello scopo di migliorare il benessere di "
            "tutta la comunità, valorizzando il welfare territoriale.",
            PROJECT_PAGE,
            pause=0.9,
        ),
        # --- Da LGNetEA a LGNet2
        said(
            MOD,
            "Dopo LGNetEA è venuto LGNet2. Come si è passati dall'uno all'altro?",
            PERUGIA_PAGE,
            mark="Da LGNetEA a LGNet2",
            slide=(
                "Da LGNetEA a LGNet2",
                "2019: misura emergenziale LGNetEA\n"
                "2022: ventennale del sistema Sprar-Sai\n"
                "LGNet2: continuità e sostenibilità",
            ),
        ),
        said(
            PERUGIA_REF,
            "Lo racconta la pagina del Comune di Perugia. La misura emergenziale LGNetEA era stata "
            "attivata nel 2019, con un finanziamento diretto della Commissione europea.",
            PERUGIA_PAGE,
        ),
        said(
            PERUGIA_REF,
            "Nel 2022, anno del ventennale del sistema Sprar-Sai, ANCI e il Ministero dell'Interno "
            "hanno rinnovato il loro impegno, per costruire un progetto strategico che desse "
            "sostenibilità e continuità alle azioni di LGNetEA.",
            PERUGIA_PAGE,
        ),
        said(
            PERUGIA_REF,
            "LGNet2 replica un modello operativo sperimentato con successo, in una rete "
            "interistituzionale e multilivello di sedici aree metropolitane o grandi città "
            "italiane.",
            PERUGIA_PAGE,
        ),
        said(
            PERUGIA_REF,
            "Sono città con una massiccia presenza di migranti in condizione di estrema "
            "vulnerabilità ed emarginazione sociale. Il finanziamento viene dal FAMI 2014-2020.",
            PERUGIA_PAGE,
        ),
        said(MOD, "Quali sono le sedici città?", ROME_NEWS),
        said(
            NETWORK,
            "Bologna, Bolzano, Caserta, Firenze, Genova, Latina, Milano, Napoli, Palermo, Perugia, "
            "Potenza, Roma, Sassari, Taranto, Torino e Trieste. All'evento conclusivo c'era anche "
            "ANCI Liguria.",
            ROME_NEWS,
            slide=(
                "LGNet2: sedici città",
                "Bologna · Bolzano · Caserta · Firenze\n"
                "Genova · Latina · Milano · Napoli\nPalermo · Perugia · Potenza · Roma\n"
                "Sassari · Taranto · Torino · Trieste",
            ),
        ),
        said(
            PALERMO_REF,
            "La notizia su Palermo aggiunge che Bolzano è rappresentata nella rete dall'Azienda "
            "Servizi Sociali di Bolzano.",
            PALERMO_NEWS,
        ),
        said(MOD, "A chi si rivolge LGNet2?", PERUGIA_PAGE),
        said(
            PERUGIA_REF,
            "Il progetto vuole arginare la grave esclusione e l'isolamento sociale, abitativo e "
            "sanitario dei migranti regolarmente soggiornanti che sono usciti dai percorsi di "
            "accoglienza e non hanno ancora raggiunto un sufficiente livello di integrazione.",
            PERUGIA_PAGE,
        ),
        said(
            PERUGIA_REF,
            "In molti casi, dice la pagina, queste persone vivono in condizioni di emergenza "
            "sociale e abitativa.",
            PERUGIA_PAGE,
        ),
        said(
            PALERMO_REF,
            "La notizia su Palermo insiste sulla governance. Una regia unica ha sincronizzato il "
            "livello nazionale e quello locale: ha seguito costantemente le azioni sui territori "
            "e ha dato omogeneità alla linea del progetto.",
            PALERMO_NEWS,
            slide=(
                "Una regia unica",
                "Livello nazionale e livello locale\n"
                "Partenariato strategico rinnovato:\nMinistero · ANCI · Comuni",
            ),
        ),
        said(
            PALERMO_REF,
            "E il partenariato strategico fra Ministero, ANCI e Comuni, già sperimentato con "
            "LGNetEA, è stato rinnovato.",
            PALERMO_NEWS,
            pause=0.9,
        ),
        # --- Tre ambiti di azione
        said(
            MOD,
            "Che cosa fa, in concreto, la rete?",
            PALERMO_NEWS,
            PROJECT_PAGE,
            mark="Tre ambiti di azione",
            slide=(
                "Tre ambiti di azione",
                "Abitare: housing e inclusione abitativa\n"
                "Presa in carico: one stop shop e unità mobili\n"
                "Impegno civico",
            ),
        ),
        said(
            NETWORK,
            "Le fonti indicano tre ambiti di azione. La notizia su Palermo li chiama così: "
            "progetti di impegno civico, presa in carico, con one stop shop e unità mobili, e "
            "housing e inclusione abitativa.",
            PALERMO_NEWS,
        ),
        said(
            NETWORK,
            "Lo scopo è affrontare i fenomeni emergenziali legati alla presenza di migranti non "
            "ancora del tutto integrati dal punto di vista abitativo, lavorativo e sociale.",
            PALERMO_NEWS,
        ),
        said(
            PERUGIA_REF,
            "Anche la pagina di Perugia elenca le aree di intervento di LGNet2: il "
            "coinvolgimento attivo dei migranti nelle comunità, la presa in carico socio "
            "sanitaria, e l'inserimento abitativo.",
            PERUGIA_PAGE,
            pause=0.9,
        ),
        # --- L'abitare
        said(
            MOD,
            "Cominciamo dall'abitare.",
            PROJECT_PAGE,
            mark="L'abitare",
            slide=(
                "L'abitare",
                "Abitazioni o dimore temporanee\n"
                "Sostegno alla locazione e all'autonomia abitativa\n"
                "Inserimento abitativo, rifugi protetti,\nco-abitazione solidale",
            ),
        ),
        said(
            NETWORK,
            "Per LGNetEA la pagina di progetto parla di trovare e preparare abitazioni o dimore "
            "temporanee, anche con interventi di rifunzionalizzazione leggera, e di misure di "
            "sostegno alla locazione e all'autonomia abitativa.",
            PROJECT_PAGE,
        ),
        said(
            NETWORK,
            "L'obiettivo è rispondere in modo tempestivo alle situazioni più gravi e complesse di "
            "carenza abitativa, e favorire soluzioni d'emergenza.",
            PROJECT_PAGE,
        ),
        said(
            PERUGIA_REF,
            "Per LGNet2 la pagina del Comune di Perugia parla di percorsi di inserimento "
            "abitativo, di rifugi protetti e di co-abitazione solidale per le situazioni "
            "d'emergenza.",
            PERUGIA_PAGE,
        ),
        said(MOD, "E Perugia, in particolare?", PERUGIA_PAGE),
        said(
            PERUGIA_REF,
            "Il Comune di Perugia partecipa portando il proprio modello strutturato di intervento "
            "in emergenza e la sua esperienza specifica in questo campo.",
            PERUGIA_PAGE,
            slide=(
                "Perugia",
                "Modello strutturato di intervento in emergenza\n"
                "Risposte all'emergenza abitativa\n"
                "Spazi di aggregazione e laboratori inclusivi",
            ),
        ),
        said(
            PERUGIA_REF,
            "Nel progetto la sua attività si è concentrata sulle risposte all'emergenza abitativa "
            "per l'utenza di riferimento, e sulla valorizzazione di spazi di aggregazione, con "
            "attività laboratoriali inclusive sul territorio.",
            PERUGIA_PAGE,
            pause=0.9,
        ),
        # --- La presa in carico: lo sportello unico
        said(
            MOD,
            "Passiamo alla presa in carico. Che cos'è un one stop shop?",
            PROJECT_PAGE,
            WORKSHOP_NEWS,
            mark="La presa in carico e lo sportello unico",
            slide=(
                "Lo sportello unico",
                "One stop shop, punto unico di accesso\n"
                "Squadre di lavoro multidisciplinari\n"
                "Interventi psico-socio-legali",
            ),
        ),
        said(
            STREET,
            "È un punto unico di accesso, uno sportello unico. Nella pagina di LGNetEA gli one "
            "stop shop si reggono sulla costituzione o sul rafforzamento di squadre di lavoro, "
            "che intercettano le situazioni di maggiore disagio e ne curano la presa in carico "
            "multidisciplinare.",
            PROJECT_PAGE,
            WORKSHOP_NEWS,
        ),
        said(
            STREET,
            "Fanno parte degli interventi psico-socio-legali, pensati per trattare in modo "
            "tempestivo le situazioni di particolare vulnerabilità che emergono nelle aree a "
            "rischio di marginalizzazione.",
            PROJECT_PAGE,
        ),
        said(MOD, "A Palermo che cosa è stato fatto?", PALERMO_NEWS),
        said(
            PALERMO_REF,
            "A Palermo, racconta la notizia del 3 novembre 2023, è stato sviluppato un polo one "
            "stop shop di presa in carico socio sanitaria.",
            PALERMO_NEWS,
            slide=(
                "Palermo",
                "Polo «one stop shop» di presa in carico\nsocio-sanitaria\n"
                "Safe Space al Centro Penc\n200 beneficiari",
            ),
        ),
        said(
            PALERMO_REF,
            "Accoglie e tratta le situazioni di fragilità sanitaria che non trovano risposte "
            "rapide nel sistema sanitario pubblico.",
            PALERMO_NEWS,
        ),
        said(
            PALERMO_REF,
            "Il progetto ha mirato a rafforzare i servizi presenti sul territorio, per "
            "razionalizzare gli interventi socio-sanitari, e ad attivare laboratori per "
            "acquisire competenze con metodologie innovative.",
            PALERMO_NEWS,
        ),
        said(
            PALERMO_REF,
            "Al Centro Penc è stato attivato il Safe Space, uno spazio al femminile per mamme, "
            "adolescenti e mamme con bambini.",
            PALERMO_NEWS,
        ),
        said(
            PALERMO_REF,
            "Ci sono laboratori di informatica, sartoria, ballo, cittadinanza attiva, supporto "
            "scolastico per gli adolescenti e benessere mentale, e attività per l'empowerment, "
            "anche femminile.",
            PALERMO_NEWS,
        ),
        said(
            PALERMO_REF,
            "In tutto le attività di LGNet2 a Palermo hanno coinvolto duecento beneficiari. Al "
            "progetto hanno collaborato il Centro Accura e il Centro Penc.",
            PALERMO_NEWS,
            pause=0.9,
        ),
        # --- Unità mobili e unità di strada
        said(
            MOD,
            "E per chi allo sportello non arriva?",
            WORKSHOP_NEWS,
            mark="Unità mobili e unità di strada",
            slide=(
                "Unità mobili e unità di strada",
                "Unità mobili di supporto e di pronta assistenza\n"
                "Équipe multidisciplinari itineranti\nUnità di strada",
            ),
        ),
        said(
            STREET,
            "Ci sono le unità mobili di supporto e di pronta assistenza. La notizia sul secondo "
            "workshop le chiama unità operative di pronta assistenza: équipe multidisciplinari "
            "itineranti e unità di strada.",
            PROJECT_PAGE,
            WORKSHOP_NEWS,
        ),
        said(
            STREET,
            "Per LGNet2 la pagina di Perugia parla di équipe itineranti e di pronta assistenza, "
            "insieme agli one stop shop, e di interventi che valorizzano gli spazi e i nodi di "
            "aggregazione presenti nelle periferie.",
            PERUGIA_PAGE,
        ),
        said(
            MOD,
            "Su questi servizi il progetto ha organizzato un workshop tematico.",
            WORKSHOP_NEWS,
        ),
        said(
            NETWORK,
            "Sì, il secondo workshop tematico di LGNetEA, in videoconferenza dalla Sala "
            "Conferenze ANCI, dopo un primo incontro durante l'Assemblea nazionale di Parma. "
            "Hanno partecipato rappresentanti degli enti locali e delle organizzazioni del Terzo "
            "Settore.",
            WORKSHOP_NEWS,
            slide=(
                "Il secondo workshop di LGNetEA",
                "Dalla strada, allo sportello,\nalla diramazione dei servizi\n"
                "In videoconferenza dalla Sala Conferenze ANCI",
            ),
        ),
        said(
            NETWORK,
            "Nel titolo c'era: dalla strada, allo sportello, alla diramazione dei servizi. Si è "
            "parlato di leve e fattori di rischio, di modelli organizzativi, di reti, di "
            "competenze e del valore aggiunto di questi servizi.",
            WORKSHOP_NEWS,
        ),
        said(
            STREET,
            "La registrazione integrale di quel workshop è stata resa pubblica, ma non è in questo "
            "archivio.",
            WORKSHOP_NEWS,
            pause=0.9,
        ),
        # --- L'impegno civico
        said(
            MOD,
            "Terzo ambito: l'impegno civico.",
            PROJECT_PAGE,
            mark="L'impegno civico",
            slide=(
                "L'impegno civico",
                "Cura del verde · cura della persona\nmessa in sicurezza del territorio\n"
                "Autonomia socio-lavorativa, partecipazione,\nlegami con le comunità locali",
            ),
        ),
        said(
            NETWORK,
            "La pagina di LGNetEA parla di progetti di impegno civico, in inglese civic "
            "engagement, in settori come la cura del verde, la cura della persona e la messa in "
            "sicurezza del territorio.",
            PROJECT_PAGE,
        ),
        said(
            NETWORK,
            "Servono ad avviare percorsi di autonomia socio-lavorativa dei migranti non "
            "integrati, e a rafforzare la partecipazione e i legami con le comunità locali.",
            PROJECT_PAGE,
        ),
        said(
            PERUGIA_REF,
            "Per LGNet2 la pagina di Perugia parla di coinvolgimento attivo dei migranti nelle "
            "comunità di riferimento, con la partecipazione a progetti locali di civic "
            "engagement.",
            PERUGIA_PAGE,
        ),
        said(
            MOD,
            "Le fonti raccontano progetti di impegno civico in una città precisa?",
            *ALL_SOURCES,
        ),
        said(
            NETWORK,
            "No. Le cinque fonti descrivono l'impegno civico come ambito della rete, ma non dicono "
            "in quali città si siano svolti questi progetti.",
            *ALL_SOURCES,
        ),
        said(
            PALERMO_REF,
            "A Palermo, fra i laboratori del Safe Space, c'è anche quello di cittadinanza attiva, "
            "ma la notizia lo presenta fra le attività di presa in carico.",
            PALERMO_NEWS,
            pause=0.9,
        ),
        # --- L'evento conclusivo e i risultati
        said(
            MOD,
            "Veniamo alla chiusura di LGNet2.",
            ROME_NEWS,
            mark="L'evento conclusivo e i risultati",
            slide=(
                "Roma, gennaio 2024",
                "Evento conclusivo di LGNet2\n"
                "Sede del Parlamento europeo «David Sassoli»\nPiazza Venezia",
            ),
        ),
        said(
            NETWORK,
            "Nel gennaio 2024 i Comuni aderenti e ANCI Liguria si sono ritrovati a Roma, in "
            "Piazza Venezia, nella sede del Parlamento europeo intitolata a David Sassoli, per "
            "l'evento conclusivo del progetto.",
            ROME_NEWS,
        ),
        said(
            NETWORK,
            "Erano presenti amministratori, dirigenti e funzionari comunali dei territori "
            "coinvolti. Il progetto era coordinato dal Ministero dell'Interno, Direzione centrale "
            "per le Politiche migratorie, autorità di gestione del FAMI, con ANCI e la Fondazione "
            "Cittalia.",
            ROME_NEWS,
        ),
        said(
            PALERMO_REF,
            "All'evento è stato proiettato il docufilm Ritratti, storie e voci dai comuni Lgnet, "
            "realizzato da ANCIcomunicare: un racconto delle attività svolte in ciascuna delle "
            "sedici città.",
            ROME_NEWS,
            PROJECT_PAGE,
            slide=(
                "Il docufilm",
                "«Ritratti – storie e voci dai comuni Lgnet»\n"
                "realizzato da ANCIcomunicare\n(non è in questo archivio)",
            ),
        ),
        said(
            PALERMO_REF,
            "La notizia su Palermo lo aveva annunciato: i risultati sarebbero stati presentati "
            "con una serie di video pillole e un docufilm, con le voci, le immagini e le "
            "testimonianze delle persone coinvolte.",
            PALERMO_NEWS,
        ),
        said(MOD, "E i risultati?", ROME_NEWS),
        said(
            PERUGIA_REF,
            "Le persone beneficiarie, migranti regolarmente soggiornanti esposte a grave rischio "
            "di emarginazione sociale, hanno avuto servizi di pronta assistenza, supporto "
            "psico-socio-legale, supporto all'inclusione abitativa e accesso ad azioni di impegno "
            "civico.",
            ROME_NEWS,
            slide=(
                "I servizi e i risultati",
                "Pronta assistenza · supporto psico-socio-legale\n"
                "Inclusione abitativa · impegno civico\n"
                "Risultati superiori agli indicatori previsti",
            ),
        ),
        said(
            PERUGIA_REF,
            "I risultati presentati all'evento sono ampiamente superiori agli indicatori "
            "previsti, sia per numero di beneficiari raggiunti sia per servizi territoriali "
            "attivati. La notizia non riporta le cifre.",
            ROME_NEWS,
        ),
        said(
            PALERMO_REF,
            "La notizia su Palermo conclude che gli interventi per le persone regolarmente "
            "accolte, ma non ancora pienamente integrate, sono un investimento per l'intera "
            "comunità.",
            PALERMO_NEWS,
            pause=0.9,
        ),
        # --- Conclusioni
        said(
            MOD,
            "Grazie a tutti. Ricordo ancora una volta che questo workshop è dimostrativo: le voci "
            "sono sintetiche e i ruoli di fantasia.",
            mark="Conclusioni",
            slide=(
                "Workshop dimostrativo",
                "Voci sintetiche, ruoli di fantasia\n\n"
                "Le registrazioni reali della rete\nnon sono in questo archivio",
            ),
        ),
        said(
            MOD,
            "Le registrazioni reali della rete, come la registrazione integrale del secondo "
            "workshop tematico o il docufilm Ritratti, non sono in questo archivio. Quando "
            "saranno aggiunte, ognuna avrà la sua scheda, con sottotitoli e trascrizione.",
            WORKSHOP_NEWS,
            ROME_NEWS,
            pause=0.8,
        ),
    ],
)

SYNTHETIC = [DOCUFILM, WORKSHOP, PALERMO, PERUGIA, ROMA, BOLZANO, GENOVA, DEMO_WORKSHOP]


def narration(rec: Recording) -> list[str]:
    """The text of each line, as the media file made from `rec` says it (used by
    scripts/align_demo.py to align the transcripts to what the audio says)."""
    return [line.text for line in rec.lines]


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


Slide = tuple[float, float, str, str]  # start, end, heading, body


def slide_filters(
    slides: list[Slide],
    label: str,
    tmp: Path,
    height: int = 360,
    lower_thirds: list[tuple[float, float, str]] | None = None,
) -> list[str]:
    """Header, footer label and one heading + body per slide, drawn for a picture `height`
    pixels high; with `lower_thirds` (start, end, text), the voice speaking is named in a
    band above the footer, as in a filmed event."""

    def px(value: float) -> int:
        return round(value * height / 360)

    filters = [
        f"drawbox=x=0:y=0:w=iw:h={px(46)}:color=0x0b2545:t=fill",
        drawtext(HEADER, tmp, "header", fontfile=FONT_BOLD, fontsize=px(22), x=px(20), y=px(12)),
        f"drawbox=x=0:y=ih-{px(38)}:w=iw:h={px(38)}:color=0x0b2545:t=fill",
        drawtext(
            label, tmp, "label", fontsize=px(16), fontcolor="0xffd166", x=px(20), y=f"h-{px(28)}"
        ),
    ]
    # With a lower third the slide moves up, so that four lines of body stay clear of it.
    heading_y, body_y, spacing = (66, 124, 8) if lower_thirds else (86, 160, 10)
    for index, (start, end, heading, body) in enumerate(slides):
        enable = f"enable='between(t,{start:.3f},{end:.3f})'"
        heading = "\n".join(textwrap.wrap(heading, 40))
        filters.append(
            drawtext(
                heading,
                tmp,
                f"h{index}",
                fontfile=FONT_BOLD,
                fontsize=px(30),
                x="(w-text_w)/2",
                y=px(heading_y),
            )
            + ":"
            + enable
        )
        filters.append(
            drawtext(
                body,
                tmp,
                f"b{index}",
                fontsize=px(21),
                line_spacing=px(spacing),
                x="(w-text_w)/2",
                y=px(body_y),
            )
            + ":"
            + enable
        )
    for index, (start, end, text) in enumerate(lower_thirds or []):
        enable = f"enable='between(t,{start:.3f},{end:.3f})'"
        filters.append(
            f"drawbox=x={px(20)}:y=ih-{px(86)}:w=iw-{px(40)}:h={px(38)}:color=0xffd166:t=fill:"
            + enable
        )
        filters.append(
            drawtext(
                text,
                tmp,
                f"v{index}",
                fontfile=FONT_BOLD,
                fontsize=px(18),
                fontcolor="0x0b2545",
                x=px(32),
                y=f"h-{px(76)}",
            )
            + ":"
            + enable
        )
    return filters


def encode(
    wav: Path,
    out: Path,
    tmp: Path,
    filters: list[str] | None,
    bitrate: str,
    rec: Recording | None = None,
) -> None:
    size, fps, keyframes, crf = (
        (rec.size, rec.fps, rec.keyframe_seconds, rec.crf) if rec else (SIZE, FPS, 4.0, 30)
    )
    with wave.open(str(wav), "rb") as audio:
        duration = audio.getnframes() / RATE
    args: list[str | Path] = []
    if filters is not None:
        script = tmp / f"{out.stem}-filters.txt"
        script.write_text(
            f"color=c=0x13315c:s={size}:r={fps}:d={duration:.3f}," + ",".join(filters) + "[v]",
            encoding="utf-8",
        )
        # The picture comes from the filter graph; the only input file is the sound (0).
        args += ["-filter_complex_script", script, "-i", wav, "-map", "[v]", "-map", "0:a"]
        args += ["-c:v", "libx264", "-preset", "veryslow", "-crf", str(crf), "-tune", "stillimage"]
        args += ["-pix_fmt", "yuv420p", "-g", str(round(fps * keyframes)), "-threads", "1"]
    else:
        args += ["-i", wav, "-vn"]
    args += ["-c:a", "aac", "-b:a", bitrate, "-ac", "1", "-ar", str(RATE)]
    args += ["-movflags", "+faststart", "-map_metadata", "-1"]
    # No metadata and bit-exact muxing: regenerating gives byte-identical files.
    args += ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    args += ["-t", f"{duration:.3f}", out]
    ffmpeg(*args)


# --- recordings ------------------------------------------------------------------------------


def turns_of(rec: Recording, times: list[tuple[float, float]], cuts: list[float]) -> list[Turn]:
    """Consecutive lines of one voice joined into turns (lines without a speaker: none)."""
    out: list[Turn] = []
    for index, (line, (start, end)) in enumerate(zip(rec.lines, times, strict=True)):
        if line.speaker is None:
            continue
        if out and out[-1].speaker == line.speaker and out[-1].owned_to == cuts[index]:
            out[-1].end, out[-1].owned_to = end, cuts[index + 1]
        else:
            out.append(Turn(line.speaker, start, end, cuts[index], cuts[index + 1]))
    return out


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
    turns = turns_of(rec, times, cuts)
    if rec.video:
        slides: list[Slide] = []
        for index, line in enumerate(rec.lines):
            if line.slide:
                if slides:
                    slides[-1] = (slides[-1][0], cuts[index], *slides[-1][2:])
                slides.append((cuts[index], duration, *line.slide))
        names = [(t.owned_from, t.owned_to, rec.roles[t.speaker]) for t in turns if rec.roles]
        height = int(rec.size.split("x")[1])
        filters = slide_filters(slides, rec.label, work, height, names)
    out = out_dir / rec.name
    encode(wav, out, work, filters, rec.audio_bitrate, rec)
    spans = [
        Span(line.mark, start, end, cuts[index], cuts[index + 1])
        for index, (line, (start, end)) in enumerate(zip(rec.lines, times, strict=True))
        if line.mark
    ]
    return Built(rec.name, duration, out.stat().st_size, spans, turns)


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


def turn_times(turn: Turn) -> tuple[float, float]:
    """A turn's times to 0.1 s, widened to cover its speech (pauses are 0.6 s or more, so
    rounded turns never overlap)."""
    return math.floor(turn.start * 10) / 10, math.ceil(turn.end * 10) / 10


def minutes(seconds: float) -> str:
    """MM:SS.s, as the catalogue writes chapter starts."""
    tenths = round(seconds * 10)
    return f"{tenths // 600:02d}:{tenths % 600 / 10:04.1f}"


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
                        "turns": [
                            {"speaker": t.speaker, "start": t_start, "end": t_end}
                            for t in b.turns
                            for t_start, t_end in [turn_times(t)]
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
            if b.turns:
                # ready to paste into the item's YAML
                print("    chapters (start, title):")
                for s in b.spans:
                    print(f'      - {{start: "{minutes(s.owned_from)}", title: "{s.mark}"}}')
                print("    turns:")
                for t in b.turns:
                    start, end = turn_times(t)
                    print(f"      - {{start: {start}, end: {end}, speaker: {t.speaker}}}")
        total = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
        print(f"{'total in ' + str(args.out):40} {total / 1024 / 1024:14.2f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
