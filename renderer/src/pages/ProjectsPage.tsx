// Projects home: the list of projects, creating one, and an empty state that says what to do first.
import { useEffect, useState } from 'react';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { projectsSelectors } from '../store/projects/selectors.js';
import { projectsService } from '../services/projects.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { ProjectCard } from '../components/ProjectCard.js';
import { ProjectOverview } from '../components/ProjectOverview.js';

export function ProjectsPage() {
  const t = useT();
  const projects = useLathe(projectsSelectors.list);
  const status = useLathe(projectsSelectors.status);
  const error = useLathe(projectsSelectors.error);
  const isEmpty = useLathe(projectsSelectors.isEmpty);
  const selectedId = useLathe((s) => s.selectedProjectId);
  const selected = useLathe(projectsSelectors.selected);
  const loadProjects = useLathe((s) => s.loadProjects);
  const createProject = useLathe((s) => s.createProject);
  const clearError = useLathe((s) => s.clearProjectsError);
  const [name, setName] = useState('');

  useEffect(() => {
    void loadProjects();
    // Another window, the CLI or web client may change projects: refresh on the event.
    return projectsService.onChanged(() => void loadProjects());
  }, [loadProjects]);

  return (
    <section className="page" aria-labelledby="projects-heading">
      <header className="page-header">
        <h1 id="projects-heading">{t('projects.heading')}</h1>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) void createProject(name.trim()).then((ok) => ok && setName(''));
          }}
        >
          <input aria-label={t('projects.create')} placeholder={t('projects.create.placeholder')} value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
          <button type="submit" disabled={!name.trim()}>
            {t('projects.create.submit')}
          </button>
        </form>
      </header>
      {error && <ErrorBanner message={error} onDismiss={clearError} />}
      {status === 'loading' && <p className="muted">{t('common.loading')}</p>}
      {isEmpty && (
        <div className="empty-state">
          <h2>{t('projects.empty.title')}</h2>
          <p>{t('projects.empty.body')}</p>
        </div>
      )}
      <ul className="card-list" aria-label={t('projects.heading')}>
        {projects.map((p) => (
          <ProjectCard key={p.id} project={p} selected={p.id === selectedId} />
        ))}
      </ul>
      {selected && <ProjectOverview key={selected.id} project={selected} />}
    </section>
  );
}
