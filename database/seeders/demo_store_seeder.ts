import { BaseSeeder } from '@adonisjs/lucid/seeders'
import DemoStoreService, { DEMO_STORE_NAME } from '#stores/demo_store_service'

/*
| `node ace db:seed` in development: the same demo store as `node ace pos:demo` (which also
| migrates, guards real data and can serve). Replaces an earlier demo store.
*/
export default class DemoStoreSeeder extends BaseSeeder {
  static environment = ['development']

  async run() {
    const demo = new DemoStoreService()
    const foreign = await demo.foreignStores()
    if (foreign.length) {
      throw new Error(`This database holds "${foreign[0].name}", which is not demo data: use node ace pos:demo --force to seed anyway`)
    }
    await demo.wipe([DEMO_STORE_NAME])
    await demo.create()
  }
}
