"""The offline knowledge base (seed §10.1 "Offline knowledge") and its retrieval: Okapi BM25 over
Snowball-stemmed words of both languages.

One document per entry holds its English and Russian title (weight 2), keywords (weight 3) and body
(weight 1), so a question in either language, or mixing them ("аренда scooter"), finds it. Cyrillic words
go through the Russian stemmer, Latin ones through the English stemmer; stop words are dropped. Small
enough (about a hundred entries) to index at first use in a few milliseconds, with no model to download.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import snowballstemmer

_WORD = re.compile(r"[a-zа-я0-9]+")
_CYRILLIC = re.compile(r"[а-я]")
K1, B = 1.2, 0.75
FIELD_WEIGHTS = {"title": 2, "keywords": 3, "body": 1}

_STOP_TEXT = """
    a an the and or but if of to in on at by for with from about as into is are was were be been being am do does
    did have has had i me my we our you your he she it its they them their this that these those there here what
    which who whom when where why how can could should would will shall may might must not no yes so than too very
    just also any some all one get got go going want need please tell know let like much many more most best good
    phuket thailand thai
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня
    еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там
    потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже
    себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее
    сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас
    про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой
    им более всегда конечно всю между это как какие какое какую нужно нужен нужна нужны ли пхукет пхукете таиланд
    таиланде тай
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def _stemmers() -> tuple[Any, Any]:
    return snowballstemmer.stemmer("english"), snowballstemmer.stemmer("russian")


_EN, _RU = _stemmers()


def normalize(text: str) -> str:
    return text.casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    """Lower-cased words without stop words (not stemmed)."""
    return [w for w in _WORD.findall(normalize(text)) if w not in STOP_WORDS and len(w) > 1]


def stem(word: str) -> str:
    return str(_RU.stemWord(word) if _CYRILLIC.search(word) else _EN.stemWord(word))


def tokens(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    title: dict[str, str]
    body: dict[str, str]
    keywords: dict[str, list[str]]
    actions: list[dict[str, Any]]


class Index:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.docs: list[Counter[str]] = []
        for entry in entries:
            counts: Counter[str] = Counter()
            for lang in ("en", "ru"):
                fields = {
                    "title": entry.title.get(lang, ""),
                    "keywords": " ".join(entry.keywords.get(lang, [])),
                    "body": entry.body.get(lang, ""),
                }
                for name, text in fields.items():
                    for token in tokens(text):
                        counts[token] += FIELD_WEIGHTS[name]
            self.docs.append(counts)
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.avg_length = sum(self.lengths) / max(1, len(self.lengths))
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}

    def search(self, query: str, limit: int = 3) -> list[tuple[Entry, float]]:
        terms = set(tokens(query))
        if not terms:
            return []
        scored: list[tuple[float, int]] = []
        for position, doc in enumerate(self.docs):
            score = 0.0
            norm = K1 * (1 - B + B * self.lengths[position] / self.avg_length)
            for term in terms:
                tf = doc.get(term, 0)
                if tf:
                    score += self.idf[term] * tf * (K1 + 1) / (tf + norm)
            if score > 0:
                scored.append((score, position))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(self.entries[position], score) for score, position in scored[:limit]]


def load_entries() -> list[Entry]:
    text = resources.files("phuket").joinpath("seed/data/knowledge.json").read_text("utf-8")
    return [
        Entry(
            id=row["id"],
            topic=row["topic"],
            title=row["title"],
            body=row["body"],
            keywords=row.get("keywords", {}),
            actions=row.get("actions", []),
        )
        for row in json.loads(text)
    ]


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(load_entries())
