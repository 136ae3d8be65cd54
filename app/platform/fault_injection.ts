/*
| Fault injection for the crash tests: POS_FAULT=<point> makes the process kill itself with
| SIGKILL when it reaches that point, as a power cut or a kill -9 would. Honoured only when
| NODE_ENV is test, so no setting of a real server can turn it on.
*/
export function faultPoint(name: 'after_idempotency_claim' | 'after_idempotent_write' | 'after_offline_sale_commit' | 'after_held_sale_commit' | 'after_import_batch') {
  if (process.env.NODE_ENV === 'test' && process.env.POS_FAULT === name) process.kill(process.pid, 'SIGKILL')
}
