/**
 * `npm run cli -- campaign …`: campaigns from files and back.
 *
 *   campaign import FILE          create the campaign, or publish its next version if the text changed
 *   campaign export ID [--version N] [--out FILE]   write a published version (default: the latest) as a file
 *   campaign list                 the campaigns, their status, versions and totals
 *
 * A bad file is refused with a message naming the field, and nothing changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { importCampaign, summaryOf } from './campaigns.ts';
import type { Actor } from './devices.ts';
import type { Store } from './store/store.ts';

export async function campaignCommand(store: Store, args: string[], options: { out?: string; version?: string }, actor: Actor): Promise<number> {
  const [sub, target] = args;
  if (sub === 'import') {
    if (!target) throw new Error('campaign import needs the path of a campaign file (JSON).');
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(target, 'utf8'));
    } catch (error) {
      throw new Error(`Cannot read the campaign file ${target}: ${(error as Error).message}`);
    }
    let outcome;
    try {
      outcome = await importCampaign(store, document, actor);
    } catch (error) {
      throw new Error(`The campaign file ${target} was not imported, and nothing changed: ${(error as Error).message}`);
    }
    const id = (document as { id: string }).id;
    const said = {
      created: `Campaign "${id}" created and open, with version ${outcome.version}.`,
      published: `Campaign "${id}": the text changed, published as version ${outcome.version}. Tablets show it from their next contact; earlier signers stay under the version they signed.`,
      'text-recorded': `Campaign "${id}": recorded the text of version ${outcome.version}, which its signatures named but this server had not kept.`,
      unchanged: `Campaign "${id}": the same text as version ${outcome.version}; nothing changed.`,
    }[outcome.kind];
    console.log(said);
    return 0;
  }
  if (sub === 'export') {
    if (!target) throw new Error('campaign export needs the campaign id (see "npm run cli -- campaign list").');
    const versions = await store.campaignVersions(target);
    if (versions.length === 0) throw new Error(`There is no published campaign "${target}".`);
    const wanted = options.version === undefined ? versions.at(-1)! : versions.find((v) => v.version === Number(options.version));
    if (!wanted) throw new Error(`Campaign "${target}" has no version ${options.version} (it has ${versions.map((v) => v.version).join(', ')}).`);
    if (!wanted.content) throw new Error(`The text of version ${wanted.version} of "${target}" was not recorded: there is nothing to write.`);
    const text = `${JSON.stringify(wanted.content, null, 2)}\n`;
    if (options.out) {
      writeFileSync(options.out, text, { flag: 'wx' });
      console.error(`Wrote version ${wanted.version} of "${target}" (content hash ${wanted.hash}) to ${options.out}.`);
    } else {
      process.stdout.write(text);
    }
    return 0;
  }
  if (sub === 'list') {
    const campaigns = await store.listCampaigns();
    if (campaigns.length === 0) console.log('No campaigns.');
    for (const campaign of campaigns) {
      const s = await summaryOf(store, campaign);
      const latest = s.latestVersion ? `version ${s.latestVersion.version} (${s.latestVersion.hash ?? 'text not recorded'})` : 'not published';
      const goal = s.goal ? ` of ${s.goal.toLocaleString('en')}` : '';
      console.log(`${s.id}  ${s.status}  ${latest}  ${s.total.toLocaleString('en')}${goal} signatures  "${s.title}"${s.hasDraft ? '  (draft waiting)' : ''}`);
    }
    return 0;
  }
  throw new Error('Use: campaign import FILE | campaign export ID [--version N] [--out FILE] | campaign list');
}
