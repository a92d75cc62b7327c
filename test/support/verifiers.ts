/** Verifiers (verify before send) for tests that are about something else: they confirm every reminder as it is. */
import type { ReminderVerifier } from '../../shared/delivery/verification/verifier.js';

/** Confirms every reminder unchanged, as if the list held exactly what each message says. */
export function confirmingVerifier(): ReminderVerifier {
  let confirmed = 0;
  return {
    verify(reminder) {
      confirmed += 1;
      return Promise.resolve({ kind: 'confirmed', reminder });
    },
    counts: () => ({ reads: 0, pages: 0, confirmed, refused: 0, requestsPerConfirmed: 0 }),
    reset() {
      confirmed = 0;
    },
  };
}
