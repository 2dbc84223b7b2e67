"""Language negotiation (Accept-Language, ru/en) and the translated messages of the API."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Literal

Language = Literal["en", "ru"]
SUPPORTED: tuple[Language, ...] = ("en", "ru")
DEFAULT_LANGUAGE: Language = "en"

current_language: ContextVar[Language] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def negotiate(header: str | None) -> Language:
    """Pick the best supported language from an Accept-Language header (q-values honoured)."""
    if not header:
        return DEFAULT_LANGUAGE
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate(header.split(",")[:20]):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in SUPPORTED and quality > 0:
            candidate = (quality, -position, primary)
            if best is None or candidate > best:
                best = candidate
    return best[2] if best else DEFAULT_LANGUAGE


MESSAGES: dict[str, dict[Language, str]] = {
    # error codes
    "VALIDATION_ERROR": {"en": "The request is invalid.", "ru": "Некорректный запрос."},
    "UNAUTHORIZED": {"en": "Authentication is required.", "ru": "Требуется авторизация."},
    "INVALID_CREDENTIALS": {"en": "Wrong email or password.", "ru": "Неверный email или пароль."},
    "TOKEN_EXPIRED": {"en": "The token has expired.", "ru": "Срок действия токена истёк."},
    "TOKEN_REVOKED": {"en": "The token has been revoked.", "ru": "Токен отозван."},
    "FORBIDDEN": {"en": "You do not have permission to do this.", "ru": "Недостаточно прав."},
    "NOT_FOUND": {"en": "Not found.", "ru": "Не найдено."},
    "METHOD_NOT_ALLOWED": {"en": "This method is not allowed here.", "ru": "Метод не поддерживается."},
    "EMAIL_TAKEN": {
        "en": "An account with this email already exists.",
        "ru": "Аккаунт с таким email уже существует.",
    },
    "CONFLICT": {
        "en": "The request conflicts with the current state.",
        "ru": "Конфликт с текущим состоянием.",
    },
    "PAYLOAD_TOO_LARGE": {"en": "The request body is too large.", "ru": "Слишком большой запрос."},
    "UNSUPPORTED_MEDIA_TYPE": {"en": "Unsupported content type.", "ru": "Неподдерживаемый тип содержимого."},
    "ITEM_UNAVAILABLE": {
        "en": "This item is not available for the chosen dates.",
        "ru": "На выбранные даты недоступно.",
    },
    "INVALID_DATES": {"en": "The dates are invalid.", "ru": "Некорректные даты."},
    "TOO_MANY_GUESTS": {"en": "Too many guests.", "ru": "Слишком много гостей."},
    "INVALID_STATE": {
        "en": "This action is not possible in the current state.",
        "ru": "Действие невозможно в текущем статусе.",
    },
    "IDEMPOTENCY_KEY_REUSED": {
        "en": "This Idempotency-Key was already used with a different request.",
        "ru": "Этот Idempotency-Key уже использован с другим запросом.",
    },
    "RATE_LIMITED": {
        "en": "Too many requests. Please try again later.",
        "ru": "Слишком много запросов. Попробуйте позже.",
    },
    "INTERNAL_ERROR": {"en": "Something went wrong on our side.", "ru": "Внутренняя ошибка сервера."},
    "SERVICE_UNAVAILABLE": {
        "en": "The service is temporarily unavailable.",
        "ru": "Сервис временно недоступен.",
    },
    "body.timeout": {
        "en": "The request body did not arrive in time.",
        "ru": "Тело запроса не пришло вовремя.",
    },
    "TOO_FEW_GUESTS": {"en": "Too few guests for this item.", "ru": "Слишком мало гостей."},
    # bookings: details of INVALID_DATES and friends
    "dates.end_required": {"en": "An end date is required.", "ru": "Укажите дату окончания."},
    "dates.order": {
        "en": "The end date must be after the start date.",
        "ru": "Дата окончания должна быть позже начала.",
    },
    "dates.past": {"en": "The start date is in the past.", "ru": "Дата начала уже прошла."},
    "dates.horizon": {
        "en": "Bookings open at most {days} days ahead.",
        "ru": "Бронировать можно не более чем на {days} дней вперёд.",
    },
    "dates.notice": {
        "en": "This item needs at least {hours} hours' notice.",
        "ru": "Бронирование нужно сделать минимум за {hours} ч.",
    },
    "dates.too_short": {"en": "The minimum is {n}.", "ru": "Минимальный срок: {n}."},
    "dates.too_long": {"en": "The maximum is {n}.", "ru": "Максимальный срок: {n}."},
    "dates.not_running": {
        "en": "The tour does not run on this day.",
        "ru": "В этот день экскурсия не проводится.",
    },
    "dates.range_too_long": {"en": "The range is longer than a year.", "ru": "Диапазон больше года."},
    "guests.max": {"en": "At most {n} guests.", "ru": "Не более {n} гостей."},
    "guests.min": {"en": "At least {n} guests.", "ru": "Не менее {n} гостей."},
    "price.high_season": {"en": "High season", "ru": "Высокий сезон"},
    "price.low_season": {"en": "Low season", "ru": "Низкий сезон"},
    "price.tour_adult": {"en": "Adults", "ru": "Взрослые"},
    "price.tour_child": {"en": "Children", "ru": "Дети"},
    "price.discount_weekly": {"en": "Weekly discount", "ru": "Скидка за неделю"},
    "price.discount_monthly": {"en": "Monthly discount", "ru": "Скидка за месяц"},
    "price.cleaning": {"en": "Cleaning fee", "ru": "Уборка"},
    # field-level messages
    "field.children_over_guests": {
        "en": "Children cannot outnumber guests.",
        "ru": "Детей не может быть больше, чем гостей.",
    },
    "field.nul": {"en": "NUL characters are not allowed.", "ru": "Символ NUL недопустим."},
    "field.idempotency_key": {
        "en": "Idempotency-Key must be 1 to 255 visible ASCII characters.",
        "ru": "Idempotency-Key: от 1 до 255 печатных ASCII-символов.",
    },
    "field.required": {"en": "This field is required.", "ru": "Обязательное поле."},
    "field.invalid": {"en": "Invalid value.", "ru": "Некорректное значение."},
    "field.type": {"en": "Wrong type.", "ru": "Неверный тип значения."},
    "field.json": {"en": "The body is not valid JSON.", "ru": "Тело запроса не является корректным JSON."},
    "field.email": {"en": "Must be a valid email address.", "ru": "Некорректный email."},
    "field.too_short": {"en": "Too short.", "ru": "Слишком короткое значение."},
    "field.too_long": {"en": "Too long.", "ru": "Слишком длинное значение."},
    "field.too_small": {"en": "Too small.", "ru": "Слишком маленькое значение."},
    "field.too_big": {"en": "Too big.", "ru": "Слишком большое значение."},
    "field.choice": {"en": "Not one of the allowed values.", "ru": "Недопустимое значение."},
    "field.extra": {"en": "Unknown field.", "ru": "Неизвестное поле."},
    "field.date": {"en": "Must be a date YYYY-MM-DD.", "ru": "Дата должна быть в формате ГГГГ-ММ-ДД."},
    "field.number": {"en": "Must be a number.", "ru": "Должно быть числом."},
    "field.integer": {"en": "Must be a whole number.", "ru": "Должно быть целым числом."},
    "field.boolean": {"en": "Must be true or false.", "ru": "Должно быть true или false."},
    "field.password_weak": {
        "en": "The password must be 8 to 72 bytes and contain a letter and a digit.",
        "ru": "Пароль: от 8 до 72 байт, хотя бы одна буква и одна цифра.",
    },
    "field.name_empty": {"en": "The name cannot be empty.", "ru": "Имя не может быть пустым."},
    "field.range": {"en": "The range is inverted.", "ru": "Начало диапазона больше конца."},
    "field.duplicates": {"en": "The list has duplicates.", "ru": "В списке есть повторы."},
    "field.range_too_long": {
        "en": "The range is too long (at most one year).",
        "ru": "Слишком длинный диапазон (не больше года).",
    },
    "field.pair_required": {
        "en": "Give both ends of the range.",
        "ru": "Укажите оба конца диапазона.",
    },
    "field.needs_location": {
        "en": "Sorting by distance needs lat and lng.",
        "ru": "Для сортировки по расстоянию нужны lat и lng.",
    },
}


def translate(key: str, language: Language | None = None, **params: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry[language or current_language.get()]
    return text.format(**params) if params else text


def pick(texts: dict[str, str] | None, language: Language | None = None) -> str:
    """The text in the request's language from a bilingual {en, ru} value, English as fallback."""
    if not texts:
        return ""
    lang = language or current_language.get()
    return texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), "")
