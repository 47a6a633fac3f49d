/** The little the core needs of a logger (pino fits). Never pass a secret in `fields`. */
export interface CoreLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
