"""Danish text helpers for recognition: normalisation, a light stemmer, stop words.

The stemmer only strips common inflection and derivation endings (plural, definite form,
verbal nouns), so "betjening af gaffeltrucks" and "betjene gaffeltruck" meet on the same
stems. Danish compounds are left whole here: the lexical score uses character n-grams for them.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[0-9a-zæøåäöüéè]+(?:[-/][0-9a-zæøåäöüéè]+)*")

STOPWORDS = frozenset(
    """af alle andet andre at bare blev blive bliver da de dem den denne der deres det dette dig din
    disse dit du efter eller en end er et for fra før god ham han hans har hav have hende hendes her
    hos hun hvad hvis hvor i ikke ind inden indenfor into jeg jer jo kan kunne lidt man mange med meget
    men mig min mine mit mod ned noget nogle nu når og også om op os over på samt selv sig sin sine sit
    skal skulle som sådan thi til ud under var vi vil ville vor være været via ved hvilke både
    mv herunder m.fl ifm""".split()
)

_SUFFIXES = (
    "erings", "eringer", "ningerne", "ingerne", "elserne", "heden", "hedens", "ninger", "ningen", "inger",
    "ingen", "elser", "elsen", "erne", "ende", "ning", "ing", "else", "hed", "ene", "ere", "ers", "ede",
    "er", "en", "et", "es", "e", "s", "r",
)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    return [w.replace("/", "-") for w in _WORD.findall(normalise(text))]


def _strip_once(w: str) -> str:
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def stem(word: str) -> str:
    # Two passes: "lagermedarbejderen" -> "lagermedarbejder" -> "lagermedarbejd", the same stem as
    # "lagermedarbejdere"; "betjening" and "betjene" both end at "betj".
    w = word.lower()
    return _strip_once(_strip_once(w))


def content_stems(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def tokens_with_stems(text: str) -> list[tuple[str, str]]:
    """(word, stem) for every word; stop words keep an empty stem so windows count them."""
    return [(w, "" if w in STOPWORDS else stem(w)) for w in words(text)]
