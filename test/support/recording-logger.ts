/** A Logger that keeps what it is given, for tests that check what was logged and what never is. */
import type { Logger } from '../../shared/base/logger.js';

export interface RecordingLogger extends Logger {
  /** Every line so far, oldest first, as `info <message>`, `warn <message>` or `error <message>`. */
  readonly lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
}
