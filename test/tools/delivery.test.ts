/**
 * An alert really arrives: the real Alertmanager v0.34.0 (built from Go modules) runs the config the
 * real prometheus 29.27.0 chart renders from our overlay, with the receiver Secrets' files in place
 * (the paths the chart mounts, moved under a temp folder), and every receiver type pointed at a
 * loopback sink: Slack and webhook at an HTTP sink, PagerDuty's events `url` at the same sink, e-mail
 * at an SMTP sink that takes AUTH PLAIN. Alerts posted to its API must reach exactly the receivers
 * their routes name, firing and resolved, and a critical alert must mute the warning of the same
 * alertname and namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderThroughChart } from './render.js';
import { freePort } from '../support/run.js';

const tools = inject('tools');
const skip = inject('toolsSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

const SECRETS_ROOT = '/etc/alertmanager/secrets/';
const PAGERDUTY_KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const SMTP_PASSWORD = 'smtp-canary-password';

interface Received {
  /** Sink and receiver, e.g. `slack/chat`, `smtp/mail`. */
  where: string;
  body: string;
}

const stops: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** An HTTP sink: records every POST body by path. */
async function httpSink(received: Received[]): Promise<string> {
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ where: (req.url ?? '').replace(/^\//, ''), body });
      res.writeHead(req.url?.startsWith('/pagerduty/') ? 202 : 200, { 'content-type': 'application/json' }).end('{"status":"success","ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A minimal SMTP server: EHLO with AUTH PLAIN, one message per DATA; records the message and the AUTH it got. */
async function smtpSink(received: Received[], auths: string[]): Promise<number> {
  const server = createTcpServer((socket) => {
    let buffer = '';
    let inData = false;
    let message = '';
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push({ where: 'smtp/mail', body: message });
            message = '';
            socket.write('250 queued\r\n');
          } else message += `${line}\n`;
          continue;
        }
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') socket.write('250-sink\r\n250 AUTH PLAIN\r\n');
        else if (verb === 'AUTH') {
          auths.push(Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8'));
          socket.write('235 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** Stops a child process and resolves once it has exited. */
const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

async function waitFor(what: string, check: () => boolean, seconds = 30): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Plain = Record<string, unknown>;

describe.runIf(tools)('alerts delivered by the real Alertmanager, with the config the real chart renders', () => {
  it('each receiver gets exactly the alerts its route names, firing and resolved; a critical alert mutes its warning', async () => {
    const { dir, alertmanagerText } = await renderThroughChart(tools!.helm, {
      preset: 'minimal',
      components: { promtail: false },
      alertmanager: {
        receivers: [
          { name: 'chat', type: 'slack', webhookUrl: 'env:SLACK_URL', channel: '#alerts' },
          { name: 'mail', type: 'email', to: 'oncall@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587', username: 'am', password: 'file:smtp-password' },
          { name: 'pager', type: 'pagerduty', routingKey: 'secret:alerting/pd-key' },
          { name: 'hook', type: 'webhook', url: 'env:HOOK_URL' },
        ],
        route: { receiver: 'hook', critical: ['pager', 'chat'], warning: ['chat', 'mail'], groupWait: '1s', groupInterval: '1s' },
        deadMansSwitchUrl: 'env:DMS_URL',
      },
    });
    const received: Received[] = [];
    const auths: string[] = [];
    const http = await httpSink(received);
    const smtpPort = await smtpSink(received, auths);

    // The receiver Secrets' files, where the chart mounts them, moved under dir; the sinks' addresses.
    const config = parse(alertmanagerText!) as { receivers: Plain[] };
    const files = join(dir, 'secrets');
    const place = (path: unknown, content: string): string => {
      expect(String(path).startsWith(SECRETS_ROOT), String(path)).toBe(true);
      const local = join(files, String(path).slice(SECRETS_ROOT.length));
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, content);
      return local;
    };
    for (const r of config.receivers) {
      const name = String(r.name);
      for (const c of (r.slack_configs ?? []) as Plain[]) c.api_url_file = place(c.api_url_file, `${http}/slack/${name}`);
      for (const c of (r.webhook_configs ?? []) as Plain[]) c.url_file = place(c.url_file, `${http}/webhook/${name}`);
      for (const c of (r.pagerduty_configs ?? []) as Plain[]) {
        c.routing_key_file = place(c.routing_key_file, PAGERDUTY_KEY);
        c.url = `${http}/pagerduty/${name}`;
      }
      for (const c of (r.email_configs ?? []) as Plain[]) {
        c.auth_password_file = place(c.auth_password_file, SMTP_PASSWORD);
        c.smarthost = `127.0.0.1:${smtpPort}`;
        c.require_tls = false;
      }
    }
    writeFileSync(join(dir, 'alertmanager.local.yml'), stringify(config));

    const port = await freePort();
    const am: ChildProcess = spawn(
      tools!.alertmanager,
      [`--config.file=${join(dir, 'alertmanager.local.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    am.stderr!.on('data', (c: Buffer) => (log += c.toString('utf8')));
    // Awaited: Alertmanager writes its data folder as it stops, and the temp folder goes after.
    stops.push(() => stopped(am));
    const api = `http://127.0.0.1:${port}/api/v2`;
    await waitFor('Alertmanager to be ready', () => log.includes('Listening on'), 30);

    const post = async (alerts: { labels: Record<string, string>; endsAt?: string }[]) => {
      const res = await fetch(`${api}/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      expect(res.status, await res.text()).toBe(200);
    };
    const critical = { alertname: 'KubePersistentVolumeErrors', severity: 'critical', namespace: 'shop', persistentvolume: 'pv-1' };
    const warning = { alertname: 'KubePodNotReady', severity: 'warning', namespace: 'shop', pod: 'api-1' };
    const info = { alertname: 'CustomInfo', severity: 'info', namespace: 'shop' };
    // Inhibited: a warning with the same alertname and namespace as a firing critical alert.
    const mutedCritical = { alertname: 'TargetDown', severity: 'critical', namespace: 'web', job: 'web' };
    const muted = { alertname: 'TargetDown', severity: 'warning', namespace: 'web', job: 'web' };
    await post([{ labels: { alertname: 'Watchdog', severity: 'info' } }, { labels: critical }, { labels: warning }, { labels: info }, { labels: mutedCritical }, { labels: muted }]);

    const at = (where: string) => received.filter((r) => r.where === where);
    const has = (where: string, text: string) => at(where).some((r) => r.body.includes(text));
    await waitFor('every firing notification', () =>
      has('slack/chat', 'KubePersistentVolumeErrors') &&
      has('slack/chat', 'KubePodNotReady') &&
      has('pagerduty/pager', 'KubePersistentVolumeErrors') &&
      has('smtp/mail', 'KubePodNotReady') &&
      has('webhook/hook', 'CustomInfo') &&
      has('webhook/deadmansswitch', 'Watchdog'),
    );

    // Resolve the critical and the warning: their receivers get the resolution (send_resolved).
    const now = new Date().toISOString();
    await post([{ labels: critical, endsAt: now }, { labels: warning, endsAt: now }]);
    await waitFor('every resolved notification', () =>
      at('slack/chat').some((r) => r.body.includes('RESOLVED') && r.body.includes('KubePersistentVolumeErrors')) &&
      at('slack/chat').some((r) => r.body.includes('RESOLVED') && r.body.includes('KubePodNotReady')) &&
      at('pagerduty/pager').some((r) => (JSON.parse(r.body) as { event_action: string }).event_action === 'resolve') &&
      at('smtp/mail').some((r) => r.body.includes('RESOLVED') && r.body.includes('KubePodNotReady')),
    );

    const alertnames = (where: string) => [...new Set(at(where).flatMap((r) => [...r.body.matchAll(/\b(KubePersistentVolumeErrors|KubePodNotReady|CustomInfo|TargetDown|Watchdog)\b/g)].map((m) => m[1])))].sort();
    expect(alertnames('slack/chat')).toEqual(['KubePersistentVolumeErrors', 'KubePodNotReady', 'TargetDown']);
    expect(alertnames('pagerduty/pager')).toEqual(['KubePersistentVolumeErrors', 'TargetDown']);
    expect(alertnames('smtp/mail')).toEqual(['KubePodNotReady']); // the TargetDown warning is muted by its critical
    expect(alertnames('webhook/hook')).toEqual(['CustomInfo']);
    expect(alertnames('webhook/deadmansswitch')).toEqual(['Watchdog']);
    // PagerDuty got the routing key from its file; e-mail authenticated with the password from its file.
    expect(at('pagerduty/pager').every((r) => (JSON.parse(r.body) as { routing_key: string }).routing_key === PAGERDUTY_KEY)).toBe(true);
    expect(auths).toContain(`\u0000am\u0000${SMTP_PASSWORD}`);
    expect(at('smtp/mail')[0]!.body).toContain('To: oncall@example.com');
    // Only the sinks above were called.
    expect([...new Set(received.map((r) => r.where))].sort()).toEqual(['pagerduty/pager', 'slack/chat', 'smtp/mail', 'webhook/deadmansswitch', 'webhook/hook']);
  });
});
