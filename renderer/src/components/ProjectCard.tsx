// One project in the home list: name, counts, last change; rename inline and delete with confirmation.
import { useState } from 'react';
import type { ProjectDto } from '../../../preload/contract/index.js';
import { useFormat } from '../i18n/use-format.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';

export function ProjectCard({ project, selected }: { project: ProjectDto; selected: boolean }) {
  const t = useT();
  const f = useFormat();
  const renameProject = useLathe((s) => s.renameProject);
  const removeProject = useLathe((s) => s.removeProject);
  const selectProject = useLathe((s) => s.selectProject);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(project.name);

  return (
    <li className={`card project-card${selected ? ' selected' : ''}`} data-testid="project-card">
      {editing ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void renameProject(project.id, name).then((ok) => ok && setEditing(false));
          }}
        >
          <input aria-label={t('projects.rename')} value={name} onChange={(e) => setName(e.target.value)} autoFocus maxLength={80} />
          <button type="submit">{t('projects.rename.submit')}</button>
          <button type="button" className="secondary" onClick={() => (setEditing(false), setName(project.name))}>
            {t('common.cancel')}
          </button>
        </form>
      ) : (
        <button type="button" className="card-main" onClick={() => selectProject(project.id)} aria-pressed={selected}>
          <span className="card-title">{project.name}</span>
          <span className="card-meta">{t('projects.counts', { datasets: project.datasetCount, runs: project.runCount, exports: project.exportCount })}</span>
          <span className="card-meta">{t('projects.updated', { when: f.dateTime(project.updatedAt) })}</span>
        </button>
      )}
      {!editing && (
        <div className="card-actions">
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            {t('projects.rename')}
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (globalThis.confirm(t('projects.delete.confirm', { name: project.name }))) void removeProject(project.id);
            }}
          >
            {t('projects.delete')}
          </button>
        </div>
      )}
    </li>
  );
}
