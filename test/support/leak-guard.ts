/**
 * The test suite's leak guard: no client secret, private key, client assertion or access token that a
 * local stack issued may appear in anything the code under test writes.
 *
 * Output taps observe (never change) the places output leaves through, for every test file:
 * - console.* (the daemon's default logger, and so MSAL's log lines);
 * - InvocationContext.{log,trace,debug,info,warn,error} (what the local host records as invocation logs);
 * - HttpResponse.arrayBuffer/text (the body the local host reads from an HTTP function's response);
 * - QueueClient.sendMessage (output bindings, poison queues, anything a test enqueues).
 * Tests add what else leaves the process, e.g. the messages of thrown errors ({@link captureOutput}).
 *
 * Each stack registers what it issued ({@link registerStack}, called by `useLocalStack`), and the setup
 * file checks the file's captured output against it after the file's tests (`afterAll`): a leak fails
 * the file, naming where it was seen, with the credential itself redacted.
 */
import { format } from 'node:util';
import { HttpResponse, InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import type { LocalStack } from '../../emulators/stack/stack.js';

export type OutputChannel =
  'console' | 'invocation log' | 'http response' | 'queue message' | 'error message' | 'telemetry' | 'run history';

export type CredentialKind =
  | 'client secret'
  | 'private key'
  | 'access token'
  | 'client assertion'
  | 'identity header'
  | 'storage account key'
  /** Not a credential, but as forbidden in the channels that must hold no personal data. */
  | 'e-mail address';

export interface IssuedCredential {
  readonly kind: CredentialKind;
  readonly value: string;
}

/** Everything an issuer has handed out so far; called when output is checked. */
export type CredentialSource = () => Iterable<IssuedCredential>;

export interface CapturedOutput {
  readonly channel: OutputChannel;
  /** Where exactly it was seen, e.g. `console.warn`, `QueueClient.sendMessage`. */
  readonly origin: string;
  readonly text: string;
}

export interface Leak {
  readonly channel: OutputChannel;
  readonly origin: string;
  readonly credential: CredentialKind;
  readonly issuer: string;
  /** The output around the credential, every credential in it replaced by `[kind]`. */
  readonly excerpt: string;
}

export class LeakDetectedError extends Error {
  override readonly name = 'LeakDetectedError';
  readonly code = 'CredentialLeaked';
  readonly leaks: readonly Leak[];

  constructor(leaks: readonly Leak[]) {
    const listed = leaks
      .slice(0, MAX_REPORTED_LEAKS)
      .map(
        (leak) =>
          `- ${leak.credential} issued by ${leak.issuer}, in ${leak.channel} (${leak.origin}): ${JSON.stringify(leak.excerpt)}`,
      );
    const more = leaks.length > MAX_REPORTED_LEAKS ? [`- and ${leaks.length - MAX_REPORTED_LEAKS} more`] : [];
    super([`${leaks.length} credential leak(s) in the output of this test file:`, ...listed, ...more].join('\n'));
    this.leaks = leaks;
  }
}

export interface LeakGuard {
  capture(output: CapturedOutput): void;
  /** Adds an issuer whose credentials the captured output is checked against. */
  registerIssuer(name: string, source: CredentialSource): void;
  findLeaks(): Leak[];
  /** Throws a LeakDetectedError listing every leak. */
  assertNoLeaks(): void;
  /** Forgets the captured output and the issuers. */
  reset(): void;
  /** What was captured so far, oldest first. */
  outputs(): readonly CapturedOutput[];
}

/**
 * Shorter values are not looked for: they would match by chance. Every credential the stack issues is far
 * longer (secrets 40 characters, tokens and assertions hundreds, key lines 64).
 */
const MIN_NEEDLE_LENGTH = 16;
const MAX_REPORTED_LEAKS = 10;
const EXCERPT_CONTEXT = 60;
const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;
/**
 * Channels that must hold no customer's e-mail address at all (queue messages must, logs are checked by
 * the tests of what logs): telemetry, and the run history's records and answers.
 */
const ADDRESS_FREE_CHANNELS: ReadonlySet<OutputChannel> = new Set(['telemetry', 'run history']);
const EMAIL_ADDRESS = /[\w.+-]+@[\w-]+\.[\w.-]+/u;

export function createLeakGuard(): LeakGuard {
  const captured: CapturedOutput[] = [];
  const issuers = new Map<string, CredentialSource>();

  return {
    capture(output) {
      captured.push(output);
    },
    registerIssuer(name, source) {
      issuers.set(name, source);
    },
    findLeaks() {
      return findLeaks(captured, issuers);
    },
    assertNoLeaks() {
      const leaks = findLeaks(captured, issuers);
      if (leaks.length > 0) throw new LeakDetectedError(leaks);
    },
    reset() {
      captured.length = 0;
      issuers.clear();
    },
    outputs: () => [...captured],
  };
}

interface Needle {
  readonly text: string;
  readonly kind: CredentialKind;
  readonly issuer: string;
}

function findLeaks(captured: readonly CapturedOutput[], issuers: ReadonlyMap<string, CredentialSource>): Leak[] {
  const needles = needlesOf(issuers);
  const leaks: Leak[] = [];
  for (const output of captured) {
    const address = ADDRESS_FREE_CHANNELS.has(output.channel) ? EMAIL_ADDRESS.exec(output.text) : null;
    const found =
      needles.find((needle) => output.text.includes(needle.text)) ??
      (address ? { text: address[0], kind: 'e-mail address' as const, issuer: 'customer data' } : undefined);
    if (found) {
      leaks.push({
        channel: output.channel,
        origin: output.origin,
        credential: found.kind,
        issuer: found.issuer,
        excerpt: excerptAround(output.text, found, needles),
      });
    }
  }
  return leaks;
}

function needlesOf(issuers: ReadonlyMap<string, CredentialSource>): Needle[] {
  const needles = new Map<string, Needle>();
  for (const [issuer, source] of issuers) {
    for (const credential of source()) {
      for (const text of formsOf(credential)) {
        if (text.length >= MIN_NEEDLE_LENGTH && !needles.has(text))
          needles.set(text, { text, kind: credential.kind, issuer });
      }
    }
  }
  // Longest first: an excerpt then redacts a whole token before any part of it.
  return [...needles.values()].sort((a, b) => b.text.length - a.text.length);
}

/** The forms in which a credential can show up in text. */
function formsOf(credential: IssuedCredential): string[] {
  const { kind, value } = credential;
  if (kind === 'private key') {
    // Each base64 line of the key: found however the PEM's line breaks were escaped or re-wrapped.
    return value.split(/\r?\n/).filter((line) => BASE64_TEXT.test(line));
  }
  if (kind === 'access token' || kind === 'client assertion') {
    // The signature alone is enough to recognise a JWT that was cut or re-encoded around it.
    return [value, value.split('.').at(-1) ?? ''];
  }
  return [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ];
}

/** The output around the first credential found, with every credential in the output redacted first. */
function excerptAround(text: string, found: Needle, needles: readonly Needle[]): string {
  let redacted = text;
  for (const needle of [...needles, found]) redacted = redacted.split(needle.text).join(`[${needle.kind}]`);
  const marker = redacted.indexOf(`[${found.kind}]`);
  const from = Math.max(0, marker - EXCERPT_CONTEXT);
  const to = marker + found.kind.length + 2 + EXCERPT_CONTEXT;
  return `${from > 0 ? '…' : ''}${redacted.slice(from, to)}${to < redacted.length ? '…' : ''}`;
}

/** What a local stack hands out: its directory's secrets and keys, tokens, assertions it saw, and its local keys. */
export function stackCredentials(stack: LocalStack): CredentialSource {
  return function* () {
    for (const value of stack.directory.issuedSecretValues()) {
      yield { kind: value.includes('PRIVATE KEY-----') ? 'private key' : 'client secret', value };
    }
    for (const value of stack.authority.issuedTokens()) yield { kind: 'access token', value };
    for (const value of stack.entra.presentedClientAssertions()) yield { kind: 'client assertion', value };
    const identityHeader = stack.settings.IDENTITY_HEADER;
    if (identityHeader) yield { kind: 'identity header', value: identityHeader };
    const accountKey = /(?:^|;)AccountKey=([^;]+)/i.exec(stack.settings.AzureWebJobsStorage ?? '')?.[1];
    if (accountKey) yield { kind: 'storage account key', value: accountKey };
  };
}

// ---------------------------------------------------------------------------------------------
// The suite's guard and the output taps

/** The guard the setup file checks after each test file. */
export const leakGuard: LeakGuard = createLeakGuard();
let activeGuard: LeakGuard = leakGuard;
let stacksRegistered = 0;

/** Registers a stack's credentials with the suite's guard (`useLocalStack` does, for every stack it starts). */
export function registerStack(stack: LocalStack): void {
  stacksRegistered += 1;
  leakGuard.registerIssuer(`local stack #${stacksRegistered} (Entra ID ${stack.urls.entra})`, stackCredentials(stack));
}

/** Hands output that leaves by another way (an error message a caller would see) to the guard. */
export function captureOutput(channel: OutputChannel, origin: string, text: string): void {
  activeGuard.capture({ channel, origin, text });
}

/**
 * Routes the taps' output to `guard` instead of the suite's while `run` runs: lets a test leak on
 * purpose and check `guard` itself, without failing its file.
 */
export async function withLeakGuard<T>(guard: LeakGuard, run: () => Promise<T>): Promise<T> {
  const previous = activeGuard;
  activeGuard = guard;
  try {
    return await run();
  } finally {
    activeGuard = previous;
  }
}

const TAPPED = Symbol.for('due-notifier.leak-guard.tapped');
const TAP_SINK = Symbol.for('due-notifier.leak-guard.sink');
type Sink = (output: CapturedOutput) => void;

/**
 * Installs the output taps once per process; each test file's module instance becomes their sink (a
 * process outlives module instances when vitest reuses it).
 */
export function installOutputTaps(): void {
  const sink: Sink = (output) => activeGuard.capture(output);
  Reflect.set(globalThis, TAP_SINK, sink);

  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    tapCall(console, method, (args) => [{ channel: 'console', origin: `console.${method}`, text: format(...args) }]);
  }
  for (const method of ['log', 'trace', 'debug', 'info', 'warn', 'error'] as const) {
    tapCall(InvocationContext.prototype, method, (args) => [
      { channel: 'invocation log', origin: `InvocationContext.${method}`, text: format(...args) },
    ]);
  }
  tapResult(HttpResponse.prototype, 'arrayBuffer', (body) =>
    body instanceof ArrayBuffer
      ? [{ channel: 'http response', origin: 'HttpResponse.arrayBuffer', text: Buffer.from(body).toString('utf8') }]
      : [],
  );
  tapResult(HttpResponse.prototype, 'text', (body) =>
    typeof body === 'string' ? [{ channel: 'http response', origin: 'HttpResponse.text', text: body }] : [],
  );
  tapCall(QueueClient.prototype, 'sendMessage', ([text]) =>
    typeof text === 'string' ? queueMessageOutputs(text) : [],
  );
}

/** The message, and its decoded text when it is base64 (host.json `messageEncoding: base64`). */
function queueMessageOutputs(text: string): CapturedOutput[] {
  const outputs: CapturedOutput[] = [{ channel: 'queue message', origin: 'QueueClient.sendMessage', text }];
  if (text.length % 4 === 0 && BASE64_TEXT.test(text)) {
    outputs.push({
      channel: 'queue message',
      origin: 'QueueClient.sendMessage (base64-decoded)',
      text: Buffer.from(text, 'base64').toString('utf8'),
    });
  }
  return outputs;
}

function emit(outputs: readonly CapturedOutput[]): void {
  const sink: unknown = Reflect.get(globalThis, TAP_SINK);
  if (typeof sink !== 'function') return;
  for (const output of outputs) Reflect.apply(sink, undefined, [output]);
}

type CallOriginal = (thisArg: unknown, args: unknown[]) => unknown;
type Wrapper = (this: unknown, ...args: unknown[]) => unknown;

/** Wraps `target[method]` so that its arguments are captured before it runs. */
function tapCall(target: object, method: string, outputsOf: (args: unknown[]) => CapturedOutput[]): void {
  wrap(
    target,
    method,
    (callOriginal) =>
      function (this: unknown, ...args: unknown[]): unknown {
        emit(outputsOf(args));
        return callOriginal(this, args);
      },
  );
}

/** Wraps the async `target[method]` so that what it resolves to is captured. */
function tapResult(target: object, method: string, outputsOf: (result: unknown) => CapturedOutput[]): void {
  wrap(
    target,
    method,
    (callOriginal) =>
      async function (this: unknown, ...args: unknown[]): Promise<unknown> {
        const result: unknown = await callOriginal(this, args);
        emit(outputsOf(result));
        return result;
      },
  );
}

/** Replaces `target[method]` by `wrapper` around it, once: a method already tapped is left alone. */
function wrap(target: object, method: string, wrapperOf: (callOriginal: CallOriginal) => Wrapper): void {
  const original: unknown = Reflect.get(target, method);
  if (typeof original !== 'function' || TAPPED in original) return;
  const wrapped = wrapperOf((thisArg, args) => Reflect.apply(original, thisArg, args));
  Object.defineProperty(wrapped, TAPPED, { value: true });
  Reflect.set(target, method, wrapped);
}
