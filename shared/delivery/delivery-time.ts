/**
 * How delivery tells and waits for time (deliver-reminder.ts): the system's, unless a tool that simulates
 * time (soak, benchmark) sets its own.
 */
import type { DeliveryDependencies } from './delivery-dependencies.js';

let current: Pick<DeliveryDependencies, 'clock' | 'sleep'> = {};

/** Delivery's clock and wait as the runtime passes them to each delivery. */
export function deliveryTime(): Pick<DeliveryDependencies, 'clock' | 'sleep'> {
  return current;
}

/** For tools that simulate time (soak, benchmark): delivery's clock and wait; no argument: the system's. */
export function setDeliveryTime(time: Pick<DeliveryDependencies, 'clock' | 'sleep'> = {}): void {
  current = time;
}
