import { Bouncer } from '@adonisjs/bouncer'
import type User from '#models/user'
import type Shift from '#models/shift'
import StoreAccessService, { maySwitchStore } from '#staff/store_access_service'

/*
| What each role may do. Every route checks one of these, and menus show only what passes.
|   admin      everything
|   manager    the till, products and categories, sales
|   cashier    the till; in the API: read products, create sales and payments, read sales
|   accountant read products and sales, reports and accounting exports
*/

const isAdmin = (user: User) => user.role === 'admin'
const isManager = (user: User) => user.role === 'admin' || user.role === 'manager'
const isSeller = (user: User) => ['admin', 'manager', 'cashier'].includes(user.role)

export const sell = Bouncer.ability((user: User) => isSeller(user))
export const viewProducts = Bouncer.ability((_user: User) => true)
export const manageProducts = Bouncer.ability((user: User) => isManager(user))
export const viewSales = Bouncer.ability((_user: User) => true)
export const useBackoffice = Bouncer.ability((user: User) => user.role !== 'cashier')
export const manageUsers = Bouncer.ability((user: User) => isAdmin(user))
export const approveOverrides = Bouncer.ability((user: User) => isManager(user))

// Returns and the record (refunds with a receipt are a till action; the rest needs a manager)
export const refund = Bouncer.ability((user: User) => isSeller(user))
export const voidSale = Bouncer.ability((user: User) => isManager(user))
export const viewAuditLog = Bouncer.ability((user: User) => isAdmin(user))
// Customers: anyone selling may find or quick-create one; export and erasure are an admin's
export const manageCustomers = Bouncer.ability((user: User) => isSeller(user))
export const managePrivacy = Bouncer.ability((user: User) => isAdmin(user))
// Stock, shifts and reports
export const manageStock = Bouncer.ability((user: User) => isManager(user))
export const runShift = Bouncer.ability((user: User) => isSeller(user))
export const viewReports = Bouncer.ability((user: User) => user.role !== 'cashier')
/**
 * A shift's X or Z report: whoever reads reports; a cashier, an open shift's (the till's X report)
 * and those of the shifts they opened or closed, not every register's figures of every past day
 */
export const readShiftReport = Bouncer.ability((user: User, shift: Pick<Shift, 'status' | 'openedBy' | 'closedBy'>) =>
  user.role !== 'cashier' || shift.status === 'open' || shift.openedBy === user.id || shift.closedBy === user.id
)
export const switchStore = Bouncer.ability((user: User) => maySwitchStore(user))
// Hardware, plugins and accounting exports
export const manageDevices = Bouncer.ability((user: User) => isManager(user))
// Sending a job to the store's printers from the back office (a receipt again, a Z report): those
// who sell or manage the devices. The accountant reads sales and shifts, and printed on them
export const usePrinters = Bouncer.ability((user: User) => isSeller(user) || isManager(user))
// Plugins are the installation's, not a store's: a payment gateway's settings (its merchant
// account, its terminal) and whether it is on hold for every store, so only an admin who belongs to
// every store may change them (an admin of one store could otherwise send the chain's card payments
// to an account of their own)
export const managePlugins = Bouncer.ability(async (user: User) => isAdmin(user) && (await new StoreAccessService().worksInEveryStore(user)))
export const exportAccounting = Bouncer.ability((user: User) => user.role === 'admin' || user.role === 'accountant')
// Stores of the chain and their registers (an admin's, for the stores they belong to)
export const manageStores = Bouncer.ability((user: User) => isAdmin(user))
// Backups of the whole installation: list, download, back up now. A backup holds every store's
// customers, sales and staff credentials, so only an admin who belongs to every store may
export const manageBackups = Bouncer.ability(async (user: User) => isAdmin(user) && (await new StoreAccessService().worksInEveryStore(user)))
