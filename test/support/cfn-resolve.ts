/**
 * A small resolver of CloudFormation intrinsics for policy documents taken out of templates, so the IAM
 * simulator (which takes plain strings only) can evaluate them: Fn::Sub (string and [string, vars]), Ref
 * (pseudo parameters and given refs), Fn::GetAtt (given attributes), Fn::Join. Anything else throws, so a test
 * never evaluates an unresolved value.
 */
export interface ResolveEnv {
  accountId: string;
  region: string;
  partition?: string;
  refs?: Record<string, string>;
  /** `LogicalId.Attribute` -> value. */
  attrs?: Record<string, string>;
}

export function resolveIntrinsics<T = unknown>(value: unknown, env: ResolveEnv): T {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': env.accountId,
    'AWS::Region': env.region,
    'AWS::Partition': env.partition ?? 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const refs = env.refs ?? {};
  const attrs = env.attrs ?? {};
  const ref = (name: string): string => {
    const v = pseudo[name] ?? refs[name];
    if (v === undefined) throw new Error(`unresolved Ref ${name}`);
    return v;
  };
  const attr = (name: string): string => {
    const v = attrs[name];
    if (v === undefined) throw new Error(`unresolved Fn::GetAtt ${name}`);
    return v;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, unknown>);
    const [first] = entries;
    if (entries.length === 1 && first) {
      const [k, arg] = first;
      if (k === 'Ref') return ref(String(arg));
      if (k === 'Fn::GetAtt') return attr(Array.isArray(arg) ? arg.join('.') : String(arg));
      if (k === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]];
        return (walk(parts) as string[]).join(sep);
      }
      if (k === 'Fn::Sub') {
        const [template, vars = {}] = (Array.isArray(arg) ? arg : [arg]) as [string, Record<string, unknown>?];
        const local = walk(vars) as Record<string, string>;
        return template.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (name in local) return local[name] as string;
          return name.includes('.') ? attr(name) : ref(name);
        });
      }
      if (k.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${k}`);
    }
    return Object.fromEntries(entries.map(([kk, vv]) => [kk, walk(vv)]));
  };
  return walk(value) as T;
}
