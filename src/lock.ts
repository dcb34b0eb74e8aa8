/**
 * The environment's Lease (core/lock.ts) taken, renewed and released through the Kubernetes API.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { describeHolder, describeRunner, HOLDER_ANNOTATION, LEASE_DURATION_SECONDS, LEASE_RENEW_SECONDS, leaseName, leaseState, type LockHolder } from './core/lock.js';
import { apiFailure, OperationError } from './errors.js';
import type { HelmClient } from './helm/client.js';
import { watchInterrupts, type Interrupts } from './interrupt.js';
import type { KubeClient } from './kube/client.js';
import type { Reporter } from './ui.js';

/** A held lock: renewed in the background until {@link HeldLock.release}. */
export interface HeldLock {
  holder: LockHolder;
  release(): Promise<void>;
}

/**
 * Takes the Lease `monitor-stack-<environment>` in `namespace` (which must exist), waiting up to
 * `timeoutSeconds` for another run to release it. An expired Lease (its holder died without
 * releasing it) is taken over, and said so.
 * @throws OperationError (exit 1) naming the holder when the lock is still held after the wait.
 */
export async function acquireLock(kube: KubeClient, namespace: string, environment: string, command: string, timeoutSeconds: number, ui: Reporter): Promise<HeldLock> {
  const name = leaseName(environment);
  const holder: LockHolder = { who: describeRunner(process.env, safeUser()), host: hostname(), command, since: new Date().toISOString(), runId: randomUUID() };
  const deadline = Date.now() + timeoutSeconds * 1000;
  let waitingSaid = false;
  for (;;) {
    const lease = await kube.readLease(namespace, name);
    const state = leaseState(lease as never, holder.runId, Date.now());
    if (state.state === 'free' || state.state === 'expired') {
      if (state.state === 'expired') ui.warn(`lock ${namespace}/${name} was left by ${describeHolder(state.holder)}; it expired ${state.expiredSecondsAgo}s ago and is taken over.`);
      const written = await kube.writeLease(
        namespace,
        name,
        { holderIdentity: holder.runId, leaseDurationSeconds: LEASE_DURATION_SECONDS, acquire: true, leaseTransitions: (lease?.spec?.leaseTransitions ?? 0) + (lease ? 1 : 0) },
        { [HOLDER_ANNOTATION]: JSON.stringify(holder) },
        lease?.metadata.resourceVersion,
      );
      if (written) {
        ui.line(`lock ${namespace}/${name} taken`);
        return hold(kube, namespace, name, holder, written, ui);
      }
      continue; // another run won the write: read again
    }
    if (state.state === 'held') {
      if (Date.now() >= deadline) {
        throw new OperationError(`another run holds the lock of environment ${environment}: ${describeHolder(state.holder)} (renewed ${state.renewedSecondsAgo}s ago; Lease ${namespace}/${name}).`, [
          timeoutSeconds ? `It was still held after --lock-timeout ${timeoutSeconds}s.` : 'Wait for it with --lock-timeout <duration>, e.g. --lock-timeout 10m.',
          `A run that died releases it ${LEASE_DURATION_SECONDS}s after its last renewal. Nothing was changed.`,
        ]);
      }
      if (!waitingSaid) ui.line(`waiting for the lock: ${describeHolder(state.holder)}`);
      waitingSaid = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

type Lease = NonNullable<Awaited<ReturnType<KubeClient['writeLease']>>>;

function hold(kube: KubeClient, namespace: string, name: string, holder: LockHolder, lease: Lease, ui: Reporter): HeldLock {
  let current = lease;
  let lost = false;
  const renew = async () => {
    const spec = { holderIdentity: holder.runId, leaseDurationSeconds: LEASE_DURATION_SECONDS, leaseTransitions: current.spec?.leaseTransitions ?? 0, acquire: false, acquireTime: current.spec?.acquireTime };
    const written = await kube.writeLease(namespace, name, spec, current.metadata?.annotations ?? {}, current.metadata?.resourceVersion).catch(() => null);
    if (written) current = written;
    else if (!lost) {
      lost = true;
      ui.warn(`the lock ${namespace}/${name} could not be renewed; another run may take it over.`);
    }
  };
  const timer = setInterval(() => void renew(), LEASE_RENEW_SECONDS * 1000);
  timer.unref();
  return {
    holder,
    release: async () => {
      clearInterval(timer);
      if (current.metadata?.resourceVersion) await kube.deleteLease(namespace, name, current.metadata.resourceVersion);
    },
  };
}

/**
 * Runs `fn` holding the environment's lock, released however `fn` ends, and listening for Ctrl-C
 * and SIGTERM meanwhile (interrupt.ts): `fn` reads the signal and stops starting work.
 * @throws OperationError (exit 1) naming the holder when the lock stays held (see {@link acquireLock}).
 */
export async function withLock<T>(
  c: { kube: KubeClient; helm: HelmClient; ui: Reporter },
  namespace: string,
  environment: string,
  timeoutSeconds: number,
  fn: (lock: HeldLock, interrupts: Interrupts) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(c.kube, namespace, environment, `monitor-stack ${process.argv.slice(2).join(' ')}`, timeoutSeconds, c.ui);
  const interrupts = watchInterrupts(c.ui, () => c.helm.runner.running?.() ?? [], environment);
  try {
    return await fn(lock, interrupts);
  } finally {
    // A run that lost the API keeps its own outcome: the Lease expires by itself.
    await lock.release().catch((err: Error) => c.ui.warn(`the lock ${namespace}/${leaseName(environment)} could not be released (${apiFailure(err)}): it expires ${LEASE_DURATION_SECONDS}s after its last renewal, then the next run takes it over.`));
    interrupts.dispose();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown user';
  }
}
