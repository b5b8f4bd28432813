/** The lines a run ends with: what was written, kept, replaced and removed, then the notes. Pure. */
import { NEW_VERSION_SUFFIX } from './manifest.js';
import type { PlannedDecision } from './write-plan.js';

export function summaryLines(
  d: Record<PlannedDecision, string[]>,
  dryRun: boolean,
  notes: readonly string[],
): string[] {
  const removed = d.remove.length ? `, ${d.remove.length} removed` : '';
  const lines = [
    `secure-emr${dryRun ? ' (dry run, nothing written)' : ''}: ${d.add.length} added, ${d.replace.length + d.force.length} replaced, ${d.unchanged.length} unchanged, ${d.keep.length + d.edited.length} kept as you edited them${removed}.`,
  ];
  if (d.merge.length) lines.push(`  merged this tool's rules into your file (a marked block): ${d.merge.join(', ')}`);
  if (d.edited.length)
    lines.push(`  kept your edits (nothing new from the generator for them): ${d.edited.join(', ')}`);
  if (d.force.length) lines.push(`  replaced despite your edits (--force): ${d.force.join(', ')}`);
  if (d.keep.length) {
    lines.push(`  kept your edits; the new version is beside each as ${NEW_VERSION_SUFFIX}: ${d.keep.join(', ')}`);
    lines.push('  (merge it and delete the copy, or rerun with --force to replace)');
  }
  if (d.remove.length)
    lines.push(`  ${dryRun ? 'would remove' : 'removed'} (no longer generated, unedited): ${d.remove.join(', ')}`);
  if (d['orphan-edited'].length) {
    lines.push(
      `  no longer generated, left in place because you edited them (delete them when you no longer need them): ${d['orphan-edited'].join(', ')}`,
    );
  }
  if (dryRun) {
    for (const kind of ['add', 'replace', 'force', 'keep'] as const) {
      for (const path of d[kind]) lines.push(`  would ${kind === 'force' ? 'replace (forced)' : kind}: ${path}`);
    }
  }
  return [...lines, ...notes];
}
