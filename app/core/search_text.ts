/*
| What a typed search asks for besides its words, the same on the server (catalog_service.ts) and
| on the offline till (resources/js/offline/catalog.js): words are the runs of letters and digits,
| every other character separates them.
*/

/**
 * The operators of a typed search: = + * ^ < > @ | ~ ` are no punctuation of a name (as - . / & ' %
 * are: "Coca-Cola", "1/2 Gallon", "2% Milk"), so a search holding one wants it in the name. They
 * were dropped with every other symbol: "=1+1" searched the word "1" (every "12 oz" and "1 lb").
 */
export function searchOperators(text: string): string[] {
  return [...new Set(text.match(/[=+*^<>@|~`]/g) ?? [])]
}
