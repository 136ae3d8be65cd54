import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/*
| node ace audit:verify [--store=<id>]
| Walks every register's hash chain of sales, refunds and voids and names the first record
| that was altered or removed. Exits with 1 when a chain is broken, so cron or CI can alert.
*/
export default class AuditVerify extends BaseCommand {
  static commandName = 'audit:verify'
  static description = 'Verify the hash chain of sales, refunds and voids of every register'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Only the registers of this store' })
  declare store: number

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { verifyChains } = await import('#sales/chain_verifier')
    try {
      // A store that is not there verified nothing: that is no "0 chains verified", exit 0
      if (this.store && !(await db.from('stores').where('id', this.store).first())) {
        this.logger.error(`No store ${this.store}`)
        this.exitCode = 2
        return
      }
      const verdicts = await verifyChains(this.store || undefined)
      for (const v of verdicts) {
        if (v.ok) this.logger.success(`store ${v.storeId}, ${v.registerName} (register ${v.registerId}): ${v.records} record(s), intact`)
        else this.logger.error(`store ${v.storeId}, ${v.registerName} (register ${v.registerId}): ${v.problem}`)
      }
      const broken = verdicts.filter((v) => !v.ok).length
      if (broken) {
        this.logger.error(`${broken} register chain(s) broken`)
        this.exitCode = 1
      } else {
        this.logger.info(`${verdicts.length} register chain(s) verified`)
      }
    } finally {
      await db.manager.closeAll()
    }
  }
}
