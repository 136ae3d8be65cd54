import { Bouncer } from '@adonisjs/bouncer'
import type User from '#models/user'

/*
| What each role may do. Every route checks one of these, and menus show only what passes.
|   admin      everything
|   manager    the till, products and categories, sales
|   cashier    the till; in the API: read products, create sales and payments, read sales
|   accountant read products and sales (exports later)
*/

const isAdmin = (user: User) => user.role === 'admin'
const isManager = (user: User) => user.role === 'admin' || user.role === 'manager'

export const sell = Bouncer.ability((user: User) => ['admin', 'manager', 'cashier'].includes(user.role))
export const viewProducts = Bouncer.ability((_user: User) => true)
export const manageProducts = Bouncer.ability((user: User) => isManager(user))
export const viewSales = Bouncer.ability((_user: User) => true)
export const useBackoffice = Bouncer.ability((user: User) => user.role !== 'cashier')
export const manageUsers = Bouncer.ability((user: User) => isAdmin(user))
export const approveOverrides = Bouncer.ability((user: User) => isManager(user))
