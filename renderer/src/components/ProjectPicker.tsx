// The project the workflow pages work in, switchable from the top bar on every page.
import { useEffect } from 'react';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { projectsSelectors } from '../store/projects/selectors.js';

export function ProjectPicker() {
  const t = useT();
  const projects = useLathe(projectsSelectors.list);
  const selected = useLathe((s) => s.selectedProjectId);
  const select = useLathe((s) => s.selectProject);
  const load = useLathe((s) => s.loadProjects);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <label className="select-label project-picker">
      <span className="visually-hidden">{t('common.project')}</span>
      <select aria-label={t('common.project')} value={selected ?? ''} onChange={(e) => select(e.target.value ? Number(e.target.value) : undefined)} disabled={projects.length === 0} data-testid="project-picker">
        {projects.length === 0 && <option value="">{t('common.noProjects')}</option>}
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}
