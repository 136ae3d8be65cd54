import Customer from '#models/customer'
import CheckoutService from '#sales/checkout_service'
import type Product from '#models/product'
import type { TestStore } from '#tests/fixtures'

let counter = 0

/** A customer of the fixture's store, with a unique email unless one is given */
export async function createCustomer(fixture: TestStore, overrides: Partial<{ name: string; email: string | null; phone: string | null; notes: string | null }> = {}) {
  counter++
  return Customer.create({
    storeId: fixture.store.id,
    name: overrides.name ?? `Jane Doe ${counter}`,
    email: overrides.email === undefined ? `jane.${fixture.tag}.${counter}@example.test` : overrides.email,
    phone: overrides.phone ?? null,
    notes: overrides.notes ?? null,
  })
}

/** A completed cash sale for the customer, made by the checkout as the API does */
export async function sellTo(fixture: TestStore, customer: Customer | null, lines: { product: Product; quantity: number }[]) {
  const { sale } = await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, {
    customerId: customer?.id ?? null,
    lines: lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })),
    payment: { method: 'cash' },
  })
  return sale
}
