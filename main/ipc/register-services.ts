// Registers every method of every contract domain on an IpcLike: payload validated with the method's zod schema,
// the service called, the answer wrapped as a CallResult. Errors never escape as exceptions.
import { contract, type DomainName, type LatheServices } from '../../preload/contract/index.js';
import type { ZodType } from 'zod';
import { channelOf, type CallResult } from '../../preload/contract/define.js';
import { LatheError } from '../../preload/contract/errors.js';
import type { IpcLike } from './ipc-like.js';

export function registerServices(ipc: IpcLike, services: LatheServices): string[] {
  const channels: string[] = [];
  for (const domain of Object.keys(contract) as DomainName[]) {
    const def = contract[domain] as unknown as { readonly requests: Readonly<Record<string, ZodType>> };
    const impl = services[domain] as unknown as Record<string, (r: unknown) => Promise<unknown>>;
    for (const method of Object.keys(def.requests)) {
      const schema = def.requests[method]!;
      const fn = impl[method];
      if (typeof fn !== 'function') throw new Error(`Service ${domain} does not implement ${method}`);
      const channel = channelOf(domain, method);
      ipc.handle(channel, async (_caller, payload): Promise<CallResult<unknown>> => {
        const parsed = schema.safeParse(payload ?? {});
        if (!parsed.success) {
          return failure(new LatheError('invalid_request', `Invalid request to ${domain}.${method}: ${describeIssues(parsed.error.issues)}`, { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) }));
        }
        try {
          return { ok: true, value: await fn.call(impl, parsed.data) };
        } catch (err) {
          return failure(LatheError.from(err));
        }
      });
      channels.push(channel);
    }
  }
  return channels;
}

function failure(err: LatheError): CallResult<never> {
  return { ok: false, error: err.toJSON() };
}

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
