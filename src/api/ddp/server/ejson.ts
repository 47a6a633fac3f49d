import EJSON from 'ejson';

// @types/ejson declares these as string-typed, but they map JSON values to JSON values (and back).

/** Turns Dates, binary and custom types into their `{$date}`-style JSON form. Throws on cycles. */
export function toEjsonValue(value: unknown): unknown {
  return EJSON.toJSONValue(value as never);
}

/** Reads `{$date}`-style JSON back into Dates and friends. Throws on malformed `$` objects. */
export function fromEjsonValue(value: unknown): unknown {
  return EJSON.fromJSONValue(value as never);
}
