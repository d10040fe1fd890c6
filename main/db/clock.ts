// The one place the DB layer reads the time, as ISO-8601 UTC strings (sortable, readable in SQL).
export function nowIso(): string {
  return new Date().toISOString();
}
