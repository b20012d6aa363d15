/** What the workload printers' tests share: the instant ages are measured to, and a two-container template. */

export const now = new Date('2024-05-01T12:00:00Z');

/** The metadata of an object created fifteen minutes before `now`. */
export const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-05-01T11:45:00Z',
});

export const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'web', image: 'nginx:1.25' },
      { name: 'metrics', image: 'prom/nginx-exporter:1.1' },
    ],
  },
};
