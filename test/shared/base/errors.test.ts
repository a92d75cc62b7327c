import { describe, expect, it } from 'vitest';
import { ConfigError, describeError, DueNotifierError } from '../../../shared/base/errors.js';
import { MailError } from '../../../shared/delivery/mailer.js';

describe('the error base', () => {
  it('carries a code and a cause, and names itself after the concrete class', () => {
    const cause = new Error('socket hang up');
    const error = new DueNotifierError('GraphUnavailable', 'Graph could not be reached.', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'DueNotifierError', code: 'GraphUnavailable', cause });
    expect(new ConfigError('NOTIFY_SCHEDULE', 'NOTIFY_SCHEDULE is required')).toMatchObject({
      name: 'ConfigError',
      code: 'ConfigInvalid',
      setting: 'NOTIFY_SCHEDULE',
    });
  });

  it('is the base of the errors that add fields', () => {
    const error = new MailError('MailRejected', 'Graph refused the message.', { status: 400, graphCode: 'ErrorX' });
    expect(error).toBeInstanceOf(DueNotifierError);
    expect(error).toMatchObject({ name: 'MailError', code: 'MailRejected', status: 400, graphCode: 'ErrorX' });
  });

  it('describes our errors by code, others by name', () => {
    expect(describeError(new ConfigError('X', 'X is required'))).toBe('ConfigInvalid: X is required');
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(
      'ECONNRESET: read ECONNRESET',
    );
    expect(describeError('plain')).toBe('plain');
  });
});
