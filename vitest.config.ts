import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The UI tests render ink into a terminal emulator; ink draws nothing but a last frame under CI.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
  },
});
