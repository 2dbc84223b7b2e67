import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, call } from "../api/client";
import { ApiError } from "../api/errors";
import { actionTarget } from "../assistantActions";
import { ErrorMessage, Page } from "../components/ui";
import { Link } from "../router";
import { useApp } from "../state/app";

interface Message {
  role: "user" | "assistant";
  content: string;
  actions?: { to: string; label: string }[];
  offline?: boolean;
}

const HISTORY_KEY = "phuket.chat";
const MAX_HISTORY = 12;

export default function Assistant() {
  const { t, user } = useApp();
  const [messages, setMessages] = useState<Message[]>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(HISTORY_KEY) ?? "[]") as Message[];
    } catch {
      return [];
    }
  });
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    sessionStorage.setItem(HISTORY_KEY, JSON.stringify(messages.slice(-MAX_HISTORY)));
    end.current?.scrollIntoView?.({ block: "end" });
  }, [messages]);

  async function send(event: FormEvent) {
    event.preventDefault();
    const message = text.trim();
    if (!message || busy) return;
    const history = messages.slice(-MAX_HISTORY).map(({ role, content }) => ({ role, content }));
    setMessages((m) => [...m, { role: "user", content: message }]);
    setText("");
    setBusy(true);
    setError(null);
    try {
      const reply = await call(api.POST("/v1/ai/chat", { body: { message, history } }));
      const actions = reply.suggestedActions
        .map(actionTarget)
        .filter((a): a is { to: string; label: string } => a !== null);
      setMessages((m) => [...m, { role: "assistant", content: reply.content, actions, offline: reply.source === "offline" }]);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN_ERROR", ""));
    } finally {
      setBusy(false);
    }
  }

  if (!user) {
    return (
      <Page title={t("assistant.title")}>
        <p>{t("assistant.loginRequired")}</p>
        <Link to="/login?next=/assistant" className="button primary">
          {t("nav.login")}
        </Link>
      </Page>
    );
  }
  return (
    <Page title={t("assistant.title")}>
      <div className="chat" role="log" aria-live="polite" aria-relevant="additions">
        {messages.length === 0 && <p className="muted">{t("assistant.intro")}</p>}
        {messages.map((m, i) => (
          <div key={i} className={`bubble ${m.role}`} data-testid={`chat-${m.role}`}>
            <span className="sr-only">{m.role === "user" ? t("assistant.you") : t("assistant.bot")}: </span>
            <p className="chat-text">{m.content}</p>
            {m.offline && <p className="muted small">{t("assistant.offline")}</p>}
            {m.actions && m.actions.length > 0 && (
              <div className="chips" role="group" aria-label={t("assistant.suggested")}>
                {m.actions.map((a) => (
                  <Link key={a.to + a.label} to={a.to} className="chip action">
                    {a.label}
                  </Link>
                ))}
              </div>
            )}
          </div>
        ))}
        {busy && (
          <p className="bubble assistant muted" role="status">
            {t("assistant.thinking")}
          </p>
        )}
        <div ref={end} />
      </div>
      {error && <ErrorMessage error={error} />}
      <form className="chat-form" onSubmit={send}>
        <label className="grow">
          <span className="sr-only">{t("assistant.placeholder")}</span>
          <input name="message" placeholder={t("assistant.placeholder")} value={text} maxLength={1000} onChange={(e) => setText(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          {t("assistant.send")}
        </button>
      </form>
    </Page>
  );
}
