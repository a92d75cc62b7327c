/** The run history (README, "Run history"): what the runtime, the functions and the commands use of it. */
export { recordDelivery, recordRun, recordSweep } from './record-run.js';
export type { RecordedRunOptions, RunStart, StartedRun } from './record-run.js';
export { findResubmittable, getRun, listRuns } from './read-runs.js';
export type { ListRunsOptions, RunDetails, RunPage, RunWithDeliveries } from './read-runs.js';
export { MAX_RUNS_PRUNED, pruneRuns } from './retention.js';
export type { PruneOptions } from './retention.js';
export { HistoryError, createRunHistory } from './run-history.js';
export type { HistoryErrorCode, RunHistory, RunHistoryOptions } from './run-history.js';
export { isIndexRowKey, isRunId } from './run-keys.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, RUN_STATUSES, historyMessage } from './run-record.js';
export type {
  DeliveryCounts,
  DeliveryRecord,
  RunCounts,
  RunFailure,
  RunRecord,
  RunStatus,
  RunTrigger,
  SenderBudgetCounts,
} from './run-record.js';
