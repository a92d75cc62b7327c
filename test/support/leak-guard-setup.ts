/**
 * vitest setup file (runs before each test file): taps the output channels, and fails the file when its
 * output contains a credential a local stack issued (see leak-guard.ts). Registered first, its afterAll
 * runs after the file's own (stacks stopped, last output written).
 */
import { afterAll } from 'vitest';
import { installOutputTaps, leakGuard } from './leak-guard.js';

installOutputTaps();

afterAll(() => {
  try {
    leakGuard.assertNoLeaks();
  } finally {
    leakGuard.reset();
  }
});
