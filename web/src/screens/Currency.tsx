import { useEffect, useState, type FormEvent } from "react";
import { api, call } from "../api/client";
import { ApiError } from "../api/errors";
import type { Conversion, CurrencyCode } from "../api/types";
import { ErrorMessage, Loading, Page } from "../components/ui";
import { formatDateTime, formatMoney } from "../format";
import { useDebounced } from "../hooks";
import { useLocation } from "../router";
import { CURRENCIES, useApp } from "../state/app";

const isCode = (v: string | null): v is CurrencyCode => v !== null && (CURRENCIES as string[]).includes(v);

export default function Currency() {
  const { t, language } = useApp();
  const { query } = useLocation();
  const [amount, setAmount] = useState(query.get("amount") ?? "1000");
  const [from, setFrom] = useState<CurrencyCode>(isCode(query.get("from")) ? (query.get("from") as CurrencyCode) : language === "ru" ? "RUB" : "USD");
  const [to, setTo] = useState<CurrencyCode>(isCode(query.get("to")) ? (query.get("to") as CurrencyCode) : "THB");
  const [result, setResult] = useState<Conversion | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const clean = amount.replace(/[\s,]/g, "").replace(/^0+(?=\d)/, "");
  const valid = /^\d{1,12}(\.\d{1,8})?$/.test(clean);
  const request = useDebounced(valid ? `${clean}|${from}|${to}` : "", 300);

  const convert = (key: string) => {
    if (!key) return;
    const [value = "", f, tt] = key.split("|") as [string, CurrencyCode, CurrencyCode];
    setLoading(true);
    setError(null);
    call(api.GET("/v1/currency/convert", { params: { query: { from: f, to: tt, amount: value } } }))
      .then(setResult)
      .catch((e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN_ERROR", "")))
      .finally(() => setLoading(false));
  };
  useEffect(() => convert(request), [request]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (valid) convert(`${clean}|${from}|${to}`);
    else setError(new ApiError(400, "VALIDATION_ERROR", "", []));
  };

  return (
    <Page title={t("currency.title")}>
      <form className="card converter" onSubmit={submit}>
        <label>
          {t("currency.amount")}
          <input name="amount" inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} aria-invalid={!valid} />
        </label>
        <div className="row">
          <div className="field">
            <label htmlFor="currency-from">{t("currency.from")}</label>
            <select id="currency-from" name="from" value={from} onChange={(e) => setFrom(e.target.value as CurrencyCode)}>
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
          <button
            type="button"
            className="secondary swap"
            aria-label={t("currency.swap")}
            title={t("currency.swap")}
            onClick={() => {
              setFrom(to);
              setTo(from);
            }}
          >
            ⇄
          </button>
          <div className="field">
            <label htmlFor="currency-to">{t("currency.to")}</label>
            <select id="currency-to" name="to" value={to} onChange={(e) => setTo(e.target.value as CurrencyCode)}>
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" className="primary">
          {t("currency.convert")}
        </button>
      </form>
      <div aria-live="polite">
        {loading && !result && <Loading />}
        {error && <ErrorMessage error={error} />}
        {result && !error && (
          <div className="card result" data-testid="conversion">
            <p className="big">
              {formatMoney(result.amount, result.from, language)} = <strong>{formatMoney(result.result, result.to, language)}</strong>
            </p>
            <p className="muted">{t("currency.rate", { from: result.from, rate: result.rate, to: result.to })}</p>
            <p className="muted small">{t("currency.updated", { source: result.source, time: formatDateTime(result.updatedAt, language) })}</p>
          </div>
        )}
      </div>
    </Page>
  );
}
