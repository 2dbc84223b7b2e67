"""The offline answer: composed from the knowledge base, the catalog, the rates and the weather —
what a tourist gets when no model is configured or reachable, in the language of the question."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from phuket.assistant.context import Context
from phuket.currency import money

UNITS = {
    "vehicle": {"en": "per day", "ru": "в сутки"},
    "property": {"en": "per night", "ru": "за ночь"},
    "tour": {"en": "per person", "ru": "с человека"},
}
TEXT: dict[str, Any] = {
    "catalog": {"en": "In the app's catalog:", "ru": "В каталоге приложения:"},
    "see_also": {"en": "See also: {titles}.", "ru": "См. также: {titles}."},
    "conversion": {
        "en": "{amount} {source} ≈ {result} {target} (rate {rate}, {age}).",
        "ru": "{amount} {source} ≈ {result} {target} (курс {rate}, {age}).",
    },
    "rates_age": {
        "exchangerate-api": {"en": "current rate", "ru": "актуальный курс"},
        "cache": {"en": "last known rate", "ru": "последний известный курс"},
        "bundled-snapshot": {"en": "approximate rate", "ru": "приблизительный курс"},
    },
    "weather_now": {
        "en": "Now in Phuket: {temp}°C, {condition}; sea risk today: {risk}.",
        "ru": "Сейчас на Пхукете: {temp}°C, {condition}; риск на море сегодня: {risk}.",
    },
    "weather_normals": {
        "en": "Typical for this month: {high}°C by day, {low}°C at night, about {days} rainy days; "
        "sea risk: {risk}.",
        "ru": "Обычно в этом месяце: днём {high}°C, ночью {low}°C, около {days} дождливых дней; "
        "риск на море: {risk}.",
    },
    "risk": {
        "low": {"en": "low", "ru": "низкий"},
        "moderate": {"en": "moderate", "ru": "средний"},
        "high": {"en": "high", "ru": "высокий"},
    },
    "unknown": {
        "en": "I don't have a ready answer to that. I can help with beaches and areas, getting around, "
        "driving and licences, seasons and weather, safety, money and tours in Phuket — try asking "
        "about one of those, or search the catalog.",
        "ru": "Готового ответа на этот вопрос у меня нет. Я могу подсказать про пляжи и районы, транспорт, "
        "права и вождение, сезоны и погоду, безопасность, деньги и экскурсии на Пхукете — спросите об "
        "этом или поищите в каталоге.",
    },
    "refused": {
        "en": "I can't help with that request. I'm the Phuket travel assistant: ask me about beaches, "
        "transport, tours, weather, money or safety on the island.",
        "ru": "С этим запросом я помочь не могу. Я помощник путешественника по Пхукету: спрашивайте про "
        "пляжи, транспорт, экскурсии, погоду, деньги или безопасность на острове.",
    },
}


def _group(amount: Decimal, currency: str, *, as_given: bool = False) -> str:
    """1234567.5 → "1 234 567.50" (the currency's minor unit), or "1 234 567.5" as the tourist wrote it."""
    text = format(amount.normalize(), "f") if as_given else money.format_amount(amount, currency)
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return grouped + (f".{fraction}" if fraction else "")


def conversion_line(ctx: Context) -> str | None:
    c = ctx.conversion
    if c is None:
        return None
    lang = ctx.language
    return str(TEXT["conversion"][lang]).format(
        amount=_group(c.amount, c.source, as_given=True),
        source=c.source,
        result=_group(c.result, c.target),
        target=c.target,
        rate=money.format_rate(c.rate),
        age=TEXT["rates_age"][c.rates_source][lang],
    )


def weather_line(ctx: Context) -> str | None:
    report = ctx.weather_report
    if report is None:
        return None
    lang = ctx.language
    risk = TEXT["risk"][report["sea_risk"]["level"]][lang]
    current = report["current"]
    if current is not None:
        return str(TEXT["weather_now"][lang]).format(
            temp=current["temperature_c"], condition=current["condition"], risk=risk
        )
    climate = report["climate"]
    return str(TEXT["weather_normals"][lang]).format(
        high=climate["avg_high_c"], low=climate["avg_low_c"], days=climate["rainy_days"], risk=risk
    )


def compose(ctx: Context) -> str:
    lang = ctx.language
    parts: list[str] = []
    relevant = ctx.relevant
    if relevant:
        top = relevant[0]
        parts.append(f"{top.title[lang]}\n{top.body[lang]}")
    for line in (conversion_line(ctx), weather_line(ctx)):
        if line:
            parts.append(line)
    if ctx.items:
        rows = [TEXT["catalog"][lang]]
        for item_type, item in ctx.items:
            price = _group(Decimal(item.price_thb), "THB")
            rows.append(f"• {item.name(lang)} — {price} THB {UNITS[item_type][lang]}")
        parts.append("\n".join(rows))
    if len(relevant) > 1:
        titles = "; ".join(entry.title[lang] for entry in relevant[1:3])
        parts.append(TEXT["see_also"][lang].format(titles=titles))
    if not parts:
        parts.append(TEXT["unknown"][lang])
    return "\n\n".join(parts)


def refusal(ctx: Context) -> str:
    return str(TEXT["refused"][ctx.language])
