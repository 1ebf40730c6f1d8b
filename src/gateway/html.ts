/** Server-rendered pages: one escaping template tag, one layout, one stylesheet (phone-width first). */
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Markup that is already safe (built by `h`). */
export class Safe {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);

/** A template whose every interpolation is escaped, except `Safe` values and lists of them. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Safe {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const part = Array.isArray(v) ? v.map((x) => (x instanceof Safe ? x.text : esc(x))).join('') : v instanceof Safe ? v.text : esc(v);
    out += part + (strings[i + 1] ?? '');
  });
  return new Safe(out);
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap}
header h1{font-size:17px;margin:0}header form{margin:0}main{max-width:760px;margin:0 auto;padding:12px}
h2{font-size:15px;text-transform:uppercase;letter-spacing:.04em;color:#5a6275;margin:18px 4px 8px}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:14px;margin:0 0 12px;overflow-wrap:anywhere}
.card h3{margin:0 0 4px;font-size:16px}.meta{color:#5a6275;font-size:13px;margin:2px 0 8px}.reason{margin:4px 0 8px}
textarea,input[type=text],input[type=password]{width:100%;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;border:1px solid #c4c9d4;border-radius:6px;padding:8px}
textarea{min-height:84px}input[type=text],input[type=password]{font-family:inherit;font-size:15px}
.row{display:flex;gap:8px;flex-wrap:wrap;margin-top:8px}button{font:inherit;font-weight:600;border:0;border-radius:6px;padding:9px 14px;cursor:pointer;flex:1 1 auto;min-width:96px}
.approve{background:#1a7f37;color:#fff}.edit{background:#0b5cad;color:#fff}.deny{background:#c62828;color:#fff}.plain{background:#e4e7ee;color:#1d2330}
.err{color:#c62828;font-size:13px;min-height:1em;margin:6px 0 0}.ok{color:#1a7f37}.empty{color:#5a6275;padding:4px}
pre{background:#f4f5f7;border-radius:6px;padding:8px;white-space:pre-wrap;font-size:13px;margin:6px 0}
label{display:block;font-size:13px;color:#5a6275;margin:8px 0 4px}.badge{font-size:12px;border-radius:10px;padding:1px 8px;background:#e4e7ee}
.recent li{margin:4px 0}.recent{padding-left:18px;margin:0}
`;

/** A whole page; `script` runs under a per-response CSP nonce, nothing else may run. */
export function page(c: Context, status: ContentfulStatusCode, title: string, body: Safe, script?: string): Response {
  const nonce = randomBytes(16).toString('base64');
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  const doc = h`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${new Safe(CSS)}</style></head><body>${body}${script ? h`<script nonce="${nonce}">${new Safe(script)}</script>` : ''}</body></html>`;
  return c.html(doc.text, status);
}

/** A one-card page with a heading and a sentence: refusals, outcomes. */
export const notice = (c: Context, status: ContentfulStatusCode, title: string, text: string, extra: Safe = new Safe('')): Response =>
  page(
    c,
    status,
    title,
    h`<header><h1>temporal-hitl</h1></header><main><div class="card"><h3>${title}</h3><p>${text}</p>${extra}</div></main>`,
  );

/** Arguments as readable JSON. */
export const argsJson = (args: unknown): string => JSON.stringify(args ?? {}, null, 2);
