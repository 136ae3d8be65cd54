import router from '@adonisjs/core/services/router'
import type { HttpContext } from '@adonisjs/core/http'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * The methods the router takes at the request's address, when the request's is not one of them.
 * AdonisJS raises the same E_ROUTE_NOT_FOUND (a 404) for an address it does not know and for one
 * it knows under other methods (PATCH /api/products/1, where a product is changed by PUT): the
 * client was told that the product did not exist. The router itself is asked, each method in turn,
 * so the answer follows the routes and their id matchers as they are (/api/products/abc matches
 * none: still a 404). Empty: the address is unknown.
 */
export function allowedMethods(ctx: HttpContext): string[] {
  const url = ctx.request.url()
  const hostname = router.usingDomains ? ctx.request.hostname() : undefined
  const decode = ctx.request.parsedUrl.shouldDecodeParam
  return METHODS.filter((method) => method !== ctx.request.method() && router.match(url, method, decode, hostname) !== null)
}
