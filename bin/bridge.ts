/*
| The hardware bridge as a script of its own, for the till's computer:
|
|   node --import @poppinss/ts-exec bin/bridge.ts --server http://pos.local:3333 --code ABCD-EFGH
|   node --import @poppinss/ts-exec bin/bridge.ts            (later: the saved token is used)
|
| `node ace bridge` does the same. Options: --state <file> (default storage/bridge.json),
| --name <label>, --health-interval <ms>, --reply-timeout <ms>, --stream-timeout <ms> (silence on
| the event stream before connecting again, default 45000), --any-device-file (write to any
| file a device names, not only printers' and serial lines': docs/hardware.md). Exit codes: 0 stopped,
| 1 an error (pairing refused, no saved pairing), 2 revoked by the server.
*/
import { BridgeClient, BridgeRevoked, parseArgs } from '../app/hardware/bridge_client.js'

const args = parseArgs(process.argv.slice(2))
const client = new BridgeClient({
  server: args.server,
  code: args.code,
  name: args.name,
  stateFile: args.state ?? 'storage/bridge.json',
  healthIntervalMs: args['health-interval'] ? Number(args['health-interval']) : undefined,
  replyTimeoutMs: args['reply-timeout'] ? Number(args['reply-timeout']) : undefined,
  streamTimeoutMs: args['stream-timeout'] ? Number(args['stream-timeout']) : undefined,
  anyDeviceFile: args['any-device-file'] === 'true',
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => client.stop())

try {
  await client.run()
  process.exitCode = client.wasRevoked ? 2 : 0
} catch (error) {
  console.error(`[bridge] ${(error as Error).message}`)
  process.exitCode = error instanceof BridgeRevoked || client.wasRevoked ? 2 : 1
}
process.exit()
