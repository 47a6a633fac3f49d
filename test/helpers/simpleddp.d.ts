// simpleddp ships no types; what the tests use of it.
declare module 'simpleddp' {
  export default class simpleDDP {
    constructor(options: { endpoint: string; SocketConstructor: unknown; reconnectInterval?: number }, plugins?: unknown[]);
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    call(method: string, ...params: unknown[]): Promise<unknown>;
    apply(method: string, params?: unknown[]): Promise<unknown>;
  }
}
declare module 'simpleddp-plugin-login' {
  export const simpleDDPLogin: unknown;
}
