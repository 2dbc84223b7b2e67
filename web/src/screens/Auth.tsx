import { useState, type FormEvent } from "react";
import { ApiError } from "../api/errors";
import { ErrorMessage, Page } from "../components/ui";
import { Link, navigate, useLocation } from "../router";
import { useApp } from "../state/app";

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/profile";
}

export default function Auth({ mode }: { mode: "login" | "register" }) {
  const { t, login, register } = useApp();
  const { query } = useLocation();
  const next = safeNext(query.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fullName, setFullName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const fieldError = (field: string) => error?.details.find((d) => d.field.endsWith(field))?.message;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === "login") await login(email, password);
      else await register(email, password, fullName);
      navigate(next, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN_ERROR", ""));
      setBusy(false);
    }
  }

  const other = mode === "login" ? "/register" : "/login";
  return (
    <Page title={mode === "login" ? t("auth.loginTitle") : t("auth.registerTitle")}>
      <form className="card auth" onSubmit={submit} noValidate>
        {mode === "register" && (
          <label>
            {t("auth.fullName")}
            <input name="fullName" autoComplete="name" required value={fullName} onChange={(e) => setFullName(e.target.value)} aria-invalid={!!fieldError("fullName")} />
            {fieldError("fullName") && <span className="field-error">{fieldError("fullName")}</span>}
          </label>
        )}
        <label>
          {t("auth.email")}
          <input name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={!!fieldError("email")} />
          {fieldError("email") && <span className="field-error">{fieldError("email")}</span>}
        </label>
        <label>
          {t("auth.password")}
          <input
            name="password"
            type="password"
            autoComplete={mode === "login" ? "current-password" : "new-password"}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={!!fieldError("password")}
            aria-describedby={mode === "register" ? "password-hint" : undefined}
          />
          {mode === "register" && (
            <span id="password-hint" className="muted small">
              {t("auth.passwordHint")}
            </span>
          )}
          {fieldError("password") && <span className="field-error">{fieldError("password")}</span>}
        </label>
        {error && <ErrorMessage error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {mode === "login" ? t("auth.submitLogin") : t("auth.submitRegister")}
        </button>
        {mode === "login" && (
          <p>
            <Link to="/forgot-password">{t("auth.forgot")}</Link>
          </p>
        )}
        <p>
          <Link to={`${other}${query.get("next") ? `?next=${encodeURIComponent(next)}` : ""}`}>
            {mode === "login" ? t("auth.noAccount") : t("auth.haveAccount")}
          </Link>
        </p>
      </form>
    </Page>
  );
}
