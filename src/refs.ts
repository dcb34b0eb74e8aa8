/**
 * Secret references. monitor-stack never takes a secret value on the command line or in
 * `monitor-stack.yaml`; it takes a reference to where the value lives:
 *
 * - `env:NAME`: the environment variable NAME, read when `upgrade` runs;
 * - `file:PATH`: the contents of a file (trailing newline trimmed), read when `upgrade` runs;
 *   a relative PATH is relative to the directory of `monitor-stack.yaml`;
 * - `secret:NAME/KEY`: key KEY of an existing Kubernetes Secret NAME in the release namespace,
 *   mounted into the pod as it is; monitor-stack never reads its value.
 *
 * Error messages here never repeat the value that was given: a mistyped literal may be a secret.
 */
import { checkDnsSubdomain } from './validate.js';

export type SecretRef =
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'secret'; name: string; key: string };

/** The forms a reference takes, for error messages and help. */
export const SECRET_REF_FORMS = ['env:NAME', 'file:PATH', 'secret:NAME/KEY'] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Parses a reference. Returns the reference, or a sentence saying what is wrong. The sentence
 * never contains `value` itself.
 */
export function parseSecretRef(value: string): SecretRef | string {
  const colon = value.indexOf(':');
  const scheme = colon > 0 ? value.slice(0, colon) : '';
  const rest = colon > 0 ? value.slice(colon + 1) : '';
  switch (scheme) {
    case 'env':
      return ENV_NAME.test(rest) ? { kind: 'env', name: rest } : 'env: must be followed by a variable name such as env:SLACK_WEBHOOK_URL';
    case 'file':
      return rest.length > 0 ? { kind: 'file', path: rest } : 'file: must be followed by a path such as file:/run/secrets/slack-url';
    case 'secret': {
      const slash = rest.indexOf('/');
      const name = slash > 0 ? rest.slice(0, slash) : '';
      const key = slash > 0 ? rest.slice(slash + 1) : '';
      if (!name || checkDnsSubdomain(name) || !SECRET_KEY.test(key)) {
        return 'secret: must be followed by NAME/KEY of a Kubernetes Secret, such as secret:alertmanager-receivers/slack-url';
      }
      return { kind: 'secret', name, key };
    }
    default:
      return `takes a reference, not a literal value, so that the secret stays out of shell history, process lists and monitor-stack.yaml. Use one of: ${SECRET_REF_FORMS.join(', ')}`;
  }
}

/** `undefined` if `value` is a valid reference, else the reason (without the value). */
export function checkSecretRef(value: string): string | undefined {
  const ref = parseSecretRef(value);
  return typeof ref === 'string' ? ref : undefined;
}

/** The canonical text form of a reference, as stored in `monitor-stack.yaml`. */
export function formatSecretRef(ref: SecretRef): string {
  switch (ref.kind) {
    case 'env':
      return `env:${ref.name}`;
    case 'file':
      return `file:${ref.path}`;
    case 'secret':
      return `secret:${ref.name}/${ref.key}`;
  }
}
