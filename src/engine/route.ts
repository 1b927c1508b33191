import type { Data, Flow, FlowContext } from './flow.js';
import { readAnswer, type Step } from './steps/index.js';

/** Where a conversation goes next within a flow: which steps apply, in order, given the answers. */

const applies = (ctx: FlowContext, data: Data) => (s: Step) => !s.when || s.when(ctx, data);

/** The step after `afterId` (or the first) whose condition holds. */
export function nextStep(ctx: FlowContext, flow: Flow, data: Data, afterId: string | null): Step | undefined {
  const steps = flow.steps(ctx, data);
  const start = afterId === null ? 0 : steps.findIndex((s) => s.id === afterId) + 1;
  return steps.slice(start).find(applies(ctx, data));
}

export function stepById(ctx: FlowContext, flow: Flow, data: Data, id: string | null): Step | undefined {
  return flow.steps(ctx, data).find((s) => s.id === id);
}

/** The step `id` if its condition holds now. */
export function applicableStep(ctx: FlowContext, flow: Flow, data: Data, id: string): Step | undefined {
  return flow.steps(ctx, data).find((s) => s.id === id && applies(ctx, data)(s));
}

/** The first step between `afterId` and `untilId` whose condition holds and that has no answer yet. */
export function unanswered(ctx: FlowContext, flow: Flow, data: Data, afterId: string, untilId: string): Step | undefined {
  const steps = flow.steps(ctx, data);
  const from = steps.findIndex((s) => s.id === afterId) + 1;
  const to = steps.findIndex((s) => s.id === untilId);
  return steps.slice(from, to < 0 ? undefined : to).find((s) => applies(ctx, data)(s) && readAnswer(data, s) === undefined);
}

/** Summary lines of the answered steps before `untilId`, each tied to its step for "sửa N". */
export function summary(ctx: FlowContext, flow: Flow, data: Data, untilId: string): { line: string; stepId: string }[] {
  const out: { line: string; stepId: string }[] = [];
  for (const s of flow.steps(ctx, data)) {
    if (s.id === untilId) break;
    if (!applies(ctx, data)(s)) continue;
    const line = s.summary?.(ctx, data);
    if (line) out.push({ line, stepId: s.id });
  }
  return out;
}
