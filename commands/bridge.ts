import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { BridgeClient, BridgeRevoked } from '#hardware/bridge_client'

/*
| node ace bridge --server http://pos.local:3333 --code ABCD-EFGH
| The hardware bridge on the till's computer (see docs/hardware.md); bin/bridge.ts is the same
| without ace.
*/
export default class Bridge extends BaseCommand {
  static commandName = 'bridge'
  static description = 'Run the hardware bridge (receipt printer, cash drawer, customer display) of a till'
  static options: CommandOptions = { startApp: false, staysAlive: true }

  @flags.string({ description: 'The POS server address, e.g. http://pos.local:3333' }) declare server?: string
  @flags.string({ description: 'A one-time pairing code from the back office (register → devices)' }) declare code?: string
  @flags.string({ description: 'A name for this bridge in the back office' }) declare name?: string
  @flags.string({ description: 'Where the token and printed job ids are kept', default: 'storage/bridge.json' }) declare state: string
  @flags.boolean({ description: 'Write to any file a device names, not only printers and serial lines (a udev symlink of your own)' }) declare anyDeviceFile?: boolean
  @flags.number({ description: 'Milliseconds between two health reports of the devices' }) declare healthInterval?: number
  @flags.number({ description: 'Milliseconds a device has to answer (a printer status, a display)' }) declare replyTimeout?: number
  @flags.number({ description: 'Milliseconds of silence on the event stream before connecting again (the server pings every 15 s)' }) declare streamTimeout?: number

  async run() {
    const client = new BridgeClient({
      server: this.server,
      code: this.code,
      name: this.name,
      stateFile: this.state,
      anyDeviceFile: this.anyDeviceFile,
      healthIntervalMs: this.healthInterval,
      replyTimeoutMs: this.replyTimeout,
      streamTimeoutMs: this.streamTimeout,
    })
    const stop = () => client.stop()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      await client.run()
      this.exitCode = client.wasRevoked ? 2 : 0
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = error instanceof BridgeRevoked || client.wasRevoked ? 2 : 1
    }
    await this.terminate()
  }
}
