"""What the text search indexes and how a query is turned into the database's search syntax.

The same `normalize` runs on the indexed text and on the query, so matching forgives case, ё/е (and
other diacritics) and punctuation. Hyphenated or spaced names are also indexed glued together, so
"пхи-пхи", "phi phi" and "phiphi" all find the Phi Phi tours."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^0-9a-zа-я]+")
MAX_QUERY_TOKENS = 8

# Russian words a tourist types for things the data names in English (types, categories, areas).
SYNONYMS: dict[str, str] = {
    "scooter": "скутер мопед байк",
    "motorbike": "мотоцикл байк мотобайк",
    "car": "автомобиль машина авто",
    "bicycle": "велосипед велик bike",
    "boat": "лодка катер яхта",
    "villa": "вилла",
    "apartment": "апартаменты квартира",
    "condo": "кондо апартаменты квартира",
    "house": "дом",
    "hotel": "отель гостиница",
    "bungalow": "бунгало",
    "guesthouse": "гестхаус гостевой дом",
    "islands": "острова остров",
    "sightseeing": "обзорная экскурсия достопримечательности",
    "adventure": "приключения активный отдых",
    "culture": "культура храмы",
    "food": "еда кухня кулинария",
    "diving": "дайвинг снорклинг",
    "nature": "природа",
    "wellness": "спа велнес",
    "Patong": "Патонг",
    "Kata": "Ката",
    "Karon": "Карон",
    "Kamala": "Камала",
    "Bang Tao": "Банг Тао Бангтао",
    "Rawai": "Равай",
    "Nai Harn": "Най Харн Найхарн",
    "Phuket Town": "Пхукет Таун город",
    "Surin": "Сурин",
    "Chalong": "Чалонг",
    "Nai Yang": "Най Янг Наянг",
    "Mai Khao": "Май Кхао Майкхао",
    "Kalim": "Калим",
    "Cape Panwa": "Панва",
    "Layan": "Лаян",
    "Kata Noi": "Ката Ной",
}


def normalize(text: str) -> str:
    """Lower-case words of letters and digits, diacritics dropped (ё→е, й→и, é→e), one space apart."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.split(stripped)).strip()


def _glued_pairs(text: str) -> list[str]:
    words = normalize(text).split()
    return [a + b for a, b in itertools.pairwise(words)]


def build_search_text(names: Iterable[str], others: Iterable[str]) -> str:
    """The indexed text of one item: names (also with neighbouring words glued), then everything else."""
    names = [n for n in names if n]
    parts: list[str] = [*names]
    for name in names:
        parts.extend(_glued_pairs(name))
    for other in others:
        if other:
            parts.append(other)
            parts.append(SYNONYMS.get(other, ""))
    seen: set[str] = set()
    words: list[str] = []
    for word in normalize(" ".join(parts)).split():
        if word not in seen:
            words.append(word)
            seen.add(word)
    return " ".join(words)


def query_tokens(q: str) -> list[str]:
    return normalize(q).split()[:MAX_QUERY_TOKENS]


def fts5_query(q: str) -> str | None:
    """SQLite FTS5 MATCH expression: every word as a prefix, or the words glued together as one."""
    tokens = query_tokens(q)
    if not tokens:
        return None
    every = " AND ".join(f'"{t}"*' for t in tokens)
    if len(tokens) == 1:
        return every
    return f'({every}) OR "{"".join(tokens)}"*'


def tsquery(q: str) -> str | None:
    """PostgreSQL `to_tsquery('simple', ...)` text with the same meaning as `fts5_query`."""
    tokens = query_tokens(q)
    if not tokens:
        return None
    every = " & ".join(f"{t}:*" for t in tokens)
    if len(tokens) == 1:
        return every
    return f"({every}) | {''.join(tokens)}:*"
