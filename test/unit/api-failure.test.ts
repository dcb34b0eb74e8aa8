/** API client errors said in one line, without the request URL. */
import { describe, expect, it } from 'vitest';
import { apiFailure } from '../../src/errors.js';

describe('apiFailure', () => {
  it('keeps the network reason of @kubernetes/client-node 1.4 and drops the URL', () => {
    const err = new Error('request to https://127.0.0.1:45195/api/v1/namespaces/x/secrets?labelSelector=owner%3Dhelm failed, reason: connect ECONNREFUSED 127.0.0.1:45195');
    expect(apiFailure(err)).toBe('the Kubernetes API did not answer (connect ECONNREFUSED 127.0.0.1:45195)');
  });
  it('else the first line', () => {
    expect(apiFailure(new Error('list ConfigMaps: no answer from the Kubernetes API within 30s.\nmore'))).toBe('list ConfigMaps: no answer from the Kubernetes API within 30s.');
  });
});

describe('errorLines', () => {
  it('drops the advice to use --debug when it was given, and escapes control bytes', async () => {
    const { errorLines, OperationError, RUN_WITH_DEBUG } = await import('../../src/errors.js');
    const err = new OperationError('release x failed: \u001b[31mred', ['Nothing was changed.', RUN_WITH_DEBUG]);
    expect(errorLines(err, true)).toEqual({ message: 'release x failed: \\u{1b}[31mred', hints: ['Nothing was changed.'] });
    expect(errorLines(err, false).hints).toEqual(err.hints);
  });
});
