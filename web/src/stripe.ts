/**
 * Stripe.js, loaded only when a card payment needs it (the server sends a PaymentIntent's client secret
 * and the publishable key). Card details go from Stripe's own iframe to Stripe: they never touch our
 * server or this app's code. Typed with just what we use.
 */
export interface StripeElement {
  mount(node: HTMLElement): void;
  destroy(): void;
}
export interface StripeElements {
  create(type: "payment"): StripeElement;
}
export interface StripeLike {
  elements(options: { clientSecret: string; locale?: string }): StripeElements;
  confirmPayment(options: {
    elements: StripeElements;
    redirect: "if_required";
    confirmParams?: { return_url?: string };
  }): Promise<{ error?: { message?: string }; paymentIntent?: { status: string } }>;
}
type StripeFactory = (publishableKey: string) => StripeLike;

export const STRIPE_JS = "https://js.stripe.com/v3/";
let loading: Promise<StripeFactory> | null = null;

export function loadStripe(publishableKey: string): Promise<StripeLike> {
  const existing = (globalThis as { Stripe?: StripeFactory }).Stripe;
  if (existing) return Promise.resolve(existing(publishableKey));
  loading ??= new Promise<StripeFactory>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = STRIPE_JS;
    script.async = true;
    script.onload = () => {
      const factory = (globalThis as { Stripe?: StripeFactory }).Stripe;
      if (factory) resolve(factory);
      else reject(new Error("Stripe.js did not load"));
    };
    script.onerror = () => {
      loading = null; // a later attempt may succeed (weak connection)
      reject(new Error("Stripe.js could not be loaded"));
    };
    document.head.appendChild(script);
  });
  return loading.then((factory) => factory(publishableKey));
}
