// Schema v11: a project's updated_at follows what it holds: triggers set it when a dataset becomes ready or leaves,
// a run is created or deleted, or an export (artifact of an export kind) is recorded or deleted — whoever writes.
// A project being removed is left alone (its rows go in chunks; touching it would only cost writes). Checkpoints
// and adapters (a run's own artifacts) do not count as changes of the project.
import type { Migration } from './migration.js';

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
const touch = (id: string) => `UPDATE projects SET updated_at = ${NOW} WHERE id = ${id} AND state = 'ready';`;
/** The export kinds of main/db/exports-store.ts EXPORT_KINDS at this version (a migration never changes). */
const EXPORT_KINDS = "('peft', 'merged', 'gguf', 'ollama', 'onnx')";

export const projectTouch: Migration = {
  version: 11,
  name: 'project-touch',
  up(db) {
    db.exec(`
      CREATE TRIGGER project_touch_dataset_added AFTER INSERT ON datasets WHEN NEW.state = 'ready'
      BEGIN ${touch('NEW.project_id')} END;
      CREATE TRIGGER project_touch_dataset_state AFTER UPDATE OF state ON datasets WHEN (NEW.state = 'ready') <> (OLD.state = 'ready')
      BEGIN ${touch('NEW.project_id')} END;
      CREATE TRIGGER project_touch_dataset_deleted AFTER DELETE ON datasets WHEN OLD.state = 'ready'
      BEGIN ${touch('OLD.project_id')} END;
      CREATE TRIGGER project_touch_run_added AFTER INSERT ON runs
      BEGIN ${touch('NEW.project_id')} END;
      CREATE TRIGGER project_touch_run_deleted AFTER DELETE ON runs
      BEGIN ${touch('OLD.project_id')} END;
      CREATE TRIGGER project_touch_export_added AFTER INSERT ON artifacts WHEN NEW.kind IN ${EXPORT_KINDS}
      BEGIN ${touch('NEW.project_id')} END;
      CREATE TRIGGER project_touch_export_deleted AFTER DELETE ON artifacts WHEN OLD.kind IN ${EXPORT_KINDS}
      BEGIN ${touch('OLD.project_id')} END;
    `);
  },
};
