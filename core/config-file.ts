/**
 * @module core/config-file
 * Loads a YAML config file: `${VAR}` and `${VAR:-default}` are expanded from the environment in
 * string values (after parsing, so a secret can never inject YAML), then the result is checked
 * against a zod schema. Every problem is reported at once as `key.path: reason`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';

/** A config that cannot be used; `problems` lists each as "key.path: reason". */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(`invalid config ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands `${VAR}` references in every string of `value`, collecting unset variables. */
export function expandVariables(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: string[],
  path = '',
): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_, name: string, fallback: string | undefined) => {
      const set = env[name];
      if (set !== undefined && set !== '') return set;
      if (fallback !== undefined) return fallback;
      problems.push(
        `${path || '(root)'}: environment variable ${name} is not set; export it or add it to .env`,
      );
      return '';
    });
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => expandVariables(v, env, problems, `${path}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        expandVariables(v, env, problems, path ? `${path}.${k}` : k),
      ]),
    );
  }
  return value;
}

/** Formats zod issues as "key.path: reason". */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(root)';
    return `${path}: ${issue.message}`;
  });
}

/**
 * Validates an already parsed config object.
 * @throws {ConfigError} listing every problem
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const problems: string[] = [];
  const expanded = expandVariables(raw ?? {}, env, problems);
  const result = schema.safeParse(expanded);
  if (!result.success) problems.push(...describeIssues(result.error));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data as z.output<S>;
}

/**
 * Reads and validates a YAML config. A missing file at the default path yields the schema's
 * defaults; a missing file the user named explicitly is an error.
 * @throws {ConfigError} when the file is unreadable, not YAML, or fails the schema
 */
export function loadConfigFile<S extends z.ZodType>(
  schema: S,
  path: string,
  options: { required: boolean; env?: NodeJS.ProcessEnv },
): z.output<S> {
  if (!existsSync(path)) {
    if (options.required) throw new ConfigError(path, ['file not found; check --config']);
    return parseConfig(schema, {}, `${path} (defaults)`, options.env);
  }
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(path, [`not valid YAML: ${(e as Error).message}`]);
  }
  return parseConfig(schema, raw, path, options.env);
}

/** Loads `.env` from the working directory into process.env when present (secrets live there). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
