// The DDP protocol server (transport and protocol only; methods are plugged in by the caller).
export { attachDdpServer, type DdpServer } from './ddp-server.ts';
export { handleSockjsHttp, sockjsInfo, type SockjsInfo } from './sockjs-http.ts';
