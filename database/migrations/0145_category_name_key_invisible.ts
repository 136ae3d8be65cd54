import { BaseSchema } from '@adonisjs/lucid/schema'
import { keyCategoryNames } from '#database/migrations/0144_category_name_key'

/*
| The category name key (app/core/name_key.ts) now drops invisible format characters and makes a
| run of white space one space: "Tea" + U+200B, U+FEFF, U+200D or U+00AD were each a category of
| their own beside "Tea", and "EPICERIE  FINE" beside "épicerie fine", each reading the same in a
| list. Every category is keyed again, and a store's categories that now share a key are merged into
| the oldest as 0144 did (0125's mergeCategoriesInto: products and stocktakes moved, each merge in
| the audit log as categories_merged). The names are left as they were: a name with an invisible
| character loses it when it is next saved through the form. Products whose SKUs hold such
| characters are not rewritten either: they have sales and a ledger under that SKU (a SKU typed
| from now on refuses them: app/validators/fields.ts). There is no way down: the old keys would
| split what was merged.
*/

export default class extends BaseSchema {
  async up() {
    this.defer((client) => keyCategoryNames(client))
  }

  async down() {}
}
