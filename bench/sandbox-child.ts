import { fork } from 'node:child_process';

/**
 * A sandbox CRM in a child process, as the real CRM is another machine: its CPU (serialising
 * pages, applying writes) must not take turns with ours on one event loop. The parent asks for the
 * child's stats (counters plus its own CPU seconds) and closes it by disconnecting.
 */
export interface SandboxChild<S> {
  url: string;
  stats(): Promise<S & { cpuSeconds: number }>;
  close(): Promise<void>;
}

/** Parent side: fork `file` with `args`; the child answers with `serveSandboxFromChild`. */
export function forkSandbox<S>(file: string, args: readonly string[]): Promise<SandboxChild<S>> {
  return new Promise((resolve, reject) => {
    const child = fork(file, [...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox process ${file} exited with ${code}`)));
    child.once('message', (m) => {
      resolve({
        url: (m as { url: string }).url,
        stats: () =>
          new Promise((done) => {
            child.once('message', (reply) => done(reply as S & { cpuSeconds: number }));
            child.send('stats');
          }),
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.disconnect();
          }),
      });
    });
  });
}

/** Child side: start the sandbox, report its URL, answer stats requests, exit when the parent disconnects. */
export function serveSandboxFromChild<S extends object>(start: () => Promise<{ url: string; close(): Promise<void>; stats(): S }>): void {
  start().then(
    (sandbox) => {
      const cpu0 = process.cpuUsage();
      process.send?.({ url: sandbox.url });
      process.on('message', () => {
        const cpu = process.cpuUsage(cpu0);
        process.send?.({ ...sandbox.stats(), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)) });
      });
      process.once('disconnect', () => void sandbox.close().then(() => process.exit(0)));
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
