/** How the console shows numbers, dates, countries and tablets. */
import { formatDuration } from '../shared/duration.ts';

const numbers = new Intl.NumberFormat();
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
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
/** "22 Feb 2027": a day, e.g. when a token expires. */
export const formatDate = (iso: string) => dateOnly.format(new Date(iso));
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

/** "512 KB", "12.3 MB", "1.2 GB": storage figures a tablet reported. */
export function formatBytes(n: number): string {
  const [size, unit]: [number, string] = n >= 1e9 ? [1e9, 'GB'] : n >= 1e6 ? [1e6, 'MB'] : [1e3, 'KB'];
  return `${oneDecimal.format(n / size)} ${unit}`;
}

/** "Silent for 3 hours with 12 unsynced signatures": why a tablet is flagged, in words. */
export function silentText(silent: { forMs: number; unsynced: number }): string {
  return `Silent for ${formatDuration(silent.forMs)} with ${plural(silent.unsynced, 'unsynced signature', 'unsynced signatures')}`;
}
