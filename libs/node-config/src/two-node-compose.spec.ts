import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadNodeConfig } from './node-config.js';
import { SETTINGS, type NodeProcess, type Setting } from './settings.js';

/*
 * No Docker engine runs where the tests run: deploy/two-node/compose.yml is checked here instead,
 * against the settings schema, the CLI's commands and the build layout the Dockerfile uses.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy/two-node');
const all = SETTINGS as readonly Setting[];
const known = new Set(all.map((setting) => setting.variable));

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(DEPLOY, 'compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = Object.entries(compose.services);
/** Services of the repository's image (built from its Dockerfile). */
const ours = services.filter(([, service]) => service.build !== undefined);
/** Node processes: a gateway unless its command is `worker` (the Dockerfile's entrypoint). */
const processes = ours
  .filter(([, service]) => service.entrypoint === undefined)
  .map(([name, service]) => {
    const process: NodeProcess = service.command?.[0] === 'worker' ? 'worker' : 'gateway';
    return { name, service, env: service.environment ?? {}, process };
  });
const provisionScript = readFileSync(join(DEPLOY, 'provision.sh'), 'utf8');

/** The `GATEWAY_*` variables a script names. */
function variablesIn(text: string): string[] {
  return [...text.matchAll(/\b(GATEWAY_[A-Z0-9_]*[A-Z0-9])\b/g)].map((match) => match[1]);
}

/** The CLI's commands, as `parent child` pairs read from its sources (`x.command('name')`). */
function cliCommands(): Set<string> {
  const dir = join(ROOT, 'apps/cli/src');
  const texts = readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => readFileSync(join(dir, file), 'utf8'));
  // `const users = program.command('users')`: the identifier `users` stands for `users`.
  const names = new Map<string, string>([['program', '']]);
  for (const text of texts) {
    for (const match of text.matchAll(/const (\w+) = (\w+)\s*\.command\('([\w-]+)'\)/g)) {
      names.set(match[1], match[3]);
    }
  }
  const pairs = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(/(\w+)\s*\.command\('([\w-]+)'\)/g)) {
      const parent = names.get(match[1]);
      if (parent !== undefined) pairs.add(`${parent} ${match[2]}`.trim());
    }
  }
  return pairs;
}

describe('deploy/two-node/compose.yml', () => {
  it('runs PostgreSQL, Redis, and a gateway and a worker per node from the repository image', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'provision', 'certificates']),
    );
    const nodes = new Map<string, NodeProcess[]>();
    for (const { env, process } of processes) {
      nodes.set(env.GATEWAY_AUTHORITY_ID, [
        ...(nodes.get(env.GATEWAY_AUTHORITY_ID) ?? []),
        process,
      ]);
    }
    expect(Object.fromEntries(nodes)).toEqual({
      'FR-MOJ-BEPI': ['gateway', 'worker'],
      'NG-MOJ-CA': ['gateway', 'worker'],
    });
    for (const [, service] of ours) {
      expect(service.build?.context).toBe('../..');
      expect(existsSync(join(DEPLOY, service.build!.context, 'Dockerfile'))).toBe(true);
    }
  });

  it('sets only variables of the settings schema', () => {
    const unknown = [
      ...ours.flatMap(([, service]) => Object.keys(service.environment ?? {})),
      ...variablesIn(provisionScript),
    ].filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });

  it('gives every process what the schema requires of it, and a configuration that loads', () => {
    const config = join(ROOT, 'config/gateway.json');
    for (const { name, env, process } of processes) {
      const set = (setting: Setting) => Boolean(env[setting.variable]);
      const missing = all
        .filter((setting) => setting.readers.includes(process))
        .filter((setting) =>
          setting.required === true
            ? !set(setting)
            : typeof setting.required === 'string' &&
              !all.some((other) => other.required === setting.required && set(other)),
        )
        .map((setting) => setting.variable);
      expect([name, missing]).toEqual([name, []]);
      // Types and the checks across settings, as the process itself will run them.
      expect(() => loadNodeConfig({ ...env, GATEWAY_CONFIG_FILE: config })).not.toThrow();
    }
  });

  it('keeps a node to one schema and key prefix, shared by its processes and by no other node', () => {
    const byNode = new Map<string, Set<string>>();
    for (const { env } of processes) {
      const store = `${env.GATEWAY_DB_SCHEMA} ${env.GATEWAY_REDIS_PREFIX} ${env.GATEWAY_DATA_KEY_FILE}`;
      byNode.set(
        env.GATEWAY_AUTHORITY_ID,
        (byNode.get(env.GATEWAY_AUTHORITY_ID) ?? new Set()).add(store),
      );
    }
    const stores = [...byNode.values()];
    expect(stores.every((set) => set.size === 1)).toBe(true);
    expect(new Set(stores.map((set) => [...set][0])).size).toBe(byNode.size);
    // The stores are the compose file's own services.
    for (const { env } of processes) {
      expect(compose.services[new URL(env.DATABASE_URL).hostname]).toBeDefined();
      expect(compose.services[new URL(env.REDIS_URL).hostname]).toBeDefined();
    }
  });

  it('mounts every file and folder a process is told to read', () => {
    for (const { name, env, service } of processes) {
      const targets = (service.volumes ?? []).map((volume) => volume.split(':')[1]);
      const paths = Object.entries(env).filter(([variable]) => /_(FILE|DIR)$/.test(variable));
      for (const [variable, path] of paths) {
        expect([
          name,
          variable,
          targets.some((target) => path === target || path.startsWith(`${target}/`)),
        ]).toEqual([name, variable, true]);
      }
    }
  });

  it('runs entry points that exist in the build layout the Dockerfile uses', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    for (const app of ['gateway', 'worker']) {
      expect(dockerfile).toContain(`dist/apps/${app}/src/main.js`);
      expect(existsSync(join(ROOT, `apps/${app}/src/main.ts`))).toBe(true);
    }
    // tsc compiles apps/<app>/src/main.ts to dist/apps/<app>/src/main.js.
    const tsconfig = readFileSync(join(ROOT, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toMatch(/"outDir": "dist"/);
    expect(tsconfig).toMatch(/"rootDir": "."/);
    expect(provisionScript).toContain('CLI="node dist/apps/cli/src/main.js"');
    expect(existsSync(join(ROOT, 'apps/cli/src/main.ts'))).toBe(true);
    // One-shot services run scripts mounted from this folder.
    for (const [name, service] of services.filter(([, s]) => s.entrypoint !== undefined)) {
      const script = service.entrypoint!.at(-1)!;
      const mount = (service.volumes ?? []).find((volume) => volume.split(':')[1] === script);
      expect([name, mount && existsSync(join(DEPLOY, mount.split(':')[0]))]).toEqual([name, true]);
    }
  });

  it('provisions with CLI commands that exist', () => {
    const commands = cliCommands();
    // The parser finds the CLI's commands (else the check below would pass on nothing).
    expect([...commands]).toEqual(
      expect.arrayContaining(['keys', 'keys generate', 'users import', 'directory sign']),
    );
    const used = [...provisionScript.matchAll(/\$CLI ([\w-]+) ([\w-]+)/g)].map(
      (match) => `${match[1]} ${match[2]}`,
    );
    expect(used).toEqual(
      expect.arrayContaining(['secrets generate', 'keys generate', 'directory sign']),
    );
    expect(used.filter((command) => !commands.has(command))).toEqual([]);
  });

  it('publishes no host port twice, and each to the port its process listens on', () => {
    const published = services.flatMap(([name, service]) =>
      (service.ports ?? []).map((mapping) => {
        const parts = mapping.split(':');
        return { name, host: parts.slice(0, -1).join(':'), target: parts.at(-1)! };
      }),
    );
    expect(published.length).toBeGreaterThan(0);
    expect(new Set(published.map((port) => port.host)).size).toBe(published.length);
    for (const { name, target } of published) {
      const env = compose.services[name].environment ?? {};
      expect([name, target]).toEqual([name, env.GATEWAY_HTTP_PORT ?? '4100']);
    }
    // Health checks ask the port each process listens on.
    for (const { name, env, service, process } of processes) {
      const port = process === 'worker' ? env.GATEWAY_WORKER_HTTP_PORT : env.GATEWAY_HTTP_PORT;
      expect([
        name,
        port !== undefined && service.healthcheck!.test.join(' ').includes(`${port}`),
      ]).toEqual([name, true]);
    }
  });

  it("gives each node the directory endpoint of its gateway's service and port", () => {
    const endpoints = [...provisionScript.matchAll(/^node_of (\S+) \S+ ".*" (\S+)$/gm)];
    expect(endpoints.map((match) => match[1]).sort()).toEqual(['FR-MOJ-BEPI', 'NG-MOJ-CA']);
    for (const [, authorityId, endpoint] of endpoints) {
      const url = new URL(endpoint);
      const gateway = processes.find(
        ({ env, process }) => process === 'gateway' && env.GATEWAY_AUTHORITY_ID === authorityId,
      )!;
      expect([url.protocol, url.hostname, url.port]).toEqual([
        gateway.env.GATEWAY_TLS_CERT_FILE ? 'https:' : 'http:',
        gateway.name,
        gateway.env.GATEWAY_HTTP_PORT,
      ]);
    }
  });
});
