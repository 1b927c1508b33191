/**
 * A simulated commune officer doing a whole journey the way a person does it: it reads each
 * reply (what it was asked, which buttons it has) and answers that, with a pause to think.
 * No fixed script: a question it does not expect, a missing button or a journey that ends in
 * the wrong state throws a JourneyError.
 */
import type { MsgKey } from '../../src/i18n.js';
import { recognise, say } from './prompts.js';

/** The bot's answer to one message: its texts and button labels, and how long it took. */
export interface Turn {
  texts: string[];
  buttons: string[];
  /** Webhook POST → the last message of the answer at the fake platform, ms. */
  ms: number;
}

/** One person's side of a chat on some platform. */
export interface Chat {
  say(text: string): Promise<Turn>;
  /** Presses the button labelled `label` among those of the last answer. */
  press(label: string): Promise<Turn>;
  upload(bytes: Buffer, name: string): Promise<Turn>;
}

export class JourneyError extends Error {}

export interface OfficerPlan {
  /** The invite code from staff (store.invites.create, as `/moi` and `invite:create` do). */
  code: string;
  unitName: string;
  nominee: string;
  /** A dossier file (PDF bytes) for the first part. */
  file: Buffer;
  think: () => Promise<void>;
  /** Called once the officer has joined (the admin's announcement waits for everyone). */
  onJoined?: () => void;
}

export interface JourneyResult {
  turns: Turn[];
  /** The dossier's number as the bot said it. */
  dossier: number;
}

const GOALS = ['join', 'register', 'report', 'nominate', 'status'] as const;
type Goal = (typeof GOALS)[number];
const FLOW_TITLE: Record<Exclude<Goal, 'join'>, MsgKey> = { register: 'register.title', report: 'report.title', nominate: 'nominate.title', status: 'status.title' };

/** What the officer may be asked, most specific first (a step's feedback and the next prompt share a message). */
const KEYS = [
  'onboarding.joined_officer',
  'register.done',
  'register.updated',
  'report.done',
  'report.done_late',
  'nominate.submitted',
  'nominate.submitted_incomplete',
  'status.header',
  'onboarding.who',
  'onboarding.code_prompt',
  'common.year_prompt',
  'register.areas_prompt',
  'register.commitments_prompt',
  'register.confirm',
  'report.ask',
  'report.narrative_prompt',
  'report.confirm',
  'nominate.pick_prompt',
  'nominate.nominee_prompt',
  'nominate.person_name_prompt',
  'nominate.position_prompt',
  'nominate.person_unit_prompt',
  'nominate.award_prompt',
  'nominate.summary_prompt',
  'nominate.part_prompt_required',
  'nominate.part_prompt_optional',
  'nominate.confirm',
  'menu.title',
] as const satisfies readonly MsgKey[];
type Key = (typeof KEYS)[number];

const MAX_TURNS = 80;
const NAV = new Set([say('page.next'), 'Trang trước', say('confirm.cancel'), 'Quay lại', 'Menu']);

export async function officerJourney(chat: Chat, plan: OfficerPlan, start: string): Promise<JourneyResult> {
  const turns: Turn[] = [];
  let goal: Goal = 'join';
  let ticked = false;
  let uploaded = false;
  let dossier = 0;
  let turn = await chat.say(start);
  turns.push(turn);
  // The menu, when the answer does not show it already, then the goal's flow.
  const openFlow = (g: Exclude<Goal, 'join'>, shown: Turn): Promise<Turn> => {
    const title = say(FLOW_TITLE[g]);
    if (shown.buttons.some((b) => b.includes(title))) return chat.press(title);
    // Zalo shows a few buttons a page at a time.
    if (shown.buttons.some((b) => b.includes(say('page.next')))) return chat.press(say('page.next'));
    return chat.say('menu');
  };
  const next = (g: Exclude<Goal, 'join'>) => {
    goal = g;
    const shown = turn;
    return openFlow(g, shown);
  };
  while (turns.length < MAX_TURNS) {
    const key: Key | undefined = recognise(turn.texts, KEYS);
    const has = (label: string) => turn.buttons.some((b) => b === label || b.endsWith(` ${label}`) || b.includes(label));
    let act: () => Promise<Turn>;
    switch (key) {
      case 'onboarding.who':
        act = () => chat.press(say('onboarding.who_code'));
        break;
      case 'onboarding.code_prompt':
        act = () => chat.say(plan.code);
        break;
      case 'onboarding.joined_officer':
        expect(goal === 'join' && turn.texts.join('\n').includes(plan.unitName), 'joined the wrong unit', turn);
        plan.onJoined?.();
        act = () => next('register');
        break;
      case 'menu.title': {
        if (goal === 'join') throw new JourneyError(`menu before joining: ${preview(turn)}`);
        const [g, shown] = [goal, turn];
        act = () => openFlow(g, shown);
        break;
      }
      case 'common.year_prompt': {
        const year = turn.buttons.find((b) => /\d{4}$/.test(b));
        if (!year) throw new JourneyError(`no year button: ${preview(turn)}`);
        act = () => chat.press(year);
        break;
      }
      case 'register.areas_prompt':
        if (!ticked) {
          ticked = true;
          act = () => chat.say('tất cả');
        } else act = () => chat.press(has(say('multi.done')) ? say('multi.done') : say('page.next'));
        break;
      case 'register.commitments_prompt':
        act = () => chat.say('100% hộ gia đình có người dùng ứng dụng VNeID');
        break;
      case 'register.confirm':
      case 'report.confirm':
        act = () => chat.press(say('confirm.ok'));
        break;
      case 'register.done':
      case 'register.updated':
        act = () => next('report');
        break;
      case 'report.ask':
        act = () => chat.say(String(80 + Math.floor(Math.random() * 21)));
        break;
      case 'report.narrative_prompt':
        act = () => chat.say('Đã số hóa toàn bộ hồ sơ hành chính của xóm');
        break;
      case 'report.done':
      case 'report.done_late':
        act = () => next('nominate');
        break;
      case 'nominate.pick_prompt':
        act = () => chat.press(say('nominate.pick_new'));
        break;
      case 'nominate.nominee_prompt':
        act = () => chat.press(say('nominate.nominee_individual'));
        break;
      case 'nominate.person_name_prompt':
        act = () => chat.say(plan.nominee);
        break;
      case 'nominate.position_prompt':
        act = () => chat.say('Trưởng xóm');
        break;
      case 'nominate.person_unit_prompt':
        act = () => chat.say(plan.unitName);
        break;
      case 'nominate.award_prompt': {
        const award = turn.buttons.find((b) => !NAV.has(b));
        if (!award) throw new JourneyError(`no award button: ${preview(turn)}`);
        act = () => chat.press(award);
        break;
      }
      case 'nominate.summary_prompt':
        act = () => chat.say('Vận động 100% hộ dân cài ứng dụng VNeID và thanh toán không dùng tiền mặt');
        break;
      case 'nominate.part_prompt_required':
      case 'nominate.part_prompt_optional':
        if (!uploaded) {
          uploaded = true;
          act = () => chat.upload(plan.file, 'to-trinh.pdf');
        } else act = () => chat.press(say('file.later'));
        break;
      case 'nominate.confirm':
        act = () => chat.press(say('nominate.action_submit'));
        break;
      case 'nominate.submitted':
      case 'nominate.submitted_incomplete': {
        const m = /hồ sơ số (\d+)/.exec(turn.texts.join('\n'));
        expect(!!m && turn.texts.join('\n').includes(plan.nominee), 'the dossier sent is not the one nominated', turn);
        dossier = Number(m![1]);
        act = () => next('status');
        break;
      }
      case 'status.header': {
        const all = turn.texts.join('\n');
        expect(all.includes('• Đăng ký thi đua: đã đăng ký'), '/tinhtrang: not registered', turn);
        expect(all.includes('• Báo cáo chỉ tiêu: đã nộp'), '/tinhtrang: no report', turn);
        expect(all.includes(`Hồ sơ số ${dossier} (${plan.nominee})`), `/tinhtrang: dossier ${dossier} missing`, turn);
        return { turns, dossier };
      }
      default:
        throw new JourneyError(`unexpected reply while ${goal === 'join' ? 'joining' : `doing ${goal}`}: ${preview(turn)}`);
    }
    await plan.think();
    turn = await act();
    turns.push(turn);
  }
  throw new JourneyError(`not done after ${MAX_TURNS} messages (${goal})`);
}

function expect(ok: boolean, what: string, turn: Turn): void {
  if (!ok) throw new JourneyError(`${what}: ${preview(turn)}`);
}

const preview = (turn: Turn) => JSON.stringify({ texts: turn.texts.map((t) => t.slice(0, 160)), buttons: turn.buttons.slice(0, 8) });

const ANNOUNCE_KEYS = ['announce.started', 'announce.text_prompt', 'announce.attach_prompt', 'announce.audience_prompt', 'announce.confirm'] as const satisfies readonly MsgKey[];

/** An admin's `/thongbao` to everyone, answered from the replies like the officers'; resolves with the count the bot announced. */
export async function adminAnnouncement(chat: Chat, text: string): Promise<number> {
  let turn = await chat.say('/thongbao');
  for (let i = 0; i < 10; i++) {
    const key = recognise(turn.texts, ANNOUNCE_KEYS);
    if (key === 'announce.started') return Number(/tới (\d+) người/.exec(turn.texts.join('\n'))?.[1] ?? NaN);
    if (key === 'announce.text_prompt') turn = await chat.say(text);
    else if (key === 'announce.attach_prompt') turn = await chat.press(say('announce.attach_no'));
    else if (key === 'announce.audience_prompt') turn = await chat.press(say('announce.audience_all'));
    else if (key === 'announce.confirm') turn = await chat.press(say('announce.action_send'));
    else throw new JourneyError(`admin: unexpected reply: ${preview(turn)}`);
  }
  throw new JourneyError('admin: the announcement did not start');
}
