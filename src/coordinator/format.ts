/** How the console shows numbers, dates, countries and tablets. */

const numbers = new Intl.NumberFormat();
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const hourOnly = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
const dayOnly = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

export const formatNumber = (n: number) => numbers.format(n);

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export const formatTime = (date: Date) => timeOnly.format(date);
/** A short hour for chart axes: "3 PM", "15". */
export const formatHour = (date: Date) => hourOnly.format(date);
export const formatDay = (date: Date) => dayOnly.format(date);

/** "3 minutes ago", from `now`. */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return 'Never';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Number.isNaN(seconds)) return iso;
  if (Math.abs(seconds) < 45) return 'Just now';
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

/** The English name of an ISO country code; "Not given" for none. */
export function countryName(code: string | null | undefined): string {
  if (!code) return 'Not given';
  try {
    return regions.of(code) ?? code;
  } catch {
    return code;
  }
}

/** A tablet's name for people: its label, else the start of its id. */
export function deviceName(label: string | null | undefined, id: string): string {
  return label?.trim() || `Tablet ${id.slice(0, 8)}`;
}

/** "1 signature", "2 signatures". */
export function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}
