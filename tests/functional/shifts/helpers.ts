import type User from '#models/user'
import { apiToken } from '#tests/fixtures'

/** An API caller signed in as one user of the fixture store */
export async function apiAs(client: any, user: User) {
  const token = await apiToken(client, user)
  const auth = (request: any) => request.header('authorization', `Bearer ${token}`)
  return {
    get: (url: string) => auth(client.get(url)),
    post: (url: string, body: Record<string, unknown> = {}) => auth(client.post(url)).json(body),
  }
}

/** A sale through the API, paid in full by one method */
export function sell(api: any, registerId: number, items: { product_id: number; quantity: number; discount?: number }[], method: string, tendered?: number) {
  return api.post('/api/sales', { register_id: registerId, items, payment_method: method, ...(tendered ? { tendered } : {}) })
}
