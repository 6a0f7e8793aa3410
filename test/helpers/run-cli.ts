import { main } from '../../app/cli/main';

/** Run the CLI in-process, capturing both streams and the exit code. */
export function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliWithEnv({}, ...args);
}

/** The same, with environment variables set for this run only. */
export async function runCliWithEnv(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'success-engine', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.env = saved;
    process.exitCode = undefined;
  }
}
