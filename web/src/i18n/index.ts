import { en, type MessageKey } from "./en";
import { ru } from "./ru";

export type Language = "en" | "ru";
export type { MessageKey };
const CATALOGS: Record<Language, Record<MessageKey, string>> = { en, ru };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const catalog = CATALOGS[language];
  return (key, vars) => {
    let text = catalog[key] ?? en[key] ?? key;
    if (vars) for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
    return text;
  };
}

/** A message key if the catalog has it (for codes and enum values that come from the API). */
export function hasKey(key: string): key is MessageKey {
  return key in en;
}

export function detectLanguage(): Language {
  const saved = globalThis.localStorage?.getItem("phuket.language");
  if (saved === "en" || saved === "ru") return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith("ru") ? "ru" : "en";
}

export function locale(language: Language): string {
  return language === "ru" ? "ru-RU" : "en-GB";
}
