import type Customer from '#models/customer'
import type Sale from '#models/sale'

/*
| The JSON shapes of customers in the REST API. Money is integer minor units; dates are ISO 8601 UTC.
*/

export function customerJson(customer: Customer) {
  return {
    id: customer.id,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    notes: customer.notes,
    erased: customer.isErased,
    erased_at: customer.erasedAt?.toISO() ?? null,
    created_at: customer.createdAt?.toISO() ?? null,
    updated_at: customer.updatedAt?.toISO() ?? null,
  }
}

/** One line of a purchase history: the sale's totals, not its lines */
export function purchaseJson(sale: Sale) {
  return {
    id: sale.id,
    number: sale.number,
    status: sale.status,
    register_id: sale.registerId,
    subtotal: sale.subtotal,
    discount_total: sale.discountTotal,
    tax_total: sale.taxTotal,
    total: sale.total,
    completed_at: sale.completedAt?.toISO() ?? null,
  }
}
