import { AsyncLocalStorage } from 'node:async_hooks'

/*
| The request a piece of code runs for. The request observer middleware opens it around every
| request; config/logger.ts reads it, so every line logged during a request carries its
| request_id, also from services that log through the app's logger rather than ctx.logger.
*/
export interface RequestContext {
  requestId: string
  /** How long a database query may go unanswered while serving it (query_deadline.ts), if at all */
  queryDeadlineMs?: number | null
}

export const requestContext = new AsyncLocalStorage<RequestContext>()

/** The request id of the request being served, if any */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId
}
