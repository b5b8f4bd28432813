/**
 * Typed CloudFormation and IAM values, in the spirit of CDK's L1 types: the model builds templates and policy
 * documents as these values, the EJS templates only place them (as JSON), and tests read them back.
 * Conditional resources are plain TypeScript (`when(cond, {...})` spreads), never comma juggling in JSON.
 */

export type Intrinsic =
  | { Ref: string }
  | { 'Fn::Sub': string }
  | { 'Fn::GetAtt': [string, string] }
  | { 'Fn::Select': [number, unknown] }
  | { 'Fn::GetAZs': string }
  | { 'Fn::Equals': [unknown, unknown] };

/** A literal or a value CloudFormation resolves at deploy time. */
export type Value<T = string> = T | Intrinsic;

export const ref = (logicalId: string): Intrinsic => ({ Ref: logicalId });
export const sub = (text: string): Intrinsic => ({ 'Fn::Sub': text });
export const getAtt = (logicalId: string, attribute: string): Intrinsic => ({ 'Fn::GetAtt': [logicalId, attribute] });
/** The first availability zone of the stack's region. */
export const firstAz = (): Intrinsic => ({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] });

/** `arn:<partition>:<service>:<region>:<account>:<rest>` with the partition (and more) resolved by CloudFormation. */
export const arn = (rest: string): Intrinsic => sub(`arn:\${AWS::Partition}:${rest}`);
export const s3BucketArn = (bucket: string, suffix = ''): Intrinsic => arn(`s3:::${bucket}${suffix}`);
export const roleArn = (name: string): Intrinsic => arn(`iam::\${AWS::AccountId}:role/${name}`);
export const accountRootArn = (): Intrinsic => arn('iam::${AWS::AccountId}:root');
export const awsManagedPolicyArn = (path: string): Intrinsic => arn(`iam::aws:policy/${path}`);

export interface Tag {
  Key: string;
  Value: string;
}

export type Condition = Record<string, Record<string, Value | Value[]>>;

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { AWS?: Value | Value[]; Service?: Value | Value[] };
  Action: string | string[];
  Resource?: Value | Value[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

export const policy = (...statements: Statement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

export interface Resource {
  Type: string;
  /** The name of a template condition (`Conditions`) the resource exists under. */
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: 'Retain' | 'Delete' | 'Snapshot';
  UpdateReplacePolicy?: 'Retain' | 'Delete' | 'Snapshot';
  Properties: Record<string, unknown>;
}

export interface Parameter {
  Type: string;
  Default?: string;
  AllowedValues?: string[];
  AllowedPattern?: string;
  Description?: string;
}

export interface Output {
  Value: Value;
  Export?: { Name: Value };
}

export interface Template {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters?: Record<string, Parameter>;
  Conditions?: Record<string, Intrinsic>;
  Resources: Record<string, Resource>;
  Outputs: Record<string, Output>;
}

/** `{...when(cond, {Id: resource})}`: a conditional group of resources (or outputs, or properties). */
export function when<T extends object>(condition: boolean, value: T): T | Record<string, never> {
  return condition ? value : {};
}

/** An output exported as `<stack name>-<exportName>` (default: the output's own name). */
export const exported = (value: Value, exportName: string): Output => ({
  Value: value,
  Export: { Name: sub(`\${AWS::StackName}-${exportName}`) },
});

/** Outputs named after the logical ids they expose, each exported under its own name. */
export function exportedOutputs(outputs: Record<string, Value>): Record<string, Output> {
  return Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, exported(value, name)]));
}
