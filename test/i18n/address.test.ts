import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allFlows } from '../../flows/index.js';
import type { FlowContext } from '../../src/engine/flow.js';
import type { Identity } from '../../src/domain/entities.js';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * Issue #13 item 6: one form of address per audience. Every audience is "bạn" (the reason is
 * in docs/wording.md): staff and admins also read the shared messages (menu, errors, hints),
 * which say "bạn", so "anh/chị" in their own messages would mix two forms in one chat.
 */

const vi = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'locales', 'vi.json'), 'utf8')) as Record<string, string>;
/** Other forms of address than "bạn". */
const OTHER_FORMS = /(^|[^\p{L}])(anh\s*\/\s*chị|anh chị|quý vị|đồng chí|ông\s*\/\s*bà)(?=$|[^\p{L}])/iu;

const identity = (role: Identity['role']): Identity =>
  ({ channel: 'sim', userId: 'u', personId: role === 'individual' ? 'p_1' : null, role, unitId: role === 'individual' ? null : 'u_1', lang: 'vi' }) as Identity;
const may = (flow: (typeof allFlows)[number], role: Identity['role']) => flow.available({ identity: identity(role) } as FlowContext);

/** The flows only staff and admins can run, from their own `available()`: no list to keep in step. */
const staffFlows = allFlows.filter((f) => !may(f, 'officer') && !may(f, 'individual') && (may(f, 'staff') || may(f, 'admin')));

/** Files whose messages go only to staff and admins: the staff flows, their shared helpers, staff alerts, admin-only jobs and group commands. */
const staffFiles = [
  ...staffFlows.map((f) => `flows/${f.id}.ts`),
  'flows/lib/review.ts',
  'flows/lib/staff.ts',
  'jobs/alerts.ts',
  'jobs/broadcast-texts.ts',
  'src/channels/telegram/group-admin.ts',
];

/** The message keys a file names literally, and those its flow owns by prefix (`review.`…). */
function keysOf(file: string): string[] {
  const src = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
  const literal = [...src.matchAll(/['"`]([a-z_]+\.[a-z0-9_]+)['"`]/g)].map((m) => m[1]!).filter((k) => k in vi);
  const own = /^flows\/([a-z_]+)\.ts$/.exec(file)?.[1];
  const prefixed = own ? Object.keys(vi).filter((k) => k.startsWith(`${own}.`)) : [];
  return [...new Set([...literal, ...prefixed])];
}

describe('one form of address: "bạn"', () => {
  it('the staff-only flows are found from their rules (overview, review, invite, announce …)', () => {
    expect(staffFlows.map((f) => f.id)).toEqual(expect.arrayContaining(['overview', 'missing', 'export', 'review', 'review_accept', 'review_return', 'invite', 'announce', 'bccancel', 'people', 'history']));
    expect(staffFlows.map((f) => f.id)).not.toContain('nominate');
  });

  it.each(staffFiles)('%s: every message it sends addresses staff as "bạn"', (file) => {
    const keys = keysOf(file);
    expect(keys.length, file).toBeGreaterThan(0);
    const other = keys.filter((k) => OTHER_FORMS.test(vi[k]!)).map((k) => `${k}: ${vi[k]}`);
    expect(other).toEqual([]);
  });

  it('no Vietnamese message anywhere uses another form of address', () => {
    const other = Object.entries(vi).filter(([, v]) => OTHER_FORMS.test(v)).map(([k, v]) => `${k}: ${v}`);
    expect(other).toEqual([]);
  });
});
