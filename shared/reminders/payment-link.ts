/**
 * The optional payment link of a reminder e-mail: a URL template (MAIL_PAYMENT_URL) in which
 * `{reference}`, `{amount}` and `{currency}` stand for the reminder's values, URL-encoded.
 */

/** The placeholders a payment URL template may contain. */
export const PAYMENT_URL_PLACEHOLDERS = ['reference', 'amount', 'currency'] as const;

export type PaymentLinkValues = Readonly<Record<(typeof PAYMENT_URL_PLACEHOLDERS)[number], string>>;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The placeholders of `template` that are not {@link PAYMENT_URL_PLACEHOLDERS}, e.g. `["ref"]`. */
export function unknownPlaceholders(template: string): string[] {
  const known: readonly string[] = PAYMENT_URL_PLACEHOLDERS;
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '').filter((name) => !known.includes(name));
}

/** The link for one reminder: each placeholder replaced by its value, URL-encoded (a reference may hold `&` or `/`). */
export function expandPaymentUrl(template: string, values: PaymentLinkValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    name in values ? encodeURIComponent(values[name as keyof PaymentLinkValues]) : whole,
  );
}
