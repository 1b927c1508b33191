import type { Data } from '../context.js';
import { choice, type ChoiceStep } from './choice.js';
import { confirm, type ConfirmStep } from './confirm.js';
import { file, type FileStep } from './file.js';
import { multi, type MultiStep } from './multi.js';
import { percent, type PercentStep } from './percent.js';
import { text, type TextStep } from './text.js';
import type { StepKind } from './types.js';

/** Every step a flow can declare, over the flow's answers so far `D`. A new kind adds its step type here… */
export type Step<D = Data> = ChoiceStep<D> | MultiStep<D> | TextStep<D> | PercentStep<D> | FileStep<D> | ConfirmStep<D>;

/** …and its behaviour here (the mapped type makes a missing one a compile error). */
const kinds: { [K in Step['kind']]: StepKind<Extract<Step, { kind: K }>> } = { choice, multi, text, percent, file, confirm };

/** The behaviour of `step`'s kind. */
export const kindOf = (step: Step): StepKind<Step> => kinds[step.kind] as StepKind<Step>;

export { readAnswer, writeAnswer, type Dyn, type FieldRef, type StepEnv, type StepInput, type StepKind, type Outcome } from './types.js';
