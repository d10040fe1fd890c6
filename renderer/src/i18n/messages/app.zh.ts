// 简体中文 for app.
import type { appEn } from './app.en.js';

export const appZh: Record<keyof typeof appEn, string> = {
  'app.title': 'Lathe',
  'app.language': '语言',
  'app.nav': '主导航',
  'app.skip': '跳到页面内容',
  'app.pageError.title': '此页面出错了',
  'app.pageError.hint': '数据不会丢失：其他页面仍可使用，重新加载通常即可恢复此页面。',
  'app.pageError.reload': '重新加载',
  'app.workspace': '工作区',
  'app.connection.web': '网页模式',
  'app.connection.electron': '桌面版',
  'nav.projects': '项目',
  'common.cancel': '取消',
  'common.loading': '加载中…',
  'common.retry': '重试',
  'common.dismiss': '关闭',
};
