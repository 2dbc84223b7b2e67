"""What the assistant knows about a question: the language, the knowledge entries and catalog items it
is about, a conversion it asks for, the weather — and the actions all that suggests.

Both answer paths use this: the model gets it as context, the offline answer is composed from it.
Item actions only ever point at rows this request read from the catalog (active items), so an action
never names an item that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phuket.assistant import knowledge
from phuket.assistant.knowledge import Entry
from phuket.catalog import service as catalog
from phuket.core.i18n import Language
from phuket.currency import money
from phuket.currency import service as currency
from phuket.weather import service as weather

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
CURRENCY_WORDS: list[tuple[str, str]] = [
    (r"руб\w*|₽|rub\b|rubles?|roubles?", "RUB"),
    (r"доллар\w*|бакс\w*|usd\b|dollars?|\$", "USD"),
    (r"евро|eur\b|euros?|€", "EUR"),
    (r"юан\w*|cny\b|yuan|rmb\b", "CNY"),
    (r"фунт\w*|gbp\b|pounds?|£", "GBP"),
    (r"австралийск\w+ доллар\w*|aud\b", "AUD"),
    (r"тенге|kzt\b|₸", "KZT"),
    (r"рупи\w*|inr\b|rupees?|₹", "INR"),
    (r"иен\w*|йен\w*|jpy\b|yen\b|¥", "JPY"),
    (r"вон\b|вон[ыа]?\b|krw\b|won\b|₩", "KRW"),
    (r"сингапурск\w+ доллар\w*|sgd\b", "SGD"),
    (r"ринггит\w*|myr\b|ringgits?", "MYR"),
    (r"бат\w*|baht|thb\b|฿", "THB"),
]
_AMOUNT = r"(?P<amount>\d[\d\s  ]*(?:[.,]\d{1,2})?)\s*(?:k|к|тыс\w*\.?|thousand)?"
_CONVERSION = re.compile(
    rf"(?P<before>{'|'.join(p for p, _ in CURRENCY_WORDS)})?\s*{_AMOUNT}\s*(?P<after>{'|'.join(p for p, _ in CURRENCY_WORDS)})",
    re.IGNORECASE,
)
_WEATHER_WORDS = re.compile(
    r"погод|дожд|ливн|шторм|волн|ветер|ветр|муссон|weather|rain|storm|wave|wind|monsoon|forecast|прогноз",
    re.IGNORECASE,
)
RELEVANT_SCORE = 2.0


def detect_language(text: str, fallback: Language) -> Language:
    if _CYRILLIC.search(text):
        return "ru"
    if _LATIN.search(text):
        return "en"
    return fallback


@dataclass
class Conversion:
    source: str
    target: str
    amount: Decimal
    result: Decimal
    rate: Decimal
    rates_source: str


@dataclass
class Context:
    language: Language
    hits: list[tuple[Entry, float]] = field(default_factory=list)
    items: list[tuple[str, Any]] = field(default_factory=list)
    conversion: Conversion | None = None
    weather_report: dict[str, Any] | None = None
    rates: currency.RateTable | None = None

    @property
    def relevant(self) -> list[Entry]:
        return [entry for entry, score in self.hits if score >= RELEVANT_SCORE]


def find_conversion(text: str, user_currency: str) -> tuple[str, str, Decimal] | None:
    match = _CONVERSION.search(text)
    if match is None:
        return None
    word = match.group("after") or match.group("before") or ""
    code = next((c for pattern, c in CURRENCY_WORDS if re.fullmatch(pattern, word, re.IGNORECASE)), None)
    raw = re.sub(r"[\s  ]", "", match.group("amount")).replace(",", ".")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return None
    tail = match.group(0).lower()
    if re.search(r"\d\s*(k|к|тыс|thousand)", tail):
        amount *= 1000
    if code is None or not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        return None
    if code == money.BASE:
        target = user_currency if user_currency != money.BASE else "USD"
        return money.BASE, target, amount
    return code, money.BASE, amount


async def catalog_items(
    session: AsyncSession, text: str, hits: list[tuple[Entry, float]], language: Language, limit: int = 3
) -> list[tuple[str, Any]]:
    """Items the question is about: the top knowledge entry's own catalog searches count most, then
    items that several words of the question find."""
    scores: dict[str, float] = {}
    found: dict[str, tuple[str, Any]] = {}
    queries = [a["query"] for entry, score in hits[:1] if score >= RELEVANT_SCORE for a in entry.actions
               if a.get("type") == "search" and a.get("query")]  # fmt: skip
    for query in queries[:2]:
        for rank, (item_type, item) in enumerate(
            await catalog.search_items(session, query, language=language, limit=5)
        ):
            found[item.id] = (item_type, item)
            scores[item.id] = scores.get(item.id, 0.0) + 3.0 / (rank + 1)
    words = sorted({knowledge.stem(w) for w in knowledge.words(text) if len(w) >= 4}, key=len, reverse=True)
    for word in words[:5]:
        for item_type, item in await catalog.search_items(session, word, language=language, limit=5):
            found[item.id] = (item_type, item)
            scores[item.id] = scores.get(item.id, 0.0) + 1.0
    ranked = sorted((s, i) for i, s in scores.items() if s >= 2.0)
    ranked.sort(key=lambda pair: -pair[0])
    return [found[item_id] for _score, item_id in ranked[:limit]]


async def gather(
    request: Any, session: AsyncSession, text: str, *, language: Language, user_currency: str
) -> Context:
    ctx = Context(language=language)
    ctx.hits = knowledge.index().search(text, limit=3)
    ctx.items = await catalog_items(session, text, ctx.hits, language)
    ctx.rates = await currency.get_rates(request)
    wanted = find_conversion(text, user_currency)
    if wanted is not None:
        source, target, amount = wanted
        result, rate = money.convert(ctx.rates.rates, amount, source, target)
        ctx.conversion = Conversion(source, target, amount, result, rate, ctx.rates.source)
    topics = {entry.topic for entry in ctx.relevant[:1]}
    if _WEATHER_WORDS.search(text) or topics & {"weather", "seasons"}:
        ctx.weather_report = weather.report(await weather.get_conditions(request), days=3)
    return ctx


_LABELS: dict[str, dict[str, str]] = {
    "open_weather": {"en": "Weather and sea conditions", "ru": "Погода и море"},
    "open_converter": {"en": "Currency converter", "ru": "Конвертер валют"},
    "search": {"en": "Search: {query}", "ru": "Поиск: {query}"},
    "vehicles": {"en": "Rent a vehicle", "ru": "Аренда транспорта"},
    "properties": {"en": "Places to stay", "ru": "Жильё"},
    "tours": {"en": "Tours", "ru": "Экскурсии"},
    "start_booking": {"en": "Book: {name}", "ru": "Забронировать: {name}"},
}


def _label(key: str, language: Language, **params: str) -> str:
    return _LABELS[key][language].format(**params)


def actions(ctx: Context) -> list[dict[str, Any]]:
    """Structured actions for the client, most useful first, no duplicates, at most six."""
    lang = ctx.language
    result: list[dict[str, Any]] = []
    for item_type, item in ctx.items[:2]:
        name = item.name(lang)
        result.append({"type": "open_item", "item_type": item_type, "item_id": item.id, "label": name})
    if ctx.items:
        item_type, item = ctx.items[0]
        result.append(
            {
                "type": "start_booking",
                "item_type": item_type,
                "item_id": item.id,
                "label": _label("start_booking", lang, name=item.name(lang)),
            }
        )
    if ctx.conversion is not None:
        c = ctx.conversion
        result.append(
            {
                "type": "open_converter",
                "from": c.source,
                "to": c.target,
                "amount": format(c.amount.normalize(), "f"),
                "label": _label("open_converter", lang),
            }
        )
    if ctx.weather_report is not None:
        result.append({"type": "open_weather", "label": _label("open_weather", lang)})
    for entry in ctx.relevant[:2]:
        for raw in entry.actions:
            action = _from_knowledge(raw, lang)
            if action is not None:
                result.append(action)
    unique: list[dict[str, Any]] = []
    seen: set[str] = set()
    for action in result:
        key = repr(sorted((k, repr(v)) for k, v in action.items() if k != "label"))
        key = action["type"] if action["type"] in ("open_weather", "open_converter") else key
        if key not in seen:
            seen.add(key)
            unique.append(action)
    return unique[:6]


def _from_knowledge(raw: dict[str, Any], lang: Language) -> dict[str, Any] | None:
    kind = raw.get("type")
    if kind == "search" and isinstance(raw.get("query"), str):
        return {"type": "search", "query": raw["query"], "label": _label("search", lang, query=raw["query"])}
    if kind == "browse" and raw.get("category") in ("vehicles", "properties", "tours"):
        category = raw["category"]
        filters = raw.get("filter") if isinstance(raw.get("filter"), dict) else {}
        label = _label(category, lang)
        if filters:
            label += ": " + ", ".join(str(v) for v in filters.values())
        return {"type": "browse", "category": category, "filter": filters, "label": label}
    if kind == "open_weather":
        return {"type": "open_weather", "label": _label("open_weather", lang)}
    if kind == "open_converter":
        action = {"type": "open_converter", "label": _label("open_converter", lang)}
        for key in ("from", "to", "amount"):
            if isinstance(raw.get(key), str):
                action[key] = raw[key]
        return action
    return None
