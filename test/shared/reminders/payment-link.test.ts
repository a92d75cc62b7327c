import { describe, expect, it } from 'vitest';
import { expandPaymentUrl, unknownPlaceholders } from '../../../shared/reminders/payment-link.js';

describe('payment links', () => {
  it('fill in the reference, amount and currency, URL-encoded', () => {
    expect(
      expandPaymentUrl('https://pay.example.com/{reference}?amount={amount}&currency={currency}', {
        reference: 'INV 1/2&3',
        amount: '1250.00',
        currency: 'EUR',
      }),
    ).toBe('https://pay.example.com/INV%201%2F2%263?amount=1250.00&currency=EUR');
  });

  it('name the placeholders they do not know', () => {
    expect(unknownPlaceholders('https://x.example/{reference}/{ref}/{}')).toEqual(['ref', '']);
    expect(unknownPlaceholders('https://x.example/{reference}{amount}{currency}')).toEqual([]);
  });
});
