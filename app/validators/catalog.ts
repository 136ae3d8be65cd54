import vine from '@vinejs/vine'
import { id, integer, isoTimestamp, nameText, price, SKU_TEXT, textId, textNumber, textPage, typedAmount } from '#validators/fields'


const productFields = {
  name: nameText(200),
  sku: vine.string().trim().minLength(1).maxLength(64).regex(SKU_TEXT),
  barcode: vine.string().trim().maxLength(32).nullable().optional(),
  barcodes: vine.array(vine.string().trim().minLength(1).maxLength(32)).maxLength(10).optional(),
  price: price(),
  cost: price().nullable().optional(),
  category: nameText(80).nullable().optional(),
  category_id: id().nullable().optional(),
  tax_class: vine.string().trim().maxLength(40).nullable().optional(),
  stock: integer().min(-1_000_000).max(1_000_000).nullable().optional(),
  active: vine.boolean({ strict: true }).optional(),
}

/** The API's product body: money in minor units */
export const createProductValidator = vine.create(productFields)

/**
 * A field a PUT may leave out but not blank: the body parser turns "" into null, and an optional
 * field takes null as "not sent", so {"name": ""} would otherwise answer 200 and change nothing.
 */
const sentAsNull = (field: { name: string | number; parent: any }) =>
  field.parent !== null && typeof field.parent === 'object' && Object.hasOwn(field.parent, field.name) && field.parent[field.name] === null

export const updateProductValidator = vine.create({
  name: productFields.name.clone().optional().requiredWhen(sentAsNull),
  sku: productFields.sku.clone().optional().requiredWhen(sentAsNull),
  barcode: productFields.barcode.clone(),
  barcodes: productFields.barcodes.clone(),
  price: productFields.price.clone().optional().requiredWhen(sentAsNull),
  cost: productFields.cost.clone(),
  category: productFields.category.clone(),
  category_id: productFields.category_id.clone(),
  tax_class: productFields.tax_class.clone(),
  stock: productFields.stock.clone(),
  active: productFields.active.clone(),
})

export const productListValidator = vine.create({
  search: vine.string().trim().maxLength(100).optional(),
  barcode: vine.string().trim().maxLength(32).optional(),
  category_id: textId().optional(),
  page: textPage().optional(),
  per_page: textNumber().withoutDecimals().min(1).max(100).optional(),
  archived: vine.boolean().optional(),
  // Changed at or after this moment (a catalog's mirror): archived ones too, by id (catalog_service.ts)
  updated_since: isoTimestamp().optional(),
  // With updated_since: the next page is the products after this id (the answer's meta.next_after_id)
  after_id: textId().optional(),
})

/** The back-office product form: prices typed as decimals ("12.99"), turned into minor units by the controller */
export const productFormValidator = vine.create({
  name: productFields.name,
  sku: productFields.sku,
  barcodes: vine.string().trim().maxLength(400).nullable().optional(),
  // Its form only: digits and decimal marks here, refused with the other fields; the amount is read
  // in the store's currency, and how large it may be said in its money (app/catalog/typed_price.ts)
  price: typedAmount(),
  cost: typedAmount().nullable().optional(),
  category_id: textId().nullable().optional(),
  tax_class: vine.string().trim().maxLength(40),
  stock: textNumber().withoutDecimals().min(-1_000_000).max(1_000_000).nullable().optional(),
  active: vine.accepted().optional(),
})

export const categoryValidator = vine.create({
  name: nameText(80),
  color: vine.string().trim().regex(/^#[0-9a-fA-F]{6}$/).nullable().optional(),
  position: textNumber().withoutDecimals().min(0).max(1000).nullable().optional(),
})
