// 简体中文. Same keys as en.ts.
import type { MessageKey } from './en.js';

export const zh: Record<MessageKey, string> = {
  'app.title': 'Lathe',
  'app.language': '语言',
  'app.workspace': '工作区',
  'app.connection.web': '网页模式',
  'app.connection.electron': '桌面版',
  'nav.projects': '项目',
  'projects.heading': '项目',
  'projects.empty.title': '还没有项目',
  'projects.empty.body': '项目用来存放数据集、训练任务和导出的模型。先创建一个项目吧。',
  'projects.create': '新建项目',
  'projects.create.placeholder': '项目名称，例如：客服工单',
  'projects.create.submit': '创建',
  'projects.rename': '重命名',
  'projects.rename.submit': '保存',
  'projects.delete': '删除',
  'projects.delete.confirm': '删除“{name}”及其全部数据集、训练任务和导出？此操作无法撤销。',
  'projects.counts': '{datasets} 个数据集 · {runs} 次训练 · {exports} 个导出',
  'projects.updated': '更新于 {when}',
  'common.cancel': '取消',
  'common.loading': '加载中…',
  'common.retry': '重试',
  'common.dismiss': '关闭',
};
