import type { Stores } from '../index.ts';

/** The stores behind operators' features (the admin API, TOTP import/export, webhooks): SQL only. */
export type OperatorStoreName = 'adminTokens' | 'directory' | 'totpTransfer' | 'webhooks';

/**
 * Memory stores exist for tests of the sign-in rules (model-based runs, mutation testing); operators' features are
 * tested over SQL (test/admin/*), where their queries are. A memory core that reaches one of them fails loudly,
 * naming the store, rather than answering something a SQL store would not.
 */
export function operatorStoresUnavailable(): Pick<Stores, OperatorStoreName> {
  const unavailable = <K extends OperatorStoreName>(name: K): Stores[K] =>
    new Proxy({} as Stores[K], {
      get: (_target, method) => () => Promise.reject(new Error(`memory stores: ${name}.${String(method)} is SQL only (test it in test/admin/)`)),
    });
  return { adminTokens: unavailable('adminTokens'), directory: unavailable('directory'), totpTransfer: unavailable('totpTransfer'), webhooks: unavailable('webhooks') };
}
