"""The `lgnet` command: a thin shell over the pipeline's functions.

Imports are deferred into each command so `lgnet --help` is instant. Every `LgnetError` is
caught here, once, and printed as one line per problem on stderr (exit 1, no traceback).
"""

from __future__ import annotations

import errno
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lgnet.errors import LgnetError

F = TypeVar("F", bound=Callable[..., Any])

HELP_ROOT = "Cartella del progetto (predefinita: quella corrente o $LGNET_ROOT)."
HELP_AUDIENCE = (
    "Pubblico del sito: 'pubblico' (predefinito, solo registrazioni pubbliche) oppure "
    "'operatori' (sito interno per il personale della rete)."
)
HELP_SITE_URL = (
    "Indirizzo pubblico completo del sito, se è pubblicato in una sottocartella (es. "
    "https://www.comune.example.it/lgnet/): serve alla pagina «non trovata» (404). "
    "Senza, tutti i link restano relativi e il sito funziona da qualunque copia."
)
HELP_OUTPUT_SITE_URL = (
    "Indirizzo pubblico del sito (es. https://www.comune.example.it/lgnet/) per link assoluti "
    "nelle citazioni e nella scheda; predefinito: site_url di mkdocs.yml. Senza, i link "
    "restano relativi e lo si dice."
)
INTERRUPTED = "interrotto dall'utente; il lavoro già concluso è salvato, rilanciare per riprendere"
AUDIENCE_CHOICE = click.Choice(["pubblico", "operatori"])


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(f"errore: {line}", err=True)
    sys.exit(1)


def system_error_line(exc: OSError) -> str:
    """One Italian line for an error of the operating system, naming the file."""
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        what = "disco pieno; liberare spazio e rilanciare (il lavoro già concluso è salvato)"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what = "permesso negato; controllare i permessi della cartella o scegliere un'altra"
    else:
        what = f"{exc.strerror or type(exc).__name__}; controllare il file e rilanciare"
    return where + what


def handles_errors(func: F) -> F:
    """Turn the project's errors (and Ctrl-C) into clean messages and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LgnetError as exc:
            _fail(exc.lines())
        except KeyboardInterrupt:
            _fail([INTERRUPTED])
        except OSError as exc:  # a full disk, a read-only folder, a file vanished meanwhile
            _fail([system_error_line(exc)])
        return None

    return wrapper  # type: ignore[return-value]


def _project(root: Path | None) -> Any:
    from lgnet.project import Project

    return Project.find(root)


root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=HELP_ROOT,
)


def usage_error_line(exc: click.UsageError) -> str:
    """Click's usage errors, in Italian and on one line (click prints English, in three)."""
    command = exc.ctx.command_path if exc.ctx is not None else "lgnet"
    hint = f"; vedere '{command} --help'"
    if isinstance(exc, click.NoSuchOption):
        guess = f" (forse {', '.join(sorted(exc.possibilities))}?)" if exc.possibilities else ""
        return f"{command}: opzione sconosciuta {exc.option_name}{guess}{hint}"
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        name = exc.param.human_readable_name
        return f"{command}: manca {name}{hint}"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        name = exc.param.get_error_hint(exc.ctx) if exc.ctx is not None else exc.param.name
        if isinstance(exc.param.type, click.Choice):
            allowed = ", ".join(str(c) for c in exc.param.type.choices)
            return f"{command}: valore non ammesso per {name}; valori ammessi: {allowed}"
        return f"{command}: valore non valido per {name}: {exc.message}{hint}"
    message = exc.format_message()
    if message.startswith("No such command"):
        return f"comando sconosciuto in {message.split(' ', 3)[-1]}{hint}"
    return f"{command}: {message}{hint}"


class LgnetGroup(click.Group):
    """The `lgnet` group: usage errors become one Italian line with exit code 1."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.UsageError as exc:
            _fail([usage_error_line(exc)])
        except click.ClickException as exc:
            _fail([exc.format_message()])
        except click.Abort:
            _fail([INTERRUPTED])
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=LgnetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lgnet", message="lgnet %(version)s")
def main() -> None:
    """LGNet Archivio: trascrive, indicizza e pubblica le registrazioni della rete LGNet.

    Il flusso di lavoro è: archivio -> trascrizioni -> indice di ricerca -> pagine -> sito.
    Di solito basta 'lgnet build'.
    """


@main.command()
@root_option
@handles_errors
def check(root: Path | None) -> None:
    """Controlla archivio, città, glossario e schede delle città; elenca tutti i problemi."""
    from lgnet.checks import run_checks

    report = run_checks(_project(root))
    for line in report.warnings:
        click.echo(f"avviso: {line}", err=True)
    if report.problems:
        _fail([str(p) for p in report.problems])
    click.echo(f"Archivio valido: {report.summary}")


@main.command()
@click.argument("ids", nargs=-1)
@click.option(
    "--force", is_flag=True, help="Rifà anche le trascrizioni automatiche già aggiornate."
)
@click.option(
    "--overwrite-curated",
    is_flag=True,
    help="Sovrascrive anche le trascrizioni revisionate (ne salva prima una copia in "
    "transcripts/.backup/). Da usare solo se si vuole davvero perdere la revisione.",
)
@click.option(
    "--model",
    default=None,
    help="Modello Whisper: 'base' (predefinito, incluso e offline), un nome di faster-whisper "
    "(es. 'small', 'medium', 'large-v3': scaricato se c'è rete, molto più preciso in italiano) "
    "o una cartella locale.",
)
@click.option(
    "--quality",
    is_flag=True,
    help="Impostazioni più lente e accurate (ricerca a fascio più ampia).",
)
@click.option(
    "--veloce",
    "rapid",
    is_flag=True,
    help="Impostazioni più rapide e un po' meno accurate (finestre audio più corte): "
    "per computer lenti o archivi molto grandi.",
)
@click.option(
    "--jobs",
    type=int,
    default=None,
    help="Registrazioni trascritte in parallelo (predefinito: automatico).",
)
@root_option
@handles_errors
def transcribe(
    ids: tuple[str, ...],
    force: bool,
    overwrite_curated: bool,
    model: str | None,
    quality: bool,
    rapid: bool,
    jobs: int | None,
    root: Path | None,
) -> None:
    """Trascrive le registrazioni nuove o cambiate (tutte, o solo gli ID indicati)."""
    from lgnet.archive import load_archive
    from lgnet.transcribe import TranscribeRequest, transcribe_archive

    project = _project(root)
    archive = load_archive(project)
    result = transcribe_archive(
        project,
        archive,
        TranscribeRequest(
            ids=list(ids),
            force=force,
            overwrite_curated=overwrite_curated,
            model=model,
            quality=quality,
            rapid=rapid,
            jobs=jobs,
        ),
    )
    click.echo(result.summary())


@main.command()
@click.option("--audience", type=AUDIENCE_CHOICE, default="pubblico", help=HELP_AUDIENCE)
@click.option(
    "--force",
    is_flag=True,
    help="Ricostruisce l'indice anche se è già aggiornato (di norma viene riusato).",
)
@root_option
@handles_errors
def index(audience: str, force: bool, root: Path | None) -> None:
    """Costruisce l'indice di ricerca dei passaggi delle trascrizioni."""
    from lgnet.archive import load_archive
    from lgnet.index import build_index
    from lgnet.transcripts import load_transcripts

    project = _project(root)
    archive = load_archive(project)
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    result = build_index(project, archive, transcripts, audience, force=force)
    click.echo(result.summary())


@main.command()
@click.option("--audience", type=AUDIENCE_CHOICE, default="pubblico", help=HELP_AUDIENCE)
@click.option("--no-transcribe", is_flag=True, help="Non trascrive: usa le trascrizioni esistenti.")
@click.option("--model", default=None, help="Modello Whisper per le trascrizioni mancanti.")
@click.option("--site-url", metavar="URL", default=None, help=HELP_SITE_URL)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Cartella del sito (predefinita: site/ per il pubblico, site-operatori/ per gli "
    "operatori). Viene sostituita solo se è vuota o è un sito costruito da lgnet.",
)
@root_option
@handles_errors
def build(
    audience: str,
    no_transcribe: bool,
    model: str | None,
    site_url: str | None,
    output: Path | None,
    root: Path | None,
) -> None:
    """Esegue tutto: controllo, trascrizione, indice, pagine e sito (site/ per il pubblico,
    site-operatori/ per gli operatori).

    Il sito viene costruito a parte e sostituisce il precedente solo se la costruzione e il
    controllo delle fughe riescono; se un'altra costruzione è in corso, attende che finisca."""
    from lgnet.build import run_build
    from lgnet.site import check_site_url

    if site_url is not None:  # checked now, not after minutes of transcription
        site_url = check_site_url(site_url)
    result = run_build(
        _project(root),
        audience=audience,
        transcribe=not no_transcribe,
        model=model,
        site_url=site_url,
        output=output,
    )
    click.echo(result.summary())


@main.command()
@click.option("--audience", type=AUDIENCE_CHOICE, default="pubblico", help=HELP_AUDIENCE)
@click.option("--port", type=int, default=8000, show_default=True, help="Porta su localhost.")
@click.option(
    "--no-watch",
    is_flag=True,
    help="Non ricostruisce il sito quando i file cambiano (per vedere le modifiche fermare "
    "con Ctrl-C e rilanciare).",
)
@root_option
@handles_errors
def serve(audience: str, port: int, no_watch: bool, root: Path | None) -> None:
    """Costruisce il sito (senza trascrivere) e lo mostra su http://127.0.0.1:PORTA, solo su
    questo computer.

    Finché è in funzione controlla ogni secondo archive/, transcripts/, docs/, overrides/ e
    mkdocs.yml: quando un file cambia, importa le correzioni dei sottotitoli (.vtt/.srt),
    ricostruisce il sito e le pagine aperte nel browser si ricaricano da sole (se la
    ricostruzione fallisce, la pagina mostra l'errore e il sito resta quello di prima). Non
    trascrive le registrazioni nuove o cambiate: per quelle usare 'lgnet transcribe'.

    Offre anche la vista di correzione delle trascrizioni (/_correzione/): il suo indirizzo,
    con un codice valido solo per questa esecuzione, viene stampato all'avvio. Risponde alle
    richieste parziali (Range), così nei video ci si può spostare."""
    from lgnet.serve import run_preview

    run_preview(_project(root), audience=audience, port=port, rebuild=not no_watch)


@main.command()
@click.argument("query")
@click.option("--city", default=None, help="Solo questa città (slug, es. palermo).")
@click.option(
    "--kind", default=None, help="Solo questo tipo: workshop, pillola, testimonianza, docufilm."
)
@click.option(
    "--area", default=None, help="Solo questo ambito: abitare, presa-in-carico, impegno-civico."
)
@click.option(
    "--role",
    default=None,
    metavar="RUOLO",
    help="Solo i passaggi detti da chi ha questo ruolo (es. operatrice): il filtro «Chi parla».",
)
@click.option("--audience", type=AUDIENCE_CHOICE, default="pubblico", help=HELP_AUDIENCE)
@click.option(
    "--limit", type=int, default=20, show_default=True, help="Numero massimo di risultati."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Stampa un elenco JSON di {id, start, end, text, score}.",
)
@root_option
@handles_errors
def search(
    query: str,
    city: str | None,
    kind: str | None,
    area: str | None,
    role: str | None,
    audience: str,
    limit: int,
    as_json: bool,
    root: Path | None,
) -> None:
    """Cerca una parola o frase dentro tutte le trascrizioni, con il minuto esatto."""
    import json

    from lgnet.search import format_hits, search_index

    hits = search_index(
        _project(root),
        query,
        city=city,
        kind=kind,
        area=area,
        role=role,
        audience=audience,
        limit=limit,
    )
    if as_json:
        click.echo(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=1))
    else:
        click.echo(format_hits(hits, query))


@main.command()
@click.argument("ids", nargs=-1)
@click.option(
    "--cues",
    "cues_per_item",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Quanti sottotitoli da rivedere mostrare sotto ogni registrazione (solo nella tabella).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Stampa un elenco JSON: per ogni registrazione id, title, citations, sentences, "
    "reviewed_sentences, low_confidence, unknown_names, need e i suoi cues "
    "({start, end, text, low_confidence, unknown_names, cited, need}).",
)
@root_option
@handles_errors
def review(ids: tuple[str, ...], cues_per_item: int, as_json: bool, root: Path | None) -> None:
    """Elenca le registrazioni (tutte, o solo gli ID indicati) e i sottotitoli che più hanno
    bisogno di una persona: mai revisionati, con parole incerte o con nomi che il glossario
    non conosce; prima le registrazioni più citate nelle pagine del sito."""
    import json

    from lgnet.archive import load_archive
    from lgnet.review import format_queue, review_queue
    from lgnet.transcripts import load_transcripts

    project = _project(root)
    archive = load_archive(project, strict=False)
    unknown = [i for i in ids if i not in archive.items]
    if unknown:
        raise LgnetError(
            f"registrazione sconosciuta: {', '.join(unknown)}; gli ID sono i nomi dei file in "
            "archive/items/ senza .yml"
        )
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    queue = review_queue(project, archive, transcripts, ids)
    if as_json:
        click.echo(json.dumps([q.to_json() for q in queue], ensure_ascii=False, indent=1))
    else:
        click.echo(format_queue(queue, cues_per_item))


def _time(_ctx: click.Context, _param: click.Parameter, value: str) -> float:
    from lgnet.timecode import parse_time

    try:
        return parse_time(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("item_id", metavar="ID")
@click.argument("start", callback=_time)
@click.argument("end", callback=_time)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=(
        "File di uscita (predefinito: clips/<id>_<inizio>-<fine>.mp4); accanto vengono scritti "
        ".vtt, .srt e .citazione.txt. Non può stare in archive/, transcripts/ o docs/."
    ),
)
@click.option("--burn", is_flag=True, help="Imprime i sottotitoli nel video.")
@click.option(
    "--overwrite",
    is_flag=True,
    help=(
        "Sostituisce i file di uscita se esistono già (senza, il comando si ferma); "
        "in clips/ solo quelli creati da lgnet clip. Mai i file dell'archivio."
    ),
)
@click.option(
    "--audience",
    type=AUDIENCE_CHOICE,
    default="pubblico",
    help="Uso previsto: 'pubblico' (formazione aperta) o 'operatori' (formazione interna).",
)
@click.option("--site-url", metavar="URL", default=None, help=HELP_OUTPUT_SITE_URL)
@root_option
@handles_errors
def clip(
    item_id: str,
    start: float,
    end: float,
    output: Path | None,
    burn: bool,
    overwrite: bool,
    audience: str,
    site_url: str | None,
    root: Path | None,
) -> None:
    """Taglia un estratto (INIZIO e FINE in secondi, MM:SS o HH:MM:SS, es. 84.5, 1:24.5,
    00:01:24) con sottotitoli e citazione. Un tempo come 1.20 è ambiguo: scrivere 1:20 o 80."""
    from lgnet.clip import ClipRequest, make_clip

    result = make_clip(
        _project(root),
        ClipRequest(
            item_id=item_id,
            start=start,
            end=end,
            output=output,
            burn=burn,
            audience=audience,
            overwrite=overwrite,
            site_url=site_url,
        ),
    )
    click.echo(result.summary())
    for warning in result.warnings:
        click.echo(f"attenzione: {warning}", err=True)


@main.command()
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=(
        "Cartella di uscita (predefinita: packs/<percorso>/); accanto viene scritto lo zip. "
        "Deve essere nuova, vuota o un pacchetto già creato da lgnet pack; mai in archive/, "
        "transcripts/ o docs/."
    ),
)
@click.option(
    "--overwrite",
    is_flag=True,
    help=(
        "Rifà un pacchetto già esistente: sostituisce solo i file creati da lgnet pack "
        "(e lo zip); gli altri file della cartella restano dove sono."
    ),
)
@click.option("--burn", is_flag=True, help="Imprime i sottotitoli negli estratti video.")
@click.option("--site-url", metavar="URL", default=None, help=HELP_OUTPUT_SITE_URL)
@root_option
@handles_errors
def pack(
    slug: str,
    output: Path | None,
    overwrite: bool,
    burn: bool,
    site_url: str | None,
    root: Path | None,
) -> None:
    """Prepara il pacchetto di un percorso formativo (archive/paths/SLUG.yml): estratti,
    sottotitoli e scheda stampabile (Markdown e DOCX), in una cartella e in uno zip."""
    from lgnet.paths import pack as make_pack

    result = make_pack(
        _project(root), slug, output, overwrite=overwrite, burn=burn, site_url=site_url
    )
    click.echo(result.summary())
    for warning in result.warnings:
        click.echo(f"attenzione: {warning}", err=True)


@main.command()
@click.argument("item_id", metavar="ID")
@click.option(
    "--suggest",
    is_flag=True,
    required=True,
    help="Elenca i probabili dati personali (telefoni, e-mail, codici fiscali, IBAN, indirizzi, "
    "nomi) con i tempi, pronti da copiare nella chiave 'redactions' della scheda.",
)
@root_option
@handles_errors
def redact(item_id: str, suggest: bool, root: Path | None) -> None:
    """Aiuta a preparare gli omissis di una registrazione (ID)."""
    from lgnet.archive import load_archive
    from lgnet.errors import LgnetError
    from lgnet.redact import suggest as find_personal_data
    from lgnet.transcripts import TranscriptFiles, read_transcript

    project = _project(root)
    archive = load_archive(project)
    if item_id not in archive.items:
        raise LgnetError(f"registrazione sconosciuta: {item_id} (vedere archive/items/)")
    files = TranscriptFiles(project.transcripts, item_id)
    if not files.json.exists():
        raise LgnetError(
            f"{item_id}: trascrizione mancante; eseguire prima 'lgnet transcribe {item_id}'"
        )
    found = find_personal_data(read_transcript(files.json), archive.items[item_id])
    if not found:
        click.echo(
            f"{item_id}: nessun dato personale evidente trovato (controllare comunque l'ascolto)"
        )
        return
    click.echo(f"{item_id}: {len(found)} possibili dati personali")
    for suggestion in found:
        click.echo("  " + suggestion.line())
    click.echo(f"\nDa copiare in archive/items/{item_id}.yml (verificare i tempi):\nredactions:")
    for suggestion in found:
        click.echo(suggestion.yaml())


@main.command()
@click.argument("ids", nargs=-1)
@click.option(
    "--check",
    "check_norms",
    is_flag=True,
    required=True,
    help="Controlla i sottotitoli (VTT/SRT) rispetto alle norme: al massimo 2 righe di 42 "
    "caratteri, 1–7 secondi, 17 caratteri al secondo, nessuna sovrapposizione.",
)
@root_option
@handles_errors
def captions(ids: tuple[str, ...], check_norms: bool, root: Path | None) -> None:
    """Statistiche e problemi dei sottotitoli di ogni registrazione (ID: solo quelle), come
    sono nei file transcripts/<id>.vtt (anche se modificati da una persona); esce con 1 se un
    sottotitolo ha più di 2 righe, una riga oltre 42 caratteri o si sovrappone a un altro."""
    from lgnet.captions import (
        CaptionStats,
        caption_stats,
        cue_problems,
        read_shown_cues,
        shown,
        transcript_cues,
    )
    from lgnet.errors import LgnetError
    from lgnet.transcripts import TranscriptFiles, read_transcript

    project = _project(root)
    known = sorted(p.stem for p in project.transcripts.glob("*.json"))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise LgnetError(
            f"trascrizione mancante per {', '.join(unknown)}: controllare l'ID o eseguire "
            "'lgnet transcribe'"
        )
    total, failed = CaptionStats(), False
    for item_id in ids or known:
        files = TranscriptFiles(project.transcripts, item_id)
        if files.vtt.exists():
            cues = read_shown_cues(files.vtt.read_text(encoding="utf-8", errors="replace"))
        else:
            cues = shown(transcript_cues(read_transcript(files.json)))
        stats = caption_stats(cues)
        total.add(stats)
        failed = failed or not stats.meets_hard_norms
        click.echo(f"{item_id}: {_caption_line(stats)}")
        for problem in cue_problems(cues):
            click.echo(f"  {problem}")
    click.echo(f"totale: {_caption_line(total)}")
    if failed:
        sys.exit(1)


def _caption_line(stats: Any) -> str:
    return (
        f"{stats.cues} sottotitoli; righe ≤ 42 caratteri {stats.share(stats.length_ok):.0f}%, "
        f"≤ 2 righe {stats.share(stats.lines_ok):.0f}%, "
        f"1–7 s {stats.share(stats.duration_ok):.0f}%, "
        f"≤ 17 car./s {stats.share(stats.cps_ok):.0f}%, sovrapposizioni {stats.overlaps}"
    )


# --- lgnet chapters (segment index: lgnet.chapters) ------------------------------------------


@main.command()
@click.argument("item_id", metavar="ID")
@click.option(
    "--suggest",
    is_flag=True,
    help=(
        "Propone i capitoli leggendo la trascrizione (pause lunghe, cambi di argomento, "
        "termini del glossario) e li scrive in un file YAML da rivedere: non vengono pubblicati."
    ),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=(
        "File dei capitoli proposti (predefinito: <id>.capitoli.yml nella cartella corrente). "
        "Non può stare in archive/, transcripts/ o docs/."
    ),
)
@click.option(
    "--overwrite", is_flag=True, help="Sostituisce il file dei capitoli proposti se esiste già."
)
@root_option
@handles_errors
def chapters(
    item_id: str, suggest: bool, output: Path | None, overwrite: bool, root: Path | None
) -> None:
    """Capitoli di una registrazione: senza opzioni elenca quelli della scheda
    (archive/items/ID.yml); con --suggest ne propone di nuovi in un file da rivedere e copiare
    nella scheda a mano."""
    from lgnet.chapters import write_suggestions

    if not suggest and (output is not None or overwrite):
        raise LgnetError("-o e --overwrite servono solo con --suggest: aggiungere --suggest")
    project = _project(root)
    if suggest:
        result = write_suggestions(project, item_id, output, overwrite=overwrite)
        click.echo(result.summary(project.rel(result.path)))
        return
    from lgnet.chapters import chapter_spans, find_item
    from lgnet.timecode import clock

    _, item = find_item(project, item_id)
    if not item.chapters:
        click.echo(
            f"{item_id}: nessun capitolo nella scheda; 'lgnet chapters {item_id} --suggest' "
            "ne propone alcuni da rivedere"
        )
        return
    for span in chapter_spans(item.chapters, None):
        keywords = f"  [{', '.join(span.keywords)}]" if span.keywords else ""
        click.echo(f"{clock(span.start):>7}  {span.title}{keywords}")


# --- lgnet speakers (suggested speaker turns: lgnet.diarize, optional extra) -------------------


@main.command()
@click.argument("item_id", metavar="ID")
@click.option(
    "--suggest",
    is_flag=True,
    required=True,
    help=(
        "Riconosce le voci dall'audio e propone chi parla quando (speakers e turns) in un file "
        "YAML da verificare ascoltando: non vengono pubblicati."
    ),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=(
        "File dei turni proposti (predefinito: <id>.turni.yml nella cartella corrente). "
        "Non può stare in archive/, transcripts/ o docs/."
    ),
)
@click.option(
    "--overwrite", is_flag=True, help="Sostituisce il file dei turni proposti se esiste già."
)
@click.option(
    "--voci",
    "voices",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Quante voci ci sono, se si sa (senza, il numero è stimato dall'audio).",
)
@root_option
@handles_errors
def speakers(
    item_id: str,
    suggest: bool,
    output: Path | None,
    overwrite: bool,
    voices: int | None,
    root: Path | None,
) -> None:
    """Propone i turni di parola di una registrazione (ID) riconoscendo le voci
    (estensione facoltativa: 'make speakers'). Il file va verificato e copiato a mano nella
    scheda archive/items/ID.yml."""
    from lgnet.diarize import suggest_turns

    project = _project(root)
    result = suggest_turns(project, item_id, output, overwrite=overwrite, voices=voices)
    click.echo(result.summary(project.rel(result.path)))
    for warning in result.warnings:
        click.echo(f"attenzione: {warning}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
