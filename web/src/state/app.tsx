/** App-wide state: language, display currency and rates, and the signed-in user. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, call, callNoContent, setApiLanguage } from "../api/client";
import { getSession, onSessionChange, setSession, type Session, type User } from "../api/session";
import type { CurrencyCode, Rates } from "../api/types";
import { detectLanguage, translator, type Language, type Translate } from "../i18n";
import { clearVouchers } from "./vouchers";

export const CURRENCIES: CurrencyCode[] = ["THB", "RUB", "USD", "EUR", "CNY", "GBP", "AUD", "KZT", "INR", "JPY", "KRW", "SGD", "MYR"];

interface AppState {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  currency: CurrencyCode;
  setCurrency: (currency: CurrencyCode) => void;
  rates: Rates | null;
  user: User | null;
  login: (email: string, password: string) => Promise<void>;
  register: (email: string, password: string, fullName: string) => Promise<void>;
  logout: () => Promise<void>;
}

const Context = createContext<AppState | null>(null);

function initialCurrency(language: Language): CurrencyCode {
  const saved = globalThis.localStorage?.getItem("phuket.currency");
  if (saved && (CURRENCIES as string[]).includes(saved)) return saved as CurrencyCode;
  return language === "ru" ? "RUB" : "USD";
}

function toSession(data: { accessToken: string; refreshToken: string; user: User }): Session {
  return { accessToken: data.accessToken, refreshToken: data.refreshToken, user: data.user };
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() => {
    const detected = detectLanguage();
    setApiLanguage(detected);
    return detected;
  });
  const [currency, setCurrencyState] = useState<CurrencyCode>(() => initialCurrency(language));
  const [rates, setRates] = useState<Rates | null>(null);
  const [user, setUser] = useState<User | null>(() => getSession()?.user ?? null);

  useEffect(() => onSessionChange((session) => setUser(session?.user ?? null)), []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useEffect(() => {
    let live = true;
    call(api.GET("/v1/currency/rates", { params: { query: { base: "THB" } } }))
      .then((value) => live && setRates(value))
      .catch(() => undefined); // prices then show in THB only
    return () => {
      live = false;
    };
  }, []);

  const setLanguage = useCallback((next: Language) => {
    setApiLanguage(next);
    localStorage.setItem("phuket.language", next);
    setLanguageState(next);
  }, []);
  const setCurrency = useCallback((next: CurrencyCode) => {
    localStorage.setItem("phuket.currency", next);
    setCurrencyState(next);
  }, []);
  const login = useCallback(async (email: string, password: string) => {
    const data = await call(api.POST("/v1/auth/login", { body: { email, password } }));
    setSession(toSession(data));
  }, []);
  const register = useCallback(
    async (email: string, password: string, fullName: string) => {
      const data = await call(api.POST("/v1/auth/register", { body: { email, password, fullName, language } }));
      setSession(toSession(data));
    },
    [language],
  );
  const logout = useCallback(async () => {
    const session = getSession();
    try {
      if (session) await callNoContent(api.POST("/v1/auth/logout", { body: { refreshToken: session.refreshToken } }));
    } catch {
      /* signing out locally is what matters; the tokens expire on their own */
    }
    setSession(null);
    clearVouchers();
  }, []);

  const value = useMemo<AppState>(
    () => ({ language, setLanguage, t: translator(language), currency, setCurrency, rates, user, login, register, logout }),
    [language, setLanguage, currency, setCurrency, rates, user, login, register, logout],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useApp(): AppState {
  const value = useContext(Context);
  if (!value) throw new Error("useApp outside AppProvider");
  return value;
}
