// 简体中文 for the Runs page.
import type { runsEn } from './runs.en.js';

export const runsZh: Record<keyof typeof runsEn, string> = {
  'nav.runs': '训练记录',
  'runs.status.queued': '排队中',
  'runs.status.preparing': '准备中',
  'runs.status.running': '训练中',
  'runs.status.paused': '已暂停',
  'runs.status.stopping': '正在停止',
  'runs.status.completed': '已完成',
  'runs.status.failed': '失败',
  'runs.status.interrupted': '已中断',
};
