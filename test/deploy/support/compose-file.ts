/**
 * @module test/deploy/support/compose-file
 * Reads compose.yaml the way Docker Compose does before it starts anything: YAML, then variable
 * interpolation from an environment (`${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `$$` for a literal `$`, per the Compose specification), then
 * the normalised view of one service the tests need (command, environment, healthcheck, ports).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** compose.yaml, parsed but not interpolated. */
export function readComposeRaw(): Record<string, unknown> {
  return parse(readFileSync(`${ROOT}compose.yaml`, 'utf8'), { merge: true }) as Record<
    string,
    unknown
  >;
}

const REFERENCE = /\$(\$)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g;

/** Every variable name a string references. */
export function referencedVariables(text: string): string[] {
  return [...text.matchAll(REFERENCE)].flatMap((m) => (m[2] === undefined ? [] : [m[2]]));
}

/**
 * Interpolates one string as Compose does.
 * @throws {Error} with the file's own message for a `${VAR:?message}` whose variable is unset
 */
export function interpolate(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return text.replace(
    REFERENCE,
    (_, dollar: string | undefined, name: string, colon: string, op: string, arg: string) => {
      if (dollar !== undefined) return '$';
      const value = env[name];
      const missing = colon === ':' ? value === undefined || value === '' : value === undefined;
      if (op === '-') return missing ? arg : (value as string);
      if (op === '?' && missing) throw new Error(`${name}: ${arg || 'required'}`);
      return value ?? '';
    },
  );
}

/** Interpolates every string (values only, never keys) of a parsed YAML tree. */
export function interpolateTree(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v): unknown => interpolateTree(v, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateTree(v, env)]),
    ) as unknown;
  }
  return value;
}

/** One service as the tests read it, after interpolation and YAML merge keys. */
export interface ServiceView {
  readonly name: string;
  readonly image?: string;
  readonly build?: { readonly target?: string };
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** The healthcheck's command with its CMD / CMD-SHELL marker, or [] without one. */
  readonly healthcheck: readonly string[];
  readonly expose: readonly string[];
  readonly ports: readonly string[];
  readonly volumes: readonly string[];
  readonly dependsOn: Readonly<Record<string, { readonly condition?: string }>>;
}

/** The services of a compose tree (interpolated or not). */
export function services(compose: Record<string, unknown>): ServiceView[] {
  const all = compose.services as Record<string, Record<string, unknown>>;
  return Object.entries(all).map(([name, s]) => ({
    name,
    image: s.image as string | undefined,
    build: s.build as { target?: string } | undefined,
    command: (s.command as string[] | undefined) ?? [],
    environment: Object.fromEntries(
      Object.entries((s.environment as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
        k,
        String(v),
      ]),
    ),
    healthcheck: ((s.healthcheck as { test?: string[] } | undefined)?.test ?? []).map(String),
    expose: ((s.expose as unknown[] | undefined) ?? []).map(String),
    ports: ((s.ports as unknown[] | undefined) ?? []).map(String),
    volumes: ((s.volumes as unknown[] | undefined) ?? []).map(String),
    dependsOn: (s.depends_on as Record<string, { condition?: string }> | undefined) ?? {},
  }));
}

/** The services built from this repository's Dockerfile (the three processes). */
export function applicationServices(compose: Record<string, unknown>): ServiceView[] {
  return services(compose).filter((s) => s.build !== undefined);
}
