import { seg } from './codec.js';

/** The key layout (docs/store.md). Every key starts with `${prefix}:`. */
export function keyspace(prefix: string) {
  const p = prefix;
  return {
    prefix: p,
    seq: `${p}:seq`,
    audit: `${p}:audit`,
    auditOf: (entityId: string) => `${p}:audit:e:${seg(entityId)}`,

    unit: (id: string) => `${p}:unit:${id}`,
    units: `${p}:units`,
    unitCodes: `${p}:units:code`,
    unitRoots: `${p}:units:roots`,
    unitChildren: (id: string) => `${p}:unit:${id}:children`,
    unitParents: `${p}:units:parents`,
    /** Units merged into this one (their subtrees count as below it: docs/store.md, Merged units). */
    unitMergedFrom: (id: string) => `${p}:unit:${id}:merged-from`,
    unitNames: `${p}:units:names`,
    unitWords: `${p}:units:words`,
    /** Ids of the units tagged with a campaign office id (the unit list's `offices` column). */
    unitsOfOffice: (officeId: string) => `${p}:units:office:${seg(officeId)}`,

    person: (id: string) => `${p}:person:${id}`,
    peopleOfUnit: (unitId: string) => `${p}:people:unit:${unitId}`,

    identity: (channel: string, userId: string) => `${p}:identity:${channel}:${seg(userId)}`,
    identities: `${p}:identities`,
    identitiesOfUnit: (unitId: string) => `${p}:identities:unit:${unitId}`,
    identitiesOfRole: (role: string) => `${p}:identities:role:${role}`,
    identityLastInbound: `${p}:identities:lastin`,
    /** Admins made by the ADMINS setting (demoted when it no longer lists them). */
    configAdmins: `${p}:identities:config-admins`,

    registration: (id: string) => `${p}:reg:${id}`,
    registrations: (campaignId: string, year: number) => `${p}:regs:${seg(campaignId)}:${year}`,

    report: (id: string) => `${p}:report:${id}`,
    reports: (campaignId: string, year: number) => `${p}:reports:${seg(campaignId)}:${year}`,

    nomination: (id: string) => `${p}:nom:${id}`,
    nominations: (campaignId: string, year: number) => `${p}:noms:${seg(campaignId)}:${year}`,
    nominationsOfUnit: (campaignId: string, year: number, unitId: string) =>
      `${p}:noms:${seg(campaignId)}:${year}:unit:${unitId}`,

    invite: (codeHash: string) => `${p}:invite:${codeHash}`,
    invites: `${p}:invites`,
    /** A check value of INVITE_SECRET: every process must hash codes with the same secret. */
    invitesKeyCheck: `${p}:invites:key`,
    /** rate-limiter-flexible key prefix of the failed-redemption counters (`…:user:<channel:id>`, `…:all`). */
    invitesFailed: `${p}:invites:failed`,

    /** Telegram staff group chats linked to an office (JSON GroupLink), and the set of their chat ids. */
    groupLink: (chatId: string) => `${p}:tg:group:${chatId}`,
    groupLinks: `${p}:tg:groups`,
  };
}
export type Keyspace = ReturnType<typeof keyspace>;
