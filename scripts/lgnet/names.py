"""Names right: a conservative correction of the network's names in automatic transcripts.

Whisper base garbles exactly the words that matter most in this archive, the names of the
cities and programmes ("Pologna", "Fivenze", "Genoma" for Bologna, Firenze, Genova). The
glossary is offered to the model as decoding hints (`lgnet.decoding`), and what still comes
out wrong is corrected here, against the known vocabulary, only where a word cannot be what
it says:

* the word is a **proper noun by position** (capitalised, not at the start of a sentence)
  and not a common Italian word, or it is **not an Italian word at all**;
* it is **close to exactly one name** (one edit for names of 5-6 letters, two for longer
  ones, names of 4 letters or fewer only as they are; letters compared without case or
  accents), and no other name is as close;
* the model was **not sure of it** (word probability below 0.9).

A common Italian word ("vino", "coma") is never changed, whatever its position. Two adjacent
words may make one name ("Sassa ri") or a two-word name ("Centro Pench"). Every change is
returned as a `Correction` and recorded in the transcript (`provenance.name_corrections`), so a
reviewer sees what was changed, where and by which rule.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from lgnet.transcripts import Segment, Word

# A word whose frequency in the Italian word list reaches this is "common": never corrected.
COMMON_FREQUENCY = 1000
MAX_PROBABILITY = 0.9  # a word the model was at least this sure of is left alone
MIN_LENGTH = 4  # shorter words are too ambiguous to correct

_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


@dataclass(frozen=True)
class Correction:
    """One word (or two adjacent words) replaced by a known name."""

    segment: int  # index in the transcript's segments
    start: float  # where the corrected words start, in seconds
    said: str  # what the model wrote
    written: str  # the name written instead
    rule: str  # capitalised-name | unknown-word | two-words

    def as_json(self) -> dict[str, object]:
        return {
            "segment": self.segment,
            "start": round(self.start, 2),
            "from": self.said,
            "to": self.written,
            "rule": self.rule,
        }


def fold(text: str) -> str:
    """Lower case without accents: how words and names are compared."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or `limit + 1` as soon as it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def allowed_edits(name: str) -> int:
    """Edits a garbled word may be from a name: none for 4 letters ("Rama" is not Roma), one
    up to 6 letters, two beyond."""
    return 0 if len(name) <= 4 else 1 if len(name) <= 6 else 2


@functools.cache
def italian_frequencies() -> dict[str, int]:
    """Italian word frequencies (pyspellchecker's list, from subtitles: ~120,000 words)."""
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="it", distance=1).word_frequency.dictionary)


def correctable_names(names: Iterable[str]) -> list[str]:
    """The names worth correcting towards: proper nouns (a capital letter or a digit) of one or
    two words. Glossary phrases in lower case ("presa in carico") are ordinary Italian."""
    out = []
    for name in names:
        words = name.split()
        if 1 <= len(words) <= 2 and any(c.isupper() or c.isdigit() for c in name):
            out.append(name)
    return list(dict.fromkeys(out))


class NameCorrector:
    """Corrects garbled names in segments (see the module docstring for the rules)."""

    def __init__(self, names: Iterable[str], frequency: Callable[[str], int] | None = None) -> None:
        self.names = correctable_names(names)
        self.known = {fold(n) for name in self.names for n in [name, *name.split()]}
        self._frequency = frequency

    def frequency(self, word: str) -> int:
        if self._frequency is not None:
            return self._frequency(word)
        return italian_frequencies().get(word, 0)

    def closest(self, said: str, words: int) -> str | None:
        """The one name of `words` words within its allowed edits of `said`, if exactly one
        is closest."""
        folded = fold(said)
        found: list[tuple[int, str]] = []
        for name in self.names:
            if len(name.split()) != words:
                continue
            limit = allowed_edits(name)
            distance = edit_distance(folded, fold(name), limit)
            if distance <= limit:
                found.append((distance, name))
        found.sort()
        if not found or (len(found) > 1 and found[1][0] == found[0][0]):
            return None
        return found[0][1]

    def suspicious(self, word: str, sentence_start: bool) -> str | None:
        """The rule that lets `word` be corrected, if any."""
        core = fold(word)
        if len(core) < MIN_LENGTH or core in self.known or not core.isalpha():
            return None
        frequency = self.frequency(core)
        if frequency == 0:
            return "unknown-word"
        if word[:1].isupper() and not sentence_start and frequency < COMMON_FREQUENCY:
            return "capitalised-name"
        return None

    def correct(self, segments: list[Segment]) -> tuple[list[Segment], list[Correction]]:
        """The segments with garbled names replaced, and the list of what was replaced."""
        out: list[Segment] = []
        corrections: list[Correction] = []
        sentence_start = True
        for index, segment in enumerate(segments):
            words, found = self._correct_words(index, segment.words, sentence_start)
            if found:
                segment = replace(segment, words=words, text="".join(w.word for w in words).strip())
                corrections += found
            out.append(segment)
            if segment.words:
                sentence_start = segment.words[-1].word.rstrip().endswith((".", "?", "!"))
        return out, corrections

    def _correct_words(
        self, index: int, words: list[Word], sentence_start: bool
    ) -> tuple[list[Word], list[Correction]]:
        out: list[Word] = []
        found: list[Correction] = []
        n = 0
        while n < len(words):
            word = words[n]
            ends = out[-1].word.rstrip().endswith((".", "?", "!")) if out else False
            starts = sentence_start if n == 0 else ends
            lead, core, trail = _EDGE.match(word.word).groups()  # type: ignore[union-attr]
            rule = self.suspicious(core, starts) if word.probability < MAX_PROBABILITY else None
            # two words: one name said as two, or a two-word name with one word garbled
            if n + 1 < len(words):
                pair = self._pair(word, words[n + 1], rule)
                if pair is not None:
                    replaced, name = pair
                    out += replaced
                    said = (word.word + words[n + 1].word).strip()
                    found.append(Correction(index, word.start, said, name, "two-words"))
                    n += 2
                    continue
            if rule is not None:
                single = self.closest(core, 1)
                if single is not None:
                    out.append(replace(word, word=lead + single + trail))
                    found.append(Correction(index, word.start, core, single, rule))
                    n += 1
                    continue
            out.append(word)
            n += 1
        return out, found

    def _pair(self, first: Word, second: Word, rule: str | None) -> tuple[list[Word], str] | None:
        """Two adjacent words that are one name, or a two-word name with one word garbled:
        the words that replace them, and the name."""
        lead, one, between = _EDGE.match(first.word).groups()  # type: ignore[union-attr]
        _, two, trail = _EDGE.match(second.word).groups()  # type: ignore[union-attr]
        if between or not one or not two:
            return None  # punctuation between them: not one name
        if max(first.probability, second.probability) >= MAX_PROBABILITY:
            return None
        second_rule = self.suspicious(two, False)
        # a two-word name with one of its words garbled ("Centro Pench")
        if rule or second_rule:
            name = self.closest(f"{one} {two}", 2)
            if name is not None:
                a, b = name.split()
                return [replace(first, word=lead + a), replace(second, word=" " + b + trail)], name
        # one name said as two words, neither of them a word ("Sassar ri"), one edit at most
        pieces = [len(fold(w)) < MIN_LENGTH and self.frequency(fold(w)) == 0 for w in (one, two)]
        if (rule or pieces[0]) and (second_rule or pieces[1]) and not all(pieces):
            name = self.closest(one + two, 1)
            if name is not None and edit_distance(fold(one + two), fold(name), 1) <= 1:
                merged = Word(
                    first.start,
                    second.end,
                    lead + name + trail,
                    min(first.probability, second.probability),
                )
                return [merged], name
        return None


def correct_names(
    segments: list[Segment], names: Iterable[str]
) -> tuple[list[Segment], list[Correction]]:
    """Correct the names in `segments` against `names` (cities, programmes, glossary)."""
    return NameCorrector(names).correct(segments)


__all__ = ["Correction", "NameCorrector", "correct_names", "edit_distance", "fold"]
