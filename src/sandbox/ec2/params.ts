import { Ec2Fault } from './faults.js';

/**
 * EC2 query parameters as a tree: `Filter.1.Value.2=x` becomes `{ Filter: [{ Value: [, 'x'] }] }` with the
 * 1-based indexes folded into arrays in index order. The EC2 protocol flattens lists without `.member`, so
 * numeric segments are exactly the list positions.
 */
export type ParamTree = { [key: string]: ParamNode };
export type ParamNode = string | ParamTree | ParamNode[];

export function paramTree(params: URLSearchParams): ParamTree {
  const root: Record<string, unknown> = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node: Record<string, unknown> = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const child = node[part];
      if (typeof child !== 'object' || child === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return fold(root) as ParamTree;
}

// Objects whose keys are all positive integers are lists.
function fold(node: unknown): ParamNode {
  if (typeof node !== 'object' || node === null) return node as string;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length > 0 && entries.every(([k]) => /^[1-9]\d*$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => fold(v));
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, fold(v)]));
}

/** Typed reads of a parameter tree, with EC2's own errors for missing and malformed values. */
export class Params {
  constructor(readonly tree: ParamTree) {}

  str(name: string): string | undefined {
    const v = this.tree[name];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === '')
      throw new Ec2Fault('MissingParameter', `The request must contain the parameter ${name}`);
    return v;
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Ec2Fault(
        'InvalidParameterValue',
        `Value (${v}) for parameter ${name} is invalid. Expected an integer between ${min} and ${max}.`,
      );
    }
    return n;
  }

  bool(name: string): boolean {
    return this.str(name)?.toLowerCase() === 'true';
  }

  /** `Name.1`, `Name.2`, … as strings. */
  list(name: string): string[] {
    return listOf(this.tree[name]).filter((v): v is string => typeof v === 'string');
  }

  /** `Name.N.Field…` as parameter objects. */
  structs(name: string): Params[] {
    return listOf(this.tree[name])
      .filter((v): v is ParamTree => typeof v === 'object' && !Array.isArray(v))
      .map((t) => new Params(t));
  }

  struct(name: string): Params | undefined {
    const v = this.tree[name];
    return typeof v === 'object' && !Array.isArray(v) ? new Params(v) : undefined;
  }
}

function listOf(node: ParamNode | undefined): ParamNode[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

export interface FilterSpec {
  readonly name: string;
  readonly values: readonly string[];
}

export function filtersOf(p: Params): FilterSpec[] {
  return p.structs('Filter').map((f) => ({ name: f.str('Name') ?? '', values: f.list('Value') }));
}
