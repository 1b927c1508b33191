import { describe, expect, it } from 'vitest';
import { FLOW_IDS, flowLink } from '../../../flows/links.js';
import { isOurPayload } from '../../../src/channels/zalo/events.js';

/**
 * On Zalo a pressed button comes back as text; only what `isOurPayload` recognises is treated
 * as a button. Every button the bot builds must be recognised, or a reminder's "Hoàn thiện hồ
 * sơ số 12" or a staff alert's "Chấp nhận" arrives as words typed into the current question.
 */
describe('Zalo recognises every button payload the bot builds', () => {
  it.each(FLOW_IDS)('%s: its menu link and its deep link with a target', (id) => {
    expect(isOurPayload(flowLink(id))).toBe(true);
    for (const arg of ['n_12', 'n_123456789', 'bc_42', '2025']) expect(isOurPayload(flowLink(id, arg))).toBe(true);
  });

  it('the switch question asked when a notice button is pressed mid-flow', () => {
    for (const p of ['cmd|switch|ok', 'cmd|switch|no']) expect(isOurPayload(p)).toBe(true);
  });

  it('typed text that merely looks close is still text', () => {
    for (const t of ['go|nominate|n 12', 'go|', 'hồ sơ 12', 'go|nominate|n_12|x']) expect(isOurPayload(t)).toBe(false);
  });
});
