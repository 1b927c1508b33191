import type { Lang } from '../../domain/entities.js';
import { t, tDynamic } from '../../i18n.js';
import { get, optionsText, QUESTIONS, type Values } from './questions.js';

/** Where answers come from: a person at a terminal, or an `--answers` file. */
export interface AnswerSource {
  /** The raw answer to `key`; `check` says why an answer is refused (true: accepted). Throws to stop. */
  answer(key: string, message: string, fallback: string | undefined, check: (raw: string) => string | true): Promise<string>;
  /** The plan's words for the value of `key` ('' when none). */
  quote(key: string, message: string): Promise<string>;
}

/** Thrown by an answer source that cannot go on (an answer missing from the file, the terminal closed). */
export class WizardStopped extends Error {
  override name = 'WizardStopped';
}

export interface Collected {
  values: Values;
  /** The plan's words pasted for a value, by answer key. */
  quotes: Record<string, string>;
}

/**
 * Walks the question table (questions.ts) in order, asking each question (once per item
 * for repeated ones) until its answer parses; `extra` adds a check of the whole answer
 * (e.g. "that id already has a file").
 */
export async function collect(lang: Lang, source: AnswerSource, extra: (key: string, value: unknown) => string | null = () => null): Promise<Collected> {
  const values: Values = {};
  const quotes: Record<string, string> = {};
  const name = (kind: 'level' | 'kind' | 'review', id: string) => tDynamic(lang, kind === 'review' ? `check.review_${id}` : `${kind}.${id}`);
  for (const q of QUESTIONS) {
    const list = q.each ? q.each(values) : [{ key: '', params: {} }];
    for (const item of list) {
      const key = q.each ? `${q.id}.${item.key}` : q.id;
      const options = optionsText(q, values, name);
      const message = t(lang, q.ask, item.params) + (options ? `\n${t(lang, 'wizard.options', { options })}` : '');
      const check = (raw: string): string | true => {
        const r = q.parse(raw, values, item);
        if (!r.ok) return t(lang, r.error, r.params);
        return extra(key, r.value) ?? true;
      };
      const raw = await source.answer(key, message, q.default?.(values, item), check);
      const parsed = q.parse(raw, values, item);
      if (!parsed.ok) throw new WizardStopped(t(lang, parsed.error, parsed.params));
      values[key] = parsed.value;
      if (q.quotable) {
        const wantsQuotes = get<string[] | undefined>(values, 'quotes')?.[0] === 'yes';
        const words = wantsQuotes || source instanceof FileAnswers ? (await source.quote(key, t(lang, 'wizard.quote_prompt'))).trim() : '';
        if (words.length >= 3) quotes[key] = words;
      }
    }
  }
  return { values, quotes };
}

/**
 * Answers from a JSON file `{ "<key>": "<answer as typed>" }` (arrays are joined with
 * "; ", numbers written out; `"<key>#quote"` holds the plan's words). A missing answer
 * takes the question's suggestion; every refused or missing answer is collected in
 * `problems`, and the walk stops only when it cannot go on.
 */
export class FileAnswers implements AnswerSource {
  readonly problems: string[] = [];
  constructor(
    private readonly answers: Record<string, unknown>,
    private readonly lang: Lang,
  ) {}

  private raw(key: string): string | undefined {
    const v = this.answers[key];
    if (v === undefined || v === null) return undefined;
    return Array.isArray(v) ? v.map(String).join('; ') : String(v);
  }

  async answer(key: string, message: string, fallback: string | undefined, check: (raw: string) => string | true): Promise<string> {
    const question = message.split('\n')[0]!;
    const given = this.raw(key);
    if (given === undefined) {
      if (fallback !== undefined && check(fallback) === true) return fallback;
      this.problems.push(t(this.lang, 'wizard.answer_missing', { key, question }));
      throw new WizardStopped(this.problems.at(-1));
    }
    const verdict = check(given);
    if (verdict === true) return given;
    this.problems.push(t(this.lang, 'wizard.answer_problem', { key, question, error: verdict }));
    // Go on with the suggestion, so that one run lists every answer to fix.
    if (fallback !== undefined && check(fallback) === true) return fallback;
    throw new WizardStopped(this.problems.at(-1));
  }

  async quote(key: string): Promise<string> {
    return this.raw(`${key}#quote`) ?? '';
  }
}

/** A person at a terminal, through @inquirer/prompts (each refused answer is asked again, with the reason). */
export async function terminalAnswers(): Promise<AnswerSource> {
  const { input } = await import('@inquirer/prompts');
  const stopped = (err: unknown): never => {
    // Ctrl+C or the input closed: nothing is written.
    if (err instanceof Error && /ExitPromptError|AbortPromptError/.test(err.name)) throw new WizardStopped(err.message);
    throw err;
  };
  return {
    // A refused answer is cleared: the reason stays on screen and the next line is a fresh answer.
    answer: (_key, message, fallback, check) =>
      input({ message, ...(fallback !== undefined && { default: fallback }), validate: check, theme: { validationFailureMode: 'clear' } }).catch(stopped),
    quote: (_key, message) => input({ message }).catch(stopped),
  };
}
