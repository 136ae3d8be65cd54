/*
| The time zones and currencies this runtime knows (Intl), as a store needs them: a time zone for
| its business days, a currency for its money. The store forms' validators and the store services
| both ask here, so a form says an unknown one with its other fields and a service still refuses
| one sent another way.
*/

/** An IANA time zone name Intl knows ("Europe/Paris", "UTC"); "Mars/Base" is not */
export function isTimeZone(zone: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** An ISO 4217 code Intl knows, in capitals ("EUR"); "XYZ" is not */
export function isCurrency(code: string) {
  return Intl.supportedValuesOf('currency').includes(code)
}
