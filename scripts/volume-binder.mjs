// Test control plane only (scripts/cluster.mjs starts it): stands in for a storage provisioner.
// Every second it lists PersistentVolumeClaims; for each one Pending without a volume it creates a
// hostPath PersistentVolume of the requested size, class and access modes, pre-bound to the claim
// (claimRef). The scheduler then finds it for the claim's pod (WaitForFirstConsumer) and the PV
// controller of kube-controller-manager binds the pair. PVs whose claim is gone are deleted.
// Usage: node scripts/volume-binder.mjs <server> <token file>
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const [server, tokenFile] = process.argv.slice(2);
const token = readFileSync(tokenFile, 'utf8').split(',')[0];

function api(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined;
    const req = request(`${server}${path}`, { method, rejectUnauthorized: false, timeout: 5000, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(data ? { 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(data);
  });
}

async function tick() {
  const claims = (await api('GET', '/api/v1/persistentvolumeclaims')).body?.items ?? [];
  const volumes = (await api('GET', '/api/v1/persistentvolumes?labelSelector=monitor-stack.io/test-volume%3Dtrue')).body?.items ?? [];
  const claimUids = new Set(claims.map((c) => c.metadata.uid));
  for (const c of claims) {
    if (c.status?.phase !== 'Pending' || c.spec.volumeName || c.metadata.deletionTimestamp) continue;
    const name = `pv-${c.metadata.uid}`;
    if (volumes.some((v) => v.metadata.name === name)) continue;
    await api('POST', '/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, labels: { 'monitor-stack.io/test-volume': 'true' } },
      spec: {
        capacity: { storage: c.spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: c.spec.accessModes ?? ['ReadWriteOnce'],
        storageClassName: c.spec.storageClassName ?? '',
        persistentVolumeReclaimPolicy: 'Delete',
        hostPath: { path: `/tmp/monitor-stack-test-volumes/${name}` },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: c.metadata.namespace, name: c.metadata.name, uid: c.metadata.uid },
      },
    });
  }
  for (const v of volumes) {
    const uid = v.spec.claimRef?.uid;
    if (uid && !claimUids.has(uid) && (v.status?.phase === 'Released' || v.status?.phase === 'Failed')) await api('DELETE', `/api/v1/persistentvolumes/${v.metadata.name}`);
  }
}

for (;;) {
  await tick().catch((err) => process.stderr.write(`volume-binder: ${err.message}\n`));
  await new Promise((r) => setTimeout(r, 1000));
}
