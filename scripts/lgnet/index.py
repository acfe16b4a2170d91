"""The search index: every transcript passage in a lunr index, cut into shards by term.

Stage `index` of the pipeline. `build_index` turns the published items' transcripts into
*passages* (a few consecutive segments, about `PASSAGE_WORDS` words), indexes them with
lunr.py and writes the result under `.build/search/<audience>/`; `publish_search` copies it into
the built site together with lunr.js and its Italian support, taken from the installed MkDocs.

Two programs read the index: `lgnet search` (lunr.py, `lgnet.search`) and the `/cerca/` page
(lunr.js, `docs/assets/lgnet/cerca.js`). Both must turn words into the same terms, so the Italian
text analysis here mirrors lunr.it (lunr-languages, shipped inside MkDocs):

* words are runs of lunr.it's `wordCharacters` plus the digits 0-9, lower-cased, so "dell'ente"
  gives "dell" and "ente" (lunr's own tokenizer would keep "dell'ente" as one word);
* lunr.it's stop-word list, read from the installed `lunr.it.js` (no download);
* the Snowball Italian stemmer from `snowballstemmer`, corrected where it differs from the older
  Snowball port inside lunr.it (`tests/test_index.py` compares them word by word in node).

The index is cut into shards by a hash of each term, and each shard also carries the part of
every passage's lunr vector that belongs to its terms. A query needs only the shards of its own
terms, from which `query_index` (and `queryIndex` in cerca.js) makes a small lunr index that
scores those terms exactly as the whole index would. The browser therefore downloads a few
small files for a search, not the whole archive. Design and measurements: devdocs/search.md.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lgnet.archive import AREA_LABELS, KIND_LABELS, Archive, Item
from lgnet.errors import IndexError_
from lgnet.fsutil import atomic_write_text
from lgnet.project import Project
from lgnet.speakers import Voice, published_transcript, voices
from lgnet.transcripts import Segment, Transcript

FORMAT = 1  # bump when the files' layout changes: older indexes are then rebuilt
PASSAGE_WORDS = 40  # a passage closes at the first segment end after this many words...
PASSAGE_SECONDS = 40.0  # ...or after this many seconds, whichever comes first
SHARD_TARGET_BYTES = 96 * 1024  # raw JSON per term shard at most (about 15-50 kB gzipped)
MAX_SHARDS = 1024
TEXT_CHUNK_BYTES = 16 * 1024  # raw JSON per file of passage texts
SEARCH_DIR = "search"
SITE_DIR = "assets/cerca"  # where the index and lunr.js go inside the site
MANIFEST = "manifest.json"
STAMP = ".stamp"  # what the folder was made from, and the sha256 of each file (not published)
JS_CALLBACK = "lgnetCercaDati"  # the page's global that the .js data files call
LUNR_FILES = ("lunr.js", "lunr.stemmer.support.js", "lunr.it.js")
FIELD = "text"

# --- lunr and its Italian support, as installed with MkDocs -------------------------------


@functools.cache
def lunr_js_files() -> dict[str, Path]:
    """lunr.js 2.3.9, lunr.stemmer.support.js and lunr.it.js from the installed MkDocs."""
    import mkdocs.contrib.search as mkdocs_search

    base = Path(mkdocs_search.__file__).parent
    files = {
        "lunr.js": base / "templates" / "search" / "lunr.js",
        "lunr.stemmer.support.js": base / "lunr-language" / "lunr.stemmer.support.js",
        "lunr.it.js": base / "lunr-language" / "lunr.it.js",
    }
    for path in files.values():
        if not path.is_file():
            raise IndexError_(
                f"{path}: file di lunr mancante nel pacchetto mkdocs; reinstallarlo con "
                "'pip install --force-reinstall mkdocs'"
            )
    return files


def _js_unescape(text: str) -> str:
    return re.sub(
        r"\\x([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        text,
    )


@dataclass(frozen=True)
class ItalianAnalyzer:
    """Words, stop words and stems exactly as the search page computes them with lunr.it."""

    word_characters: str  # lunr.it.wordCharacters, a regex character-class body
    stop_words: frozenset[str]
    _stems: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def _word(self) -> re.Pattern[str]:
        return re.compile(f"[{self.word_characters}0-9]+")

    @functools.cached_property
    def _trim(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        return (
            re.compile(f"^[^{self.word_characters}]+"),
            re.compile(f"[^{self.word_characters}]+$"),
        )

    @functools.cached_property
    def _snowball(self) -> Any:
        import snowballstemmer

        return snowballstemmer.stemmer("italian")

    def words(self, text: str) -> list[str]:
        """The lower-cased words of `text`, stop words included."""
        return self._word.findall(normalize(text).lower())

    def word_spans(self, text: str) -> Iterable[tuple[int, int, str]]:
        """(start, end, lower-cased word) for each word of `text` (already normalized)."""
        for match in self._word.finditer(text):
            yield match.start(), match.end(), match.group().lower()

    def is_stop_word(self, word: str) -> bool:
        return word in self.stop_words

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            if word.startswith("divan"):
                # Snowball 2 treats "divan..." as an exception; lunr.it's older port does not.
                # "dovan..." has the same vowel pattern and no such exception.
                stem = "di" + self._snowball.stemWord("do" + word[2:])[2:]
            else:
                stem = self._snowball.stemWord(word)
            self._stems[word] = stem
        return stem

    def trim(self, word: str) -> str:
        start, end = self._trim
        return end.sub("", start.sub("", word))

    def terms(self, text: str) -> list[str]:
        """What the index stores for `text`: stems of the words that are not stop words."""
        return [self.stem(w) for w in self.words(text) if w not in self.stop_words]

    def query_words(self, query: str) -> list[str]:
        """The words of a query that can match: no stop words, no repeats, in order."""
        return list(dict.fromkeys(w for w in self.words(query) if w not in self.stop_words))


def normalize(text: str) -> str:
    """Composed accents (NFC), as the page also does, so "è" typed two ways matches."""
    return unicodedata.normalize("NFC", text)


@functools.cache
def italian() -> ItalianAnalyzer:
    """The analyzer, with its word characters and stop words read from the installed lunr.it."""
    path = lunr_js_files()["lunr.it.js"]
    source = path.read_text(encoding="utf-8")
    chars = re.search(r'lunr\.it\.wordCharacters\s*=\s*"([^"]+)"', source)
    stops = re.search(r"generateStopWordFilter\('([^']+)'\.split\(' '\)\)", source)
    if chars is None or stops is None:
        raise IndexError_(
            f"{path}: formato di lunr.it.js non riconosciuto (parole vuote o caratteri delle "
            "parole non trovati); usare mkdocs 1.6"
        )
    analyzer = ItalianAnalyzer(
        word_characters=_js_unescape(chars.group(1)),
        stop_words=frozenset(stops.group(1).split(" ")),
    )
    _register_lunr_pipeline(analyzer)
    return analyzer


def _register_lunr_pipeline(analyzer: ItalianAnalyzer) -> None:
    """lunr.py functions under the names lunr.it registers in lunr.js, so indexes round-trip."""
    from lunr.pipeline import Pipeline

    def trimmer_it(token: Any, i: int | None = None, tokens: Any = None) -> Any:
        return token.update(lambda s, metadata=None: analyzer.trim(s))

    def stop_word_filter_it(token: Any, i: int | None = None, tokens: Any = None) -> Any:
        return None if str(token) in analyzer.stop_words else token

    def stemmer_it(token: Any, i: int | None = None, tokens: Any = None) -> Any:
        return token.update(lambda s, metadata=None: analyzer.stem(s))

    Pipeline.register_function(trimmer_it, "trimmer-it")
    Pipeline.register_function(stop_word_filter_it, "stopWordFilter-it")
    Pipeline.register_function(stemmer_it, "stemmer-it")


def lunr_function(label: str) -> Callable[..., Any]:
    from lunr.pipeline import Pipeline

    italian()
    fn: Callable[..., Any] = Pipeline.registered_functions[label]
    return fn


def shard_of(term: str, shards: int) -> int:
    """FNV-1a (32 bit) over the term's code points; cerca.js computes the same."""
    value = 0x811C9DC5
    for char in term:
        value ^= ord(char)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value % shards


# --- passages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """A few consecutive segments of one recording: one lunr document."""

    item_id: str
    segments: tuple[tuple[float, float, str], ...]  # (start, end, text)
    role: str | None = None  # who speaks (lgnet.speakers): the role only, never a name

    @property
    def start(self) -> float:
        return self.segments[0][0]

    @property
    def end(self) -> float:
        return self.segments[-1][1]

    @property
    def text(self) -> str:
        return " ".join(text for _, _, text in self.segments)


def redacted_segments(item: Item, transcript: Transcript) -> list[Segment]:
    """The transcript's segments as published: every redacted span replaced by "[omissis]",
    and the item's speaker turns applied (`lgnet.speakers.published_transcript`)."""
    return published_transcript(transcript, item).segments


def passages_of(
    item: Item,
    transcript: Transcript,
    *,
    words: int = PASSAGE_WORDS,
    seconds: float = PASSAGE_SECONDS,
) -> list[Passage]:
    """Consecutive segments joined until about `words` words or `seconds` seconds.

    `words=0` keeps one segment per passage. A passage holds one speaker's words: a change
    of speaker closes it, and it carries that speaker's role (the "Chi parla" facet).
    """
    passages: list[Passage] = []
    current: list[tuple[float, float, str]] = []
    count = 0
    known = voices(item)
    speaker: str | None = None
    for seg in redacted_segments(item, transcript):
        text = normalize(" ".join(seg.text.split()))
        if not text:
            continue
        if current and seg.speaker != speaker:
            passages.append(Passage(item.id, tuple(current), _role(known, speaker)))
            current, count = [], 0
        speaker = seg.speaker
        current.append((round(seg.start, 2), round(seg.end, 2), text))
        count += len(text.split())
        if count >= words or seg.end - current[0][0] >= seconds:
            passages.append(Passage(item.id, tuple(current), _role(known, speaker)))
            current, count = [], 0
    if current:
        passages.append(Passage(item.id, tuple(current), _role(known, speaker)))
    return passages


def _role(known: dict[str, Voice], label: str | None) -> str | None:
    voice = known.get(label) if label else None
    return voice.role if voice is not None else None


# --- chapters --------------------------------------------------------------------------------


def chapter_passages(item: Item, duration: float | None) -> list[Passage]:
    """One passage per chapter of `item` (lgnet.chapters): its title, synopsis and keywords,
    all three at the chapter's start, so a hit on any of them opens the player there.

    They come after the item's transcript passages; its catalogue entry counts them
    (`"chapters"`), which is how `lgnet search` and cerca.js tell a chapter hit from a passage:
    the last `chapters` refs of an item are its chapters, in order. The three segments are
    always there, an empty text where the chapter has no synopsis or keywords."""
    from lgnet.chapters import chapter_spans

    passages = []
    for span in chapter_spans(item.chapters, duration):
        start, end = round(span.start, 2), round(span.end, 2)
        texts = (span.title, span.synopsis, ", ".join(span.keywords))
        segments = tuple((start, end, normalize(" ".join(t.split()))) for t in texts)
        passages.append(Passage(item.id, segments))
    return passages


def chapter_count(entry: dict[str, Any]) -> int:
    """How many of a catalogue entry's passages are chapters (the last ones)."""
    return int(entry.get("chapters", 0))


def is_chapter(entry: dict[str, Any], ref: int) -> bool:
    """Whether passage `ref` of the recording `entry` is one of its chapters."""
    return ref >= int(entry["first"]) + int(entry["count"]) - chapter_count(entry)


# --- building ------------------------------------------------------------------------------


def build_lunr(passages: Sequence[Passage]) -> dict[str, Any]:
    """A serialized lunr index (lunr-schema, lunr.js 2.3.9) of `passages`; refs are "0", "1"...

    Refs are plain decimal numbers added in order: lunr.js walks integer-like object keys in
    numeric order, lunr.py in insertion order, and results with equal scores keep that order.
    """
    from lunr import __TARGET_JS_VERSION__
    from lunr.builder import Builder

    analyzer = italian()
    if not passages:  # lunr.py divides by the number of documents
        return {
            "version": __TARGET_JS_VERSION__,
            "fields": [FIELD],
            "fieldVectors": [],
            "invertedIndex": [],
            "pipeline": ["stemmer-it"],
        }
    builder = Builder()
    builder.pipeline.add(lunr_function("stopWordFilter-it"), lunr_function("stemmer-it"))
    builder.search_pipeline.add(lunr_function("stemmer-it"))
    builder.ref("ref")
    builder.field(FIELD, extractor=lambda doc: analyzer.words(doc[FIELD]))
    for number, passage in enumerate(passages):
        builder.add({"ref": str(number), FIELD: passage.text})
    serialized: dict[str, Any] = builder.build().serialize()
    return serialized


def lunr_header(serialized: dict[str, Any]) -> dict[str, Any]:
    return {k: serialized[k] for k in ("version", "fields", "pipeline")}


def split_shards(serialized: dict[str, Any], shards: int) -> list[dict[str, Any]]:
    """Cut a serialized index by term: each shard has its terms' postings and vector entries."""
    parts: list[dict[str, Any]] = [{"invertedIndex": [], "fieldVectors": []} for _ in range(shards)]
    shard_by_index: dict[int, int] = {}
    for term, posting in serialized["invertedIndex"]:
        number = shard_of(term, shards)
        parts[number]["invertedIndex"].append([term, posting])
        shard_by_index[posting["_index"]] = number
    for ref, elements in serialized["fieldVectors"]:
        pieces: list[list[float]] = [[] for _ in range(shards)]
        for i in range(0, len(elements), 2):
            pieces[shard_by_index[int(elements[i])]].extend(elements[i : i + 2])
        for number, piece in enumerate(pieces):
            if piece:
                parts[number]["fieldVectors"].append([ref, piece])
    return parts


def merge_shards(header: dict[str, Any], parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Join shards back into the whole serialized lunr index, as lunr.js and lunr.py load it."""
    if len(parts) == 1:
        return {**header, **parts[0]}
    inverted = sorted(
        (entry for part in parts for entry in part["invertedIndex"]), key=lambda e: e[0]
    )
    vectors: dict[str, list[float]] = {}
    order: list[str] = []
    for part in parts:
        for ref, elements in part["fieldVectors"]:
            if ref not in vectors:
                vectors[ref] = []
                order.append(ref)
            vectors[ref].extend(elements)
    merged_vectors = []
    for ref in order:
        elements = vectors[ref]
        pairs = sorted(zip(elements[0::2], elements[1::2], strict=True))
        merged_vectors.append([ref, [x for pair in pairs for x in pair]])
    return {**header, "invertedIndex": inverted, "fieldVectors": merged_vectors}


def query_index(
    header: dict[str, Any], parts: Sequence[dict[str, Any]], terms: Iterable[str]
) -> dict[str, Any]:
    """The serialized lunr index that a query on `terms` needs: their postings, and each
    passage's vector entries for them only (cerca.js builds the same in the browser).

    lunr scores a passage with the dot product of the query's vector, whose entries are the
    query's terms, and the passage's vector: entries for other terms add nothing. Searching
    this small index therefore gives the same passages, scores and order as the whole one,
    at a cost that grows with the query's postings instead of with the shards' size.
    """
    wanted = set(terms)
    inverted = sorted(
        (entry for part in parts for entry in part["invertedIndex"] if entry[0] in wanted),
        key=lambda entry: entry[0],
    )
    indexes = {posting["_index"] for _, posting in inverted}
    pairs: dict[str, list[tuple[float, float]]] = {}
    for part in parts:
        for ref, elements in part["fieldVectors"]:
            for i in range(0, len(elements), 2):
                if elements[i] in indexes:
                    pairs.setdefault(ref, []).append((elements[i], elements[i + 1]))
    vectors = [[ref, [x for pair in sorted(found) for x in pair]] for ref, found in pairs.items()]
    return {**header, "invertedIndex": inverted, "fieldVectors": vectors}


def choose_shards(index_bytes: int) -> int:
    """The smallest power of two that keeps shards near `SHARD_TARGET_BYTES`."""
    shards = 1
    while shards < MAX_SHARDS and index_bytes / shards > SHARD_TARGET_BYTES:
        shards *= 2
    return shards


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def input_fingerprint(project: Project) -> str:
    """Sizes and times of the files the index is made from: a cheap "is it stale?" test."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    files = [project.cities_file]
    for folder, patterns in (
        (project.items_dir, ("*.yml", "*.yaml")),
        (project.transcripts, ("*.json",)),
    ):
        for pattern in patterns:
            files += sorted(folder.glob(pattern))
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        digest.update(f"{project.rel(path)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass
class IndexResult:
    audience: str
    folder: Path
    passages: int
    items: int
    segments: int
    shards: int
    words: int
    without_transcript: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def summary(self) -> str:
        text = (
            f"Indice di ricerca: {self.passages} passaggi da {self.items} registrazioni "
            f"({self.audience})"
        )
        if self.without_transcript:
            count = len(self.without_transcript)
            text += (
                f"; {count} registrazion{'e' if count == 1 else 'i'} senza trascrizione "
                "(eseguire 'lgnet transcribe')"
            )
        return text


def index_dir(project: Project, audience: str) -> Path:
    return project.build_dir / SEARCH_DIR / audience


@dataclass
class Corpus:
    """What an index is made of: the passages of the published items, and their catalogue."""

    audience: str
    passages: list[Passage]
    entries: list[dict[str, Any]]  # per item: id, title, facets, first passage and count
    cities: dict[str, str]
    without_transcript: list[str]
    valid_until: str | None  # the earliest consent expiry among the items, if any


def collect_passages(
    archive: Archive,
    transcripts: dict[str, Transcript],
    audience: str,
    *,
    passage_words: int = PASSAGE_WORDS,
    today: dt.date | None = None,
) -> Corpus:
    """The passages of the items published for `audience`; the others are not read at all."""
    items = sorted(archive.published(audience, today), key=lambda i: i.id)
    corpus = Corpus(
        audience=audience,
        passages=[],
        entries=[],
        cities={slug: city.name for slug, city in sorted(archive.cities.items())},
        without_transcript=[],
        valid_until=min((i.consent_expires for i in items if i.consent_expires), default=None),
    )
    for item in items:
        transcript = transcripts.get(item.id)
        if transcript is None:
            corpus.without_transcript.append(item.id)
            continue
        own = passages_of(item, transcript, words=passage_words)
        chapters = chapter_passages(item, transcript.duration or None)  # lgnet.chapters
        own += chapters
        if not own:
            continue
        corpus.entries.append(
            {
                "id": item.id,
                "title": item.title,
                "city": item.city,
                "kind": item.kind,
                "areas": list(item.areas),
                "year": item.year,
                "first": len(corpus.passages),
                "count": len(own),
            }
        )
        if chapters:  # the last `chapters` passages are the chapters (see chapter_passages)
            corpus.entries[-1]["chapters"] = len(chapters)
        if any(p.role for p in own):  # "Chi parla": each passage's speaker role (or null)
            corpus.entries[-1]["roles"] = [p.role for p in own]
        corpus.passages += own
    return corpus


def build_index(
    project: Project,
    archive: Archive,
    transcripts: dict[str, Transcript],
    audience: str,
    *,
    shards: int | None = None,
    passage_words: int = PASSAGE_WORDS,
    today: dt.date | None = None,
    force: bool = False,
) -> IndexResult:
    """Index the passages of the items published for `audience` into `.build/search/<audience>/`.

    Items not published for the audience are not read at all. `shards=None` picks the number
    of shards from the index's size (one for a small archive). The folder is replaced as a
    whole: a failed run leaves the previous index in place.

    When the folder already holds the index of exactly these passages (same corpus, options,
    analyzer and code, every file intact), it is kept as it is: stemming and building the
    lunr index are most of the cost of a build where nothing changed. `force` rebuilds anyway.
    """
    started = time.perf_counter()
    fingerprint = input_fingerprint(project)
    corpus = collect_passages(
        archive, transcripts, audience, passage_words=passage_words, today=today
    )
    source = corpus_digest(corpus, shards)
    result = None if force else _reuse_index(project, corpus, source, fingerprint)
    if result is None:
        serialized = build_lunr(corpus.passages)
        result = write_index(
            project, corpus, serialized, shards=shards, fingerprint=fingerprint, source=source
        )
    result.elapsed = time.perf_counter() - started
    return result


def corpus_digest(corpus: Corpus, shards: int | None) -> str:
    """sha256 of everything the index files are computed from: the corpus, the options, the
    Italian analyzer (lunr.it's word characters and stop words, the stemmer's version), lunr.py,
    and this module's own code (its constants and the way it builds and cuts the index)."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(package: str) -> str | None:
        try:
            return version(package)
        except PackageNotFoundError:
            return None

    analyzer = italian()
    recipe = {
        "format": FORMAT,
        "code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "packages": {p: installed(p) for p in ("lunr", "snowballstemmer", "PyStemmer")},
        "word_characters": analyzer.word_characters,
        "stop_words": sorted(analyzer.stop_words),
        "shards": shards,
        "kinds": KIND_LABELS,
        "areas": AREA_LABELS,
        "corpus": dataclasses.asdict(corpus),
    }
    return hashlib.sha256(_dumps(recipe).encode()).hexdigest()


def _file_digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != STAMP
    }


def _stamp_text(source: str, files: dict[str, str]) -> str:
    return json.dumps({"source": source, "files": files}, indent=0, sort_keys=True)


def _reuse_index(
    project: Project, corpus: Corpus, source: str, fingerprint: str
) -> IndexResult | None:
    """The result of the index already on disk, if it was made from `source` and no file of it
    was changed, removed or added since; None when it must be built."""
    folder = index_dir(project, corpus.audience)
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if stamp.get("source") != source or stamp.get("files") != _file_digests(folder):
            return None
        shards = int(manifest["shards"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if manifest.get("fingerprint") != fingerprint:
        # Same passages from touched files: only the staleness test of `lgnet search` changes.
        manifest["fingerprint"] = fingerprint
        atomic_write_text(folder / MANIFEST, _dumps(manifest))
        atomic_write_text(folder / STAMP, _stamp_text(source, _file_digests(folder)))
    return _index_result(folder, corpus, shards)


def _index_result(folder: Path, corpus: Corpus, shards: int) -> IndexResult:
    return IndexResult(
        audience=corpus.audience,
        folder=folder,
        passages=len(corpus.passages),
        items=len(corpus.entries),
        segments=sum(len(p.segments) for p in corpus.passages),
        shards=shards,
        words=sum(len(p.text.split()) for p in corpus.passages),
        without_transcript=corpus.without_transcript,
    )


def write_index(
    project: Project,
    corpus: Corpus,
    serialized: dict[str, Any],
    *,
    shards: int | None = None,
    fingerprint: str = "",
    source: str | None = None,
) -> IndexResult:
    """Cut `serialized` (from `build_lunr(corpus.passages)`) into shards and write the folder.

    `source` is the `corpus_digest` the index was built from; with it, the next `build_index`
    of the same corpus keeps this folder instead of building it again.
    """
    header = lunr_header(serialized)
    if shards is None:
        body = len(_dumps(serialized["invertedIndex"])) + len(_dumps(serialized["fieldVectors"]))
        shards = choose_shards(body)
    parts = split_shards(serialized, shards)
    chunks = _text_chunks(corpus.passages)
    manifest = {
        "format": FORMAT,
        "audience": corpus.audience,
        "build": hashlib.sha256(_dumps([header, parts, chunks]).encode()).hexdigest()[:12],
        "fingerprint": fingerprint,
        "valid_until": corpus.valid_until,
        "lunr": header,
        "shards": shards,
        "passages": len(corpus.passages),
        "texts": [first for first, _ in chunks],
        "items": corpus.entries,
        "cities": corpus.cities,
        "kinds": KIND_LABELS,
        "areas": AREA_LABELS,
    }
    files: dict[str, Any] = {MANIFEST: manifest}
    files.update({f"indice/{n}.json": part for n, part in enumerate(parts)})
    files.update({f"testi/{n}.json": chunk for n, (_, chunk) in enumerate(chunks)})
    folder = index_dir(project, corpus.audience)
    texts = {name: _dumps(data) for name, data in files.items()}
    if source is not None:
        digests = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in texts.items()}
        texts[STAMP] = _stamp_text(source, dict(sorted(digests.items())))
    _replace_folder(folder, texts)
    return _index_result(folder, corpus, shards)


def _text_chunks(passages: Sequence[Passage]) -> list[tuple[int, list[Any]]]:
    """Passage texts in files of about `TEXT_CHUNK_BYTES`: (first ref, [[[start, end, text]]])."""
    chunks: list[tuple[int, list[Any]]] = []
    current: list[Any] = []
    first = size = 0
    for number, passage in enumerate(passages):
        if current and size >= TEXT_CHUNK_BYTES:
            chunks.append((first, current))
            current, first, size = [], number, 0
        entry = [list(seg) for seg in passage.segments]
        current.append(entry)
        size += len(_dumps(entry))
    chunks.append((first, current))
    return chunks


def _replace_folder(folder: Path, files: dict[str, str]) -> None:
    """Write `files` into a fresh temporary folder, then swap it in place of `folder`."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    for stale in folder.parent.glob(f".tmp-{folder.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{folder.name}-", dir=folder.parent))
    try:
        for name, text in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        old = None
        if folder.exists():
            old = folder.parent / f".tmp-{folder.name}-old-{os.getpid()}"
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# --- reading and publishing -----------------------------------------------------------------


@dataclass
class StoredIndex:
    """A built index on disk: its manifest, and its shards and texts read on demand."""

    folder: Path
    manifest: dict[str, Any]
    _firsts: list[int] = field(default_factory=list, repr=False)
    _chunks: dict[int, list[Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._firsts = [entry["first"] for entry in self.manifest["items"]]

    @property
    def shards(self) -> int:
        return int(self.manifest["shards"])

    def read(self, name: str) -> Any:
        return json.loads((self.folder / name).read_text(encoding="utf-8"))

    def item_of(self, ref: int) -> dict[str, Any]:
        entry: dict[str, Any] = self.manifest["items"][bisect.bisect_right(self._firsts, ref) - 1]
        return entry

    def lunr_index(self, stems: Iterable[str]) -> Any:
        """A lunr.py index that answers queries on `stems` exactly as the whole index would."""
        from lunr.index import Index

        italian()  # registers stemmer-it, named by the index's pipeline
        stems = set(stems)
        numbers = sorted({shard_of(stem, self.shards) for stem in stems})
        parts = [self.read(f"indice/{n}.json") for n in numbers]
        return Index.load(query_index(self.manifest["lunr"], parts, stems))

    def segments(self, ref: int) -> list[tuple[float, float, str]]:
        firsts: list[int] = self.manifest["texts"]
        chunk = bisect.bisect_right(firsts, ref) - 1
        if chunk not in self._chunks:
            self._chunks[chunk] = self.read(f"testi/{chunk}.json")
        passage = self._chunks[chunk][ref - firsts[chunk]]
        return [(float(s), float(e), str(t)) for s, e, t in passage]


def load_index(project: Project, audience: str) -> StoredIndex:
    folder = index_dir(project, audience)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexError_("indice di ricerca mancante: eseguire 'lgnet index'") from None
    if manifest.get("format") != FORMAT or manifest.get("audience") != audience:
        raise IndexError_(
            "indice di ricerca di una versione precedente: eseguire di nuovo 'lgnet index'"
        )
    return StoredIndex(folder, manifest)


def index_is_current(project: Project, stored: StoredIndex, today: dt.date | None = None) -> bool:
    """False when an input file changed or a consent expired since the index was built."""
    if stored.manifest.get("fingerprint") != input_fingerprint(project):
        return False
    valid_until = stored.manifest.get("valid_until")
    if valid_until:
        from lgnet.archive import _date_end

        return (today or dt.date.today()) <= _date_end(valid_until)
    return True


def data_script(key: str, data_json: str) -> str:
    """`lgnetCercaDati("key",JSON.parse('...'))`: browsers parse a JSON string several times
    faster than the same data written as a JavaScript literal, which matters for shards."""
    literal = (
        data_json.replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return f"{JS_CALLBACK}(\"{key}\",JSON.parse('{literal}'));\n"


def publish_search(project: Project, audience: str, site_dir: Path) -> None:
    """Copy the built index and lunr.js (+ Italian support) into `site_dir/assets/cerca/`.

    Data files are JavaScript (`lgnetCercaDati("indice/3", {...})`), loaded with <script> tags,
    so the search page also works when the site is opened from disk (file://).
    """
    stored = load_index(project, audience)
    target = site_dir / SITE_DIR
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, path in lunr_js_files().items():
        shutil.copyfile(path, target / name)
    for path in sorted(stored.folder.rglob("*.json")):
        rel = path.relative_to(stored.folder).as_posix()
        key = rel.removesuffix(".json")
        atomic_write_text(target / f"{key}.js", data_script(key, path.read_text(encoding="utf-8")))


def gzip_size(path: Path) -> int:
    """Bytes a browser downloads for `path` from a server that compresses (level 6, as nginx)."""
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))
