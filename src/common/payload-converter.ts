/**
 * The payload converter of temporal-hitl's workers: the SDK's default, except that a payload it cannot decode becomes
 * an `Undecodable` value instead of an exception. A Signal whose payload fails to decode would otherwise fail its
 * workflow task on every attempt and wedge the wait; with this, the handler refuses it like any bad message.
 * Loaded in the workflow sandbox (`payloadConverterPath`), so sandbox-safe.
 */
import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';

/** What a payload that could not be decoded becomes. */
export interface Undecodable {
  hitlUndecodable: string;
}

export const isUndecodable = (value: unknown): value is Undecodable =>
  typeof value === 'object' && value !== null && typeof (value as Partial<Undecodable>).hitlUndecodable === 'string';

const textOf = (bytes: Uint8Array | null | undefined): string => {
  let out = '';
  for (const b of bytes ?? []) {
    if (out.length >= 40) break;
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?';
  }
  return out;
};

class LenientPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T, ...rest: unknown[]): Payload {
    return (defaultPayloadConverter.toPayload as (v: T, ...r: unknown[]) => Payload)(value, ...rest);
  }

  fromPayload<T>(payload: Payload, ...rest: unknown[]): T {
    try {
      return (defaultPayloadConverter.fromPayload as (p: Payload, ...r: unknown[]) => T)(payload, ...rest);
    } catch (err) {
      const encoding = textOf(payload?.metadata?.encoding) || '(no encoding)';
      const reason = String((err as Error)?.message ?? err).slice(0, 200);
      return { hitlUndecodable: `a ${encoding} payload that cannot be decoded (${reason})` } satisfies Undecodable as T;
    }
  }
}

export const payloadConverter: PayloadConverter = new LenientPayloadConverter();
