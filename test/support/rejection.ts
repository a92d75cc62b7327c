/** What a promise rejects with, checked: for tests that look into an error's code and message. */
import { expect } from 'vitest';
import { DueNotifierError } from '../../shared/base/errors.js';

/** The error `promise` rejects with; the test fails if it resolves or rejects with anything but an `errorType`. */
export async function rejectionOf<T>(
  promise: Promise<unknown>,
  errorType: abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(errorType);
  return error as T;
}

/** The DueNotifierError `promise` rejects with. */
export function failure(promise: Promise<unknown>): Promise<DueNotifierError> {
  return rejectionOf(promise, DueNotifierError);
}
