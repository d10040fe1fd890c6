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
  'projects.overview': '{name} 概览',
  'projects.overview.datasets': '数据集',
  'projects.overview.runs': '训练',
  'projects.overview.exports': '导出',
  'projects.overview.noDatasets': '还没有。把工单表格拖到窗口任意位置即可导入。',
  'projects.overview.noRuns': '还没有。导入数据集后，先预览提示词，再开始训练。',
  'projects.overview.noExports': '还没有。训练完成后可导出为适配器、合并模型、GGUF 或 ONNX。',
  'projects.overview.loss': '最终损失 {loss}',
};
