/**
 * Output bindings written the way the host writes them after a handler succeeded: the invocation's output
 * data, one queue message per array element (objects as JSON text), on the binding's queue and connection.
 * Only queue outputs are supported.
 */
import { resolveBindingOptions } from './app-settings.js';
import type { AppSettings } from './app-settings.js';
import type { RpcParameterBinding, RpcTypedData } from './core-types.js';
import { devHostError } from './errors.js';
import type { HostJson } from './host-json.js';
import type { HostFunction, WrittenOutput } from './host-types.js';
import { enqueueMessages, queueServiceClientFor } from './queue-storage.js';

/** Writes each output binding's value the way the host's bindings do; only queue outputs are supported. */
export async function writeOutputs(
  fn: HostFunction,
  outputData: readonly RpcParameterBinding[],
  settings: AppSettings,
  hostJson: HostJson,
): Promise<WrittenOutput[]> {
  const written: WrittenOutput[] = [];
  for (const output of outputData) {
    const binding = fn.bindings.find((candidate) => candidate.name === output.name);
    if (!binding) {
      throw devHostError(
        'BindingNotSupported',
        `Function '${fn.name}' returned data for an unknown binding '${String(output.name)}'.`,
      );
    }
    if (binding.type !== 'queue') {
      throw devHostError('BindingNotSupported', `The local host cannot write '${binding.type}' output bindings.`);
    }
    const resolved = resolveBindingOptions(binding, settings);
    const queueName = String(resolved.queueName);
    const connection = String(resolved.connection ?? 'AzureWebJobsStorage');
    const messages = queueMessagesFrom(output.data);
    const queue = queueServiceClientFor(connection, settings).getQueueClient(queueName);
    await enqueueMessages(queue, messages, { encoding: hostJson.queueMessageEncoding });
    written.push({ binding: binding.name, type: 'queue', queueName, messageCount: messages.length });
  }
  return written;
}

/** An array is one message per element; anything else is one message. Objects are sent as JSON text. */
function queueMessagesFrom(data: RpcTypedData | null | undefined): string[] {
  if (!data) {
    return [];
  }
  const value: unknown = data.json !== undefined && data.json !== null ? JSON.parse(data.json) : typedDataValue(data);
  const items = Array.isArray(value) ? value : [value];
  return items.map((item: unknown) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

function typedDataValue(data: RpcTypedData): unknown {
  if (typeof data.string === 'string') {
    return data.string;
  }
  if (data.bytes) {
    return Buffer.from(data.bytes).toString('utf8');
  }
  if (data.collectionString?.string) {
    return data.collectionString.string;
  }
  return data.int ?? data.double ?? null;
}
