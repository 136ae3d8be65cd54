import vine from '@vinejs/vine'
import { SKU_TEXT_MESSAGE, TYPED_AMOUNT_WORDS } from '#validators/fields'
import { HumanMessagesProvider, type Message } from '#validators/messages_provider'

/*
| What a refused field says where the staff read it (the till's message area, a form's field, an
| API error's message; the API's errors also name the field itself and the rule). Vine's own
| messages read like a machine ("The name field must be defined", "The selected role is
| invalid"): every rule our validators use has words here, said as what to do, and naming the
| field, as the till's message area and the API show a message without its field.
| tests/unit/validation_messages.spec.ts walks every validator: no message of vine's reaches anyone.
*/

/** The rules' words, whatever the field ({{ field }} is its label below, or its key in words) */
const RULES: Record<string, Message> = {
  'required': 'Enter the {{ field }}',
  'string': 'Enter the {{ field }} as text',
  'minLength': ({ field, min }) => (min === 1 ? `Enter the ${field}` : `Use at least ${min} characters for the ${field}`),
  'maxLength': 'Use at most {{ max }} characters for the {{ field }}',
  'email': 'Enter an email address such as ana@example.com',
  'regex': 'Check how the {{ field }} is written',
  'uuid': 'Send the {{ field }} as a UUID, such as 0f8fad5b-d9cb-469f-a165-70867728950e',
  'number': 'Enter the {{ field }} as a number, such as 12',
  'withoutDecimals': 'Enter the {{ field }} as a whole number',
  'decimal': ({ field, digits }) => `Use at most ${String(digits).split('-').at(-1)} decimals for the ${field}`,
  'min': 'Enter at least {{ min }} for the {{ field }}',
  'max': 'Enter at most {{ max }} for the {{ field }}',
  'range': 'Enter a number from {{ min }} to {{ max }} for the {{ field }}',
  'positive': 'Enter more than 0 for the {{ field }}',
  'boolean': 'Use true or false for the {{ field }}',
  'accepted': 'Tick the {{ field }} box, or leave it empty',
  'enum': ({ field, choices }) => `Choose the ${field}: ${[choices].flat().join(', ')}`,
  // (choices: an enum's; values: a number's list)
  'in': ({ field, choices, values }) => `Choose the ${field}: ${[choices ?? values].flat().join(', ')}`,
  'object': 'Send the {{ field }} as an object',
  'record': 'Send the {{ field }} as an object of names and values',
  'array': 'Send the {{ field }} as a list',
  'array.minLength': ({ field, min }) => `Add at least ${min} ${min === 1 ? 'entry' : 'entries'} to the ${field}`,
  'array.maxLength': 'Send at most {{ max }} entries in the {{ field }}',
  'date': 'Enter the {{ field }} as a day, such as 2026-12-31',
  'date.afterOrSameAs': 'Choose a {{ field }} on or after the {{ otherField }}',
  'timeZone': 'Unknown time zone: use a name such as Europe/Paris or America/New_York',
  'currencyCode': 'Unknown currency: use its three-letter code, such as USD or EUR',
  'timestamp': 'Enter the {{ field }} as a date and time, such as 2026-12-01T09:30:00Z (ISO 8601, in UTC or with its offset)',
}

/** A choice in a form is chosen, not typed */
const CHOICES: Record<string, Message> = {
  'role.required': 'Choose a role',
  'kind.required': 'Choose what it is',
  'transport.required': 'Choose how it is connected',
  'register_id.required': 'Choose a register',
  'user_id.required': 'Choose who you are',
  'store_id.required': 'Choose a store',
  'method.required': 'Choose how the customer pays',
  'discount_type.required': 'Choose a discount type',
  'exporter.required': 'Choose an export',
  'confirm.required': 'Tick the box to confirm',
  'confirm.accepted': 'Tick the box to confirm',
  'to.date.afterOrSameAs': 'Choose a last day on or after the first day',
  'customer_id.required': 'Choose a customer',
  'items.array.minLength': 'Add at least one line',
}

vine.messagesProvider = new HumanMessagesProvider(
  {
    ...RULES,
    ...CHOICES,
    'discount_value.regex': TYPED_AMOUNT_WORDS.discount_value,
    'price.regex': TYPED_AMOUNT_WORDS.price,
    // The rules take no sign: "-5" is refused too, so the words say so (a payment of 0 is refused later)
    'cost.regex': 'Enter the cost as a number of 0 or more, such as 12.50',
    // A JSON body's amounts are minor units: the limit is said in them
    'price.max': 'The price can be at most {{ max }} (in minor units, such as cents)',
    'cost.max': 'The cost can be at most {{ max }} (in minor units, such as cents)',
    'amount.regex': TYPED_AMOUNT_WORDS.amount,
    'tendered.regex': TYPED_AMOUNT_WORDS.tendered,
    'pin.regex': 'A PIN is 4 to 6 digits',
    // Required only with tendered or reference (POST /api/sales, an exchange): vine names the rule `required`
    'payment_method.required': 'Choose the payment method that the amount tendered or the reference is for',
    'sku.regex': SKU_TEXT_MESSAGE,
    'currency.regex': 'A currency is its three-letter code, such as USD',
    'color.regex': 'A colour is written #rrggbb, such as #1e88e5',
    'tax_rate.regex': 'Enter the tax rate as a percentage below 100 with at most 4 decimals, such as 8.25',
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
    'from.regex': 'Enter the day as YYYY-MM-DD, such as 2026-12-01',
    'to.regex': 'Enter the day as YYYY-MM-DD, such as 2026-12-31',
    'phone.regex': 'Enter a phone number of 6 to 20 digits, such as +1 555 010 0199',
    'host.regex': 'Enter the network address as a name or an IP address, such as 192.168.1.50 or printer.local',
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
    updated_since: 'time of the changes to list',
    manager_pin: 'manager PIN',
    pin: 'PIN',
    sku: 'SKU',
    email: 'email address',
    store_name: 'store name',
    to_store_id: 'store to send to',
    line_id: 'transfer line',
    'barcodes.*': 'barcode',
    'user_ids.*': 'person',
    items: 'lines',
    return_items: 'returned lines',
    host: 'network address',
    from: 'first day',
    device_id: 'device id',
    client_uuid: 'sale id',
    conflict_uuid: 'conflict id',
    to: 'last day',
  }
)
