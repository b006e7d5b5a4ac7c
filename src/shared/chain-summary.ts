/**
 * The chain check's verdicts in words, for people: one line per device and one for all of
 * them, as the console, integrity.txt and the CLI show them (chain-check.ts gives the figures).
 */
import type { DeviceChainVerdict } from './chain-check.ts';
import { seqRanges, toRanges } from './seq-ranges.ts';

/** "Tablet 3 (device-abc)", or "Tablet device-abc" without a label. */
export function tabletName(device: string, label: string | null | undefined): string {
  return label?.trim() ? `${label.trim()} (${device})` : `Tablet ${device}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One device's verdict in one line. */
export function deviceSummary(v: Omit<DeviceChainVerdict, 'summary'>): string {
  const name = tabletName(v.device, v.label);
  const held = v.records === 0 ? 'no records held' : `${plural(v.records, 'record')} (seq ${v.firstSeq}–${v.lastSeq})`;
  const onTablet = [
    v.waitingOnTablet ? `${plural(v.waitingOnTablet, 'signature')} still waiting on it` : '',
    v.erasedOnTablet ? `${plural(v.erasedOnTablet, 'signature')} erased by quick delete` : '',
  ].filter(Boolean);
  const erased = onTablet.length ? ` (the tablet reports ${onTablet.join(' and ')})` : '';
  const deleted = v.deletedOnRequestCount ? `${v.deletedOnRequestCount} deleted on request (${seqRanges(v.deletedOnRequest)})` : '';
  if (v.ok) {
    const also = deleted ? `; ${deleted}` : '';
    if (v.missingCount) {
      return `${name}: ${held}, chain intact up to its last report (seq ${v.head!.seq}) apart from ${plural(v.missingCount, 'gap')} (${seqRanges(v.missing)}), which the tablet's own report accounts for: ${onTablet.join(' and ')}${also}.`;
    }
    if (!v.head) return `${name}: ${held}, chain intact; the tablet has reported no chain head, so records missing after seq ${v.lastSeq} could not be detected${also}.`;
    const after = v.afterHead ? `; ${plural(v.afterHead, 'more record')} arrived after that report` : '';
    return `${name}: ${held}, chain intact up to its last report (seq ${v.head.seq})${after}${also}.`;
  }
  const problems: string[] = [];
  const misfits = v.deletedNotFitting.length
    ? ` (${v.deletedNotFitting.length === 1 ? 'a deletion on request is recorded at' : 'deletions on request are recorded at'} ${seqRanges(toRanges(v.deletedNotFitting))}, but ${v.deletedNotFitting.length === 1 ? 'it does' : 'they do'} not fit the chain)`
    : '';
  if (v.missingCount) problems.push(`${v.missingCount} missing: ${seqRanges(v.missing)}${misfits}${erased}`);
  if (v.altered.length) {
    const list = v.altered.slice(0, 10).map((a) => `seq ${a.seq} (${a.id}${a.why === 'prev' ? ', does not follow the record before it' : ''})`);
    problems.push(`${v.altered.length} altered: ${list.join(', ')}${v.altered.length > 10 ? ', …' : ''}`);
  }
  if (v.inserted.length) {
    const list = v.inserted.slice(0, 10).map((i) => `${i.id} at seq ${i.seq}`);
    problems.push(`${v.inserted.length} inserted or duplicated: ${list.join(', ')}${v.inserted.length > 10 ? ', …' : ''}`);
  }
  if (v.headMismatch && v.head) problems.push(`its last report (seq ${v.head.seq}) does not match the record held at that seq: the chain was rewritten`);
  return `${name}: ${held}, CHAIN BROKEN: ${problems.join('; ')}.${deleted ? ` Not a problem: ${deleted}.` : ''}`;
}

/** One line about all devices: passed, or what failed where. */
export function overallSummary(devices: DeviceChainVerdict[], unchained: number): string {
  const broken = devices.filter((d) => !d.ok);
  const unchainedNote = unchained ? ` ${plural(unchained, 'record carries', 'records carry')} no chain (older tablets or their imports) and could not be checked.` : '';
  const count = (f: (d: DeviceChainVerdict) => number) => devices.reduce((n, d) => n + f(d), 0);
  const deleted = count((d) => d.deletedOnRequestCount);
  if (devices.length === 0) return `No chained records.${unchainedNote}`;
  if (broken.length === 0) return `Chain check passed: ${plural(devices.length, 'device chain')} intact${deleted ? `; ${deleted} deleted on request` : ''}.${unchainedNote}`;
  const parts = [
    [count((d) => d.missingCount), 'missing'],
    [count((d) => d.altered.length), 'altered'],
    [count((d) => d.inserted.length), 'inserted or duplicated'],
  ]
    .filter(([n]) => n)
    .map(([n, what]) => `${n} ${what}`);
  if (count((d) => (d.headMismatch ? 1 : 0))) parts.push('a reported head that does not match');
  const besides = deleted ? ` (besides ${deleted} deleted on request)` : '';
  return `Chain check FAILED on ${broken.length} of ${plural(devices.length, 'device chain')}: ${parts.join(', ')}${besides}.${unchainedNote}`;
}
