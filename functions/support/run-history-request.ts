/**
 * The requests of the run history functions: a run id in the path (`{id}`), and the list's query
 * `?limit=` (1 to 100), `?status=` (running, succeeded, failed) and `?after=` (a page's `next`).
 * Anything else is rejected naming the parameter, as RunRequestError (400).
 */
import type { HttpRequest } from '@azure/functions';
import { MAX_PAGE_SIZE, RUN_STATUSES } from '../../shared/history/run-record.js';
import type { RunStatus } from '../../shared/history/run-record.js';
import { isRunId } from '../../shared/reminders/reminder-message.js';
import { RunRequestError } from './run-request.js';

export interface RunListQuery {
  readonly limit?: number;
  readonly status?: RunStatus;
  readonly after?: string;
}

const KNOWN_PARAMETERS = new Set(['limit', 'status', 'after', 'code']);

/** The run id of `/api/reminders/runs/{id}...`. */
export function readRunId(request: HttpRequest): string {
  const id = request.params.id ?? '';
  if (!isRunId(id)) {
    throw new RunRequestError(
      'InvalidRequest',
      'id',
      'The run id must be 1 to 64 letters, digits, ".", "-" or "_" (a run id from GET /api/reminders/runs).',
    );
  }
  return id;
}

export function readRunListQuery(request: HttpRequest): RunListQuery {
  for (const name of request.query.keys()) {
    if (!KNOWN_PARAMETERS.has(name)) {
      throw new RunRequestError(
        'InvalidRequest',
        name,
        `Unknown parameter '${name}'; allowed are limit, status and after.`,
      );
    }
  }
  const limit = request.query.get('limit');
  const status = request.query.get('status');
  const after = request.query.get('after');
  if (limit !== null && !/^\d{1,3}$/.test(limit)) {
    throw limitError();
  }
  const count = limit === null ? undefined : Number(limit);
  if (count !== undefined && (count < 1 || count > MAX_PAGE_SIZE)) {
    throw limitError();
  }
  if (status !== null && !(RUN_STATUSES as readonly string[]).includes(status)) {
    throw new RunRequestError('InvalidRequest', 'status', `status must be one of ${RUN_STATUSES.join(', ')}.`);
  }
  return {
    ...(count === undefined ? {} : { limit: count }),
    ...(status === null ? {} : { status: status as RunStatus }),
    ...(after === null ? {} : { after }),
  };
}

function limitError(): RunRequestError {
  return new RunRequestError('InvalidRequest', 'limit', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
}
