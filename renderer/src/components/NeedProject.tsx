// The empty state of pages that work inside a project when none is chosen: says so and links to the projects home.
import { useT } from '../i18n/use-t.js';

export function NeedProject() {
  const t = useT();
  return (
    <div className="empty-state">
      <h2>{t('common.needProject.title')}</h2>
      <p>{t('common.needProject.body')}</p>
      <a href="#projects">{t('common.needProject.link')}</a>
    </div>
  );
}
