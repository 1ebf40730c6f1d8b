import type { Client } from '@temporalio/client';
import type { HitlConfig } from '../config/index.js';

/** What every client operation needs: resolved once in `HitlClient`'s constructor. */
export interface ClientContext {
  client: Client;
  workspaceId: string;
  taskQueue: string;
  config: HitlConfig;
}
