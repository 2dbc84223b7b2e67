import { useState, type FormEvent } from "react";
import { api, callNoContent } from "../api/client";
import { ApiError } from "../api/errors";
import { ErrorMessage, Page } from "../components/ui";
import { Link, useLocation } from "../router";
import { useApp } from "../state/app";

/** `/forgot-password` asks for the email; `/reset-password?token=…` (the link in that email) sets a new one. */
export default function PasswordReset({ mode }: { mode: "forgot" | "reset" }) {
  const { t } = useApp();
  const { query } = useLocation();
  const token = query.get("token") ?? "";
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const fieldError = error?.details.find((d) => d.field === (mode === "forgot" ? "email" : "newPassword"))?.message;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === "forgot") await callNoContent(api.POST("/v1/auth/password/forgot", { body: { email: value } }));
      else await callNoContent(api.POST("/v1/auth/password/reset", { body: { token, newPassword: value } }));
      setDone(true);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN_ERROR", ""));
    } finally {
      setBusy(false);
    }
  }

  if (mode === "reset" && !token) {
    return (
      <Page title={t("reset.title")}>
        <p role="alert">{t("reset.noToken")}</p>
        <Link to="/forgot-password">{t("reset.askAgain")}</Link>
      </Page>
    );
  }
  if (done) {
    return (
      <Page title={mode === "forgot" ? t("forgot.title") : t("reset.title")}>
        <p role="status">{mode === "forgot" ? t("forgot.sent") : t("reset.done")}</p>
        <Link to="/login">{t("auth.submitLogin")}</Link>
      </Page>
    );
  }
  return (
    <Page title={mode === "forgot" ? t("forgot.title") : t("reset.title")}>
      <form className="card auth" onSubmit={submit} noValidate>
        <label>
          {mode === "forgot" ? t("auth.email") : t("reset.newPassword")}
          <input
            name={mode === "forgot" ? "email" : "newPassword"}
            type={mode === "forgot" ? "email" : "password"}
            autoComplete={mode === "forgot" ? "email" : "new-password"}
            required
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={!!fieldError}
          />
          {mode === "reset" && <span className="muted small">{t("auth.passwordHint")}</span>}
          {fieldError && <span className="field-error">{fieldError}</span>}
        </label>
        {error && <ErrorMessage error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {mode === "forgot" ? t("forgot.submit") : t("reset.submit")}
        </button>
      </form>
    </Page>
  );
}
