/**
 * Review chains: which people hold each review step of a report (部门负责人 → 办公室/宣传干事 → 校领导).
 * Resolved once, before the report's workflow starts, from the configuration's rules.
 */
import type { CategoryLabel, Urgency } from './report.js';
import { type ErrorCode } from './errors.js';

export interface Person {
  name: string;
  email: string;
}

export type ReviewStepKind = 'department_head' | 'office' | 'leadership';

export const REVIEW_STEP_LABELS: Record<ReviewStepKind, { zh: string; en: string }> = {
  department_head: { zh: '部门负责人审核', en: 'Department head review' },
  office: { zh: '办公室审核', en: 'Office review' },
  leadership: { zh: '校领导审核', en: 'Leadership review' },
};

/** One step of a report's review: any one of `holders` may decide it. */
export interface ReviewStep {
  kind: ReviewStepKind;
  holders: Person[];
}

export interface ChainRule {
  name?: string | undefined;
  when?: { urgency?: readonly Urgency[] | undefined; category?: readonly string[] | undefined } | undefined;
  steps: readonly ReviewStepKind[];
}

export interface ReviewPeople {
  departmentHead: Person;
  office: readonly Person[];
  leadership: readonly Person[];
}

export interface ChainRequest {
  category: CategoryLabel;
  urgency: Urgency;
  submitter: Person;
  rules: readonly ChainRule[];
  people: ReviewPeople;
  /** Skip the department-head step when the head submitted the report (default true). */
  skipHeadWhenSubmitter?: boolean;
}

export class ReviewChainError extends Error {
  readonly code = 'EREVIEW_CHAIN' satisfies ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = 'ReviewChainError';
  }
}

const same = (a: Person, b: Person) => a.email.toLowerCase() === b.email.toLowerCase();

/** The first rule whose conditions all hold. */
export function matchChainRule(rules: readonly ChainRule[], category: string, urgency: Urgency): ChainRule {
  const rule = rules.find(
    (r) => (!r.when?.urgency || r.when.urgency.includes(urgency)) && (!r.when?.category || r.when.category.includes(category)),
  );
  if (!rule) throw new ReviewChainError(`No review chain matches category ${category} and urgency ${urgency}: add a last chain without \`when\``);
  return rule;
}

/** The report's review steps with their holders, in order. */
export function resolveReviewChain(req: ChainRequest): ReviewStep[] {
  const rule = matchChainRule(req.rules, req.category, req.urgency);
  const skipHead = req.skipHeadWhenSubmitter ?? true;
  const steps: ReviewStep[] = [];
  for (const kind of rule.steps) {
    const holders =
      kind === 'department_head' ? [req.people.departmentHead] : kind === 'office' ? [...req.people.office] : [...req.people.leadership];
    if (kind === 'department_head' && skipHead && same(req.people.departmentHead, req.submitter)) continue;
    if (holders.length === 0) throw new ReviewChainError(`Review step ${kind} has nobody to hold it`);
    // Nobody reviews their own report when someone else can (an office reviewer who submits one).
    const others = holders.filter((p) => !same(p, req.submitter));
    steps.push({ kind, holders: (others.length > 0 ? others : holders).map((p) => ({ name: p.name, email: p.email.toLowerCase() })) });
  }
  if (steps.length === 0) {
    // A chain of only the head's own step: the office still reviews what the head submits.
    steps.push({ kind: 'office', holders: req.people.office.map((p) => ({ name: p.name, email: p.email.toLowerCase() })) });
  }
  return steps;
}

/**
 * Who is told when a step passes its deadline: the level above it (department head → office →
 * leadership). Leaders have nobody above them; the office, which keeps the schedule, chases them.
 */
export function escalationTargets(kind: ReviewStepKind, people: Pick<ReviewPeople, 'office' | 'leadership'>): Person[] {
  return kind === 'office' ? [...people.leadership] : [...people.office];
}
