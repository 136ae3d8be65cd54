import type User from '#models/user'
import Sale from '#models/sale'
import CheckoutService from '#sales/checkout_service'
import type { TestStore } from '#tests/fixtures'
import type Product from '#models/product'

/**
 * A back-office form submit as a browser sends it: POST with the CSRF token, PUT and DELETE
 * spoofed with ?_method=, a Referer for "redirect back", and redirects not followed.
 */
export function submit(client: any, user: User, method: 'post' | 'put' | 'delete', url: string, body: Record<string, unknown> = {}, from?: string) {
  const action = method === 'post' ? url : `${url}?_method=${method.toUpperCase()}`
  const request = client.post(action).form(body).withCsrfToken().loginAs(user).redirects(0)
  return from ? request.header('referer', from) : request
}

/** An admin changes a person's role on the back office's user form (their other fields as they are) */
export function setRole(client: any, fixture: TestStore, user: User, role: string) {
  return submit(client, fixture.users.admin, 'put', `/backoffice/users/${user.id}`, { name: user.name, email: user.email, role, password: '', pin: '', active: ['', 'on'] })
}

/** Opens the page a failed submit went back to, with the errors and input it flashed */
export function reopen(client: any, user: User, page: string, failed: any) {
  return client.get(page).withFlashMessages(failed.flashMessages()).loginAs(user)
}

/** A completed sale paid in cash, made by the checkout as the till and the API do */
export async function sellFor(fixture: TestStore, lines: { product: Product; quantity: number }[], registerId = fixture.register.id, user = fixture.users.cashier) {
  const { sale } = await new CheckoutService().createSale({ user, store: fixture.store }, registerId, {
    lines: lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })),
    payment: { method: 'cash' },
  })
  // The checkout answers with plain data (NewSale); tests that change the sale get its model
  return Sale.findOrFail(sale.id)
}
