// Excel date helpers: which number formats show dates, serial day numbers to Date, Date to ISO text.
// It does not read files or cells (xlsx-xml.ts does).

const DATE_FMT = /[ymdhsb]/i;

/** Whether an Excel number format shows a date/time (as exceljs and Excel decide: y m d h s outside quotes/brackets). */
export function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  return DATE_FMT.test(fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** `2024-03-01` for a whole day, `2024-03-01T09:30:00` otherwise (Excel dates carry no time zone). */
export function isoDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

/** Excel serial day number → Date (UTC), honouring the 1904 date system. */
export function excelSerialToDate(serial: number, date1904 = false): Date {
  const days = date1904 ? serial + 1462 : serial;
  return new Date(Math.round((days - 25569) * 86400 * 1000));
}
