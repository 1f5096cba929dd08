// src/server: The HTTP surface: /metrics with content negotiation and gzip, /healthz, /readyz.
export * from './http.ts';
export * from './negotiate.ts';
