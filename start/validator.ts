import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { SKU_TEXT_MESSAGE } from '#validators/fields'

/*
| What a refused field says where the staff read it (the till's message area, a form's field, an
| API error's message; the API's errors also name the field itself). Vine's messages name a field
| by its name ("The discount_value field format is invalid"): these are the words on the screen,
| and an amount typed as a decimal says how to write one. A rule without its own message here
| keeps vine's, with the field's words.
*/

// The rules take no sign: "-5" is refused too, so the words say so (a payment of 0 is refused later)
const AN_AMOUNT = 'as a number of 0 or more, such as 12.50'
const A_PAYMENT = 'as a number above 0, such as 12.50'

vine.messagesProvider = new SimpleMessagesProvider(
  {
    'discount_value.regex': 'Enter the discount as a number of 0 or more, such as 10 or 0.50',
    'price.regex': `Enter the price ${AN_AMOUNT}`,
    'cost.regex': `Enter the cost ${AN_AMOUNT}`,
    // A JSON body's amounts are minor units: the limit is said in them
    'price.max': 'The price can be at most {{ max }} (in minor units, such as cents)',
    'cost.max': 'The cost can be at most {{ max }} (in minor units, such as cents)',
    'amount.regex': `Enter the amount ${A_PAYMENT}`,
    'tendered.regex': `Enter the amount tendered ${A_PAYMENT}`,
    'pin.regex': 'A PIN is 4 to 6 digits',
    'sku.regex': SKU_TEXT_MESSAGE,
    'currency.regex': 'A currency is its three-letter code, such as USD',
    'color.regex': 'A colour is written #rrggbb, such as #1e88e5',
    'tax_rate.regex': 'Enter the tax rate as a percentage, such as 8.25',
    'path.regex': 'A device path is a printer or serial line such as /dev/usb/lp0, /dev/ttyUSB0, /dev/serial/by-id/... or a udev name under /dev/pos/, or COM3 on Windows',
    'name.regex': 'A name may not hold control characters or text-direction overrides',
    'store_name.regex': 'A store name may not hold control characters or text-direction overrides',
    'category.regex': 'A category name may not hold control characters or text-direction overrides',
    'reason.regex': 'A reason may not hold control characters or text-direction overrides',
    'reference.regex': 'A reference may not hold control characters or text-direction overrides',
    'supplier.regex': 'A supplier may not hold control characters or text-direction overrides',
    'note.regex': 'A note may not hold control characters or text-direction overrides',
    'notes.regex': 'Notes may not hold control characters or text-direction overrides',
    'address.regex': 'An address may not hold control characters or text-direction overrides',
    'receipt_footer.regex': 'A receipt footer may not hold control characters or text-direction overrides',
    'approval_code.regex': 'An approval code may not hold control characters or text-direction overrides',
  },
  {
    discount_value: 'discount',
    discount_type: 'discount type',
    tendered: 'amount tendered',
    product_id: 'product',
    register_id: 'register',
    customer_id: 'customer',
    category_id: 'category',
    user_id: 'user',
    sale_item_id: 'sale line',
    tax_class: 'tax class',
    time_zone: 'time zone',
    cash_rounding: 'cash rounding',
    discount_limit: 'discount limit',
    receipt_footer: 'receipt footer',
    prices_include_tax: 'prices include tax',
    allow_negative_stock: 'allow negative stock',
    low_stock_threshold: 'low-stock threshold',
    per_page: 'page size',
    manager_pin: 'manager PIN',
    pin: 'PIN',
    sku: 'SKU',
  }
)
