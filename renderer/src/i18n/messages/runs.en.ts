// English strings for the Runs page (and run statuses shown elsewhere). Same keys as runs.zh.ts (a test checks).
export const runsEn = {
  'nav.runs': 'Runs',
  'runs.status.queued': 'queued',
  'runs.status.preparing': 'preparing',
  'runs.status.running': 'running',
  'runs.status.paused': 'paused',
  'runs.status.stopping': 'stopping',
  'runs.status.completed': 'completed',
  'runs.status.failed': 'failed',
  'runs.status.interrupted': 'interrupted',
} as const;
