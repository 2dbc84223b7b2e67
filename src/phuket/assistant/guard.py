"""What goes into the model and what comes out of it (seed §3.3: sanitise, check for prompt injection).

In: messages are plain text (markup stripped with nh3, control characters removed, whitespace folded);
known injection phrasings in English and Russian — "ignore previous instructions", "system prompt",
"you are now…", role-play jailbreaks, chat-template tokens — make the question refused; in the history
such a turn is dropped (neutralised), so an earlier turn cannot smuggle instructions in.
Out: the reply is checked for the system prompt (a per-process canary and the rule sentences) and for
secrets (configured keys, key-shaped strings); a leaking reply is replaced by the offline answer and
key-shaped strings are redacted.
"""

from __future__ import annotations

import html
import re
import secrets
import unicodedata

import nh3

from phuket.core.config import Settings

CANARY = f"ctx-{secrets.token_hex(6)}"

_PATTERNS = [
    # English
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(previous|prior|above|earlier|all|your|the|these)\b"
    r".{0,20}\b(instructions?|prompts?|rules|messages|guidelines|directions)\b",
    r"\bsystem\s*(prompt|message|instructions?)\b",
    r"\b(reveal|show|print|repeat|output|display|leak|tell me)\b.{0,30}\b(your|the|initial|hidden|original)\b"
    r".{0,20}\b(instructions?|prompt|rules|configuration)\b",
    r"\byou are now\b",
    r"\bfrom now on,? you\b",
    r"\b(pretend|imagine) (to be|you are|that you are)\b",
    r"\b(act|behave|respond) as (if you were |an? )?(unrestricted|unfiltered|jailbroken|evil|dan\b|developer)",
    r"\brole-?play\b",
    r"\b(jailbreak|developer mode|dan mode|do anything now)\b",
    r"\b(api|secret|private)[ _-]?keys?\b",
    r"<\|?(im_start|im_end|system|endoftext)\|?>",
    r"\[/?(system|inst)\]",
    r"^\s*#{2,}\s*(system|instruction)",
    # Russian
    r"(игнорируй|игнорировать|проигнорируй|забудь|забыть|отмени|не обращай внимания на)"
    r".{0,40}(инструкци|указани|правил|промпт|сообщени)",
    r"системн\w*\s+(промпт|сообщени|инструкци|подсказ)",
    r"(покажи|выведи|напиши|повтори|раскрой|расскажи)\w*.{0,30}(сво\w+|исходн\w+|скрыт\w+|системн\w+)\s+"
    r"(инструкци|промпт|правил|настройк)",
    r"\bты\s+теперь\b",
    r"\bтеперь\s+ты\b",
    r"(представь|вообрази),?\s+что\s+ты",
    r"притворис[ья]",
    r"(веди себя|действуй)\s+как\s+(будто|если бы)",
    r"ролев\w+\s+игр",
    r"(джейлбрейк|режим разработчика|без ограничений|без цензуры)",
    r"(api|апи)[ -]?ключ",
    r"секретн\w+\s+ключ",
]
_INJECTION = [re.compile(p, re.IGNORECASE | re.MULTILINE | re.DOTALL) for p in _PATTERNS]
_KEY_SHAPED = re.compile(
    r"\b(sk-[A-Za-z0-9_-]{12,}|SG\.[A-Za-z0-9_.-]{20,}|(?:rk|pk|sk)_(?:live|test)_\w{10,})"
)


def sanitize(text: str) -> str:
    """Plain text: tags stripped (script/style with their content), entities decoded, control
    characters removed, runs of spaces folded; line breaks kept (at most two in a row)."""
    cleaned = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
    cleaned = "".join(
        ch for ch in cleaned if ch == "\n" or (unicodedata.category(ch)[0] != "C" and ch != "\u2028")
    )
    lines = [" ".join(line.split()) for line in cleaned.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _fold(text: str) -> str:
    """Case-folded, ё→е, confusable zero-width characters removed: what injection patterns run on."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def looks_like_injection(text: str) -> bool:
    folded = _fold(text)
    return any(pattern.search(folded) for pattern in _INJECTION)


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.secret_key,
        settings.openai_api_key,
        settings.openweather_api_key,
        settings.currency_api_key,
        settings.stripe_secret_key,
        settings.stripe_webhook_secret,
        settings.sendgrid_api_key,
    ]
    return [v.get_secret_value() for v in values if v is not None and len(v.get_secret_value()) >= 6]


def leaks(reply: str, rules: str, settings: Settings) -> bool:
    """True when the reply shows the system prompt's rules (the canary, or any 40 characters of a rule
    line — the context facts below the rules may be quoted freely) or a configured secret."""
    folded = _fold(reply)
    if CANARY.casefold() in folded:
        return True
    for line in rules.splitlines():
        line = _fold(line.strip())
        for start in range(0, max(1, len(line) - 39), 20):
            window = line[start : start + 40]
            if len(window) == 40 and window in folded:
                return True
    return any(secret.casefold() in folded for secret in _secrets(settings))


def redact(reply: str) -> str:
    return _KEY_SHAPED.sub("[redacted]", reply)
