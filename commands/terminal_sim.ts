import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/*
| node ace terminal:sim --port 4451: a card terminal simulator for the terminal-sim plugin.
| Tell it how payments end through its control API, e.g.
|   curl -XPOST localhost:4451/control -d '{"mode":"decline","delayMs":1500}'
| (modes: approve, decline, timeout, silent; "dropNext": true cuts the next answer).
*/
export default class TerminalSim extends BaseCommand {
  static commandName = 'terminal:sim'
  static description = 'Start a card terminal simulator (HTTP) for the terminal-sim plugin'
  static options: CommandOptions = { startApp: false, staysAlive: true }

  @flags.number({ description: 'Port to listen on', default: 4451 })
  declare port: number

  @flags.string({ description: 'Address to listen on', default: '127.0.0.1' })
  declare host: string

  async run() {
    const { startTerminalSimulator } = await import('#plugins/terminal_simulator')
    const simulator = await startTerminalSimulator(this.port, this.host)
    this.logger.success(`Terminal simulator listening on http://${this.host}:${this.port}`)
    const stop = async () => {
      await simulator.close()
      process.exit(0)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  }
}
