// 简体中文 for projects.
import type { projectsEn } from './projects.en.js';

export const projectsZh: Record<keyof typeof projectsEn, string> = {
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
};
