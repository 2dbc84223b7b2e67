import { useEffect, useRef, useState, type FormEvent } from "react";
import { loadStripe, type StripeElement, type StripeElements, type StripeLike } from "../stripe";
import { useApp } from "../state/app";
import { Loading } from "./ui";

/** Stripe's Payment Element for a PaymentIntent the server created; confirms it without leaving the app. */
export function CardPayment({
  clientSecret,
  publishableKey,
  onPaid,
}: {
  clientSecret: string;
  publishableKey: string;
  onPaid: () => void;
}) {
  const { t, language } = useApp();
  const mountPoint = useRef<HTMLDivElement>(null);
  const [stripe, setStripe] = useState<StripeLike | null>(null);
  const [elements, setElements] = useState<StripeElements | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let element: StripeElement | null = null;
    loadStripe(publishableKey)
      .then((instance) => {
        if (cancelled || !mountPoint.current) return;
        const created = instance.elements({ clientSecret, locale: language });
        element = created.create("payment");
        element.mount(mountPoint.current);
        setStripe(instance);
        setElements(created);
      })
      .catch(() => !cancelled && setError(t("pay.cardUnavailable")));
    return () => {
      cancelled = true;
      element?.destroy();
    };
  }, [clientSecret, publishableKey, language, t]);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (!stripe || !elements) return;
    setBusy(true);
    setError(null);
    const result = await stripe.confirmPayment({ elements, redirect: "if_required" });
    setBusy(false);
    if (result.error) setError(result.error.message ?? t("pay.cardDeclined"));
    else onPaid();
  }

  return (
    <form className="card" onSubmit={confirm} aria-busy={!elements}>
      <div ref={mountPoint} data-testid="card-element" />
      {!elements && !error && <Loading />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || !elements}>
        {busy ? t("pay.paying") : t("pay.confirmCard")}
      </button>
    </form>
  );
}
