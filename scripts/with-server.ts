/** `tsx scripts/with-server.ts <command> [args…]`: runs the command next to a fresh dev server (see `withServer`). */
import { withServer } from '../src/dev/with-server.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: tsx scripts/with-server.ts <command> [args…]');
  process.exit(2);
}
process.exit(await withServer(command, args));
